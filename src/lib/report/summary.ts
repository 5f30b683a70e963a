/**
 * `report summary`: totals for a range — requests, outcomes, token buckets, cache hit rate, cost, latency,
 * busiest model — optionally next to the previous period of equal length (`--compare`) and with the price
 * arithmetic per model (`--explain`).
 */
import type {PriceBook} from '../pricing/cost.js'
import type {Store} from '../store/index.js'
import {runQuery, type ReportWarning} from './engine.js'
import {resolveFilters, type FilterInput, type FiltersJson, type ResolvedFilters} from './filters.js'
import {CostIssues, explainCost, mergeGroups, metricsOf, type ExplainModel, type Metrics} from './metrics.js'
import {previousRange, rangeJson, type RangeJson, type TimeRange} from './range.js'

export interface SummaryTotals extends Metrics {
  /** Model with the most requests, null when the range is empty. */
  busiestModel: {model: string; requests: number} | null
}

export interface SummaryResult {
  range: RangeJson
  currency: 'USD'
  filters: FiltersJson
  totals: SummaryTotals
  /** The previous period of equal length (with --compare), else null. */
  previous: {range: RangeJson; totals: SummaryTotals} | null
  /** `exact` (computed from raw events) or `estimated` (p95 from rollup histograms, ±2.2 %). */
  percentiles: 'exact' | 'estimated'
  /** Price and bucket arithmetic per model (with --explain), else null. */
  explain: ExplainModel[] | null
  warnings: ReportWarning[]
}

export interface SummaryOptions {
  /** Ranges with at most this many requests are read from raw events (default EXACT_LIMIT; tests and benchmarks). */
  exactLimit?: number
  range: TimeRange
  filters: FilterInput
  prices: PriceBook
  compare?: boolean
  explain?: boolean
}

async function totalsFor(store: Store, range: TimeRange, o: SummaryOptions, resolved: ResolvedFilters, issues: CostIssues) {
  const res = await runQuery(store, {range, filters: resolved.filters, groupBy: 'none', prices: o.prices, exactLimit: o.exactLimit, ttftPercentile: true})
  const all = mergeGroups(res.groups)
  const perModel = new Map<string, number>()
  for (const c of all.cells.values()) perModel.set(c.model, (perModel.get(c.model) ?? 0) + c.requests)
  let busiest: SummaryTotals['busiestModel'] = null
  for (const [model, requests] of perModel) {
    if (model === '') continue
    if (!busiest || requests > busiest.requests || (requests === busiest.requests && model < busiest.model)) busiest = {model, requests}
  }
  return {totals: {...metricsOf(all, o.prices, issues), busiestModel: busiest}, res, all}
}

export async function buildSummary(store: Store, o: SummaryOptions): Promise<SummaryResult> {
  const resolved = await resolveFilters(store, o.filters)
  const issues = new CostIssues()
  const cur = await totalsFor(store, o.range, o, resolved, issues)
  let previous: SummaryResult['previous'] = null
  const warnings: ReportWarning[] = [...resolved.warnings, ...cur.res.warnings]
  if (o.compare) {
    const prevRange = previousRange(o.range)
    const prev = await totalsFor(store, prevRange, o, resolved, issues)
    previous = {range: rangeJson(prevRange), totals: prev.totals}
    for (const w of prev.res.warnings) if (!warnings.some((x) => x.code === w.code)) warnings.push(w)
  }
  warnings.push(...issues.warnings())
  return {
    range: rangeJson(o.range),
    currency: 'USD',
    filters: resolved.json,
    totals: cur.totals,
    previous,
    percentiles: cur.res.mode === 'exact' ? 'exact' : 'estimated',
    explain: o.explain ? explainCost([cur.all], o.prices) : null,
    warnings,
  }
}
