/**
 * The report engine: turns a range, filters and a grouping into exact per-group aggregates, reading the
 * rollups for whole days and hours and raw events only where they are needed. The leading panel reads "raw
 * leading edge + complete hourly rollups + raw trailing edge" too, but falls back to raw rows for any filter or a
 * time zone with a non-whole-hour offset; here filters and such zones keep the rollups:
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
 * The plan (which cube, which days, hours and cut hours) is plan.ts's; the groups, their pricing cells, cost and
 * p95 are groups.ts's.
 */
import type {Warning} from '../cli/warnings.js'
import type {CubeName, Grain, Store, UsageRow} from '../store/index.js'
import {Accumulator, type EngineQuery, type GroupAgg} from './groups.js'
import {bucketIndex, compactRuns, cubeFor, floorTo, histDim, histKey, HOUR_MS, needs, planSegments} from './plan.js'
import type {Bucket} from './range.js'

const DAY_MS = 86_400_000

/** Ranges with at most this many requests are computed from raw events (exact percentiles). */
export const EXACT_LIMIT = 50_000

/** The one warning shape (lib/cli/warnings.ts). */
export type ReportWarning = Warning

export interface EngineResult {
  groups: GroupAgg[]
  mode: 'exact' | 'rollup'
  cube: CubeName | null
  warnings: ReportWarning[]
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

function prunedWarning(rawFrom: number, tiers = false): ReportWarning {
  return {
    code: 'raw_events_pruned',
    message:
      `raw events before ${new Date(rawFrom).toISOString()} were pruned: that part of the range is read from the rollups, in whole hours` +
      (tiers ? '; context-tier prices could not be applied there, so its cost is a lower bound' : ''),
  }
}
