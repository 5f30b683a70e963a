/**
 * MetricsData → Prometheus text (0.0.4) or OpenMetrics 1.0 through prom-client (names, escaping and number
 * formatting are the library's, never ours). Cardinality is bounded here:
 * - `maxSeries` caps the number of samples: the series that cannot be folded (collector, accounts, key aliases)
 *   are counted first; the usage families get the rest, and models beyond it (fewest all-time requests first)
 *   fold into model="_other";
 * - the cpactl instance (profile name or host:port) is the label `gateway`: `instance` is Prometheus's own target
 *   label, and a scrape would rename ours to `exported_instance`;
 * - client keys appear only by alias (keys without one are summed into api_key="_unaliased", requests without a
 *   key into "_none"), never by hash or key; `source` and e-mails are never labels: accounts are named by their
 *   16-hex auth_index.
 */
import {makeWarning, type Warning} from '../cli/warnings.js'
import {CLASSIFICATIONS, type QuotaWindow} from '../store/index.js'
import {roundUsd} from '../pricing/cost.js'
import type {TokenCounts} from '../pricing/types.js'
import type {MetricsData, UsageSeries} from './metrics-data.js'

export type ExpositionFormat = 'prometheus' | 'openmetrics'

export const OTHER_MODEL = '_other'
const UNKNOWN = '_unknown'

/** Token types as exposed (`reasoning` is part of `output`, as in the reports). */
const TOKEN_TYPES: Array<[string, keyof TokenCounts]> = [
  ['input', 'uncachedInput'],
  ['cache_read', 'cacheRead'],
  ['cache_write', 'cacheWrite'],
  ['output', 'output'],
  ['reasoning', 'reasoning'],
  ['unclassified', 'unclassified'],
]

/** Samples per usage tuple: requests, one per token type, cost. */
const PER_TUPLE = 2 + TOKEN_TYPES.length

export interface Exposition {
  text: string
  contentType: string
  /** Samples written. */
  series: number
  /** Models folded into `_other`. */
  foldedModels: string[]
  warnings: Warning[]
}

const seconds = (ms: number) => Math.round(ms) / 1000
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** Models kept (not folded): the most requested ones that fit in `budget` usage samples. */
export function chooseModels(usage: readonly UsageSeries[], budget: number): {kept: Set<string>; count: number} {
  const byModel = new Map<string, number>()
  for (const u of usage) byModel.set(u.model, (byModel.get(u.model) ?? 0) + u.requests)
  const ranked = [...byModel].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0])).map(([m]) => m)
  const countWith = (kept: Set<string>) => PER_TUPLE * new Set(usage.map((u) => `${u.instance}\u001f${u.provider}\u001f${kept.has(u.model) ? u.model : OTHER_MODEL}\u001f${u.statusClass}`)).size
  for (let k = ranked.length; k >= 0; k--) {
    const kept = new Set(ranked.slice(0, k))
    const count = countWith(kept)
    if (count <= budget || k === 0) return {kept, count}
  }
  return {kept: new Set(), count: 0}
}

function windowsOf(w: {short: QuotaWindow | null; long: QuotaWindow | null; extra: QuotaWindow[]}): Array<[string, QuotaWindow]> {
  const out: Array<[string, QuotaWindow]> = []
  if (w.short) out.push(['short', w.short])
  if (w.long) out.push(['long', w.long])
  for (const e of w.extra) out.push([e.id, e])
  return out
}

export async function renderExposition(data: MetricsData, options: {format: ExpositionFormat; maxSeries: number}): Promise<Exposition> {
  const {Counter, Gauge, Registry} = await import('prom-client')
  const registry = new Registry<never>()
  registry.setContentType((options.format === 'openmetrics' ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE) as never)
  let series = 0
  const counter = (name: string, help: string, labelNames: string[]) => new Counter({name, help, labelNames, registers: [registry]})
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({name, help, labelNames, registers: [registry]})
  const set = (g: ReturnType<typeof gauge>, labels: Record<string, string>, value: number) => {
    g.set(labels, value)
    series++
  }

  // families in exposition order (prom-client prints them as registered)
  const requests = counter('cpactl_requests_total', 'Requests stored, by gateway (cpactl instance), provider, model and status class (2xx = succeeded; 4xx/5xx/error = failed).', ['gateway', 'provider', 'model', 'status_class'])
  const tokens = counter('cpactl_tokens_total', 'Tokens stored by type: input (uncached), cache_read, cache_write, output (reasoning included), reasoning, unclassified.', ['gateway', 'provider', 'model', 'status_class', 'type'])
  const cost = counter('cpactl_cost_usd_total', 'Cost in USD priced like the reports with the current price table (a price change moves it; unpriced models count 0).', ['gateway', 'provider', 'model', 'status_class'])
  const keyRequests = counter('cpactl_api_key_requests_total', 'Requests per client API key alias (keys without an alias are summed as _unaliased; no key: _none).', ['gateway', 'api_key'])
  const keyCost = counter('cpactl_api_key_cost_usd_total', 'Cost in USD per client API key alias, priced like the reports with the current price table.', ['gateway', 'api_key'])

  // ---- series that cannot be folded (counted first): collector, accounts, key aliases, bookkeeping
  const lastSuccess = gauge(
    'cpactl_collector_last_success_timestamp_seconds',
    'When the usage queue was last drained (Unix seconds): the end of the last successful collect run, or the last poll of a collector running now (its heartbeat).',
    ['gateway'],
  )
  const lastSuccessAge = gauge('cpactl_collector_last_success_age_seconds', 'Seconds since the usage queue was last drained, when the metrics were read.', ['gateway'])
  const running = gauge('cpactl_collector_running', '1 while a collector (cpactl collect --follow, or a one-shot run) holds the store for this instance.', ['gateway'])
  const stale = gauge('cpactl_collector_stale', 'The queue was last drained longer ago than its retention (a running collector included): records may expire unseen.', ['gateway'])
  const retention = gauge('cpactl_queue_retention_seconds', "The gateway's usage-queue retention, as the newest collect run that read it saw it.", ['gateway'])
  const publishing = gauge('cpactl_gateway_usage_publishing', "The gateway's usage-statistics-enabled (1 on, 0 off: nothing is queued), as the newest collect run that read it saw it.", ['gateway'])
  const deadLetters = gauge('cpactl_dead_letters_waiting', 'Usage payloads that did not parse, kept in the store and waiting for a retry.', ['gateway'])
  for (const {instance, state} of data.collectors) {
    if (state.lastSuccessAt !== null) {
      set(lastSuccess, {gateway: instance}, seconds(state.lastSuccessAt))
      set(lastSuccessAge, {gateway: instance}, seconds(Math.max(0, data.at - state.lastSuccessAt)))
    }
    set(running, {gateway: instance}, state.running ? 1 : 0)
    set(stale, {gateway: instance}, state.stale ? 1 : 0)
    if (state.retentionSeconds !== null) set(retention, {gateway: instance}, state.retentionSeconds)
    if (state.publishing !== null) set(publishing, {gateway: instance}, state.publishing ? 1 : 0)
    set(deadLetters, {gateway: instance}, state.deadLettersWaiting)
  }
  const inspected = gauge('cpactl_inspection_last_run_timestamp_seconds', 'Start of the newest inspection run (inspect run, quota --refresh) per instance.', ['gateway'])
  for (const i of data.inspections) set(inspected, {gateway: i.instance}, seconds(i.startedAt))
  const used = gauge('cpactl_account_quota_used_percent', 'Used share of a quota window (0-100) at the latest inspection.', ['gateway', 'provider', 'auth_index', 'window', 'period'])
  const resets = gauge('cpactl_account_quota_resets_at_timestamp_seconds', 'When a quota window resets (Unix seconds), from the latest inspection.', ['gateway', 'provider', 'auth_index', 'window', 'period'])
  const status = gauge('cpactl_account_status', "1 for the account's classification at the latest inspection, 0 for the others.", ['gateway', 'provider', 'auth_index', 'status'])
  const disabled = gauge('cpactl_account_disabled', '1 when the account was disabled on the gateway at the latest inspection.', ['gateway', 'provider', 'auth_index'])
  const checked = gauge('cpactl_account_checked_timestamp_seconds', 'When the account was last inspected (Unix seconds).', ['gateway', 'provider', 'auth_index'])
  for (const {instance, result: r} of data.accounts) {
    if (!r.authIndex) continue
    const base = {gateway: instance, provider: r.provider || UNKNOWN, auth_index: r.authIndex}
    for (const [window, w] of windowsOf(r.windows)) {
      const labels = {...base, window, period: w.label}
      if (w.usedPercent !== null) set(used, labels, w.usedPercent)
      const at = w.resetsAt ? Date.parse(w.resetsAt) : Number.NaN
      if (Number.isFinite(at)) set(resets, labels, seconds(at))
    }
    for (const c of CLASSIFICATIONS) set(status, {...base, status: c}, r.classification === c ? 1 : 0)
    set(disabled, base, r.disabled ? 1 : 0)
    const at = Date.parse(r.checkedAt)
    if (Number.isFinite(at)) set(checked, base, seconds(at))
  }
  const keySums = new Map<string, {instance: string; apiKey: string; requests: number; cost: number}>()
  for (const k of data.keys) {
    const apiKey = k.hash === '' ? '_none' : (k.alias ?? '_unaliased')
    const id = `${k.instance}\u001f${apiKey}`
    const cur = keySums.get(id) ?? {instance: k.instance, apiKey, requests: 0, cost: 0}
    cur.requests += k.requests
    cur.cost += k.costUsd
    keySums.set(id, cur)
  }
  for (const k of [...keySums.values()].sort((a, b) => cmp(a.instance, b.instance) || cmp(a.apiKey, b.apiKey))) {
    keyRequests.inc({gateway: k.instance, api_key: k.apiKey}, k.requests)
    keyCost.inc({gateway: k.instance, api_key: k.apiKey}, roundUsd(k.cost))
    series += 2
  }
  const spool = gauge('cpactl_spool_pending_batches', 'Batches spilled beside the store because they could not be committed; the next collect stores them.')
  const unpriced = gauge('cpactl_unpriced_models', 'Models with usage but no price: their cost counters are lower bounds (cpactl prices missing).')
  const folded = gauge('cpactl_metrics_models_folded', 'Models summed into model="_other" to stay within --max-series.')
  const total = gauge('cpactl_metrics_series', 'Samples in this exposition.')
  set(spool, {}, data.spoolPending)
  set(unpriced, {}, data.unpricedModels.length)
  series += 2 // folded and total, set below

  // ---- usage counters: what is left of the budget; the least used models fold into _other
  const warnings: Warning[] = []
  const {kept} = chooseModels(data.usage, Math.max(0, options.maxSeries - series))
  const foldedModels = [...new Set(data.usage.map((u) => u.model).filter((m) => !kept.has(m)))].sort()
  const tuples = new Map<string, UsageSeries>()
  for (const u of data.usage) {
    const model = kept.has(u.model) ? u.model || UNKNOWN : OTHER_MODEL
    const id = `${u.instance}\u001f${u.provider}\u001f${model}\u001f${u.statusClass}`
    const cur = tuples.get(id)
    if (!cur) {
      tuples.set(id, {...u, model, tokens: {...u.tokens}})
      continue
    }
    cur.requests += u.requests
    cur.costUsd += u.costUsd
    for (const [, t] of TOKEN_TYPES) cur.tokens[t] += u.tokens[t]
  }
  const order = (u: UsageSeries) => [u.instance, u.provider, u.model, u.statusClass]
  for (const u of [...tuples.values()].sort((a, b) => order(a).reduce((r, x, i) => r || cmp(x, order(b)[i]), 0))) {
    const labels = {gateway: u.instance, provider: u.provider || UNKNOWN, model: u.model, status_class: u.statusClass}
    requests.inc(labels, u.requests)
    for (const [type, t] of TOKEN_TYPES) tokens.inc({...labels, type}, u.tokens[t])
    cost.inc(labels, roundUsd(u.costUsd))
    series += PER_TUPLE
  }
  folded.set(foldedModels.length)
  total.set(series)
  if (series > options.maxSeries) {
    warnings.push(makeWarning('max_series_exceeded', `${series} series exceed --max-series ${options.maxSeries}: every model is already folded into _other; the rest are per-instance, per-account and per-alias series`))
  }
  return {text: await registry.metrics(), contentType: registry.contentType, series, foldedModels, warnings}
}
