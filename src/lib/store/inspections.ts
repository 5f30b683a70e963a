/**
 * InspectionRepository over SQLite (types.ts; schema: migrations/003-inspect.ts): runs, per-credential results,
 * the ownership of disables cpactl made, and the one usage query inspection needs — tokens and requests of an
 * account since a window start, answered by the rollups (RollupRepository.usageSince).
 */
import type {ActionTaken, ApplyMode, Classification, InspectResult, InspectSummary, ProposedAction, QuotaWindows} from './inspection-rows.js'
import type {Connection} from './connection.js'
import {parseJson} from './db.js'
import type {
  DisableRecord,
  InspectionRunFinish,
  InspectionRunRecord,
  InspectionRunStart,
  InspectionRunStatus,
  InspectionTrigger,
  OwnershipRecord,
  StoredResult,
} from './records.js'
import type {UsageSince} from './rows.js'
import type {InspectionRepository, RollupRepository} from './types.js'

export interface RunRow {
  id: number
  instance: string
  trigger: string
  started_at: number
  finished_at: number | null
  status: string
  apply_mode: string
  threshold: number
  providers: string | null
  settings: string
  summary: string | null
  error_code: string | null
  error_message: string | null
}

export interface ResultRow {
  id: number
  run_id: number
  name: string
  auth_index: string | null
  provider: string
  email: string | null
  label: string | null
  plan: string | null
  disabled: number
  http_status: number | null
  classification: string
  action: string
  action_taken: string | null
  reason: string
  attempts: number
  windows: string
  checked_at: number
}

export interface OwnershipRow {
  id: number
  instance: string
  name: string
  auth_index: string
  provider: string | null
  disabled_at: number
  run_id: number | null
  classification: string
  reason: string | null
  modtime: string | null
}

export function runRecord(r: RunRow): InspectionRunRecord {
  return {
    id: r.id,
    instance: r.instance,
    trigger: r.trigger as InspectionTrigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status as InspectionRunStatus,
    apply: r.apply_mode as ApplyMode,
    threshold: r.threshold,
    providers: parseJson<string[] | null>(r.providers, null),
    settings: parseJson<Record<string, unknown>>(r.settings, {}),
    summary: parseJson<InspectSummary | null>(r.summary, null),
    errorCode: r.error_code,
    errorMessage: r.error_message,
  }
}

export function resultRecord(r: ResultRow): StoredResult {
  return {
    runId: r.run_id,
    name: r.name,
    provider: r.provider,
    authIndex: r.auth_index,
    email: r.email,
    label: r.label,
    plan: r.plan,
    disabled: r.disabled === 1,
    windows: parseJson<QuotaWindows>(r.windows, {short: null, long: null, extra: []}),
    httpStatus: r.http_status,
    classification: r.classification as Classification,
    action: r.action as ProposedAction,
    actionTaken: r.action_taken as ActionTaken,
    reason: r.reason,
    attempts: r.attempts,
    checkedAt: new Date(r.checked_at).toISOString(),
  }
}

export function ownershipRecord(r: OwnershipRow): OwnershipRecord {
  return {
    id: r.id,
    instance: r.instance,
    name: r.name,
    authIndex: r.auth_index,
    provider: r.provider,
    disabledAt: r.disabled_at,
    runId: r.run_id,
    classification: r.classification,
    reason: r.reason,
    modtime: r.modtime,
  }
}

const ms = (iso: string | null | undefined): number | null => {
  if (!iso) return null
  const t = Date.parse(iso)
  return Number.isNaN(t) ? null : t
}

/** The statements of the inspection repository (both backends; PostgreSQL adds COLLATE "C" where it sorts text). */
export const INSPECTION_SQL = {
  startRun: `INSERT INTO inspection_runs (instance, trigger, started_at, status, apply_mode, threshold, providers, settings)
    VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
  finishRun: 'UPDATE inspection_runs SET finished_at = ?, status = ?, summary = ?, error_code = ?, error_message = ? WHERE id = ?',
  insertResult: `INSERT INTO inspection_results (run_id, instance, name, auth_index, provider, email, label, plan, disabled, http_status,
    classification, action, action_taken, reason, attempts, windows, short_used, long_used, short_resets_at, long_resets_at,
    long_started_at, checked_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  openOwnership: 'SELECT * FROM inspection_ownership WHERE instance = ? AND name = ? AND auth_index = ? AND released_at IS NULL',
  listOpenOwnership: 'SELECT * FROM inspection_ownership WHERE instance = ? AND released_at IS NULL ORDER BY disabled_at',
  supersede: `UPDATE inspection_ownership SET released_at = ?, released_by = 'superseded', release_run_id = ?
      WHERE instance = ? AND name = ? AND auth_index = ? AND released_at IS NULL`,
  insertOwnership: `INSERT INTO inspection_ownership (instance, name, auth_index, provider, disabled_at, run_id, classification, reason, modtime)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  release: 'UPDATE inspection_ownership SET released_at = ?, released_by = ?, release_run_id = ? WHERE id = ? AND released_at IS NULL',
  getRun: 'SELECT * FROM inspection_runs WHERE id = ?',
  runsOf: 'SELECT * FROM inspection_runs WHERE instance = ? ORDER BY started_at DESC, id DESC LIMIT ?',
  runs: 'SELECT * FROM inspection_runs ORDER BY started_at DESC, id DESC LIMIT ?',
  runResults: 'SELECT * FROM inspection_results WHERE run_id = ? ORDER BY id',
  latest: `SELECT r.* FROM inspection_results r
    JOIN (SELECT MAX(id) AS id FROM inspection_results
       WHERE instance = ? AND classification <> 'skipped' GROUP BY name) l ON l.id = r.id
    ORDER BY r.name`,
}

export const runStartParams = (start: InspectionRunStart): unknown[] => [
  start.instance, start.trigger, start.startedAt, start.apply, start.threshold, start.providers ? JSON.stringify(start.providers) : null, JSON.stringify(start.settings),
]

export const runFinishParams = (id: number, finish: InspectionRunFinish): unknown[] => [
  finish.finishedAt, finish.status, finish.summary ? JSON.stringify(finish.summary) : null, finish.errorCode ?? null, finish.errorMessage ?? null, id,
]

export const ownershipParams = (d: DisableRecord): unknown[] => [d.instance, d.name, d.authIndex, d.provider, d.at, d.runId, d.classification, d.reason, d.modtime]

export function resultParams(runId: number, instance: string, r: InspectResult): unknown[] {
  return [
    runId, instance, r.name, r.authIndex, r.provider, r.email, r.label, r.plan, r.disabled ? 1 : 0, r.httpStatus, r.classification, r.action,
    r.actionTaken, r.reason, r.attempts, JSON.stringify(r.windows), r.windows.short?.usedPercent ?? null, r.windows.long?.usedPercent ?? null,
    ms(r.windows.short?.resetsAt), ms(r.windows.long?.resetsAt), ms(r.windows.long?.startedAt), ms(r.checkedAt) ?? Date.now(),
  ]
}

/** Inspection tables over the SQLite store. */
export class SqliteInspections implements InspectionRepository {
  readonly location: string
  private readonly db

  constructor(
    private readonly c: Connection,
    private readonly rollups: RollupRepository,
  ) {
    this.db = c.db
    this.location = c.location
  }

  private tx<T>(fn: () => T): T {
    return this.c.write('record an inspection', fn)
  }

  async startRun(start: InspectionRunStart): Promise<number> {
    const info = this.tx(() => this.db
      .prepare(
        INSPECTION_SQL.startRun,
      )
      .run(...runStartParams(start)))
    return Number(info.lastInsertRowid)
  }

  async finishRun(id: number, finish: InspectionRunFinish): Promise<void> {
    this.tx(() =>
      this.db
        .prepare(INSPECTION_SQL.finishRun)
        .run(...runFinishParams(id, finish)),
    )
  }

  async saveResults(runId: number, instance: string, results: readonly InspectResult[]): Promise<void> {
    const insert = this.db.prepare(
      INSPECTION_SQL.insertResult,
    )
    this.tx(() => {
      for (const r of results) {
        insert.run(...resultParams(runId, instance, r))
      }
    })
  }

  /** The open (not released) ownership of a credential, if cpactl disabled it. */
  async openOwnership(instance: string, name: string, authIndex: string | null): Promise<OwnershipRecord | null> {
    if (!authIndex) return null
    const row = this.db
      .prepare(INSPECTION_SQL.openOwnership)
      .get(instance, name, authIndex) as OwnershipRow | undefined
    return row ? ownershipRecord(row) : null
  }

  async listOpenOwnership(instance: string): Promise<OwnershipRecord[]> {
    const rows = this.db
      .prepare(INSPECTION_SQL.listOpenOwnership)
      .all(instance) as OwnershipRow[]
    return rows.map(ownershipRecord)
  }

  /** Record a disable cpactl made (replacing a stale open row for the same credential). */
  async recordDisable(d: DisableRecord): Promise<void> {
    this.tx(() => {
      this.db
        .prepare(
          INSPECTION_SQL.supersede,
        )
        .run(d.at, d.runId, d.instance, d.name, d.authIndex)
      this.db
        .prepare(
          INSPECTION_SQL.insertOwnership,
        )
        .run(...ownershipParams(d))
    })
  }

  async releaseOwnership(id: number, release: {at: number; by: 'cpactl' | 'external'; runId: number | null}): Promise<void> {
    this.tx(() =>
      this.db
        .prepare(INSPECTION_SQL.release)
        .run(release.at, release.by, release.runId, id),
    )
  }

  async getRun(id: number): Promise<InspectionRunRecord | null> {
    const row = this.db.prepare(INSPECTION_SQL.getRun).get(id) as RunRow | undefined
    return row ? runRecord(row) : null
  }

  /** Newest first. */
  async listRuns(query: {instance?: string | null; limit?: number} = {}): Promise<InspectionRunRecord[]> {
    const limit = query.limit ?? 20
    const rows = (
      query.instance
        ? this.db.prepare(INSPECTION_SQL.runsOf).all(query.instance, limit)
        : this.db.prepare(INSPECTION_SQL.runs).all(limit)
    ) as RunRow[]
    return rows.map(runRecord)
  }

  /** Results of one run, in the order they were stored. */
  async runResults(runId: number): Promise<StoredResult[]> {
    const rows = this.db.prepare(INSPECTION_SQL.runResults).all(runId) as ResultRow[]
    return rows.map(resultRecord)
  }

  /** The latest probed (not skipped) result of every credential of an instance. */
  async latestResults(instance: string): Promise<StoredResult[]> {
    const rows = this.db
      .prepare(
        INSPECTION_SQL.latest,
      )
      .all(instance) as ResultRow[]
    return rows.map(resultRecord)
  }

  async usageSince(instance: string, authIndex: string, sinceMs: number): Promise<UsageSince> {
    return this.rollups.usageSince(instance, authIndex, sinceMs)
  }
}
