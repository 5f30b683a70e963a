/**
 * Report SQL (issue 5): the report rollups of migration 002 and every query the report engine
 * (src/lib/report/engine.ts) runs. Nothing outside src/lib/store builds SQL.
 *
 * Rollups are derived from usage_events and folded in incrementally: `refreshReportRollups` reads the events
 * with id > report_state.derived_upto_id in id order, aggregates them in memory and merges them into the
 * three hourly tables, one chunk per transaction (so a collector is never blocked for long and the checkpoint
 * always matches the tables). Events keep increasing ids because `store prune` never deletes the newest-id
 * row (SQLite reuses max(rowid)+1). Integer sums only: every figure is exact.
 *
 * Every cube row also carries the context band of its requests (`band`: how many standard thresholds of
 * src/lib/pricing/cost.ts CONTEXT_BANDS their total input — uncached + cache read + cache write — exceeds),
 * so the engine can bill context-tiered prices whose thresholds are all standard from the rollups, exactly.
 */
import {contextBand} from '../pricing/cost.js'
import {encodeHist, histAdd, mergeEncoded, type SparseHist} from '../report/histogram.js'
import type {Database} from './db.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

export type CubeName = 'model' | 'key' | 'account'
export type Grain = 'hourly' | 'daily'
export type HistDim = 'all' | 'model' | 'key' | 'account'

const CUBE_EXTRA: Record<CubeName, string[]> = {
  model: [],
  key: ['api_key_hash'],
  account: ['auth_index', 'failed_flag', 'fail_status_code'],
}
const BASE_DIMS = ['start_ms', 'instance', 'provider', 'model', 'service_tier', 'response_service_tier', 'band']

const SUM_COLS = [
  'requests', 'failed', 'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified',
  'latency_sum', 'latency_count', 'ttft_sum', 'ttft_count',
] as const

const floorTo = (t: number, unit: number) => t - (((t % unit) + unit) % unit)

export interface ReportState {
  derivedUptoId: number
  /** Raw events older than this (UTC midnight, ms) may have been pruned; 0 = never pruned. */
  rawCompleteFrom: number
}

export function reportState(db: Database): ReportState {
  const rows = db.prepare('SELECT key, value FROM report_state').all() as Array<{key: string; value: number}>
  const m = new Map(rows.map((r) => [r.key, r.value]))
  return {derivedUptoId: m.get('derived_upto_id') ?? 0, rawCompleteFrom: m.get('raw_complete_from') ?? 0}
}

export function setRawCompleteFrom(db: Database, ms: number): void {
  db.prepare("INSERT INTO report_state (key, value) VALUES ('raw_complete_from', ?) ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)").run(ms)
}

/** Events not yet folded into the rollups (cheap: a range count on the primary key). */
export function pendingEvents(db: Database): number {
  const {derivedUptoId} = reportState(db)
  return (db.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE id > ?').get(derivedUptoId) as {n: number}).n
}

interface SumCell {
  dims: unknown[]
  sums: number[]
  lastTs: number
}

interface HistCell {
  dims: unknown[]
  lat: SparseHist
  ttft: SparseHist
}

function registerFunctions(db: Database): void {
  db.function('cpactl_hist_merge', {deterministic: true}, (a: unknown, b: unknown) => {
    if (a === null) return b as Buffer | null
    if (b === null) return a as Buffer
    const h: SparseHist = new Map()
    mergeEncoded(h, a as Buffer)
    mergeEncoded(h, b as Buffer)
    return encodeHist(h)
  })
}

function cubeUpsertSql(cube: CubeName, grain: Grain): string {
  const dims = [...BASE_DIMS, ...CUBE_EXTRA[cube]]
  const cols = [...dims, ...SUM_COLS, 'last_ts']
  return `INSERT INTO report_${cube}_${grain} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${dims.join(', ')}) DO UPDATE SET
    ${SUM_COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}, last_ts = MAX(last_ts, excluded.last_ts)`
}

function histUpsertSql(grain: Grain): string {
  return `INSERT INTO report_hist_${grain} (start_ms, instance, dim, value, lat_hist, ttft_hist) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (dim, start_ms, value, instance) DO UPDATE SET
    lat_hist = cpactl_hist_merge(lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(ttft_hist, excluded.ttft_hist)`
}

export interface RefreshResult {
  folded: number
  derivedUptoId: number
}

const CUBES: CubeName[] = ['model', 'key', 'account']
const GRAINS: Grain[] = ['hourly', 'daily']

/**
 * Fold new events into the report rollups. Safe to call concurrently from several processes (each chunk
 * re-reads the checkpoint inside its write transaction). `chunk` bounds memory and lock time.
 */
export function refreshReportRollups(db: Database, options: {chunk?: number; onProgress?: (done: number) => void} = {}): RefreshResult {
  const chunk = options.chunk ?? 100_000
  const {derivedUptoId} = reportState(db)
  const newest = (db.prepare('SELECT MAX(id) AS m FROM usage_events').get() as {m: number | null}).m ?? 0
  if (newest <= derivedUptoId) return {folded: 0, derivedUptoId}
  registerFunctions(db)
  const selectEvents = db
    .prepare(
      `SELECT id, instance, ts, provider, model, api_key_hash, auth_index, service_tier, response_service_tier, failed,
              fail_status_code, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified,
              latency_ms, ttft_ms, source
       FROM usage_events WHERE id > ? ORDER BY id LIMIT ?`,
    )
    .raw(true)
  const upCube = new Map<string, ReturnType<Database['prepare']>>()
  for (const c of CUBES) for (const g of GRAINS) upCube.set(`${c}_${g}`, db.prepare(cubeUpsertSql(c, g)))
  const upHist = new Map(GRAINS.map((g) => [g, db.prepare(histUpsertSql(g))]))
  const upSource = db.prepare(
    `INSERT INTO report_account_sources (instance, auth_index, source, last_ts) VALUES (?, ?, ?, ?)
     ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)`,
  )
  const setCheckpoint = db.prepare("UPDATE report_state SET value = ? WHERE key = 'derived_upto_id'")
  let folded = 0
  let upto = derivedUptoId
  for (;;) {
    db.exec('BEGIN IMMEDIATE')
    let n = 0
    try {
      upto = reportState(db).derivedUptoId
      const rows = selectEvents.all(upto, chunk) as unknown[][]
      n = rows.length
      if (n > 0) {
        const cubes = new Map<string, Map<string, SumCell>>()
        for (const c of CUBES) for (const g of GRAINS) cubes.set(`${c}_${g}`, new Map())
        const hists = new Map<Grain, Map<string, HistCell>>(GRAINS.map((g) => [g, new Map()]))
        const sources = new Map<string, [string, string, string, number]>()
        for (const r of rows) foldEvent(r, cubes, hists, sources)
        for (const [name, cells] of cubes) {
          const st = upCube.get(name)!
          for (const c of cells.values()) st.run([...c.dims, ...c.sums, c.lastTs])
        }
        for (const [grain, cells] of hists) {
          const st = upHist.get(grain)!
          for (const c of cells.values()) st.run([...c.dims, encodeHist(c.lat), encodeHist(c.ttft)])
        }
        for (const s of sources.values()) upSource.run(...s)
        upto = rows[n - 1][0] as number
        setCheckpoint.run(upto)
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
    folded += n
    if (n > 0) options.onProgress?.(folded)
    if (n < chunk) break
  }
  return {folded, derivedUptoId: upto}
}

function foldEvent(r: unknown[], cubes: Map<string, Map<string, SumCell>>, hists: Map<Grain, Map<string, HistCell>>, sources: Map<string, [string, string, string, number]>): void {
  const instance = r[1] as string
  const ts = r[2] as number
  const provider = (r[3] as string | null) ?? ''
  const model = (r[4] as string | null) ?? ''
  const apiKey = (r[5] as string | null) ?? ''
  const auth = (r[6] as string | null) ?? ''
  const st = (r[7] as string | null) ?? ''
  const rst = (r[8] as string | null) ?? ''
  const failed = r[9] as number
  const status = (r[10] as number | null) ?? 0
  const lat = r[17] as number | null
  const ttftRaw = r[18] as number | null
  const ttft = ttftRaw !== null && ttftRaw > 0 ? ttftRaw : null
  const source = r[19] as string | null
  const band = contextBand((r[11] as number) + (r[12] as number) + (r[13] as number))
  for (const grain of GRAINS) {
    const start = floorTo(ts, grain === 'hourly' ? HOUR_MS : DAY_MS)
    const base = `${start}\u001f${instance}\u001f${provider}\u001f${model}\u001f${st}\u001f${rst}\u001f${band}`
    addSum(cubes.get(`model_${grain}`)!, base, () => [start, instance, provider, model, st, rst, band], r, ts)
    addSum(cubes.get(`key_${grain}`)!, `${base}\u001f${apiKey}`, () => [start, instance, provider, model, st, rst, band, apiKey], r, ts)
    addSum(cubes.get(`account_${grain}`)!, `${base}\u001f${auth}\u001f${failed}\u001f${status}`, () => [start, instance, provider, model, st, rst, band, auth, failed, status], r, ts)
    if (lat === null && ttft === null) continue
    const h = hists.get(grain)!
    addHist(h, start, instance, 'all', '', lat, ttft)
    addHist(h, start, instance, 'model', `${provider}\u001f${model}`, lat, ttft)
    addHist(h, start, instance, 'key', apiKey, lat, ttft)
    addHist(h, start, instance, 'account', auth, lat, ttft)
  }
  if (auth !== '' && source !== null && source !== '') {
    const sk = `${instance}\u001f${auth}\u001f${source}`
    const cur = sources.get(sk)
    if (!cur || cur[3] < ts) sources.set(sk, [instance, auth, source, ts])
  }
}

function addSum(map: Map<string, SumCell>, k: string, dims: () => unknown[], r: unknown[], ts: number): void {
  let c = map.get(k)
  if (!c) {
    c = {dims: dims(), sums: new Array(SUM_COLS.length).fill(0), lastTs: ts}
    map.set(k, c)
  }
  const s = c.sums
  s[0]++
  s[1] += r[9] as number
  s[2] += r[11] as number
  s[3] += r[12] as number
  s[4] += r[13] as number
  s[5] += r[14] as number
  s[6] += r[15] as number
  s[7] += r[16] as number
  const lat = r[17] as number | null
  if (lat !== null) {
    s[8] += lat
    s[9]++
  }
  const ttft = r[18] as number | null
  if (ttft !== null && ttft > 0) {
    s[10] += ttft
    s[11]++
  }
  if (ts > c.lastTs) c.lastTs = ts
}

function addHist(map: Map<string, HistCell>, start: number, instance: string, dim: HistDim, value: string, lat: number | null, ttft: number | null): void {
  const k = `${start}\u001f${instance}\u001f${dim}\u001f${value}`
  let c = map.get(k)
  if (!c) {
    c = {dims: [start, instance, dim, value], lat: new Map(), ttft: new Map()}
    map.set(k, c)
  }
  if (lat !== null) histAdd(c.lat, lat)
  if (ttft !== null) histAdd(c.ttft, ttft)
}

/** Drop and rebuild every report rollup from the raw events (after a schema fix, or to verify them). */
export function rebuildReportRollups(db: Database): RefreshResult {
  db.exec('BEGIN IMMEDIATE')
  try {
    for (const g of GRAINS) {
      for (const c of CUBES) db.exec(`DELETE FROM report_${c}_${g}`)
      db.exec(`DELETE FROM report_hist_${g}`)
    }
    db.exec("DELETE FROM report_account_sources; UPDATE report_state SET value = 0 WHERE key = 'derived_upto_id'")
    db.exec('COMMIT')
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK')
    throw error
  }
  return refreshReportRollups(db)
}

// ------------------------------------------------------------------------------------------- queries

/** Filters every report query understands. Empty arrays / undefined mean "no filter". */
export interface RowFilters {
  instances?: string[]
  providers?: string[]
  models?: string[]
  /** Models to leave out (the engine reads models with non-standard context tiers from raw events). */
  excludeModels?: string[]
  authIndexes?: string[]
  apiKeyHashes?: string[]
  failed?: boolean
  statuses?: number[]
}

/** One row as the engine sees it, whether it came from a rollup (n ≥ 1 events) or a raw event (n = 1). */
export interface UsageRow {
  /** True for a raw event, false for a rollup group. */
  raw: boolean
  /** Event time (raw), 0 for rollup groups. */
  ts: number
  instance: string
  provider: string
  model: string
  apiKeyHash: string
  authIndex: string
  serviceTier: string
  responseServiceTier: string
  /** Rollup groups: the context band of their requests (CONTEXT_BANDS); raw rows: null (their input is known). */
  band: number | null
  /** Raw rows and account-rollup groups: the status code (0 unknown); others: null. */
  status: number | null
  requests: number
  failed: number
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  outputTotal: number
  reasoning: number
  unclassified: number
  latencySum: number
  latencyCount: number
  ttftSum: number
  ttftCount: number
  lastTs: number
  /** Raw rows only. */
  latencyMs: number | null
  ttftMs: number | null
}

function inList(col: string, values: readonly unknown[] | undefined, params: unknown[], negate = false): string {
  if (!values || values.length === 0) return ''
  params.push(...values)
  return ` AND ${col} ${negate ? 'NOT IN' : 'IN'} (${values.map(() => '?').join(', ')})`
}

function filterSql(f: RowFilters, params: unknown[], cols: {failed: string | null; status: string | null; apiKey: string | null; auth: string | null}): string {
  let sql = ''
  sql += inList('instance', f.instances, params)
  sql += inList('provider', f.providers, params)
  sql += inList('model', f.models, params)
  sql += inList('model', f.excludeModels, params, true)
  if (f.authIndexes && f.authIndexes.length > 0) {
    if (!cols.auth) throw new Error('this rollup has no account dimension')
    sql += inList(cols.auth, f.authIndexes, params)
  }
  if (f.apiKeyHashes && f.apiKeyHashes.length > 0) {
    if (!cols.apiKey) throw new Error('this rollup has no API-key dimension')
    sql += inList(cols.apiKey, f.apiKeyHashes, params)
  }
  if (f.failed !== undefined) {
    if (!cols.failed) throw new Error('this rollup has no failure dimension')
    sql += ` AND ${cols.failed} = ${f.failed ? 1 : 0}`
  }
  if (f.statuses && f.statuses.length > 0) {
    if (!cols.status) throw new Error('this rollup has no status dimension')
    sql += inList(cols.status, f.statuses, params)
  }
  return sql
}

/** Which rollup can answer a query needing these dimensions (null ⇒ raw events only). */
export function cubeFor(needs: {apiKey: boolean; account: boolean; failed: boolean}): CubeName | null {
  if (needs.apiKey && (needs.account || needs.failed)) return null
  if (needs.apiKey) return 'key'
  if (needs.account || needs.failed) return 'account'
  return 'model'
}

export interface CubeQuery {
  /** Period starts in [from, to). */
  from: number
  to: number
  filters: RowFilters
  /** Bucket of a period start (−1 = skip); default: bucket 0. */
  bucketOf?: (startMs: number) => number
  /** True for models read from raw events instead (context tiers the band cannot resolve) in periods starting ≥ rawFrom. */
  tieredModel?: (model: string) => boolean
  rawFrom?: number
}

/** A rollup group as the engine sees it: UsageRow plus its bucket and whether it is left to raw events. */
export interface CubeGroup extends UsageRow {
  bucket: number
  /** Rows of a `tieredModel` in periods where raw events exist: the engine reads those from raw events. */
  tiered: boolean
}

/**
 * Rollup rows with start_ms in [from, to), summed in SQL per (bucket, every dimension but the time): a 90-day
 * range of the daily model rollup comes back as a few dozen groups.
 */
export function aggregateCube(db: Database, cube: CubeName, grain: Grain, q: CubeQuery): CubeGroup[] {
  const params: unknown[] = []
  let bucketExpr = '0'
  if (q.bucketOf) {
    db.function('cpactl_bucket', {deterministic: true}, (t: number) => q.bucketOf!(t))
    bucketExpr = 'cpactl_bucket(start_ms)'
  }
  let tieredExpr = '0'
  if (q.tieredModel) {
    db.function('cpactl_tiered', {deterministic: true}, (m: string) => (q.tieredModel!(m) ? 1 : 0))
    tieredExpr = '(start_ms >= ? AND cpactl_tiered(model))'
    params.push(q.rawFrom ?? 0)
  }
  params.push(q.from, q.to)
  const extra = CUBE_EXTRA[cube]
  // instance is filtered on, never grouped by: leaving it out of the sort key keeps the GROUP BY cheap
  const dims = ["'' AS instance", 'provider', 'model', 'service_tier', 'response_service_tier', 'band', ...extra]
  const groupDims = dims.slice(1)
  const where = filterSql(q.filters, params, {
    failed: cube === 'account' ? 'failed_flag' : null,
    status: cube === 'account' ? 'fail_status_code' : null,
    apiKey: cube === 'key' ? 'api_key_hash' : null,
    auth: cube === 'account' ? 'auth_index' : null,
  })
  const sql = `SELECT ${bucketExpr} AS b, ${tieredExpr} AS tiered, ${dims.join(', ')},
      ${SUM_COLS.map((c) => `SUM(${c})`).join(', ')}, MAX(last_ts)
    FROM report_${cube}_${grain} WHERE start_ms >= ? AND start_ms < ?${where}
    GROUP BY b, tiered, ${groupDims.join(', ')}`
  const out: CubeGroup[] = []
  const s = 2 + dims.length
  for (const r of db.prepare(sql).raw(true).all(...params) as unknown[][]) {
    const b = r[0] as number
    if (b < 0) continue
    out.push({
      raw: false,
      bucket: b,
      tiered: r[1] === 1,
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
      uncachedInput: r[s + 2] as number,
      cacheRead: r[s + 3] as number,
      cacheWrite: r[s + 4] as number,
      outputTotal: r[s + 5] as number,
      reasoning: r[s + 6] as number,
      unclassified: r[s + 7] as number,
      latencySum: r[s + 8] as number,
      latencyCount: r[s + 9] as number,
      ttftSum: r[s + 10] as number,
      ttftCount: r[s + 11] as number,
      lastTs: r[s + 12] as number,
      latencyMs: null,
      ttftMs: null,
    })
  }
  return out
}

/** Newest event of a UTC day according to the rollups (null: none). */
export function newestInDay(db: Database, dayStart: number): number | null {
  return (db.prepare('SELECT MAX(last_ts) AS m FROM report_model_daily WHERE start_ms = ?').get(dayStart) as {m: number | null}).m
}

class DenseHist {
  counts = new Float64Array(512)
  add(buf: Uint8Array | null): void {
    if (!buf) return
    const n = buf.length - 5
    for (let o = 0; o < n; o += 6) {
      const b = buf[o] | (buf[o + 1] << 8)
      if (b >= this.counts.length) {
        const next = new Float64Array(Math.max(b + 1, this.counts.length * 2))
        next.set(this.counts)
        this.counts = next
      }
      this.counts[b] += (buf[o + 2] | (buf[o + 3] << 8) | (buf[o + 4] << 16)) + buf[o + 5] * 16777216
    }
  }
  encode(): Buffer | null {
    const h: SparseHist = new Map()
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) h.set(i, this.counts[i])
    return encodeHist(h)
  }
}

function registerHistSum(db: Database): void {
  const step = (acc: DenseHist, blob: Buffer | null) => {
    acc.add(blob)
    return acc
  }
  db.aggregate('cpactl_hist_sum', {
    start: () => new DenseHist(),
    step: step as unknown as (acc: DenseHist, next: unknown) => DenseHist,
    result: (acc: DenseHist) => acc.encode(),
  })
}

export interface HistGroup {
  bucket: number
  /** '' (dim all), provider U+001F model, api_key_hash or auth_index. */
  value: string
  latHist: Buffer | null
  ttftHist: Buffer | null
}

/** Histograms with start_ms in [from, to) of one dimension, merged per (bucket, value). */
export function aggregateHist(
  db: Database,
  grain: Grain,
  q: {from: number; to: number; dim: HistDim; values?: string[]; instances?: string[]; bucketOf?: (startMs: number) => number; ttft?: boolean},
): HistGroup[] {
  registerHistSum(db)
  let bucketExpr = '0'
  if (q.bucketOf) {
    db.function('cpactl_bucket', {deterministic: true}, (t: number) => q.bucketOf!(t))
    bucketExpr = 'cpactl_bucket(start_ms)'
  }
  const params: unknown[] = [q.dim, q.from, q.to]
  let where = ''
  where += inList('value', q.values, params)
  where += inList('instance', q.instances, params)
  const sql = `SELECT ${bucketExpr} AS b, value, cpactl_hist_sum(lat_hist), ${q.ttft === false ? 'NULL' : 'cpactl_hist_sum(ttft_hist)'}
    FROM report_hist_${grain} WHERE dim = ? AND start_ms >= ? AND start_ms < ?${where} GROUP BY b, value`
  return (db.prepare(sql).raw(true).all(...params) as unknown[][])
    .filter((r) => (r[0] as number) >= 0)
    .map((r) => ({bucket: r[0] as number, value: r[1] as string, latHist: r[2] as Buffer | null, ttftHist: r[3] as Buffer | null}))
}

const RAW_SELECT = `SELECT ts, instance, provider, model, api_key_hash, auth_index, service_tier, response_service_tier,
  failed, fail_status_code, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, latency_ms, ttft_ms
  FROM usage_events`

/** Raw events with ts in [since, until), as rows of one request each. */
export function* iterateRaw(db: Database, since: number, until: number, f: RowFilters): Generator<UsageRow> {
  const params: unknown[] = [since, until]
  const where = filterSql(f, params, {failed: 'failed', status: 'fail_status_code', apiKey: 'api_key_hash', auth: 'auth_index'})
  const stmt = db.prepare(`${RAW_SELECT} WHERE ts >= ? AND ts < ?${where}`).raw(true)
  for (const r of stmt.iterate(...params) as Iterable<unknown[]>) {
    const lat = r[16] as number | null
    const ttft = r[17] as number | null
    const hasTtft = ttft !== null && ttft > 0
    yield {
      raw: true,
      ts: r[0] as number,
      instance: r[1] as string,
      provider: (r[2] as string | null) ?? '',
      model: (r[3] as string | null) ?? '',
      apiKeyHash: (r[4] as string | null) ?? '',
      authIndex: (r[5] as string | null) ?? '',
      serviceTier: (r[6] as string | null) ?? '',
      responseServiceTier: (r[7] as string | null) ?? '',
      band: null,
      status: (r[9] as number | null) ?? 0,
      requests: 1,
      failed: r[8] as number,
      uncachedInput: r[10] as number,
      cacheRead: r[11] as number,
      cacheWrite: r[12] as number,
      outputTotal: r[13] as number,
      reasoning: r[14] as number,
      unclassified: r[15] as number,
      latencySum: lat ?? 0,
      latencyCount: lat === null ? 0 : 1,
      ttftSum: hasTtft ? ttft : 0,
      ttftCount: hasTtft ? 1 : 0,
      lastTs: r[0] as number,
      latencyMs: lat,
      ttftMs: hasTtft ? ttft : null,
    }
  }
}

// ------------------------------------------------------------------------------------ names & lookups

export interface AccountName {
  instance: string
  authIndex: string
  name: string | null
  email: string | null
  label: string | null
  provider: string | null
  /** Newest `source` the credential was seen with in usage (email, project id or masked key). */
  source: string | null
}

/** Display data for credentials: the latest auth-file list when known, else the newest usage `source`. */
export function accountNames(db: Database, authIndexes: readonly string[]): Map<string, AccountName> {
  const out = new Map<string, AccountName>()
  if (authIndexes.length === 0) return out
  const labels = db.prepare('SELECT instance, auth_index, name, email, label, provider FROM account_labels WHERE auth_index = ? ORDER BY updated_at DESC LIMIT 1')
  const sources = db.prepare('SELECT instance, source FROM report_account_sources WHERE auth_index = ? ORDER BY last_ts DESC LIMIT 1')
  for (const a of authIndexes) {
    const l = labels.get(a) as {instance: string; name: string | null; email: string | null; label: string | null; provider: string | null} | undefined
    const s = sources.get(a) as {instance: string; source: string} | undefined
    out.set(a, {
      instance: l?.instance ?? s?.instance ?? '',
      authIndex: a,
      name: l?.name ?? null,
      email: l?.email ?? null,
      label: l?.label ?? null,
      provider: l?.provider ?? null,
      source: s?.source ?? null,
    })
  }
  return out
}

/** auth_index values an `--account` term names: the index itself, an auth-file name, an email/label, or a usage source. */
export function resolveAccountTerm(db: Database, term: string): string[] {
  const t = term.trim()
  const found = new Set<string>()
  const lower = t.toLowerCase()
  for (const r of db
    .prepare('SELECT auth_index FROM account_labels WHERE auth_index = ? OR lower(name) = ? OR lower(name) = ? OR lower(email) = ? OR lower(label) = ?')
    .all(lower, lower, `${lower}.json`, lower, lower) as Array<{auth_index: string}>) {
    found.add(r.auth_index)
  }
  for (const r of db.prepare('SELECT DISTINCT auth_index FROM report_account_sources WHERE auth_index = ? OR lower(source) = ?').all(lower, lower) as Array<{auth_index: string}>) {
    found.add(r.auth_index)
  }
  if (/^[0-9a-f]{16}$/.test(lower)) found.add(lower)
  return [...found]
}

/** Replace the stored auth-file list of an instance (called with a fresh GET /auth-files answer). */
export function saveAccountLabels(
  db: Database,
  instance: string,
  files: ReadonlyArray<{authIndex: string; name: string | null; email: string | null; label: string | null; provider: string | null}>,
  now = Date.now(),
): number {
  const up = db.prepare(
    `INSERT INTO account_labels (instance, auth_index, name, email, label, provider, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (instance, auth_index) DO UPDATE SET name = excluded.name, email = excluded.email, label = excluded.label,
       provider = excluded.provider, updated_at = excluded.updated_at`,
  )
  const run = db.transaction(() => {
    let n = 0
    for (const f of files) {
      if (!f.authIndex) continue
      up.run(instance, f.authIndex, f.name, f.email, f.label, f.provider, now)
      n++
    }
    return n
  })
  return run()
}

export interface KeyName {
  apiKeyHash: string
  alias: string | null
  masked: string | null
}

export function apiKeyNames(db: Database, hashes: readonly string[]): Map<string, KeyName> {
  const out = new Map<string, KeyName>()
  const alias = db.prepare('SELECT alias FROM api_key_aliases WHERE api_key_hash = ?').pluck()
  const hint = db.prepare('SELECT masked FROM api_key_hints WHERE api_key_hash = ?').pluck()
  for (const h of hashes) {
    if (h === '') continue
    out.set(h, {apiKeyHash: h, alias: (alias.get(h) as string | undefined) ?? null, masked: (hint.get(h) as string | undefined) ?? null})
  }
  return out
}

export interface LatestFailure {
  ts: number
  summary: string | null
  requestId: string | null
}

/** Newest failed event of a (status × account × model) group in [since, until), with its redacted summary. */
export function latestFailure(db: Database, g: {authIndex: string; model: string; status: number; since: number; until: number; instances?: string[]}): LatestFailure | null {
  const params: unknown[] = [g.since, g.until, g.status, g.model]
  // records served without a credential carry auth_index "" (older stores may hold NULL): one group either way
  let sql = `SELECT ts, fail_summary, request_id FROM usage_events
    WHERE COALESCE(auth_index, '') = ? AND ts >= ? AND ts < ? AND failed = 1 AND COALESCE(fail_status_code, 0) = ? AND COALESCE(model, '') = ?`
  params.unshift(g.authIndex)
  sql += inList('instance', g.instances, params)
  sql += ' ORDER BY ts DESC LIMIT 1'
  const r = db.prepare(sql).get(...params) as {ts: number; fail_summary: string | null; request_id: string | null} | undefined
  return r ? {ts: r.ts, summary: r.fail_summary, requestId: r.request_id} : null
}

// ------------------------------------------------------------------------------------------- events

export interface EventRow {
  id: number
  ts: number
  instance: string
  requestId: string | null
  provider: string | null
  model: string | null
  alias: string | null
  endpoint: string | null
  authIndex: string | null
  source: string | null
  apiKeyHash: string | null
  failed: boolean
  statusCode: number | null
  latencyMs: number | null
  ttftMs: number | null
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  outputTotal: number
  reasoning: number
  unclassified: number
  total: number
  serviceTier: string | null
  responseServiceTier: string | null
  reasoningEffort: string | null
  failSummary: string | null
}

/** Per-request rows, newest first, keyset-paginated on (ts, id) (never OFFSET). */
export function listEvents(db: Database, q: {since: number; until: number; filters: RowFilters; before?: {ts: number; id: number} | null; limit: number}): EventRow[] {
  const params: unknown[] = [q.since, q.until]
  let sql = `SELECT id, ts, instance, request_id, provider, model, alias, endpoint, auth_index, source, api_key_hash, failed, fail_status_code,
      latency_ms, ttft_ms, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, total, service_tier,
      response_service_tier, reasoning_effort, fail_summary
    FROM usage_events WHERE ts >= ? AND ts < ?`
  sql += filterSql(q.filters, params, {failed: 'failed', status: 'fail_status_code', apiKey: 'api_key_hash', auth: 'auth_index'})
  if (q.before) {
    sql += ' AND (ts < ? OR (ts = ? AND id < ?))'
    params.push(q.before.ts, q.before.ts, q.before.id)
  }
  sql += ' ORDER BY ts DESC, id DESC LIMIT ?'
  params.push(q.limit)
  return (db.prepare(sql).all(...params) as Array<Record<string, unknown>>).map((r) => ({
    id: r.id as number,
    ts: r.ts as number,
    instance: r.instance as string,
    requestId: r.request_id as string | null,
    provider: r.provider as string | null,
    model: r.model as string | null,
    alias: r.alias as string | null,
    endpoint: r.endpoint as string | null,
    authIndex: r.auth_index as string | null,
    source: r.source as string | null,
    apiKeyHash: r.api_key_hash as string | null,
    failed: r.failed === 1,
    statusCode: r.fail_status_code as number | null,
    latencyMs: r.latency_ms as number | null,
    ttftMs: r.ttft_ms as number | null,
    uncachedInput: r.uncached_input as number,
    cacheRead: r.cache_read as number,
    cacheWrite: r.cache_write as number,
    outputTotal: r.output_total as number,
    reasoning: r.reasoning as number,
    unclassified: r.unclassified as number,
    total: r.total as number,
    serviceTier: r.service_tier as string | null,
    responseServiceTier: r.response_service_tier as string | null,
    reasoningEffort: r.reasoning_effort as string | null,
    failSummary: r.fail_summary as string | null,
  }))
}

/** Every model seen in usage (from the rollups), with request counts and last-seen time. */
export function modelsSeen(db: Database, instances?: string[]): Array<{model: string; requests: number; lastTs: number}> {
  const params: unknown[] = []
  const where = instances && instances.length > 0 ? `WHERE instance IN (${instances.map(() => '?').join(', ')})` : ''
  params.push(...(instances ?? []))
  return (
    db
      .prepare(`SELECT model, SUM(requests) AS requests, MAX(last_ts) AS lastTs FROM report_model_daily ${where} GROUP BY model ORDER BY requests DESC`)
      .all(...params) as Array<{model: string; requests: number; lastTs: number}>
  ).filter((r) => r.model !== '')
}
