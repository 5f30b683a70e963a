/**
 * The collector run log (collector_runs, see migrations/001-usage.ts): one row per `collect` run, written when
 * the run starts (that first commit doubles as the store's write probe), moved forward by every batch in the
 * batch's own transaction (ingest.ts), and closed with status, warnings, coverage and the gateway's
 * per-credential counters. Powers `collect status` and the doctor checks.
 */
import type {Database} from './db.js'
import {parseJson} from './db.js'

export type RunMode = 'once' | 'follow' | 'import'
export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted'

/** Per-credential gateway counters: auth_index → [success, failed]. */
export type AuthCounters = Record<string, [number, number]>

export interface RunStart {
  instance: string
  mode: RunMode
  transport: string | null
  startedAt: number
  pid?: number
}

export interface RunFinish {
  status: RunStatus
  endedAt: number
  transport?: string | null
  retentionSeconds?: number | null
  publishing?: boolean | null
  errorCode?: string | null
  errorMessage?: string | null
  warnings?: string[]
  coverage?: unknown
  authCounters?: AuthCounters | null
  authCountersAt?: number | null
  /** Payloads written to a spool file because their batch could not be committed. */
  spooled?: number
}

export interface RunRecord {
  id: number
  instance: string
  pid: number
  mode: RunMode
  transport: string | null
  startedAt: number
  endedAt: number | null
  status: RunStatus
  popped: number
  inserted: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
  spooled: number
  recovered: number
  batches: number
  oldestRecordTs: number | null
  newestRecordTs: number | null
  retentionSeconds: number | null
  publishing: boolean | null
  errorCode: string | null
  errorMessage: string | null
  warnings: string[]
  coverage: unknown
  authCounters: AuthCounters | null
  authCountersAt: number | null
}

interface RunRow {
  id: number
  instance: string
  pid: number
  mode: string
  transport: string | null
  started_at: number
  ended_at: number | null
  status: string
  popped: number
  inserted: number
  duplicates: number
  dead_lettered: number
  control_skipped: number
  spooled: number
  recovered: number
  batches: number
  oldest_record_ts: number | null
  newest_record_ts: number | null
  retention_s: number | null
  publishing: number | null
  error_code: string | null
  error_message: string | null
  warnings: string | null
  coverage: string | null
  auth_counters: string | null
  auth_counters_at: number | null
}

function toRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    instance: r.instance,
    pid: r.pid,
    mode: r.mode as RunMode,
    transport: r.transport,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    status: r.status as RunStatus,
    popped: r.popped,
    inserted: r.inserted,
    duplicates: r.duplicates,
    deadLettered: r.dead_lettered,
    controlSkipped: r.control_skipped,
    spooled: r.spooled,
    recovered: r.recovered,
    batches: r.batches,
    oldestRecordTs: r.oldest_record_ts,
    newestRecordTs: r.newest_record_ts,
    retentionSeconds: r.retention_s,
    publishing: r.publishing === null ? null : r.publishing === 1,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    warnings: parseJson<string[]>(r.warnings, []),
    coverage: parseJson<unknown>(r.coverage, null),
    authCounters: parseJson<AuthCounters | null>(r.auth_counters, null),
    authCountersAt: r.auth_counters_at,
  }
}

/** Insert the run row (status running). Call inside a write transaction; returns the run id. */
export function insertRun(db: Database, start: RunStart): number {
  const info = db
    .prepare('INSERT INTO collector_runs (instance, pid, mode, transport, started_at, status) VALUES (?, ?, ?, ?, ?, ?)')
    .run(start.instance, start.pid ?? process.pid, start.mode, start.transport, start.startedAt, 'running')
  return Number(info.lastInsertRowid)
}

export function updateRunFinish(db: Database, runId: number, f: RunFinish): void {
  db.prepare(
    `UPDATE collector_runs SET status = ?, ended_at = ?, transport = COALESCE(?, transport), retention_s = COALESCE(?, retention_s),
     publishing = COALESCE(?, publishing), error_code = ?, error_message = ?, warnings = ?, coverage = ?,
     auth_counters = COALESCE(?, auth_counters), auth_counters_at = COALESCE(?, auth_counters_at), spooled = spooled + ?
     WHERE id = ?`,
  ).run(
    f.status,
    f.endedAt,
    f.transport ?? null,
    f.retentionSeconds ?? null,
    f.publishing === undefined || f.publishing === null ? null : f.publishing ? 1 : 0,
    f.errorCode ?? null,
    f.errorMessage ?? null,
    JSON.stringify(f.warnings ?? []),
    f.coverage === undefined ? null : JSON.stringify(f.coverage),
    f.authCounters ? JSON.stringify(f.authCounters) : null,
    f.authCountersAt ?? null,
    f.spooled ?? 0,
    runId,
  )
}

/** Record that a batch could not be committed: its payloads were popped and went to a spool file. */
export function recordSpooled(db: Database, runId: number, count: number): void {
  db.prepare('UPDATE collector_runs SET popped = popped + ?, spooled = spooled + ? WHERE id = ?').run(count, count, runId)
}

export function getRun(db: Database, id: number): RunRecord | null {
  const r = db.prepare('SELECT * FROM collector_runs WHERE id = ?').get(id) as RunRow | undefined
  return r ? toRecord(r) : null
}

export interface RunQuery {
  instance?: string | null
  limit?: number
  /** Only runs with one of these statuses. */
  status?: RunStatus[]
  /** Only runs that recorded gateway counters (the coverage baseline). */
  withAuthCounters?: boolean
  /** Exclude this run id (the current run). */
  excludeId?: number
  /** Only collector runs (once/follow), not imports. */
  collectorOnly?: boolean
}

export function listRuns(db: Database, q: RunQuery = {}): RunRecord[] {
  const where: string[] = []
  const params: unknown[] = []
  if (q.instance) {
    where.push('instance = ?')
    params.push(q.instance)
  }
  if (q.status?.length) {
    where.push(`status IN (${q.status.map(() => '?').join(', ')})`)
    params.push(...q.status)
  }
  if (q.withAuthCounters) where.push('auth_counters IS NOT NULL')
  if (q.excludeId !== undefined) {
    where.push('id <> ?')
    params.push(q.excludeId)
  }
  if (q.collectorOnly) where.push("mode IN ('once', 'follow')")
  const sql = `SELECT * FROM collector_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, id DESC LIMIT ?`
  params.push(q.limit ?? 20)
  return (db.prepare(sql).all(...params) as RunRow[]).map(toRecord)
}

export interface DeadLetterSummary {
  waiting: number
  oldestAt: number | null
  newestAt: number | null
  /** Most frequent reasons first. */
  reasons: Array<{reason: string; count: number}>
}

export function deadLetterSummary(db: Database, instance?: string | null): DeadLetterSummary {
  const where = instance ? 'WHERE resolved_at IS NULL AND instance = ?' : 'WHERE resolved_at IS NULL'
  const args = instance ? [instance] : []
  const agg = db.prepare(`SELECT COUNT(*) AS n, MIN(received_at) AS o, MAX(received_at) AS w FROM usage_dead_letters ${where}`).get(...args) as {
    n: number
    o: number | null
    w: number | null
  }
  const reasons = db
    .prepare(`SELECT reason, COUNT(*) AS count FROM usage_dead_letters ${where} GROUP BY reason ORDER BY count DESC, reason LIMIT 10`)
    .all(...args) as Array<{reason: string; count: number}>
  return {waiting: agg.n, oldestAt: agg.o, newestAt: agg.w, reasons}
}

export interface StoreTotals {
  events: number
  oldestTs: number | null
  newestTs: number | null
  instances: string[]
}

export function storeTotals(db: Database, instance?: string | null): StoreTotals {
  const where = instance ? 'WHERE instance = ?' : ''
  const args = instance ? [instance] : []
  const row = db.prepare(`SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events ${where}`).get(...args) as {n: number; o: number | null; w: number | null}
  const instances = (db.prepare('SELECT DISTINCT instance FROM collector_runs UNION SELECT DISTINCT instance FROM usage_hourly ORDER BY 1').all() as Array<{instance: string}>).map(
    (r) => r.instance,
  )
  return {events: row.n, oldestTs: row.o, newestTs: row.w, instances}
}
