/**
 * The report engine: turns a range, filters and a grouping into exact per-group aggregates, reading the hourly
 * report rollups for whole hours and raw events only where they are needed (cpamp-anchor.md §5 "raw leading
 * edge + complete hourly rollups + raw trailing edge"):
 *
 * - hours cut by the range edges or by a bucket boundary (e.g. local midnight in Asia/Kolkata) come from raw
 *   events, split exactly at the boundary;
 * - models whose price has context tiers come from raw events (the tier depends on each request's input);
 * - short ranges (≤ EXACT_LIMIT requests) come entirely from raw events, so p95 values are exact; longer
 *   ranges read p95 from the rollups' log histograms (±2.2 %) and say so (`percentiles: "estimated"`);
 * - where raw events were pruned, rollups stand in (whole hours; tiers billed at base rates) with a warning.
 * Counts and tokens are integer sums in every mode: no sampling, no proportional allocation.
 */
import {
  cubeFor,
  estimateRequests,
  HOUR_MS,
  iterateCube,
  iterateRaw,
  refreshReportRollups,
  reportState,
  type CubeName,
  type RowFilters,
  type UsageRow,
} from '../store/reports.js'
import type {Database} from '../store/db.js'
import {contextTierIndex, costOf, effectiveServiceTier, ratesFor, roundUsd, type AppliedRates, type PriceBook} from '../pricing/cost.js'
import {emptyTokens, type TokenCounts} from '../pricing/types.js'
import {addEncodedDense, exactPercentile, HIST_BUCKETS, histBucket, histPercentile} from './histogram.js'
import type {Bucket, TimeRange} from './range.js'

export type GroupBy = 'none' | 'model' | 'provider' | 'account' | 'api-key' | 'failure'

/** Ranges with at most this many requests are computed from raw events (exact percentiles). */
export const EXACT_LIMIT = 50_000

export interface ReportWarning {
  code: string
  message: string
  /** Models, accounts, … the warning is about. */
  items?: string[]
}

export interface EngineQuery {
  range: TimeRange
  filters: RowFilters
  groupBy: GroupBy
  /** Timeline buckets; default one bucket = the range. */
  buckets?: Bucket[]
  prices: PriceBook
  /** Compute p95 latency/TTFT (default true). */
  percentiles?: boolean
  exactLimit?: number
}

export interface PricingCell {
  provider: string
  model: string
  serviceTier: string | null
  tierIdx: number
  requests: number
  tokens: TokenCounts
}

export interface GroupAgg {
  bucket: number
  key: string
  requests: number
  failed: number
  tokens: TokenCounts
  latencySum: number
  latencyCount: number
  ttftSum: number
  ttftCount: number
  lastTs: number
  providers: Set<string>
  cells: Map<string, PricingCell>
  latDense: Float64Array | null
  ttftDense: Float64Array | null
  latValues: number[] | null
  ttftValues: number[] | null
}

export interface EngineResult {
  groups: GroupAgg[]
  mode: 'exact' | 'rollup'
  cube: CubeName | null
  warnings: ReportWarning[]
}

function groupKeyOf(groupBy: GroupBy, r: UsageRow): string {
  switch (groupBy) {
    case 'none':
      return ''
    case 'model':
      return r.model
    case 'provider':
      return r.provider
    case 'account':
      return r.authIndex
    case 'api-key':
      return r.apiKeyHash
    case 'failure':
      return `${r.status ?? 0}\u001f${r.authIndex}\u001f${r.model}`
  }
}

/** Which dimensions a query needs beyond model/provider (chooses the rollup). */
function needs(q: EngineQuery): {apiKey: boolean; account: boolean; failed: boolean} {
  const f = q.filters
  return {
    apiKey: q.groupBy === 'api-key' || (f.apiKeyHashes?.length ?? 0) > 0,
    account: q.groupBy === 'account' || q.groupBy === 'failure' || (f.authIndexes?.length ?? 0) > 0,
    failed: f.failed !== undefined || (f.statuses?.length ?? 0) > 0 || q.groupBy === 'failure',
  }
}

const floorHour = (t: number) => t - (((t % HOUR_MS) + HOUR_MS) % HOUR_MS)

/** Index of the bucket containing t (buckets sorted, contiguous), or -1. */
function bucketIndex(buckets: Bucket[], t: number): number {
  let lo = 0
  let hi = buckets.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (t < buckets[mid].start) hi = mid - 1
    else if (t >= buckets[mid].end) lo = mid + 1
    else return mid
  }
  return -1
}

class Accumulator {
  readonly groups = new Map<string, GroupAgg>()
  constructor(
    private readonly q: EngineQuery,
    private readonly exact: boolean,
  ) {}

  add(r: UsageRow, bucket: number): void {
    const key = groupKeyOf(this.q.groupBy, r)
    const gk = `${bucket}\u001e${key}`
    let g = this.groups.get(gk)
    if (!g) {
      g = {
        bucket,
        key,
        requests: 0,
        failed: 0,
        tokens: emptyTokens(),
        latencySum: 0,
        latencyCount: 0,
        ttftSum: 0,
        ttftCount: 0,
        lastTs: 0,
        providers: new Set(),
        cells: new Map(),
        latDense: null,
        ttftDense: null,
        latValues: null,
        ttftValues: null,
      }
      this.groups.set(gk, g)
    }
    g.requests += r.requests
    g.failed += r.failed
    const t = g.tokens
    t.uncachedInput += r.uncachedInput
    t.cacheRead += r.cacheRead
    t.cacheWrite += r.cacheWrite
    t.output += r.outputTotal
    t.reasoning += r.reasoning
    t.unclassified += r.unclassified
    g.latencySum += r.latencySum
    g.latencyCount += r.latencyCount
    g.ttftSum += r.ttftSum
    g.ttftCount += r.ttftCount
    if (r.lastTs > g.lastTs) g.lastTs = r.lastTs
    if (r.provider !== '') g.providers.add(r.provider)
    if (this.q.percentiles !== false) {
      if (this.exact) {
        if (r.latencyMs !== null) (g.latValues ??= []).push(r.latencyMs)
        if (r.ttftMs !== null) (g.ttftValues ??= []).push(r.ttftMs)
      } else if (!r.raw) {
        if (r.latHist) addEncodedDense((g.latDense ??= new Float64Array(HIST_BUCKETS)), r.latHist)
        if (r.ttftHist) addEncodedDense((g.ttftDense ??= new Float64Array(HIST_BUCKETS)), r.ttftHist)
      } else {
        // a raw row inside a rollup-mode query: add it to the histogram
        if (r.latencyMs !== null) addOne((g.latDense ??= new Float64Array(HIST_BUCKETS)), r.latencyMs)
        if (r.ttftMs !== null) addOne((g.ttftDense ??= new Float64Array(HIST_BUCKETS)), r.ttftMs)
      }
    }
    // pricing cell: same model, effective service tier and context tier
    const st = effectiveServiceTier(r.provider, r.serviceTier, r.responseServiceTier)
    let tierIdx = -1
    if (r.raw) {
      const m = this.q.prices.lookup(r.model)
      if (m && m.price.tiers.length > 0) tierIdx = contextTierIndex(m.price.tiers, r.uncachedInput + r.cacheRead + r.cacheWrite)
    }
    const ck = `${r.provider}\u001f${r.model}\u001f${st ?? ''}\u001f${tierIdx}`
    let c = g.cells.get(ck)
    if (!c) {
      c = {provider: r.provider, model: r.model, serviceTier: st, tierIdx, requests: 0, tokens: emptyTokens()}
      g.cells.set(ck, c)
    }
    c.requests += r.requests
    const ct = c.tokens
    ct.uncachedInput += r.uncachedInput
    ct.cacheRead += r.cacheRead
    ct.cacheWrite += r.cacheWrite
    ct.output += r.outputTotal
    ct.reasoning += r.reasoning
    ct.unclassified += r.unclassified
  }
}

function addOne(dense: Float64Array, ms: number): void {
  dense[histBucket(ms)]++
}

/** Run a query: refresh the rollups, plan, read, aggregate. */
export function runQuery(db: Database, q: EngineQuery): EngineResult {
  refreshReportRollups(db)
  const {since, until} = q.range
  const buckets = q.buckets ?? [{start: since, end: until, label: ''}]
  const state = reportState(db)
  const rawFrom = state.rawCompleteFrom
  const warnings: ReportWarning[] = []
  const cube = cubeFor(needs(q))
  const estimate = estimateRequests(db, since, until, q.filters)
  const exact = cube === null || (estimate <= (q.exactLimit ?? EXACT_LIMIT) && since >= rawFrom)
  const acc = new Accumulator(q, exact)
  const addRaw = (r: UsageRow) => {
    const b = bucketIndex(buckets, r.ts)
    if (b >= 0) acc.add(r, b)
  }

  if (exact) {
    if (since < rawFrom) {
      warnings.push({
        code: 'raw_events_pruned',
        message: `raw events before ${new Date(rawFrom).toISOString()} were pruned and this query needs them (API key combined with account or failure filters): that part of the range is missing`,
      })
    }
    for (const r of iterateRaw(db, since, until, q.filters)) addRaw(r)
    return {groups: [...acc.groups.values()], mode: 'exact', cube, warnings}
  }

  // Hybrid: whole hours inside one bucket from the rollup; cut hours from raw events.
  const cutHours = new Set<number>()
  const boundaries = [since, until, ...buckets.map((b) => b.start), ...buckets.map((b) => b.end)].filter((t) => t >= since && t <= until)
  for (const t of boundaries) if (t % HOUR_MS !== 0) cutHours.add(floorHour(t))
  const fromHour = floorHour(since)
  const toHour = until % HOUR_MS === 0 ? until : floorHour(until) + HOUR_MS
  const tiered = new Set<string>()
  let prunedEdges = false
  let prunedTiers = false
  for (const r of iterateCube(db, cube!, fromHour, toHour, q.filters, q.percentiles !== false)) {
    const hour = r.ts
    const raw = hour >= rawFrom
    if (cutHours.has(hour)) {
      if (raw) continue
      // raw events are gone: count the whole hour where it starts, if it starts inside the range
      prunedEdges = true
      if (hour < since) continue
    }
    if (raw && q.prices.hasTiers(r.model)) {
      tiered.add(r.model)
      continue
    }
    if (!raw && q.prices.hasTiers(r.model)) prunedTiers = true
    const b = bucketIndex(buckets, hour)
    if (b >= 0) acc.add(r, b)
  }
  const tieredList = [...tiered]
  for (const hour of [...cutHours].sort((a, b) => a - b)) {
    if (hour < rawFrom) continue
    const from = Math.max(hour, since)
    const to = Math.min(hour + HOUR_MS, until)
    if (to <= from) continue
    for (const r of iterateRaw(db, from, to, {...q.filters, excludeModels: [...(q.filters.excludeModels ?? []), ...tieredList]})) addRaw(r)
  }
  if (tieredList.length > 0) {
    const from = Math.max(since, rawFrom)
    for (const r of iterateRaw(db, from, until, {...q.filters, models: tieredList.filter((m) => !q.filters.models || q.filters.models.includes(m))})) addRaw(r)
  }
  if (prunedEdges || prunedTiers || since < rawFrom) warnings.push(prunedWarning(rawFrom, prunedTiers))
  return {groups: [...acc.groups.values()], mode: 'rollup', cube, warnings}
}

function prunedWarning(rawFrom: number, tiers = false): ReportWarning {
  return {
    code: 'raw_events_pruned',
    message:
      `raw events before ${new Date(rawFrom).toISOString()} were pruned: that part of the range is read from hourly rollups (whole hours)` +
      (tiers ? '; context-tier prices could not be applied there, so its cost is a lower bound' : ''),
  }
}

// -------------------------------------------------------------------------------------------- costs

export interface CostLine {
  model: string
  provider: string
  serviceTier: string | null
  contextTierAbove: number | null
  requests: number
  tokens: TokenCounts
  rates: AppliedRates | null
  costUsd: number | null
}

export interface GroupCost {
  costUsd: number
  /** True when some of the group's tokens could not be priced (unknown model or unclassified tokens). */
  lowerBound: boolean
  unpricedModels: Set<string>
  unclassifiedTokens: number
}

/** Cost of one group's pricing cells (and the per-line arithmetic for --explain). */
export function costGroup(g: GroupAgg, prices: PriceBook, lines?: CostLine[]): GroupCost {
  let cost = 0
  let lowerBound = false
  const unpriced = new Set<string>()
  let unclassified = 0
  for (const c of g.cells.values()) {
    unclassified += c.tokens.unclassified
    if (c.tokens.unclassified > 0) lowerBound = true
    const m = prices.lookup(c.model)
    const billable = c.tokens.uncachedInput + c.tokens.cacheRead + c.tokens.cacheWrite + c.tokens.output
    if (!m) {
      if (billable > 0 || c.requests > 0) {
        unpriced.add(c.model === '' ? '(unknown model)' : c.model)
        lowerBound = true
      }
      lines?.push({model: c.model, provider: c.provider, serviceTier: c.serviceTier, contextTierAbove: null, requests: c.requests, tokens: c.tokens, rates: null, costUsd: null})
      continue
    }
    const rates = ratesFor(m.price, {tierIndex: c.tierIdx, serviceTier: c.serviceTier})
    const parts = costOf(c.tokens, rates)
    cost += parts.total
    lines?.push({
      model: c.model,
      provider: c.provider,
      serviceTier: c.serviceTier,
      contextTierAbove: rates.contextTierAbove,
      requests: c.requests,
      tokens: c.tokens,
      rates,
      costUsd: roundUsd(parts.total),
    })
  }
  return {costUsd: cost, lowerBound, unpricedModels: unpriced, unclassifiedTokens: unclassified}
}

export function p95(g: GroupAgg, kind: 'latency' | 'ttft'): number | null {
  const values = kind === 'latency' ? g.latValues : g.ttftValues
  if (values) return exactPercentile(values, 0.95)
  const dense = kind === 'latency' ? g.latDense : g.ttftDense
  return dense ? histPercentile(dense, 0.95) : null
}
