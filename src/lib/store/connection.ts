/**
 * One SQLite connection as the repositories share it: the handle, where it lives, whether it may write, and
 * the write-transaction helpers that map SQLite failures to cpactl's typed errors (db.ts storeError).
 */
import {statSync} from 'node:fs'

import {BugError, ConfigError} from '../cli/errors.js'
import {storeError, WAL_CHECKPOINT_FRAMES, type Database} from './db.js'

export class Connection {
  private busy = false
  /** WAL bytes at which the collector's batches checkpoint (0: they have not started yet). */
  private checkpointBytes = 0

  constructor(
    readonly db: Database,
    readonly location: string,
    readonly readonly: boolean,
  ) {}

  /** Reject a write on a read-only store (reports, backups). */
  writable(action: string): void {
    if (this.readonly) {
      throw new ConfigError(`the store ${this.location} is open read-only and cannot ${action}`, {code: 'store_readonly'})
    }
  }

  /** BEGIN IMMEDIATE → fn → COMMIT; rolls back and rethrows (typed) on failure. */
  write<T>(action: string, fn: () => T): T {
    this.writable(action)
    if (this.busy) throw new BugError('store transactions do not nest')
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

  /**
   * The collector's transaction: BEGIN IMMEDIATE *before* `fn` runs (a store that cannot take the write lock
   * fails before the pop inside `fn`), then COMMIT. Other statements must not run on this connection while
   * `fn` is pending (they would join the transaction): transactions do not nest.
   */
  async writeAround<T>(fn: () => Promise<T>): Promise<T> {
    this.writable('write a batch')
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
        out = await fn()
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

  /**
   * Before a collector batch's BEGIN: the WAL checkpoint SQLite would otherwise run inside the COMMIT that takes
   * the WAL past WAL_CHECKPOINT_FRAMES (copying ~32 MiB of pages into the database file and syncing it: tens of
   * milliseconds) runs here, between two batches, so it is never part of a batch's pop→commit window. The first
   * call turns this connection's automatic checkpoint off and lets SQLite truncate the WAL file whenever it
   * starts it over (journal_size_limit 0), so the file's size is the WAL's size; a PASSIVE checkpoint runs once
   * it has grown past the same number of frames. A checkpoint that cannot copy everything now (a reader still
   * needs older pages) leaves the rest to the next batch.
   */
  checkpointBetweenBatches(): void {
    if (this.readonly || this.busy) return
    if (this.checkpointBytes === 0) {
      this.db.pragma('wal_autocheckpoint = 0')
      this.db.pragma('journal_size_limit = 0')
      // a frame is a page and its 24-byte header
      this.checkpointBytes = WAL_CHECKPOINT_FRAMES * ((this.db.pragma('page_size', {simple: true}) as number) + 24)
    }
    const wal = statSync(`${this.db.name}-wal`, {throwIfNoEntry: false})
    if (!wal || wal.size < this.checkpointBytes) return
    try {
      this.db.pragma('wal_checkpoint(PASSIVE)')
    } catch {
      // busy: the next batch tries again
    }
  }

  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
    } catch {
      // the connection is already out of its transaction
    }
  }
}
