/**
 * One SQLite connection as the repositories share it: the handle, where it lives, whether it may write, and
 * the write-transaction helpers that map SQLite failures to cpactl's typed errors (db.ts storeError).
 */
import {BugError, ConfigError} from '../cli/errors.js'
import {storeError, type Database} from './db.js'

export class Connection {
  private busy = false

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

  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
    } catch {
      // the connection is already out of its transaction
    }
  }
}
