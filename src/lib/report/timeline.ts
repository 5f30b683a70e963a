/**
 * `report timeline`: one row per time bucket (hour UTC-aligned; day, week, month in --tz, DST-correct),
 * empty buckets included so a chart reads right.
 */
import type {PriceBook} from '../pricing/cost.js'
import type {Store} from '../store/index.js'
import {runQuery, type ReportWarning} from './engine.js'
import {resolveFilters, type FilterInput, type FiltersJson} from './filters.js'
import {CostIssues, emptyGroup, mergeGroups, metricsOf, type Metrics} from './metrics.js'
import {buckets as makeBuckets, rangeJson, type Granularity, type RangeJson, type TimeRange} from './range.js'

export interface TimelineRow extends Metrics {
  /** Local label of the bucket: `YYYY-MM-DD HH:MM` (hour), `YYYY-MM-DD` (day; week = its Monday), `YYYY-MM`. */
  bucket: string
  /** Bucket start and end (UTC, ISO 8601); the first and last bucket may extend beyond the range. */
  start: string
  end: string
}

export interface TimelineResult {
  range: RangeJson
  currency: 'USD'
  groupBy: 'time'
  granularity: Granularity
  filters: FiltersJson
  rows: TimelineRow[]
  totals: Metrics
  percentiles: 'exact' | 'estimated'
  warnings: ReportWarning[]
}

export interface TimelineOptions {
  /** Ranges with at most this many requests are read from raw events (default EXACT_LIMIT; tests and benchmarks). */
  exactLimit?: number
  range: TimeRange
  granularity: Granularity
  filters: FilterInput
  prices: PriceBook
}

export async function buildTimeline(store: Store, o: TimelineOptions): Promise<TimelineResult> {
  const resolved = await resolveFilters(store, o.filters)
  const bks = makeBuckets(o.range, o.granularity)
  const res = await runQuery(store, {range: o.range, filters: resolved.filters, groupBy: 'none', buckets: bks, prices: o.prices, exactLimit: o.exactLimit})
  const byBucket = new Map(res.groups.map((g) => [g.bucket, g]))
  const issues = new CostIssues()
  const rows = bks.map((b, i) => ({
    bucket: b.label,
    start: new Date(b.start).toISOString(),
    end: new Date(b.end).toISOString(),
    ...metricsOf(byBucket.get(i) ?? emptyGroup('', i), o.prices, issues),
  }))
  return {
    range: rangeJson(o.range),
    currency: 'USD',
    groupBy: 'time',
    granularity: o.granularity,
    filters: resolved.json,
    rows,
    totals: metricsOf(mergeGroups(res.groups), o.prices),
    percentiles: res.mode === 'exact' ? 'exact' : 'estimated',
    warnings: [...resolved.warnings, ...res.warnings, ...issues.warnings()],
  }
}
