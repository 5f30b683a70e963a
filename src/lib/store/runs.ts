/**
 * The collector run log (collector_runs, see migrations/001-usage.ts): one row per `collect` run, written when
 * the run starts (that first commit doubles as the store's write probe), moved forward by every batch in the
 * batch's own transaction (ingest.ts), and closed with status, warnings, coverage and the gateway's
 * per-credential counters. Powers `collect status` and the doctor checks.
 */
import type {Warning} from '../cli/warnings.js'
import type {Connection} from './connection.js'
import {parseJson} from './db.js'
import {acquireCollectorLock} from './lock.js'
import type {AuthCounters, CollectorLock, RunFinish, RunMode, RunPoll, RunQuery, RunRecord, RunStart, RunStatus} from './records.js'
import type {RunRepository} from './types.js'

export interface RunRow {
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
  polled_at: number | null
  error_code: string | null
  error_message: string | null
  warnings: string | null
  coverage: string | null
  auth_counters: string | null
  auth_counters_at: number | null
}

export function toRecord(r: RunRow): RunRecord {
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
    polledAt: r.polled_at ?? null,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    warnings: runWarnings(r.warnings),
    coverage: parseJson<unknown>(r.coverage, null),
    authCounters: parseJson<AuthCounters | null>(r.auth_counters, null),
    authCountersAt: r.auth_counters_at,
  }
}

/** RunRepository.finish (both backends): the statement and its parameters. */
export const RUN_FINISH_SQL = `UPDATE collector_runs SET status = ?, ended_at = ?, transport = COALESCE(?, transport), retention_s = COALESCE(?, retention_s),
   publishing = COALESCE(?, publishing), error_code = ?, error_message = ?, warnings = ?, coverage = ?,
   auth_counters = COALESCE(?, auth_counters), auth_counters_at = COALESCE(?, auth_counters_at), spooled = spooled + ?
   WHERE id = ?`

export function runFinishParams(runId: number, f: RunFinish): unknown[] {
  return [
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
  ]
}

/** RunRepository.recordPoll (both backends; `greatest` is the backend's two-argument maximum): polledAt only moves forward. */
export const runPollSql = (greatest: 'MAX' | 'GREATEST'): string => `UPDATE collector_runs SET polled_at = ${greatest}(COALESCE(polled_at, 0), ?),
   transport = COALESCE(?, transport), retention_s = COALESCE(?, retention_s), publishing = COALESCE(?, publishing) WHERE id = ?`

export function runPollParams(runId: number, p: RunPoll): unknown[] {
  return [p.at, p.transport ?? null, p.retentionSeconds ?? null, p.publishing === undefined || p.publishing === null ? null : p.publishing ? 1 : 0, runId]
}

/** The query of RunRepository.list (both backends). */
export function runListSql(q: RunQuery): {sql: string; params: unknown[]} {
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
  return {sql, params}
}

export class SqliteRuns implements RunRepository {
  constructor(private readonly c: Connection) {}

  async lockCollector(purpose: string, _instance: string): Promise<CollectorLock> {
    this.c.writable('take the collector lock')
    return acquireCollectorLock(this.c.location, purpose)
  }

  async start(start: RunStart): Promise<number> {
    return this.c.write('record the run start', () => {
      const info = this.c.db
        .prepare('INSERT INTO collector_runs (instance, pid, mode, transport, started_at, status) VALUES (?, ?, ?, ?, ?, ?)')
        .run(start.instance, start.pid ?? process.pid, start.mode, start.transport, start.startedAt, 'running')
      return Number(info.lastInsertRowid)
    })
  }

  async finish(runId: number, f: RunFinish): Promise<void> {
    this.c.write('record the run end', () => this.c.db.prepare(RUN_FINISH_SQL).run(...runFinishParams(runId, f)))
  }

  async recordPoll(runId: number, p: RunPoll): Promise<void> {
    this.c.write('record the collector heartbeat', () => this.c.db.prepare(runPollSql('MAX')).run(...runPollParams(runId, p)))
  }

  async recordSpooled(runId: number, count: number): Promise<void> {
    this.c.write('record spooled payloads', () => this.c.db.prepare('UPDATE collector_runs SET popped = popped + ?, spooled = spooled + ? WHERE id = ?').run(count, count, runId))
  }

  async get(id: number): Promise<RunRecord | null> {
    const r = this.c.db.prepare('SELECT * FROM collector_runs WHERE id = ?').get(id) as RunRow | undefined
    return r ? toRecord(r) : null
  }

  async list(q: RunQuery = {}): Promise<RunRecord[]> {
    const {sql, params} = runListSql(q)
    return (this.c.db.prepare(sql).all(...params) as RunRow[]).map(toRecord)
  }
}

/** A run's warnings; rows written before warnings had codes hold plain messages (code `collect_warning`). */
function runWarnings(text: string | null): Warning[] {
  return parseJson<Array<Warning | string>>(text, []).map((w) => (typeof w === 'string' ? {code: 'collect_warning', message: w} : w))
}
