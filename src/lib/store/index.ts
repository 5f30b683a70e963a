/**
 * The store (issue 4): the only module that writes SQL. `UsageStore` is the interface the rest of cpactl
 * codes against (async, so a PostgreSQL implementation can sit behind it later); `SqliteStore` is today's
 * implementation over better-sqlite3. Its `db` handle is for modules inside src/lib/store only (prices,
 * aliases, reports, export, maintenance, inspections build their SQL on it).
 *
 * Schema: migrations/001-usage.ts. Collector protocol ("never pop what cannot be stored"):
 *   acquireCollectorLock → openStore → startRun (first committed write = write probe) → recoverSpools →
 *   repeat { transaction(tx => pop, tx.write(payloads)) } → finishRun.
 * If a batch's commit fails after its pop, the collector spills the payloads (`spill`) and exits non-zero.
 */
import {BugError} from '../cli/errors.js'
import {openDatabase, storeError, type Database, type OpenDatabaseOptions} from './db.js'
import {addCounts, BatchWriter, emptyCounts, type BatchCounts, type IngestContext} from './ingest.js'
import {
  deadLetterSummary,
  getRun,
  insertRun,
  listRuns,
  recordSpooled,
  storeTotals,
  updateRunFinish,
  type DeadLetterSummary,
  type RunFinish,
  type RunQuery,
  type RunRecord,
  type RunStart,
  type StoreTotals,
} from './runs.js'
import {listSpools, readSpool, releaseSpoolReserve, removeSpool, reserveSpool, writeSpool} from './spool.js'

export type {BatchCounts} from './ingest.js'
export type {AuthCounters, DeadLetterSummary, RunFinish, RunMode, RunQuery, RunRecord, RunStart, RunStatus, StoreTotals} from './runs.js'
export {acquireCollectorLock, collectorLockPath, isProcessAlive, type CollectorLock, type LockHolder} from './lock.js'
export {listSpools} from './spool.js'

export interface IngestResult {
  received: number
  added: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
}

export interface SpoolRecovery {
  files: number
  counts: BatchCounts
}

/** The writer handed to a transaction callback. */
export interface StoreTransaction {
  /** Classify and store payloads; events, rollups, dead letters and run counters move in this transaction. */
  write(payloads: readonly unknown[], ctx: IngestContext): BatchCounts
}

export interface UsageStore {
  readonly kind: string
  /** Where the store lives (a file path for SQLite). */
  readonly location: string
  /** Insert the run row and commit it: the store's write probe, done before anything is popped. */
  startRun(start: RunStart): Promise<number>
  /**
   * Open a write transaction, run `fn` (which pops and calls tx.write), commit. The transaction is begun
   * before `fn` runs, so a store that cannot take a write lock fails before the pop. On any error it rolls
   * back and rethrows (store failures as typed errors).
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>
  /** Bulk path (usage import, benchmarks): all records in one transaction, dedup by event hash. */
  ingestRecords(instance: string, records: readonly unknown[], options?: {runId?: number | null; receivedAt?: number}): Promise<IngestResult>
  /**
   * Reserve disk room for one spilled batch (before the first pop); a full disk fails here, as a typed error.
   * `spill` gives the room back before writing; `releaseSpillReserve` at the end of the run.
   */
  reserveSpill(bytes: number): Promise<void>
  releaseSpillReserve(): Promise<void>
  /** Write payloads that could not be committed to a 0600 spool file beside the store; returns its path. */
  spill(instance: string, receivedAt: number, payloads: readonly unknown[]): Promise<string>
  /** Ingest (and delete) spool files left by an earlier failed run, counting them under `runId`. */
  recoverSpools(runId: number | null): Promise<SpoolRecovery>
  recordSpooled(runId: number, count: number): Promise<void>
  finishRun(runId: number, finish: RunFinish): Promise<void>
  getRun(id: number): Promise<RunRecord | null>
  listRuns(query?: RunQuery): Promise<RunRecord[]>
  deadLetters(instance?: string | null): Promise<DeadLetterSummary>
  totals(instance?: string | null): Promise<StoreTotals>
  /** Bring derived report tables up to date; returns the events folded in. */
  refreshDerived(): Promise<number>
  close(): Promise<void>
}

export interface OpenStoreOptions extends OpenDatabaseOptions {
  path: string
}

export class SqliteStore implements UsageStore {
  readonly kind = 'sqlite'
  readonly location: string
  /** For modules inside src/lib/store only. */
  readonly db: Database
  private writerInstance: BatchWriter | null = null
  private busy = false

  constructor(db: Database, path: string) {
    this.db = db
    this.location = path
  }

  private get writer(): BatchWriter {
    this.writerInstance ??= new BatchWriter(this.db)
    return this.writerInstance
  }

  private syncTransaction<T>(action: string, fn: () => T): T {
    try {
      this.db.exec('BEGIN IMMEDIATE')
    } catch (error) {
      throw storeError(error, this.location, action)
    }
    try {
      const out = fn()
      this.db.exec('COMMIT')
      return out
    } catch (error) {
      this.rollbackQuietly()
      throw storeError(error, this.location, action)
    }
  }

  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
    } catch {
      // the connection is already out of its transaction
    }
  }

  async startRun(start: RunStart): Promise<number> {
    return this.syncTransaction('record the run start', () => insertRun(this.db, start))
  }

  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.busy) throw new BugError('store transactions do not nest')
    this.busy = true
    try {
      try {
        this.db.exec('BEGIN IMMEDIATE')
      } catch (error) {
        throw storeError(error, this.location, 'begin a write transaction')
      }
      let out: T
      try {
        out = await fn({write: (payloads, ctx) => this.writer.write(payloads, ctx)})
      } catch (error) {
        this.rollbackQuietly()
        throw storeError(error, this.location, 'write a batch')
      }
      try {
        this.db.exec('COMMIT')
      } catch (error) {
        this.rollbackQuietly()
        throw storeError(error, this.location, 'commit a batch')
      }
      return out
    } finally {
      this.busy = false
    }
  }

  async ingestRecords(instance: string, records: readonly unknown[], options: {runId?: number | null; receivedAt?: number} = {}): Promise<IngestResult> {
    const ctx: IngestContext = {instance, runId: options.runId ?? null, receivedAt: options.receivedAt ?? Date.now()}
    const c = this.syncTransaction('ingest records', () => this.writer.write(records, ctx))
    return {received: c.received, added: c.inserted, duplicates: c.duplicates, deadLettered: c.deadLettered, controlSkipped: c.controlSkipped}
  }

  async reserveSpill(bytes: number): Promise<void> {
    try {
      reserveSpool(this.location, bytes)
    } catch (error) {
      throw storeError(error, this.location, 'reserve room for a spilled batch')
    }
  }

  async releaseSpillReserve(): Promise<void> {
    releaseSpoolReserve(this.location)
  }

  async spill(instance: string, receivedAt: number, payloads: readonly unknown[]): Promise<string> {
    releaseSpoolReserve(this.location)
    return writeSpool(this.location, instance, receivedAt, payloads)
  }

  async recoverSpools(runId: number | null): Promise<SpoolRecovery> {
    const total = emptyCounts()
    let files = 0
    for (const file of listSpools(this.location)) {
      const entries = readSpool(file)
      const byInstance = new Map<string, {receivedAt: number; payloads: unknown[]}>()
      for (const e of entries) {
        const g = byInstance.get(e.instance) ?? {receivedAt: e.receivedAt, payloads: []}
        g.payloads.push(e.payload)
        byInstance.set(e.instance, g)
      }
      const counts = this.syncTransaction('ingest a spool file', () => {
        const c = emptyCounts()
        for (const [instance, g] of byInstance) addCounts(c, this.writer.write(g.payloads, {instance, runId, receivedAt: g.receivedAt}, {recovered: true}))
        return c
      })
      removeSpool(file)
      addCounts(total, counts)
      files++
    }
    return {files, counts: total}
  }

  async recordSpooled(runId: number, count: number): Promise<void> {
    this.syncTransaction('record spooled payloads', () => recordSpooled(this.db, runId, count))
  }

  async finishRun(runId: number, finish: RunFinish): Promise<void> {
    this.syncTransaction('record the run end', () => updateRunFinish(this.db, runId, finish))
  }

  async getRun(id: number): Promise<RunRecord | null> {
    return getRun(this.db, id)
  }

  async listRuns(query: RunQuery = {}): Promise<RunRecord[]> {
    return listRuns(this.db, query)
  }

  async deadLetters(instance?: string | null): Promise<DeadLetterSummary> {
    return deadLetterSummary(this.db, instance)
  }

  async totals(instance?: string | null): Promise<StoreTotals> {
    return storeTotals(this.db, instance)
  }

  /** Fold events added since the last report into the report rollups (reports.ts), so reports never wait. */
  async refreshDerived(): Promise<number> {
    const {refreshReportRollups} = await import('./reports.js')
    // small chunks: bounded memory when a large drain is folded in (the collector's RSS budget)
    return refreshReportRollups(this.db, {chunk: 10_000}).folded
  }

  async close(): Promise<void> {
    if (!this.db.open) return
    try {
      if (!this.db.readonly) this.db.pragma('wal_checkpoint(PASSIVE)')
    } catch {
      // a busy checkpoint is harmless; the next writer checkpoints
    }
    this.db.close()
  }
}

/** Open the store (creating and migrating it unless read-only). */
export async function openStore(options: OpenStoreOptions): Promise<SqliteStore> {
  const db = await openDatabase(options.path, options)
  return new SqliteStore(db, options.path)
}
