/**
 * The report engine: turns a range, filters and a grouping into exact per-group aggregates, reading the hourly
 * report rollups for whole hours and raw events only where they are needed (cpamp-anchor.md §5 "raw leading
 * edge + complete hourly rollups + raw trailing edge"):
 *
 * - hours cut by the range edges or by a bucket boundary (e.g. local midnight in Asia/Kolkata) come from raw
 *   events, split exactly at the boundary;
 * - context tiers depend on each request's total input: the rollups split requests by context band
 *   (CONTEXT_BANDS in src/lib/pricing/cost.ts), which gives the tier of every request of a rollup row exactly
 *   when all of the price's thresholds are standard ones; models with a tier at any other threshold come from
 *   raw events;
 * - short ranges (≤ EXACT_LIMIT requests) come entirely from raw events, so p95 values are exact; longer
 *   ranges read p95 from the rollups' log histograms (±2.2 %) and say so (`percentiles: "estimated"`);
 * - where raw events were pruned, rollups stand in (whole hours; non-standard tiers billed at base rates) with a
 *   warning.
 * Counts and tokens are integer sums in every mode: no sampling, no proportional allocation.
 */
import type {Warning} from '../cli/warnings.js'
import {addEncodedDense, exactPercentile, HIST_BUCKETS, histBucket, histPercentile} from '../store/histogram.js'
import {rangeIndex, type CubeName, type Grain, type HistDim, type RowFilters, type Segment, type Store, type UsageRow} from '../store/index.js'
import {
  contextTierIndex,
  contextTierIndexForBand,
  costOf,
  effectiveServiceTier,
  ratesFor,
  roundUsd,
  tiersFitBands,
  type AppliedRates,
  type PriceBook,
} from '../pricing/cost.js'
import {emptyTokens, type TokenCounts} from '../pricing/types.js'
import type {Bucket, TimeRange} from './range.js'

const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** `outcome`: status code × failed flag × model (cells keep the provider) — the monitoring counters' split. */
export type GroupBy = 'none' | 'model' | 'provider' | 'account' | 'api-key' | 'failure' | 'outcome'

/** Ranges with at most this many requests are computed from raw events (exact percentiles). */
export const EXACT_LIMIT = 50_000

/** The one warning shape (lib/cli/warnings.ts). */
export type ReportWarning = Warning

export interface EngineQuery {
  range: TimeRange
  filters: RowFilters
  groupBy: GroupBy
  /** Timeline buckets; default one bucket = the range. */
  buckets?: Bucket[]
  prices: PriceBook
  /** Compute p95 latency (default true). */
  percentiles?: boolean
  /** Also p95 TTFT (default false: only the summary shows it). */
  ttftPercentile?: boolean
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
    case 'outcome':
      return `${r.status ?? 0}\u001f${r.failed > 0 ? 1 : 0}\u001f${r.model}`
  }
}

/** Which rollup can answer a query needing these dimensions (null ⇒ raw events only). */
export function cubeFor(needs: {apiKey: boolean; account: boolean; failed: boolean}): CubeName | null {
  if (needs.apiKey && (needs.account || needs.failed)) return null
  if (needs.apiKey) return 'key'
  if (needs.account || needs.failed) return 'account'
  return 'model'
}

/** Which dimensions a query needs beyond model/provider (chooses the rollup). */
function needs(q: EngineQuery): {apiKey: boolean; account: boolean; failed: boolean} {
  const f = q.filters
  return {
    apiKey: q.groupBy === 'api-key' || (f.apiKeyHashes?.length ?? 0) > 0,
    account: q.groupBy === 'account' || q.groupBy === 'failure' || q.groupBy === 'outcome' || (f.authIndexes?.length ?? 0) > 0,
    failed: f.failed !== undefined || (f.statuses?.length ?? 0) > 0 || q.groupBy === 'failure' || q.groupBy === 'outcome',
  }
}

const floorTo = (t: number, unit: number) => t - (((t % unit) + unit) % unit)

/** Index of the bucket containing t (buckets sorted, contiguous), or -1. */
const bucketIndex = (buckets: Bucket[], t: number): number => rangeIndex(buckets, t)

class Accumulator {
  readonly groups = new Map<string, GroupAgg>()
  constructor(
    private readonly q: EngineQuery,
    private readonly exact: boolean,
  ) {}

  private group(bucket: number, key: string, create: boolean): GroupAgg | undefined {
    const gk = `${bucket}\u001e${key}`
    let g = this.groups.get(gk)
    if (!g && create) {
      g = emptyGroup(key, bucket)
      this.groups.set(gk, g)
    }
    return g
  }

  /** Add a rollup group or raw event; `latencies` = false when its latencies come from rollup histograms. */
  add(r: UsageRow, bucket: number, latencies = true): void {
    const g = this.group(bucket, groupKeyOf(this.q.groupBy, r), true)!
    g.requests += r.requests
    g.failed += r.failed
    addRowTokens(g.tokens, r)
    g.latencySum += r.latencySum
    g.latencyCount += r.latencyCount
    g.ttftSum += r.ttftSum
    g.ttftCount += r.ttftCount
    if (r.lastTs > g.lastTs) g.lastTs = r.lastTs
    if (r.provider !== '') g.providers.add(r.provider)
    if (r.raw && latencies && this.q.percentiles !== false) {
      if (this.exact) {
        if (r.latencyMs !== null) (g.latValues ??= []).push(r.latencyMs)
        if (r.ttftMs !== null && this.q.ttftPercentile) (g.ttftValues ??= []).push(r.ttftMs)
      } else {
        if (r.latencyMs !== null) (g.latDense ??= new Float64Array(HIST_BUCKETS))[histBucket(r.latencyMs)]++
        if (r.ttftMs !== null && this.q.ttftPercentile) (g.ttftDense ??= new Float64Array(HIST_BUCKETS))[histBucket(r.ttftMs)]++
      }
    }
    // pricing cell: same model, effective service tier and context tier
    const st = effectiveServiceTier(r.provider, r.serviceTier, r.responseServiceTier)
    let tierIdx = -1
    const m = this.q.prices.lookup(r.model)
    if (m && m.price.tiers.length > 0) {
      if (r.raw) tierIdx = contextTierIndex(m.price.tiers, r.uncachedInput + r.cacheRead + r.cacheWrite)
      // a rollup group: exact when every threshold is a band boundary; else (pruned raw events) base rates
      else if (r.band !== null && tiersFitBands(m.price.tiers)) tierIdx = contextTierIndexForBand(m.price.tiers, r.band)
    }
    const ck = `${r.provider}\u001f${r.model}\u001f${st ?? ''}\u001f${tierIdx}`
    let c = g.cells.get(ck)
    if (!c) {
      c = {provider: r.provider, model: r.model, serviceTier: st, tierIdx, requests: 0, tokens: emptyTokens()}
      g.cells.set(ck, c)
    }
    c.requests += r.requests
    addRowTokens(c.tokens, r)
  }

  /** Merge a rollup histogram into an existing group. */
  addHist(bucket: number, key: string, lat: Buffer | null, ttft: Buffer | null): void {
    const g = this.group(bucket, key, false)
    if (!g) return
    if (lat) addEncodedDense((g.latDense ??= new Float64Array(HIST_BUCKETS)), lat)
    if (ttft) addEncodedDense((g.ttftDense ??= new Float64Array(HIST_BUCKETS)), ttft)
  }

  /** Forget percentiles (when the rollups cannot give them for this query). */
  dropPercentiles(): void {
    for (const g of this.groups.values()) {
      g.latDense = null
      g.ttftDense = null
    }
  }
}

/** Run a query: plan, read (rollups are current: they are maintained with the events), aggregate. */
export async function runQuery(store: Store, q: EngineQuery): Promise<EngineResult> {
  const buckets = q.buckets ?? [{start: q.range.since, end: q.range.until, label: ''}]
  const state = await store.rollups.state()
  const rawFrom = state.rawCompleteFrom
  const cube = cubeFor(needs(q))
  if (cube === null) return runExact(store, q, buckets, rawFrom, cube)
  const hybrid = await runHybrid(store, q, buckets, rawFrom, state.dailyThrough, cube)
  // small ranges: recompute from raw events so percentiles are exact
  if (q.range.since >= rawFrom && hybrid.requests <= (q.exactLimit ?? EXACT_LIMIT)) return runExact(store, q, buckets, rawFrom, cube)
  return hybrid.result
}

async function runExact(store: Store, q: EngineQuery, buckets: Bucket[], rawFrom: number, cube: CubeName | null): Promise<EngineResult> {
  const warnings: ReportWarning[] = []
  if (q.range.since < rawFrom) {
    warnings.push({
      code: 'raw_events_pruned',
      message: `raw events before ${new Date(rawFrom).toISOString()} were pruned and this query needs them (API key combined with account or failure filters): that part of the range is missing`,
    })
  }
  const acc = new Accumulator(q, true)
  for await (const page of store.events.scan({since: q.range.since, until: q.range.until, filters: q.filters})) {
    for (const r of page) {
      const b = bucketIndex(buckets, r.ts)
      if (b >= 0) acc.add(r, b)
    }
  }
  return {groups: [...acc.groups.values()], mode: 'exact', cube, warnings}
}

interface Plan {
  /** Runs of whole UTC days, each inside one bucket: [from, to). */
  dayRuns: Array<[number, number]>
  /** Runs of whole hours (outside those days): [from, to). */
  hourRuns: Array<[number, number]>
  /** Hours cut by the range edges or a bucket boundary, with raw events: read raw. */
  cutHours: number[]
  /** Cut hours whose raw events were pruned: counted whole, in the bucket where they start. */
  prunedCuts: boolean
}

/**
 * Split [since, until) into whole UTC days that sit inside one bucket and that the daily rollups already hold
 * (they end by `dailyThrough`), the remaining whole hours (hourly rollups) and the hours an edge or bucket
 * boundary cuts (raw events).
 */
export function planSegments(since: number, until: number, buckets: Bucket[], rawFrom: number, dailyThrough = Number.POSITIVE_INFINITY): Plan {
  const bounds = [...new Set([since, until, ...buckets.flatMap((b) => [b.start, b.end])].filter((t) => t >= since && t <= until))].sort((a, b) => a - b)
  const inside = (a: number, b: number) => {
    // a boundary strictly inside (a, b)?
    let lo = 0
    let hi = bounds.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (bounds[mid] <= a) lo = mid + 1
      else hi = mid
    }
    return lo < bounds.length && bounds[lo] < b
  }
  const wholeDay = (d: number) => d >= since && d + DAY_MS <= until && d + DAY_MS <= dailyThrough && !inside(d, d + DAY_MS)
  const cutHours: number[] = []
  let prunedCuts = false
  const hours: number[] = []
  for (let h = floorTo(since, HOUR_MS); h < until; h += HOUR_MS) {
    const d = floorTo(h, DAY_MS)
    if (wholeDay(d)) {
      h = d + DAY_MS - HOUR_MS
      continue
    }
    const cut = h < since || h + HOUR_MS > until || inside(h, h + HOUR_MS)
    if (!cut) hours.push(h)
    else if (h >= rawFrom) cutHours.push(h)
    else {
      prunedCuts = true
      if (h >= since) hours.push(h)
    }
  }
  const dayRuns: Array<[number, number]> = []
  for (let d = floorTo(since, DAY_MS); d < until; d += DAY_MS) {
    if (!wholeDay(d)) continue
    const last = dayRuns.at(-1)
    if (last && last[1] === d) last[1] = d + DAY_MS
    else dayRuns.push([d, d + DAY_MS])
  }
  const hourRuns: Array<[number, number]> = []
  for (const h of hours) {
    const last = hourRuns.at(-1)
    if (last && last[1] === h) last[1] = h + HOUR_MS
    else hourRuns.push([h, h + HOUR_MS])
  }
  return {dayRuns, hourRuns, cutHours, prunedCuts}
}

/** The histogram dimension that can give this query's percentiles, or null when none can. */
function histDim(q: EngineQuery): HistDim | null {
  const f = q.filters
  const has = {
    model: (f.models?.length ?? 0) > 0 || (f.providers?.length ?? 0) > 0 || (f.excludeModels?.length ?? 0) > 0,
    key: (f.apiKeyHashes?.length ?? 0) > 0,
    account: (f.authIndexes?.length ?? 0) > 0,
    failed: f.failed !== undefined || (f.statuses?.length ?? 0) > 0,
  }
  if (has.failed || q.groupBy === 'failure' || q.groupBy === 'outcome') return null
  const only = (dim: 'model' | 'key' | 'account') => (['model', 'key', 'account'] as const).every((d) => d === dim || !has[d])
  switch (q.groupBy) {
    case 'model':
    case 'provider':
      return only('model') ? 'model' : null
    case 'api-key':
      return only('key') ? 'key' : null
    case 'account':
      return only('account') ? 'account' : null
    case 'none':
      if (!has.model && !has.key && !has.account) return 'all'
      if (only('model')) return 'model'
      if (only('key')) return 'key'
      if (only('account')) return 'account'
      return null
  }
}

/** Group key of a histogram value for this query. */
function histKey(q: EngineQuery, dim: HistDim, value: string): string | null {
  if (q.groupBy === 'none') {
    if (dim === 'model') {
      const [provider, model] = value.split('\u001f')
      if (q.filters.providers?.length && !q.filters.providers.includes(provider)) return null
      if (q.filters.models?.length && !q.filters.models.includes(model)) return null
    }
    return ''
  }
  if (dim === 'model') {
    const [provider, model] = value.split('\u001f')
    if (q.filters.providers?.length && !q.filters.providers.includes(provider)) return null
    if (q.filters.models?.length && !q.filters.models.includes(model)) return null
    return q.groupBy === 'provider' ? provider : model
  }
  return value
}

/**
 * Whole days from the daily rollups, whole hours from the hourly rollups (sums in SQL), cut hours and models
 * with non-standard context tiers from raw events; p95 from the rollup histograms of the matching dimension.
 */
async function runHybrid(store: Store, q: EngineQuery, buckets: Bucket[], rawFrom: number, dailyThrough: number, cube: CubeName): Promise<{result: EngineResult; requests: number}> {
  const {since, until} = q.range
  const warnings: ReportWarning[] = []
  const acc = new Accumulator(q, false)
  // `--since 7d` ends now, inside today: when no stored event of today is at or after `until`, today's daily
  // rollup rows hold exactly the range's part of the day (the usual case; a clock-skewed future event says no)
  let planUntil = until
  const dayStart = floorTo(until, DAY_MS)
  if (until !== dayStart && dayStart >= since && dayStart + DAY_MS <= dailyThrough) {
    const newest = await store.rollups.newestInDay(dayStart)
    if (newest === null || newest < until) planUntil = dayStart + DAY_MS
  }
  const plan = planSegments(since, planUntil, buckets, rawFrom, dailyThrough)
  // models with a context tier outside the standard bands: read from raw events where they exist
  const anyUnbanded = q.prices.hasAnyUnbandedTiers()
  const tiered = new Set<string>()
  let prunedTiers = false
  let requests = 0
  const runs: Array<[Grain, number, number]> = [...plan.dayRuns.map(([a, b]) => ['daily', a, b] as [Grain, number, number]), ...plan.hourRuns.map(([a, b]) => ['hourly', a, b] as [Grain, number, number])]
  // many short hour runs (e.g. a half-hour zone's day buckets): one spanning query over their segments
  const spans = compactRuns(runs, buckets)
  for (const sp of spans) {
    for (const r of await store.rollups.aggregate({
      cube,
      grain: sp.grain,
      from: sp.from,
      to: sp.to,
      filters: q.filters,
      segments: sp.segments,
      splitAt: anyUnbanded && rawFrom < sp.to ? rawFrom : undefined,
    })) {
      requests += r.requests
      if (r.afterSplit && q.prices.needsRequestInput(r.model)) {
        tiered.add(r.model)
        continue
      }
      if (anyUnbanded && q.prices.needsRequestInput(r.model)) prunedTiers = true
      acc.add(r, r.bucket)
    }
  }
  const tieredList = [...tiered]
  const cutSet = new Set(plan.cutHours)
  const addRaw = (r: UsageRow, latencies: boolean) => {
    const b = bucketIndex(buckets, r.ts)
    if (b >= 0) {
      acc.add(r, b, latencies)
      requests++
    }
  }
  for (const hour of plan.cutHours) {
    const from = Math.max(hour, since)
    const to = Math.min(hour + HOUR_MS, planUntil)
    if (to <= from) continue
    for await (const page of store.events.scan({since: from, until: to, filters: {...q.filters, excludeModels: [...(q.filters.excludeModels ?? []), ...tieredList]}})) {
      for (const r of page) addRaw(r, true)
    }
  }
  if (tieredList.length > 0) {
    for await (const page of store.events.scan({since: Math.max(since, rawFrom), until, filters: {...q.filters, models: tieredList}})) {
      for (const r of page) addRaw(r, cutSet.has(floorTo(r.ts, HOUR_MS)))
    }
  }
  // percentiles from the histograms of the matching dimension
  if (q.percentiles !== false) {
    const dim = histDim(q)
    if (dim === null) {
      acc.dropPercentiles()
      if (q.groupBy !== 'failure') {
        warnings.push({
          code: 'percentiles_unavailable',
          message: 'p95 latency/TTFT over a range this long needs raw events for this combination of filters: left out (narrow the range or drop a filter)',
        })
      }
    } else {
      const values = dim === 'key' ? q.filters.apiKeyHashes : dim === 'account' ? q.filters.authIndexes : undefined
      for (const sp of spans) {
        for (const h of await store.rollups.histograms({
          grain: sp.grain,
          from: sp.from,
          to: sp.to,
          dim,
          values,
          instances: q.filters.instances,
          segments: sp.segments,
          ttft: q.ttftPercentile === true,
        })) {
          const key = histKey(q, dim, h.value)
          if (key !== null) acc.addHist(h.bucket, key, h.latHist, h.ttftHist)
        }
      }
    }
  }
  if (plan.prunedCuts || prunedTiers || since < rawFrom) warnings.push(prunedWarning(rawFrom, prunedTiers))
  return {result: {groups: [...acc.groups.values()], mode: 'rollup', cube, warnings}, requests}
}

interface Span {
  grain: Grain
  from: number
  to: number
  /** Period starts → buckets; undefined: one bucket (0) over [from, to). */
  segments?: Segment[]
}

/**
 * One span per run (at most 8 of a grain), else one span per grain covering all its runs; periods are mapped
 * to timeline buckets through segments (runs cut at bucket boundaries), and periods between the runs of a
 * covering span fall in no segment, so they are skipped.
 */
function compactRuns(runs: Array<[Grain, number, number]>, buckets: Bucket[]): Span[] {
  const single = buckets.length === 1
  const segmentsOf = (rs: Array<[Grain, number, number]>): Segment[] => {
    const out: Segment[] = []
    for (const [, from, to] of rs) {
      for (let b = Math.max(0, bucketIndex(buckets, from)); b < buckets.length && buckets[b].start < to; b++) {
        const start = Math.max(from, buckets[b].start)
        const end = Math.min(to, buckets[b].end)
        if (end > start) out.push({start, end, bucket: b})
      }
    }
    return out
  }
  const out: Span[] = []
  for (const grain of ['daily', 'hourly'] as Grain[]) {
    const rs = runs.filter((r) => r[0] === grain)
    if (rs.length === 0) continue
    if (rs.length <= 8) {
      for (const r of rs) out.push({grain, from: r[1], to: r[2], segments: single ? undefined : segmentsOf([r])})
      continue
    }
    out.push({grain, from: rs[0][1], to: rs.at(-1)![2], segments: segmentsOf(rs)})
  }
  return out
}

function prunedWarning(rawFrom: number, tiers = false): ReportWarning {
  return {
    code: 'raw_events_pruned',
    message:
      `raw events before ${new Date(rawFrom).toISOString()} were pruned: that part of the range is read from the rollups, in whole hours` +
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

/** A zeroed aggregation group. */
export function emptyGroup(key = '', bucket = 0): GroupAgg {
  return {
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
}

/** Add a usage row's token buckets to a running total. */
function addRowTokens(t: TokenCounts, r: UsageRow): void {
  t.uncachedInput += r.uncachedInput
  t.cacheRead += r.cacheRead
  t.cacheWrite += r.cacheWrite
  t.output += r.outputTotal
  t.reasoning += r.reasoning
  t.unclassified += r.unclassified
}
