/**
 * The two checks that read usage through the report engine (the same numbers `report summary` prints):
 *
 * `cpactl check failures`: the failure rate over a recent window, optionally for one model or account.
 *   CRITICAL  rate ≥ --crit-rate; WARNING  rate ≥ --warn-rate; OK below, or with fewer than --min-requests
 *   requests in the window (too few to judge).
 *
 * `cpactl check budget`: cost since the start of a period against a budget, overall or for client keys, with the
 * linear projection to the end of the period (calendar periods: today, this-week, this-month …; or --until).
 *   CRITICAL  spent ≥ --crit % of the budget; WARNING  spent ≥ --warn %, or the projection reaches the budget
 *   once a tenth of the period has passed (earlier projections swing too much to page anyone).
 */
import type {PriceBook} from '../pricing/cost.js'
import type {FilterInput} from '../report/filters.js'
import {parseInstant, rangeJson, type RangeJson, type TimeRange} from '../report/range.js'
import {buildSummary} from '../report/summary.js'
import {addDays, localParts, zonedToUtc} from '../time/zone.js'
import type {Store} from '../store/index.js'
import type {CheckItem, CheckState, Evaluation} from './check-types.js'

/** The scope of a usage check as a stable target: `all`, or `key=value` pairs in a fixed order. */
export function scopeTarget(parts: Array<[string, readonly string[] | string | undefined | null]>): string {
  const out: string[] = []
  for (const [k, v] of parts) {
    const values = (Array.isArray(v) ? v : v ? [v] : []).flatMap((x: string) => x.split(',')).map((x) => x.trim()).filter(Boolean)
    if (values.length > 0) out.push(`${k}=${[...new Set(values)].sort().join('+')}`)
  }
  return out.length > 0 ? out.join(',') : 'all'
}

export interface FailuresCheckOptions {
  range: TimeRange
  /** The --since text, for the target (a 15-minute and a 1-hour check are different checks). */
  sinceText: string
  filters: FilterInput
  warnRate: number
  critRate: number
  minRequests: number
  prices: PriceBook
}

export interface FailuresItem extends CheckItem {
  range: RangeJson
  requests: number
  failed: number
  /** failed / requests, null without requests. */
  failureRate: number | null
}

const ratePct = (r: number) => `${Math.round(r * 1000) / 10}%`

export async function checkFailures(store: Store, o: FailuresCheckOptions): Promise<Evaluation<FailuresItem>> {
  const s = await buildSummary(store, {range: o.range, filters: o.filters, prices: o.prices})
  const {requests, failed, failureRate} = s.totals
  const filters = scopeTarget([['instance', o.filters.instance], ['provider', o.filters.provider], ['model', o.filters.model], ['account', o.filters.account]])
  const target = filters === 'all' ? `since=${o.sinceText}` : `since=${o.sinceText},${filters}`
  let state: CheckState = 'ok'
  let summary: string
  if (requests < o.minRequests || failureRate === null) {
    summary = `${requests} request${requests === 1 ? '' : 's'} since ${s.range.since} (${failed} failed): fewer than --min-requests ${o.minRequests}, not judged`
  } else {
    state = failureRate >= o.critRate ? 'critical' : failureRate >= o.warnRate ? 'warning' : 'ok'
    summary = `${ratePct(failureRate)} of ${requests} requests failed (${failed}) since ${s.range.since}`
  }
  const scope = filters === 'all' ? '' : ` [${filters}]`
  return {
    check: 'failures',
    state,
    summary: summary + scope,
    items: [{target, state, summary, range: s.range, requests, failed, failureRate}],
    perfdata: [
      {label: 'failure_rate', value: failureRate ?? 0, uom: '', warn: o.warnRate, crit: o.critRate, min: 0, max: 1},
      {label: 'requests', value: requests, uom: '', warn: null, crit: null, min: 0, max: null},
      {label: 'failed', value: failed, uom: '', warn: null, crit: null, min: 0, max: null},
    ],
    thresholds: {warnRate: o.warnRate, critRate: o.critRate, minRequests: o.minRequests},
    // cost caveats do not concern a failure rate
    warnings: s.warnings.filter((w) => w.code !== 'unpriced_models' && w.code !== 'unclassified_tokens'),
  }
}

/** End of the calendar period a --since keyword starts (local to tz); null for other values. */
export function periodEnd(sinceText: string, tz: string, now: number): number | null {
  const t = sinceText.trim().toLowerCase()
  const p = localParts(tz, now)
  switch (t) {
    case 'today':
      return parseInstant('tomorrow', tz, now)
    case 'yesterday':
      return parseInstant('today', tz, now)
    case 'this-week':
      return zonedToUtc(tz, ...addDays(p.year, p.month, p.day, 7 - p.weekday))
    case 'this-month':
      return p.month === 12 ? zonedToUtc(tz, p.year + 1, 1, 1) : zonedToUtc(tz, p.year, p.month + 1, 1)
    case 'last-month':
      return parseInstant('this-month', tz, now)
    default:
      return null
  }
}

export interface BudgetCheckOptions {
  /** Period start (--since) and end (--until, else the calendar period's end, else null). */
  since: number
  end: number | null
  tz: string
  sinceText: string
  now: number
  budgetUsd: number
  warnPercent: number
  critPercent: number
  ignoreProjection: boolean
  filters: FilterInput
  prices: PriceBook
}

export interface BudgetItem extends CheckItem {
  range: RangeJson
  /** End of the period the projection runs to (ISO 8601), null when the period has no end. */
  periodEnd: string | null
  spentUsd: number
  budgetUsd: number
  /** spent / budget × 100. */
  spentPercent: number
  /** Linear projection of the spend to the end of the period, null without an end. */
  projectedUsd: number | null
  /** Share of the period already elapsed (0–1), null without an end. */
  elapsed: number | null
  /** Some usage could not be priced: the real cost is higher. */
  costIsLowerBound: boolean
}

const usd = (v: number) => `$${v.toFixed(2)}`

export async function checkBudget(store: Store, o: BudgetCheckOptions): Promise<Evaluation<BudgetItem>> {
  const until = o.end === null ? o.now : Math.min(o.now, o.end)
  const range: TimeRange = {since: o.since, until: Math.max(until, o.since + 1), tz: o.tz}
  const s = await buildSummary(store, {range, filters: o.filters, prices: o.prices})
  const spent = s.totals.costUsd
  const spentPercent = (spent / o.budgetUsd) * 100
  let projected: number | null = null
  let elapsed: number | null = null
  if (o.end !== null && o.end > o.since) {
    elapsed = Math.min(1, Math.max(0, (o.now - o.since) / (o.end - o.since)))
    projected = elapsed >= 1 ? spent : elapsed > 0 ? spent / elapsed : 0
  }
  const projects = !o.ignoreProjection && projected !== null && elapsed !== null && elapsed >= 0.1 && projected >= o.budgetUsd
  const state: CheckState = spentPercent >= o.critPercent ? 'critical' : spentPercent >= o.warnPercent || projects ? 'warning' : 'ok'
  // keys by alias or hash prefix as the report resolved them: a raw key given on the command line never lands in a
  // target (stored with the check state, posted to receivers)
  const target = scopeTarget([['since', o.sinceText], ['instance', o.filters.instance], ['api-key', s.filters.apiKeys]])
  const keys = s.filters.apiKeys.length > 0 ? s.filters.apiKeys.join(', ') : 'all keys'
  const proj = projected === null ? '' : `, projected ${usd(projected)} by ${new Date(o.end!).toISOString()}`
  const summary = `${keys}: ${usd(spent)} of ${usd(o.budgetUsd)} (${Math.round(spentPercent * 10) / 10}%) since ${s.range.since}${proj}${s.totals.costIsLowerBound ? ' (lower bound: unpriced usage)' : ''}`
  const money = (v: number) => Math.round(v * 1e4) / 1e4
  return {
    check: 'budget',
    state,
    summary,
    items: [
      {
        target,
        state,
        summary,
        range: rangeJson(range),
        periodEnd: o.end === null ? null : new Date(o.end).toISOString(),
        spentUsd: money(spent),
        budgetUsd: o.budgetUsd,
        spentPercent: Math.round(spentPercent * 100) / 100,
        projectedUsd: projected === null ? null : money(projected),
        elapsed: elapsed === null ? null : Math.round(elapsed * 1e4) / 1e4,
        costIsLowerBound: s.totals.costIsLowerBound,
      },
    ],
    perfdata: [
      {label: 'spent', value: money(spent), uom: '', warn: money((o.budgetUsd * o.warnPercent) / 100), crit: money((o.budgetUsd * o.critPercent) / 100), min: 0, max: null},
      ...(projected === null ? [] : [{label: 'projected', value: money(projected), uom: '', warn: o.budgetUsd, crit: null, min: 0, max: null}]),
      {label: 'budget', value: o.budgetUsd, uom: '', warn: null, crit: null, min: 0, max: null},
    ],
    thresholds: {budgetUsd: o.budgetUsd, warnPercent: o.warnPercent, critPercent: o.critPercent},
    warnings: s.warnings,
  }
}
