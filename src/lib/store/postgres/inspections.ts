/** InspectionRepository over PostgreSQL (the counterpart of ../inspections.ts: same statements and rows). */
import type {InspectResult} from '../inspection-rows.js'
import {
  INSPECTION_SQL as SQL,
  ownershipParams,
  ownershipRecord,
  resultParams,
  resultRecord,
  runFinishParams,
  runRecord,
  runStartParams,
  type OwnershipRow,
  type ResultRow,
  type RunRow,
} from '../inspections.js'
import type {DisableRecord, InspectionRunFinish, InspectionRunRecord, InspectionRunStart, OwnershipRecord, StoredResult} from '../records.js'
import type {UsageSince} from '../rows.js'
import type {InspectionRepository, RollupRepository} from '../types.js'
import type {PgConnection} from './connection.js'

export class PgInspections implements InspectionRepository {
  readonly location: string

  constructor(
    private readonly c: PgConnection,
    private readonly rollups: RollupRepository,
  ) {
    this.location = c.location
  }

  private tx<T>(fn: () => Promise<T>): Promise<T> {
    return this.c.tx('record an inspection', fn)
  }

  async startRun(start: InspectionRunStart): Promise<number> {
    return this.tx(async () => (await this.c.one<{id: number}>(`${SQL.startRun} RETURNING id`, runStartParams(start)))!.id)
  }

  async finishRun(id: number, finish: InspectionRunFinish): Promise<void> {
    await this.tx(() => this.c.query(SQL.finishRun, runFinishParams(id, finish)))
  }

  async saveResults(runId: number, instance: string, results: readonly InspectResult[]): Promise<void> {
    await this.tx(async () => {
      for (const r of results) await this.c.query(SQL.insertResult, resultParams(runId, instance, r))
    })
  }

  async openOwnership(instance: string, name: string, authIndex: string | null): Promise<OwnershipRecord | null> {
    if (!authIndex) return null
    const row = await this.c.one<OwnershipRow>(SQL.openOwnership, [instance, name, authIndex], 'read ownership')
    return row ? ownershipRecord(row) : null
  }

  async listOpenOwnership(instance: string): Promise<OwnershipRecord[]> {
    return (await this.c.query<OwnershipRow>(SQL.listOpenOwnership, [instance], 'read ownership')).map(ownershipRecord)
  }

  async recordDisable(d: DisableRecord): Promise<void> {
    await this.tx(async () => {
      await this.c.query(SQL.supersede, [d.at, d.runId, d.instance, d.name, d.authIndex])
      await this.c.query(SQL.insertOwnership, ownershipParams(d))
    })
  }

  async releaseOwnership(id: number, release: {at: number; by: 'cpactl' | 'external'; runId: number | null}): Promise<void> {
    await this.tx(() => this.c.query(SQL.release, [release.at, release.by, release.runId, id]))
  }

  async getRun(id: number): Promise<InspectionRunRecord | null> {
    const row = await this.c.one<RunRow>(SQL.getRun, [id], 'read an inspection run')
    return row ? runRecord(row) : null
  }

  async listRuns(query: {instance?: string | null; limit?: number} = {}): Promise<InspectionRunRecord[]> {
    const limit = query.limit ?? 20
    const rows = query.instance ? await this.c.query<RunRow>(SQL.runsOf, [query.instance, limit]) : await this.c.query<RunRow>(SQL.runs, [limit])
    return rows.map(runRecord)
  }

  async runResults(runId: number): Promise<StoredResult[]> {
    return (await this.c.query<ResultRow>(SQL.runResults, [runId], 'read inspection results')).map(resultRecord)
  }

  async latestResults(instance: string): Promise<StoredResult[]> {
    return (await this.c.query<ResultRow>(SQL.latest.replace('ORDER BY r.name', 'ORDER BY r.name COLLATE "C"'), [instance], 'read inspection results')).map(resultRecord)
  }

  async usageSince(instance: string, authIndex: string, sinceMs: number): Promise<UsageSince> {
    return this.rollups.usageSince(instance, authIndex, sinceMs)
  }
}
