/**
 * RollupRepository over SQLite (types.ts): reads of the one rollup layer (report_* tables of migration 002,
 * maintained by ingest.ts in the collect transaction; cells in rollup-cells.ts). Every query sums in SQL and
 * returns a few groups per bucket: a 90-day range of the daily model rollup comes back as a few dozen rows.
 * Buckets (`segments`) are applied through a deterministic SQL function that looks a period start up in them.
 */
import type {Connection} from './connection.js'
import {CUBE_EXTRA, cubeTable, HOUR_MS, SUM_COLS} from './rollup-cells.js'
import {dailyThrough, registerHistFunctions} from './rollup-write.js'
import {rangeIndex, type CubeGroup, type CubeName, type CubeQuery, type HistGroup, type HistQuery, type RollupState, type Segment, type UsageSince} from './rows.js'
import type {KeyUsage, ModelSeen} from './records.js'
import {bucketsAt, filterSql, inList, type FilterColumns} from './sql-filters.js'
import type {RollupRepository} from './types.js'

/**
 * Every period of a cube: the daily rows before the watermark and the hourly rows from it on. Binds two
 * parameters per use, each followed by the filter's: (watermark, …filter) twice.
 */
export function allTime(cube: 'model' | 'key' | 'account', cols: string, filter = ''): string {
  return `SELECT ${cols} FROM report_${cube}_daily WHERE start_ms < ?${filter}
    UNION ALL SELECT ${cols} FROM report_${cube}_hourly WHERE start_ms >= ?${filter}`
}

/** Bucket of a period start under `segments` (sorted, disjoint), −1 when in none. */
function segmentBucket(segments: readonly Segment[], t: number): number {
  const i = rangeIndex(segments, t)
  return i < 0 ? -1 : segments[i].bucket
}

/** A rollup group from an aggregate row: bucket, split flag, the dimensions (from index 2), the sums from `s`. */
export function cubeGroup(r: unknown[], cube: CubeName, s: number): CubeGroup {
  const b = r[0] as number
  return {
    raw: false,
    bucket: b,
    afterSplit: r[1] === 1,
    ts: 0,
    instance: r[2] as string,
    provider: r[3] as string,
    model: r[4] as string,
    serviceTier: r[5] as string,
    responseServiceTier: r[6] as string,
    band: r[7] as number,
    apiKeyHash: cube === 'key' ? (r[8] as string) : '',
    authIndex: cube === 'account' ? (r[8] as string) : '',
    status: cube === 'account' ? (r[10] as number) : null,
    requests: r[s] as number,
    failed: r[s + 1] as number,
    ...bucketsAt(r, s + 2),
    latencySum: r[s + 8] as number,
    latencyCount: r[s + 9] as number,
    ttftSum: r[s + 10] as number,
    ttftCount: r[s + 11] as number,
    lastTs: r[s + 12] as number,
    latencyMs: null,
    ttftMs: null,
  }
}

/** The grouped dimensions of a cube's aggregate: instance (always ''), base dimensions, the cube's extras. */
export function cubeDims(cube: CubeName): string[] {
  return ["'' AS instance", 'provider', 'model', 'service_tier', 'response_service_tier', 'band', ...CUBE_EXTRA[cube]]
}

/**
 * The statement of RollupRepository.aggregate (both backends), given the bucket and split expressions (whose
 * parameters are already in `params`); `s` is the index of the first sum in a result row.
 */
export function aggregateSql(q: CubeQuery, bucketExpr: string, splitExpr: string, params: unknown[]): {sql: string; s: number} {
  params.push(q.from, q.to)
  // instance is filtered on, never grouped by: leaving it out of the sort key keeps the GROUP BY cheap
  const dims = cubeDims(q.cube)
  const where = filterSql(q.filters, params, cubeFilterColumns(q.cube))
  const sql = `SELECT ${bucketExpr} AS b, ${splitExpr} AS after_split, ${dims.join(', ')},
      ${SUM_COLS.map((col) => `SUM(${col})`).join(', ')}, MAX(last_ts)
    FROM ${cubeTable(q.cube, q.grain)} WHERE start_ms >= ? AND start_ms < ?${where}
    GROUP BY 1, 2, ${dims.slice(1).join(', ')}`
  return {sql, s: 2 + dims.length}
}

/** The columns a cube's rows filter on (null: the cube has no such dimension). */
export function cubeFilterColumns(cube: CubeName): FilterColumns {
  return {
    failed: cube === 'account' ? 'failed_flag' : null,
    status: cube === 'account' ? 'fail_status_code' : null,
    apiKey: cube === 'key' ? 'api_key_hash' : null,
    auth: cube === 'account' ? 'auth_index' : null,
  }
}

export class SqliteRollups implements RollupRepository {
  private segments: readonly Segment[] = []

  constructor(private readonly c: Connection) {
    const db = c.db
    db.function('cpactl_bucket', {deterministic: true}, (t: number) => segmentBucket(this.segments, t))
    registerHistFunctions(db)
  }

  async state(): Promise<RollupState> {
    const r = this.c.db.prepare("SELECT value FROM report_state WHERE key = 'raw_complete_from'").get() as {value: number} | undefined
    return {rawCompleteFrom: r?.value ?? 0, dailyThrough: dailyThrough(this.c.db)}
  }

  async aggregate(q: CubeQuery): Promise<CubeGroup[]> {
    const {cube, grain} = q
    const params: unknown[] = []
    let bucketExpr = '0'
    if (q.segments) {
      this.segments = q.segments
      bucketExpr = 'cpactl_bucket(start_ms)'
    }
    let splitExpr = '0'
    if (q.splitAt !== undefined) {
      splitExpr = '(start_ms >= ?)'
      params.push(q.splitAt)
    }
    const {sql, s} = aggregateSql(q, bucketExpr, splitExpr, params)
    const out: CubeGroup[] = []
    for (const r of this.c.db.prepare(sql).raw(true).all(...params) as unknown[][]) {
      const b = r[0] as number
      if (b < 0) continue
      out.push(cubeGroup(r, cube, s))
    }
    return out
  }

  async histograms(q: HistQuery): Promise<HistGroup[]> {
    let bucketExpr = '0'
    if (q.segments) {
      this.segments = q.segments
      bucketExpr = 'cpactl_bucket(start_ms)'
    }
    const params: unknown[] = [q.dim, q.from, q.to]
    let where = ''
    where += inList('value', q.values, params)
    where += inList('instance', q.instances, params)
    const sql = `SELECT ${bucketExpr} AS b, value, cpactl_hist_sum(lat_hist), ${q.ttft === false ? 'NULL' : 'cpactl_hist_sum(ttft_hist)'}
      FROM report_hist_${q.grain} WHERE dim = ? AND start_ms >= ? AND start_ms < ?${where} GROUP BY b, value`
    return (this.c.db.prepare(sql).raw(true).all(...params) as unknown[][])
      .filter((r) => (r[0] as number) >= 0)
      .map((r) => ({bucket: r[0] as number, value: r[1] as string, latHist: r[2] as Buffer | null, ttftHist: r[3] as Buffer | null}))
  }

  async newestInDay(dayStart: number): Promise<number | null> {
    return (this.c.db.prepare('SELECT MAX(last_ts) AS m FROM report_model_daily WHERE start_ms = ?').get(dayStart) as {m: number | null}).m
  }

  async modelsSeen(instances?: string[]): Promise<ModelSeen[]> {
    const inst = instances && instances.length > 0 ? ` AND instance IN (${instances.map(() => '?').join(', ')})` : ''
    const sql = `SELECT model, SUM(requests) AS requests, MAX(last_ts) AS lastTs FROM (${allTime('model', 'model, requests, last_ts', inst)})
      GROUP BY model ORDER BY requests DESC`
    const through = dailyThrough(this.c.db)
    return (this.c.db.prepare(sql).all(through, ...(instances ?? []), through, ...(instances ?? [])) as ModelSeen[]).filter((r) => r.model !== '')
  }

  async keyUsage(): Promise<Map<string, KeyUsage>> {
    const sql = `SELECT api_key_hash AS h, SUM(requests) AS requests, MAX(last_ts) AS lastTs
      FROM (${allTime('key', 'api_key_hash, requests, last_ts', " AND api_key_hash <> ''")}) GROUP BY api_key_hash`
    const through = dailyThrough(this.c.db)
    const rows = this.c.db.prepare(sql).all(through, through) as Array<{h: string; requests: number; lastTs: number}>
    return new Map(rows.map((r) => [r.h, {requests: r.requests, lastTs: r.lastTs}]))
  }

  /**
   * Raw events for the partial first hour, the hourly account rollup for every whole hour after it (maintained
   * in the same transaction as the events, so the two never overlap or disagree).
   */
  async usageSince(instance: string, authIndex: string, sinceMs: number): Promise<UsageSince> {
    const firstFullHour = Math.ceil(sinceMs / HOUR_MS) * HOUR_MS
    // tokens are the bucket sum on both sides (what the rollups and every report count), not a record's own
    // `total_tokens`, which an inconsistent breakdown may contradict
    const head = this.c.db
      .prepare(
        `SELECT COUNT(*) AS requests, COALESCE(SUM(uncached_input + cache_read + cache_write + output_total + unclassified), 0) AS tokens
         FROM usage_events WHERE instance = ? AND auth_index = ? AND ts >= ? AND ts < ?`,
      )
      .get(instance, authIndex, sinceMs, firstFullHour) as {requests: number; tokens: number}
    const tail = this.c.db
      .prepare(
        `SELECT COALESCE(SUM(requests), 0) AS requests,
           COALESCE(SUM(uncached_input + cache_read + cache_write + output_total + unclassified), 0) AS tokens
         FROM report_account_hourly WHERE start_ms >= ? AND instance = ? AND auth_index = ?`,
      )
      .get(firstFullHour, instance, authIndex) as {requests: number; tokens: number}
    return {requests: head.requests + tail.requests, tokens: head.tokens + tail.tokens}
  }
}
