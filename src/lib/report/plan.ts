/**
 * Query planning for the report engine (engine.ts): which rollup cube can answer a query, how a range splits
 * into whole UTC days (daily rollups), whole hours (hourly rollups) and hours cut by a range edge or a bucket
 * boundary (raw events), how those runs become few store queries, and which histogram dimension gives a
 * query's percentiles.
 */
import {rangeIndex, type CubeName, type Grain, type HistDim, type Segment} from '../store/index.js'
import type {EngineQuery} from './groups.js'
import type {Bucket} from './range.js'

export const HOUR_MS = 3_600_000
const DAY_MS = 86_400_000

/** Which rollup can answer a query needing these dimensions (null ⇒ raw events only). */
export function cubeFor(needs: {apiKey: boolean; account: boolean; failed: boolean}): CubeName | null {
  if (needs.apiKey && (needs.account || needs.failed)) return null
  if (needs.apiKey) return 'key'
  if (needs.account || needs.failed) return 'account'
  return 'model'
}

/** Which dimensions a query needs beyond model/provider (chooses the rollup). */
export function needs(q: EngineQuery): {apiKey: boolean; account: boolean; failed: boolean} {
  const f = q.filters
  return {
    apiKey: q.groupBy === 'api-key' || (f.apiKeyHashes?.length ?? 0) > 0,
    account: q.groupBy === 'account' || q.groupBy === 'failure' || q.groupBy === 'outcome' || (f.authIndexes?.length ?? 0) > 0,
    failed: f.failed !== undefined || (f.statuses?.length ?? 0) > 0 || q.groupBy === 'failure' || q.groupBy === 'outcome',
  }
}

export const floorTo = (t: number, unit: number) => t - (((t % unit) + unit) % unit)

/** Index of the bucket containing t (buckets sorted, contiguous), or -1. */
export const bucketIndex = (buckets: Bucket[], t: number): number => rangeIndex(buckets, t)

export interface Plan {
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
export function histDim(q: EngineQuery): HistDim | null {
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
export function histKey(q: EngineQuery, dim: HistDim, value: string): string | null {
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

export interface Span {
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
export function compactRuns(runs: Array<[Grain, number, number]>, buckets: Bucket[]): Span[] {
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
