/**
 * `report events`: per-request rows for drill-down, newest first, keyset-paginated (`--before <cursor>`, the
 * `nextCursor` of the previous page; never OFFSET). Each row carries the request id for `cpactl logs request`.
 */
import {UsageError} from '../cli/errors.js'
import {contextTierIndex, costOf, effectiveServiceTier, ratesFor, roundUsd, type PriceBook} from '../pricing/cost.js'
import type {Store} from '../store/index.js'
import {accountDisplay, apiKeyDisplay} from './context.js'
import type {ReportWarning} from './engine.js'
import {resolveFilters, type FilterInput, type FiltersJson} from './filters.js'
import {rangeJson, type RangeJson, type TimeRange} from './range.js'

export interface EventItem {
  id: number
  time: string
  requestId: string | null
  instance: string
  provider: string | null
  model: string | null
  /** Model name the client asked for. */
  alias: string | null
  endpoint: string | null
  authIndex: string | null
  account: string
  /** Alias, masked key or hash prefix of the client key — never the key. */
  apiKey: string
  statusCode: number | null
  failed: boolean
  latencyMs: number | null
  ttftMs: number | null
  inputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  outputTokens: number
  reasoningTokens: number
  totalTokens: number
  /** null when the model has no price. */
  costUsd: number | null
  serviceTier: string | null
  reasoningEffort: string | null
  /** Redacted error summary (failures only). */
  error: string | null
}

export interface EventsResult {
  range: RangeJson
  currency: 'USD'
  filters: FiltersJson
  rows: EventItem[]
  /** Pass as --before to get the next (older) page; null on the last page. */
  nextCursor: string | null
  warnings: ReportWarning[]
}

export interface EventsOptions {
  range: TimeRange
  filters: FilterInput
  prices: PriceBook
  limit: number
  before?: string
}

/** `<ts>.<id>` → keyset position; an ISO time is accepted too (events strictly before it). */
export function parseCursor(text: string): {ts: number; id: number} {
  const m = /^(\d+)\.(\d+)$/.exec(text.trim())
  if (m) return {ts: Number(m[1]), id: Number(m[2])}
  const t = Date.parse(text)
  if (Number.isFinite(t) && /\d{4}-\d{2}-\d{2}/.test(text)) return {ts: t, id: 0}
  throw new UsageError(`invalid --before '${text}': pass the nextCursor of a previous page or an ISO 8601 time`, {code: 'invalid_cursor'})
}

export async function buildEvents(store: Store, o: EventsOptions): Promise<EventsResult> {
  const resolved = await resolveFilters(store, o.filters)
  const before = o.before ? parseCursor(o.before) : null
  const list = await store.events.list({since: o.range.since, until: o.range.until, filters: resolved.filters, before, limit: o.limit})
  const accounts = await store.aliases.accountNames([...new Set(list.map((e) => e.authIndex ?? '').filter((a) => a !== ''))])
  const keys = await store.aliases.keyNames([...new Set(list.map((e) => e.apiKeyHash ?? ''))])
  const rows: EventItem[] = list.map((e) => {
    const match = o.prices.lookup(e.model)
    let costUsd: number | null = null
    if (match) {
      const inputTotal = e.uncachedInput + e.cacheRead + e.cacheWrite
      const rates = ratesFor(match.price, {
        tierIndex: contextTierIndex(match.price.tiers, inputTotal),
        serviceTier: effectiveServiceTier(e.provider, e.serviceTier, e.responseServiceTier),
      })
      costUsd = roundUsd(costOf({uncachedInput: e.uncachedInput, cacheRead: e.cacheRead, cacheWrite: e.cacheWrite, output: e.outputTotal, reasoning: e.reasoning, unclassified: e.unclassified}, rates).total)
    }
    return {
      id: e.id,
      time: new Date(e.ts).toISOString(),
      requestId: e.requestId,
      instance: e.instance,
      provider: e.provider,
      model: e.model,
      alias: e.alias,
      endpoint: e.endpoint,
      authIndex: e.authIndex,
      account: accountDisplay(e.authIndex ?? '', accounts.get(e.authIndex ?? '')),
      apiKey: apiKeyDisplay(e.apiKeyHash ?? '', keys.get(e.apiKeyHash ?? '')),
      statusCode: e.statusCode,
      failed: e.failed,
      latencyMs: e.latencyMs,
      ttftMs: e.ttftMs,
      inputTokens: e.uncachedInput,
      cacheReadTokens: e.cacheRead,
      cacheWriteTokens: e.cacheWrite,
      outputTokens: e.outputTotal,
      reasoningTokens: e.reasoning,
      totalTokens: e.total,
      costUsd,
      serviceTier: e.serviceTier,
      reasoningEffort: e.reasoningEffort,
      error: e.failed ? e.failSummary : null,
    }
  })
  const warnings: ReportWarning[] = [...resolved.warnings]
  const {rawCompleteFrom} = await store.rollups.state()
  if (o.range.since < rawCompleteFrom) {
    warnings.push({code: 'raw_events_pruned', message: `raw events before ${new Date(rawCompleteFrom).toISOString()} were pruned: older requests are not listed`})
  }
  const last = list.at(-1)
  return {
    range: rangeJson(o.range),
    currency: 'USD',
    filters: resolved.json,
    rows,
    nextCursor: list.length === o.limit && last ? `${last.ts}.${last.id}` : null,
    warnings,
  }
}
