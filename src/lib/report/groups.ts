/**
 * Aggregation groups of the report engine (engine.ts): the query (EngineQuery) and what it groups by, the exact
 * per-group sums (requests, failures, token buckets, latency and TTFT sums, the last event), the pricing cells of
 * a group (same model, effective service tier and context tier, so each cell is priced at one set of rates), the
 * accumulator that adds rollup rows and raw events into groups, and a group's cost and p95 values.
 */
import {addEncodedDense, emptyDense, exactPercentile, histBucket, histPercentile, type DenseHist} from '../store/histogram.js'
import type {RowFilters, UsageRow} from '../store/index.js'
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

/** `outcome`: status code × failed flag × model (cells keep the provider) — the monitoring counters' split. */
export type GroupBy = 'none' | 'model' | 'provider' | 'account' | 'api-key' | 'failure' | 'outcome'

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
  latDense: DenseHist | null
  ttftDense: DenseHist | null
  latValues: number[] | null
  ttftValues: number[] | null
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

/** Adds rollup rows and raw events of one query into its groups. */
export class Accumulator {
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
        if (r.latencyMs !== null) (g.latDense ??= emptyDense())[histBucket(r.latencyMs)]++
        if (r.ttftMs !== null && this.q.ttftPercentile) (g.ttftDense ??= emptyDense())[histBucket(r.ttftMs)]++
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
    if (lat) addEncodedDense((g.latDense ??= emptyDense()), lat)
    if (ttft) addEncodedDense((g.ttftDense ??= emptyDense()), ttft)
  }

  /** Forget percentiles (when the rollups cannot give them for this query). */
  dropPercentiles(): void {
    for (const g of this.groups.values()) {
      g.latDense = null
      g.ttftDense = null
    }
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
