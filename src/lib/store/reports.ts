/**
 * Report SQL (issue 5): the report rollups of migration 002 and every query the report engine
 * (src/lib/report/engine.ts) runs. Nothing outside src/lib/store builds SQL.
 *
 * Rollups are derived from usage_events and folded in incrementally: `refreshReportRollups` reads the events
 * with id > report_state.derived_upto_id in id order, aggregates them in memory and merges them into the
 * three hourly tables, one chunk per transaction (so a collector is never blocked for long and the checkpoint
 * always matches the tables). Events keep increasing ids because `store prune` never deletes the newest-id
 * row (SQLite reuses max(rowid)+1). Integer sums only: every figure is exact.
 */
import {encodeHist, histAdd, mergeEncoded, type SparseHist} from '../report/histogram.js'
import type {Database} from './db.js'

export const HOUR_MS = 3_600_000

export type CubeName = 'model' | 'key' | 'account'

const CUBE_TABLE: Record<CubeName, string> = {
  model: 'report_model_hourly',
  key: 'report_key_hourly',
  account: 'report_account_hourly',
}

const SUM_COLS = [
  'requests', 'failed', 'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified',
  'latency_sum', 'latency_count', 'ttft_sum', 'ttft_count',
] as const

export interface ReportState {
  derivedUptoId: number
  /** Raw events older than this (UTC ms, hour-aligned) may have been pruned; 0 = never pruned. */
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

interface Cell {
  dims: unknown[]
  sums: number[]
  lastTs: number
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

function upsertSql(table: string, dims: string[]): string {
  const cols = [...dims, ...SUM_COLS, 'last_ts', 'lat_hist', 'ttft_hist']
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${dims.join(', ')}) DO UPDATE SET
    ${SUM_COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
    last_ts = MAX(last_ts, excluded.last_ts),
    lat_hist = cpactl_hist_merge(lat_hist, excluded.lat_hist),
    ttft_hist = cpactl_hist_merge(ttft_hist, excluded.ttft_hist)`
}

const MODEL_DIMS = ['hour_ms', 'instance', 'provider', 'model', 'service_tier', 'response_service_tier']
const KEY_DIMS = ['hour_ms', 'instance', 'api_key_hash', 'provider', 'model', 'service_tier', 'response_service_tier']
const ACCOUNT_DIMS = ['hour_ms', 'instance', 'auth_index', 'provider', 'model', 'service_tier', 'response_service_tier', 'failed_flag', 'fail_status_code']

export interface RefreshResult {
  folded: number
  derivedUptoId: number
}

/**
 * Fold new events into the report rollups. Safe to call concurrently from several processes (each chunk
 * re-reads the checkpoint inside its write transaction). `chunk` bounds memory and lock time.
 */
export function refreshReportRollups(db: Database, options: {chunk?: number; onProgress?: (done: number) => void} = {}): RefreshResult {
  const chunk = options.chunk ?? 50_000
  registerFunctions(db)
  const selectEvents = db
    .prepare(
      `SELECT id, instance, ts, provider, model, api_key_hash, auth_index, service_tier, response_service_tier, failed,
              fail_status_code, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified,
              latency_ms, ttft_ms, source
       FROM usage_events WHERE id > ? ORDER BY id LIMIT ?`,
    )
    .raw(true)
  const upModel = db.prepare(upsertSql('report_model_hourly', MODEL_DIMS))
  const upKey = db.prepare(upsertSql('report_key_hourly', KEY_DIMS))
  const upAccount = db.prepare(upsertSql('report_account_hourly', ACCOUNT_DIMS))
  const upSource = db.prepare(
    `INSERT INTO report_account_sources (instance, auth_index, source, last_ts) VALUES (?, ?, ?, ?)
     ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)`,
  )
  const setCheckpoint = db.prepare("UPDATE report_state SET value = ? WHERE key = 'derived_upto_id'")
  let folded = 0
  let upto = reportState(db).derivedUptoId
  for (;;) {
    db.exec('BEGIN IMMEDIATE')
    let n = 0
    try {
      upto = reportState(db).derivedUptoId
      const rows = selectEvents.all(upto, chunk) as unknown[][]
      n = rows.length
      if (n > 0) {
        const model = new Map<string, Cell>()
        const key = new Map<string, Cell>()
        const account = new Map<string, Cell>()
        const sources = new Map<string, [string, string, string, number]>()
        for (const r of rows) {
          const instance = r[1] as string
          const ts = r[2] as number
          const hour = ts - (((ts % HOUR_MS) + HOUR_MS) % HOUR_MS)
          const provider = (r[3] as string | null) ?? ''
          const mdl = (r[4] as string | null) ?? ''
          const apiKey = (r[5] as string | null) ?? ''
          const auth = (r[6] as string | null) ?? ''
          const st = (r[7] as string | null) ?? ''
          const rst = (r[8] as string | null) ?? ''
          const failed = r[9] as number
          const status = (r[10] as number | null) ?? 0
          const source = r[19] as string | null
          const base = `${hour}\u001f${instance}\u001f${provider}\u001f${mdl}\u001f${st}\u001f${rst}`
          addTo(model, base, () => [hour, instance, provider, mdl, st, rst], r, ts)
          addTo(key, `${base}\u001f${apiKey}`, () => [hour, instance, apiKey, provider, mdl, st, rst], r, ts)
          addTo(account, `${base}\u001f${auth}\u001f${failed}\u001f${status}`, () => [hour, instance, auth, provider, mdl, st, rst, failed, status], r, ts)
          if (auth !== '' && source !== null && source !== '') {
            const sk = `${instance}\u001f${auth}\u001f${source}`
            const cur = sources.get(sk)
            if (!cur || cur[3] < ts) sources.set(sk, [instance, auth, source, ts])
          }
        }
        for (const c of model.values()) upModel.run(...cellParams(c))
        for (const c of key.values()) upKey.run(...cellParams(c))
        for (const c of account.values()) upAccount.run(...cellParams(c))
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

function addTo(map: Map<string, Cell>, k: string, dims: () => unknown[], r: unknown[], ts: number): void {
  let c = map.get(k)
  if (!c) {
    c = {dims: dims(), sums: new Array(SUM_COLS.length).fill(0), lastTs: ts, lat: new Map(), ttft: new Map()}
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
    histAdd(c.lat, lat)
  }
  const ttft = r[18] as number | null
  if (ttft !== null && ttft > 0) {
    s[10] += ttft
    s[11]++
    histAdd(c.ttft, ttft)
  }
  if (ts > c.lastTs) c.lastTs = ts
}

function cellParams(c: Cell): unknown[] {
  return [...c.dims, ...c.sums, c.lastTs, encodeHist(c.lat), encodeHist(c.ttft)]
}

/** Drop and rebuild every report rollup from the raw events (after a schema fix, or to verify them). */
export function rebuildReportRollups(db: Database): RefreshResult {
  db.exec('BEGIN IMMEDIATE')
  try {
    for (const t of Object.values(CUBE_TABLE)) db.exec(`DELETE FROM ${t}`)
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
  /** Models to leave out (the engine reads tiered models from raw events). */
  excludeModels?: string[]
  authIndexes?: string[]
  apiKeyHashes?: string[]
  failed?: boolean
  statuses?: number[]
}

/** One row as the engine sees it, whether it came from a rollup (n ≥ 1 events) or a raw event (n = 1). */
export interface UsageRow {
  /** True for a raw event, false for a rollup row. */
  raw: boolean
  /** Hour (rollups) or event time (raw), UTC ms. */
  ts: number
  instance: string
  provider: string
  model: string
  apiKeyHash: string
  authIndex: string
  serviceTier: string
  responseServiceTier: string
  /** Rollup rows of the account cube and raw rows: the status code (0 unknown); others: null. */
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
  /** Rollups: encoded histograms. Raw: null (the single values are below). */
  latHist: Buffer | null
  ttftHist: Buffer | null
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

/** Rollup rows with hour_ms in [fromHour, toHour). */
export function* iterateCube(db: Database, cube: CubeName, fromHour: number, toHour: number, f: RowFilters, withHists = true): Generator<UsageRow> {
  const params: unknown[] = [fromHour, toHour]
  const table = CUBE_TABLE[cube]
  const dimCols =
    cube === 'model'
      ? "'' AS api_key_hash, '' AS auth_index, NULL AS failed_flag, NULL AS fail_status_code"
      : cube === 'key'
        ? "api_key_hash, '' AS auth_index, NULL AS failed_flag, NULL AS fail_status_code"
        : "'' AS api_key_hash, auth_index, failed_flag, fail_status_code"
  const where = filterSql(f, params, {
    failed: cube === 'account' ? 'failed_flag' : null,
    status: cube === 'account' ? 'fail_status_code' : null,
    apiKey: cube === 'key' ? 'api_key_hash' : null,
    auth: cube === 'account' ? 'auth_index' : null,
  })
  const stmt = db
    .prepare(
      `SELECT hour_ms, instance, provider, model, service_tier, response_service_tier, ${dimCols},
              ${SUM_COLS.join(', ')}, last_ts, ${withHists ? 'lat_hist, ttft_hist' : 'NULL, NULL'}
       FROM ${table} WHERE hour_ms >= ? AND hour_ms < ?${where}`,
    )
    .raw(true)
  for (const r of stmt.iterate(...params) as Iterable<unknown[]>) {
    yield {
      raw: false,
      ts: r[0] as number,
      instance: r[1] as string,
      provider: r[2] as string,
      model: r[3] as string,
      serviceTier: r[4] as string,
      responseServiceTier: r[5] as string,
      apiKeyHash: r[6] as string,
      authIndex: r[7] as string,
      status: r[9] as number | null,
      requests: r[10] as number,
      failed: r[11] as number,
      uncachedInput: r[12] as number,
      cacheRead: r[13] as number,
      cacheWrite: r[14] as number,
      outputTotal: r[15] as number,
      reasoning: r[16] as number,
      unclassified: r[17] as number,
      latencySum: r[18] as number,
      latencyCount: r[19] as number,
      ttftSum: r[20] as number,
      ttftCount: r[21] as number,
      lastTs: r[22] as number,
      latHist: r[23] as Buffer | null,
      ttftHist: r[24] as Buffer | null,
      latencyMs: null,
      ttftMs: null,
    }
  }
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
      latHist: null,
      ttftHist: null,
      latencyMs: lat,
      ttftMs: hasTtft ? ttft : null,
    }
  }
}

/** Requests in the hours overlapping [since, until) from the model rollup (to choose exact vs rollup mode). */
export function estimateRequests(db: Database, since: number, until: number, f: RowFilters): number {
  const params: unknown[] = [since - (((since % HOUR_MS) + HOUR_MS) % HOUR_MS), until]
  const where = filterSql({instances: f.instances, providers: f.providers, models: f.models}, params, {failed: null, status: null, apiKey: null, auth: null})
  const row = db.prepare(`SELECT COALESCE(SUM(requests), 0) AS n FROM report_model_hourly WHERE hour_ms >= ? AND hour_ms < ?${where}`).get(...params) as {n: number}
  return row.n
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
  let sql = `SELECT ts, fail_summary, request_id FROM usage_events
    WHERE auth_index IS ? AND ts >= ? AND ts < ? AND failed = 1 AND COALESCE(fail_status_code, 0) = ? AND COALESCE(model, '') = ?`
  params.unshift(g.authIndex === '' ? null : g.authIndex)
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
      .prepare(`SELECT model, SUM(requests) AS requests, MAX(last_ts) AS lastTs FROM report_model_hourly ${where} GROUP BY model ORDER BY requests DESC`)
      .all(...params) as Array<{model: string; requests: number; lastTs: number}>
  ).filter((r) => r.model !== '')
}
