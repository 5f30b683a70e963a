/**
 * The store's one way in (issue 12): `openStore()` returns a `Store` (types.ts, the contract every backend
 * implements) whose repositories are the only access to stored usage, runs, names, prices and inspections.
 * No module outside src/lib/store imports a database driver or holds a handle (test/lib/store/boundary.test.ts
 * checks it). Today's backend is SQLite (sqlite-store.ts); a `postgres://` location is recognised and refused
 * until the PostgreSQL backend exists.
 */
import {existsSync} from 'node:fs'

import {ConfigError} from '../cli/errors.js'
import {Connection} from './connection.js'
import {openDatabase, type OpenDatabaseOptions} from './db.js'
import {SqliteStore} from './sqlite-store.js'
import type {Store} from './types.js'

export type * from './types.js'
export type * from './records.js'
export type * from './rows.js'
export {addCounts, emptyCounts, rangeIndex} from './rows.js'
export {isProcessAlive} from './lock.js'
export {aliasKey} from './names.js'

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** A file path (SQLite). */
  path: string
  /** Refuse with `store_missing` instead of creating a new store (implied by readonly). */
  mustExist?: boolean
}

/** True for a location naming a PostgreSQL server rather than a file. */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim())
}

/**
 * Open the store: read-only (reports; never writes, refuses a store that needs migrating), or read-write
 * (creating it unless `mustExist`, migrating it in place).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (isDatabaseUrl(options.path)) {
    throw new ConfigError('PostgreSQL stores are not supported by this version of cpactl', {code: 'store_unsupported', hint: 'pass a file path to --store / CPACTL_STORE'})
  }
  if ((options.readonly || options.mustExist) && !existsSync(options.path)) {
    throw new ConfigError(`no store at ${options.path} yet`, {code: 'store_missing', hint: 'collect usage first (cpactl collect), or pass --store'})
  }
  const db = await openDatabase(options.path, options)
  return new SqliteStore(new Connection(db, options.path, Boolean(options.readonly)))
}

/** Open, run `fn`, close (also on failure). */
export async function withStore<T>(options: OpenStoreOptions, fn: (store: Store) => Promise<T> | T): Promise<T> {
  const store = await openStore(options)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}
