/**
 * Opening the SQLite store (better-sqlite3, loaded lazily): file modes, pragmas, migrations, and the mapping
 * of SQLite failures to cpactl's typed errors. Only modules under src/lib/store use the Database handle.
 *
 * - Directory created 0700, the database file and its -wal/-shm 0600 (they hold usage and hashes).
 * - journal_mode=WAL, synchronous=FULL by default (a committed batch survives power loss: pops are
 *   destructive, so a commit must mean "kept"), busy_timeout=5000, foreign_keys=ON.
 * - Migrations (./migrations) run in id order, each in its own BEGIN IMMEDIATE transaction, recorded in
 *   schema_migrations. A migration that walks the stored events first runs its resumable `prepare` step in
 *   chunks (one transaction each, progress reported per chunk); an interrupted one continues where it stopped.
 * - A read-only open never writes: no journal-mode change, no migration; it refuses a store that needs
 *   migrating (the fix is `cpactl store migrate` or any writing command). It checks the migrations' ids
 *   (migrations/ids.ts) and does not load their code, which only a writing open needs.
 */
import {chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

import type {Database} from 'better-sqlite3'

import {BugError, ConfigError, LockError} from '../cli/errors.js'
import {reportProgress} from '../cli/progress.js'
import {MIGRATION_IDS} from './migrations/ids.js'
import type {Migration} from './migrations/types.js'
import type {MigrationProgress} from './records.js'

export type {Database, Statement} from 'better-sqlite3'

export interface OpenDatabaseOptions {
  readonly?: boolean
  /** FULL (default) fsyncs every commit; NORMAL is for bulk imports that can be re-run. */
  synchronous?: 'full' | 'normal'
  /** Busy timeout in ms (default 5000). */
  busyTimeoutMs?: number
  /** Migrations to apply (tests pass subsets); default: all. */
  migrations?: Migration[]
  /** Progress of a migration that walks the stored events (default: the process-wide observer, if any). */
  onMigrationProgress?: (p: MigrationProgress) => void
}

/** Default: the process's progress sink (a bar on an interactive stderr, registered by the command base). */
const defaultObserver = (p: MigrationProgress) => reportProgress(`migrating the store (${p.id} ${p.name})`, p.done, p.total)

const SECRET_FILE_MODE = 0o600

/** Every migration (their code loads only when a store is written or its schema status is asked for). */
async function allMigrations(): Promise<Migration[]> {
  return (await import('./migrations/index.js')).migrations
}

/** Make sure the file (and its WAL companions) is 0600 when we own it. */
export function restrictFileMode(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const st = statSync(p)
      if ((st.mode & 0o777) !== SECRET_FILE_MODE && (process.getuid === undefined || st.uid === process.getuid())) chmodSync(p, SECRET_FILE_MODE)
    } catch {
      // absent companion files are fine
    }
  }
}

/** Translate a SQLite/file-system failure into a typed error that names the store. */
export function storeError(error: unknown, path: string, action: string): Error {
  const e = error as {code?: string; message?: string}
  const code = String(e?.code ?? '')
  const detail = e?.message ?? String(error)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LockError(`the store ${path} is locked by another process (${action}: ${detail})`, {
      code: 'store_busy',
      hint: 'another cpactl process is writing to the store; try again when it has finished',
    })
  }
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') {
    return new ConfigError(`the disk holding the store ${path} is full (${action}: ${detail})`, {
      code: 'store_full',
      hint: 'free disk space, or point --store / CPACTL_STORE elsewhere',
    })
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ENOENT') {
    return new ConfigError(`the store ${path} cannot be written (${action}: ${detail})`, {
      code: 'store_unwritable',
      hint: 'check the path and its permissions, or point --store / CPACTL_STORE elsewhere',
    })
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new ConfigError(`${path} is not a usable cpactl store (${detail})`, {code: 'store_corrupt', hint: 'restore a backup or use another --store path'})
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new ConfigError(`I/O error on the store ${path} (${action}: ${detail})`, {code: 'store_io_error'})
  }
  if (code.startsWith('SQLITE_')) {
    return new ConfigError(`the store ${path} refused to ${action} (${code}: ${detail})`, {code: 'store_error'})
  }
  return error instanceof Error ? error : new BugError(String(error))
}

/** Create the parent directory (0700) and the file (0600) before SQLite opens it. */
function prepareFile(path: string): void {
  const dir = dirname(path)
  if (!existsSync(dir)) mkdirSync(dir, {recursive: true, mode: 0o700})
  if (!existsSync(path)) closeSync(openSync(path, 'a', SECRET_FILE_MODE))
  restrictFileMode(path)
}

export function schemaVersion(db: Database): number {
  const row = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get()
  if (!row) return 0
  return (db.prepare('SELECT COALESCE(MAX(id), 0) AS v FROM schema_migrations').get() as {v: number}).v
}

/** The ids among `ids` the store has not applied yet (read-only check). */
function pendingIds(db: Database, ids: readonly number[]): number[] {
  if (schemaVersion(db) === 0) return [...ids]
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{id: number}>).map((r) => r.id))
  return ids.filter((id) => !applied.has(id))
}

/** Apply pending migrations; returns the ids applied. */
export function migrate(db: Database, list: Migration[], onProgress?: (p: MigrationProgress) => void): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)')
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as Array<{id: number}>).map((r) => r.id))
  const known = Math.max(0, ...list.map((m) => m.id))
  const newest = Math.max(0, ...applied)
  if (newest > known) {
    throw new ConfigError(`the store was written by a newer cpactl (schema ${newest}, this version knows ${known})`, {
      code: 'store_too_new',
      hint: 'upgrade cpactl',
    })
  }
  const done: number[] = []
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)')
  for (const m of [...list].sort((a, b) => a.id - b.id)) {
    if (applied.has(m.id)) continue
    // a fresh store has nothing to walk: prepare steps only run on stores that already hold data
    if (m.prepare && applied.size > 0) m.prepare(db, (d, total) => onProgress?.({id: m.id, name: m.name, done: d, total}))
    db.exec('BEGIN IMMEDIATE')
    try {
      m.up(db)
      record.run(m.id, m.name, Date.now())
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
    done.push(m.id)
  }
  return done
}

/** Migrations `list` has that the store has not applied yet (read-only check). */
function pendingMigrations(db: Database, list: Migration[]): Migration[] {
  const pending = new Set(pendingIds(db, list.map((m) => m.id)))
  return list.filter((m) => pending.has(m.id))
}

/** Schema version and pending migrations of an existing store file, read without changing anything. */
export async function schemaStatus(path: string, migrations?: Migration[]): Promise<{version: number; pending: Migration[]}> {
  const list = migrations ?? (await allMigrations())
  const {default: BetterSqlite3} = await import('better-sqlite3')
  let db: Database
  try {
    db = new BetterSqlite3(path, {readonly: true, fileMustExist: true})
  } catch (error) {
    throw storeError(error, path, 'open')
  }
  try {
    return {version: schemaVersion(db), pending: pendingMigrations(db, list)}
  } catch (error) {
    throw storeError(error, path, 'read the schema version')
  } finally {
    db.close()
  }
}

/** Open (and create/migrate unless read-only) the store database. */
export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const readonly = Boolean(options.readonly)
  if (readonly && !existsSync(path)) {
    throw new ConfigError(`no store at ${path} yet`, {code: 'store_missing', hint: 'run cpactl collect first, or pass --store'})
  }
  const {default: BetterSqlite3} = await import('better-sqlite3')
  let db: Database
  try {
    if (!readonly) prepareFile(path)
    db = new BetterSqlite3(path, {readonly, fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000})
  } catch (error) {
    throw storeError(error, path, 'open')
  }
  try {
    if (!readonly) db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`)
    db.pragma('foreign_keys = ON')
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
    db.pragma('cache_size = -8192') // 8 MiB page cache: the pages a batch rewrites (index edge, rollup rows) stay hot
    db.pragma('temp_store = MEMORY')
    // checkpoint every 8192 pages (32 MiB) instead of 1000: pages rewritten by consecutive batches (the index's
    // right edge, rollup rows) reach the database file once per checkpoint, not once per 1000 pages
    if (!readonly) {
      db.pragma('wal_autocheckpoint = 8192')
      db.pragma('journal_size_limit = 67108864')
    }
    if (readonly) {
      const ids = options.migrations?.map((m) => m.id) ?? MIGRATION_IDS
      const version = schemaVersion(db)
      if (version > Math.max(0, ...ids)) {
        throw new ConfigError(`the store ${path} was written by a newer cpactl (schema ${version})`, {code: 'store_too_new', hint: 'upgrade cpactl'})
      }
      if (version === 0 || pendingIds(db, ids).length > 0) {
        throw new ConfigError(`the store ${path} needs migrating (schema ${version}) before it can be read`, {
          code: 'store_outdated',
          hint: 'run cpactl store migrate (collect and the other writing commands migrate it too)',
        })
      }
    } else {
      migrate(db, options.migrations ?? (await allMigrations()), options.onMigrationProgress ?? defaultObserver)
      restrictFileMode(path)
    }
  } catch (error) {
    db.close()
    throw error instanceof ConfigError || error instanceof LockError ? error : storeError(error, path, 'initialise')
  }
  return db
}

/** A JSON column back to data; a missing or corrupt value yields `fallback`. */
export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback
  try {
    return JSON.parse(text) as T
  } catch {
    return fallback
  }
}
