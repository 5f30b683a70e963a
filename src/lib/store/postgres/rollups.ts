/**
 * RollupRepository over PostgreSQL (the counterpart of ../rollups.ts, same groups): sums in SQL; buckets
 * (`segments`) through `width_bucket` over the sorted segment bounds (a binary search in the server) and an
 * array mapping each interval to its bucket; histograms read as stored (BIGINT[] of `bucket << 32 | count`)
 * and merged per (bucket, value) here, into histogram.ts's encoding.
 */
import {encodeDense, HIST_BUCKETS} from '../histogram.js'
import type {KeyUsage, ModelSeen} from '../records.js'
import {HOUR_MS} from '../rollup-cells.js'
import {aggregateSql, allTime, cubeGroup} from '../rollups.js'
import type {CubeGroup, CubeQuery, HistGroup, HistQuery, RollupState, Segment, UsageSince} from '../rows.js'
import {inList} from '../sql-filters.js'
import type {RollupRepository} from '../types.js'
import type {PgConnection} from './connection.js'
import {addEntries} from './ingest.js'

/**
 * SQL for the bucket of `start_ms` under `segments` (−1 outside them): `width_bucket(x, bounds)` is the number
 * of bounds ≤ x, i.e. the interval x falls in; `map[i + 1]` is that interval's bucket.
 */
export function bucketSql(segments: readonly Segment[], params: unknown[]): string {
  const bounds = [...new Set(segments.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b)
  const map: number[] = [-1]
  let k = 0
  for (let i = 1; i <= bounds.length; i++) {
    const lo = bounds[i - 1]
    while (k < segments.length && segments[k].end <= lo) k++
    map.push(i < bounds.length && k < segments.length && segments[k].start <= lo ? segments[k].bucket : -1)
  }
  params.push(map, bounds)
  return '(?::int[])[width_bucket(start_ms, ?::bigint[]) + 1]'
}

/** The lowest daily watermark of all instances (0: none yet): whole days before it are in the daily tables. */
export async function dailyThroughPg(c: PgConnection): Promise<number> {
  return (await c.one<{v: number | null}>("SELECT MIN(value) AS v FROM report_state WHERE key LIKE 'daily\\_through:%'", [], 'read the daily watermark'))?.v ?? 0
}

export class PgRollups implements RollupRepository {
  constructor(private readonly c: PgConnection) {}

  async state(): Promise<RollupState> {
    const r = await this.c.one<{value: number}>("SELECT value FROM report_state WHERE key = 'raw_complete_from'", [], 'read the rollup state')
    return {rawCompleteFrom: r?.value ?? 0, dailyThrough: await dailyThroughPg(this.c)}
  }

  async aggregate(q: CubeQuery): Promise<CubeGroup[]> {
    const {cube, grain} = q
    const params: unknown[] = []
    const bucketExpr = q.segments ? bucketSql(q.segments, params) : '0'
    let splitExpr = '0'
    if (q.splitAt !== undefined) {
      splitExpr = 'CASE WHEN start_ms >= ? THEN 1 ELSE 0 END'
      params.push(q.splitAt)
    }
    const {sql, s} = aggregateSql(q, bucketExpr, splitExpr, params)
    const out: CubeGroup[] = []
    for (const r of await this.c.rows(sql, params, 'read the rollups')) {
      if ((r[0] as number) < 0) continue
      out.push(cubeGroup(r, cube, s))
    }
    return out
  }

  async histograms(q: HistQuery): Promise<HistGroup[]> {
    const params: unknown[] = []
    const bucketExpr = q.segments ? bucketSql(q.segments, params) : '0'
    params.push(q.dim, q.from, q.to)
    let where = inList('value', q.values, params)
    where += inList('instance', q.instances, params)
    const rows = await this.c.rows(
      `SELECT ${bucketExpr} AS b, value, lat_hist, ${q.ttft === false ? 'NULL' : 'ttft_hist'} FROM report_hist_${q.grain}
       WHERE dim = ? AND start_ms >= ? AND start_ms < ?${where}`,
      params,
      'read the histograms',
    )
    const groups = new Map<string, {bucket: number; value: string; lat: Float64Array; ttft: Float64Array}>()
    for (const [b, value, lat, ttft] of rows as Array<[number, string, number[] | null, number[] | null]>) {
      if (b < 0) continue
      const key = `${b}\u0000${value}`
      let g = groups.get(key)
      if (!g) groups.set(key, (g = {bucket: b, value, lat: new Float64Array(HIST_BUCKETS), ttft: new Float64Array(HIST_BUCKETS)}))
      addEntries(g.lat, lat)
      addEntries(g.ttft, ttft)
    }
    return [...groups.values()].map((g) => ({bucket: g.bucket, value: g.value, latHist: encodeDense(g.lat), ttftHist: q.ttft === false ? null : encodeDense(g.ttft)}))
  }

  async newestInDay(dayStart: number): Promise<number | null> {
    return (await this.c.one<{m: number | null}>('SELECT MAX(last_ts) AS m FROM report_model_daily WHERE start_ms = ?', [dayStart]))?.m ?? null
  }

  async modelsSeen(instances?: string[]): Promise<ModelSeen[]> {
    const through = await dailyThroughPg(this.c)
    const inst: unknown[] = []
    const filter = inList('instance', instances, inst)
    return (
      await this.c.query<ModelSeen>(
        `SELECT model, SUM(requests) AS requests, MAX(last_ts) AS "lastTs" FROM (${allTime('model', 'model, requests, last_ts', filter)}) t
         GROUP BY model ORDER BY requests DESC, model COLLATE "C"`,
        [through, ...inst, through, ...inst],
        'list the models seen',
      )
    ).filter((r) => r.model !== '')
  }

  async keyUsage(): Promise<Map<string, KeyUsage>> {
    const through = await dailyThroughPg(this.c)
    const rows = await this.c.query<{h: string; requests: number; lastTs: number}>(
      `SELECT api_key_hash AS h, SUM(requests) AS requests, MAX(last_ts) AS "lastTs"
       FROM (${allTime('key', 'api_key_hash, requests, last_ts', " AND api_key_hash <> ''")}) t GROUP BY api_key_hash`,
      [through, through],
      'read key usage',
    )
    return new Map(rows.map((r) => [r.h, {requests: r.requests, lastTs: r.lastTs}]))
  }

  async usageSince(instance: string, authIndex: string, sinceMs: number): Promise<UsageSince> {
    // tokens are the bucket sum on both sides (as ../rollups.ts): a record's own total_tokens may contradict it
    const firstFullHour = Math.ceil(sinceMs / HOUR_MS) * HOUR_MS
    const r = (await this.c.one<{requests: number; tokens: number}>(
      `SELECT h.requests + t.requests AS requests, h.tokens + t.tokens AS tokens FROM
        (SELECT COUNT(*) AS requests, COALESCE(SUM(uncached_input + cache_read + cache_write + output_total + unclassified), 0) AS tokens
         FROM usage_events WHERE instance = ? AND auth_index = ? AND ts >= ? AND ts < ?) h,
        (SELECT COALESCE(SUM(requests), 0) AS requests, COALESCE(SUM(uncached_input + cache_read + cache_write + output_total + unclassified), 0) AS tokens
         FROM report_account_hourly WHERE start_ms >= ? AND instance = ? AND auth_index = ?) t`,
      [instance, authIndex, sinceMs, firstFullHour, firstFullHour, instance, authIndex],
      'read usage since a window start',
    ))!
    return {requests: r.requests, tokens: r.tokens}
  }
}

