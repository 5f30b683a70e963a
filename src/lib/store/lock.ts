/**
 * One collector per store (issue 4; a second writer would meet SQLITE_BUSY, and two collectors on one gateway
 * split its records). The lock is a small SQLite file
 * beside the store, `<store>-collector.lock`, in rollback-journal mode:
 *
 * - the holder writes its pid into the `holder` row, then keeps a `BEGIN IMMEDIATE` transaction open for the
 *   whole run: that RESERVED lock is an OS file lock, so it vanishes with the process (kill -9 included) and
 *   no stale-lock heuristics or pid-reuse guesses are needed;
 * - a contender's `BEGIN IMMEDIATE` fails at once (busy timeout 0); it can still read the committed holder
 *   row (a RESERVED lock admits readers) and reports `LockError` (exit 7) naming the holder's pid.
 * SQLite also arbitrates two connections inside one process, so in-process callers conflict the same way.
 */
import {closeSync, existsSync, mkdirSync, openSync} from 'node:fs'
import {dirname} from 'node:path'

import {LockError} from '../cli/errors.js'
import {restrictFileMode, storeError, type Database} from './db.js'
import type {CollectorLock, LockHolder} from './records.js'

export function collectorLockPath(storePath: string): string {
  return `${storePath}-collector.lock`
}

function readHolder(db: Database): LockHolder | null {
  try {
    const r = db.prepare('SELECT pid, since, purpose FROM holder WHERE id = 1').get() as LockHolder | undefined
    return r ?? null
  } catch {
    return null
  }
}

/** Take the collector lock of `storePath` or throw LockError naming the holder. */
export async function acquireCollectorLock(storePath: string, purpose = 'collect'): Promise<CollectorLock> {
  const path = collectorLockPath(storePath)
  const {default: BetterSqlite3} = await import('better-sqlite3')
  let db: Database
  try {
    const dir = dirname(path)
    if (!existsSync(dir)) mkdirSync(dir, {recursive: true, mode: 0o700})
    if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600))
    restrictFileMode(path)
    db = new BetterSqlite3(path, {timeout: 0})
    db.pragma('journal_mode = DELETE')
    db.pragma('busy_timeout = 0')
  } catch (error) {
    throw storeError(error, path, 'open the collector lock')
  }
  const busy = (error: unknown) => String((error as {code?: string})?.code ?? '').startsWith('SQLITE_BUSY')
  const fail = (error: unknown): never => {
    if (busy(error)) {
      const holder = readHolder(db)
      db.close()
      const who = holder ? `pid ${holder.pid} (${holder.purpose} since ${new Date(holder.since).toISOString()})` : 'another process'
      throw new LockError(`another collector holds the store lock: ${who}`, {
        code: 'collector_running',
        hint: 'only one collector may drain into a store at a time; wait for it or stop it',
        details: {pid: holder?.pid ?? null, since: holder?.since ?? null, lockFile: path},
      })
    }
    db.close()
    throw storeError(error, path, 'take the collector lock')
  }
  try {
    db.exec('BEGIN IMMEDIATE')
  } catch (error) {
    fail(error)
  }
  try {
    // the commit needs the readers (a contender reading the holder row) to step aside for a moment
    db.pragma('busy_timeout = 2000')
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since INTEGER NOT NULL, purpose TEXT NOT NULL)')
    db.prepare('INSERT OR REPLACE INTO holder (id, pid, since, purpose) VALUES (1, ?, ?, ?)').run(process.pid, Date.now(), purpose)
    db.exec('COMMIT')
    db.pragma('busy_timeout = 0')
    // keep a RESERVED lock for the rest of the run; a contender who slipped in between wins, we report it
    db.exec('BEGIN IMMEDIATE')
  } catch (error) {
    if (db.inTransaction) {
      try {
        db.exec('ROLLBACK')
      } catch {
        // ignore
      }
    }
    fail(error)
  }
  let released = false
  return {
    path,
    release() {
      if (released) return
      released = true
      try {
        if (db.inTransaction) db.exec('ROLLBACK')
      } finally {
        db.close()
      }
    },
  }
}

/**
 * Is a process with this pid alive on this host? Used to tell a run row still marked `running` from one whose
 * collector died (kill -9, power loss) without touching the lock itself.
 */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as {code?: string}).code === 'EPERM'
  }
}
