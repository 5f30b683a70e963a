/**
 * The store's one way in (issue 12): `openStore()` returns a `Store` (types.ts, the contract every backend
 * implements) whose repositories are the only access to stored usage, runs, names, prices and inspections.
 * No module outside src/lib/store imports a database driver or holds a handle (test/lib/store/boundary.test.ts
 * checks it). Two backends: SQLite (sqlite-store.ts, the embedded default: a file path) and PostgreSQL
 * (postgres/pg-store.ts, for teams: a `postgres://` or `postgresql://` URL; issue 13). Any other URL scheme is
 * refused (location.ts). The PostgreSQL driver is loaded only when a URL names it.
 */
import {existsSync} from 'node:fs'

import {ConfigError} from '../cli/errors.js'
import {Connection} from './connection.js'
import {classifyLocation} from './location.js'
import {openDatabase, type OpenDatabaseOptions} from './db.js'
import {SqliteStore} from './sqlite-store.js'
import type {Store} from './types.js'

export type * from './types.js'
export type * from './records.js'
export type * from './rows.js'
export type * from './price-rows.js'
export type * from './inspection-rows.js'
export {APPLY_MODES, CLASSIFICATIONS, PROPOSED_ACTIONS} from './inspection-rows.js'
export {addCounts, emptyCounts, rangeIndex} from './rows.js'
export {isProcessAlive} from './lock.js'
export {aliasKey} from './names.js'
export {checkProfileStore, classifyLocation, isDatabaseUrl, maskLocation} from './location.js'

export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** A file path (SQLite) or a postgres:// URL (PostgreSQL). */
  path: string
  /** Refuse with `store_missing` instead of creating a new store (implied by readonly). */
  mustExist?: boolean
}

/**
 * Open the store: read-only (reports; never writes, refuses a store that needs migrating), or read-write
 * (creating it unless `mustExist`, migrating it in place).
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const where = classifyLocation(options.path)
  if (where.kind === 'postgres') {
    const {openPgStore} = await import('./postgres/pg-store.js')
    return openPgStore(where.url, {readonly: options.readonly, mustExist: options.mustExist})
  }
  if ((options.readonly || options.mustExist) && !existsSync(options.path)) {
    throw new ConfigError(`no store at ${options.path} yet`, {code: 'store_missing', hint: 'collect usage first (cpactl collect), or pass --store'})
  }
  const db = await openDatabase(options.path, options)
  // the write path (batch writer, normaliser and its thread) loads only for a store that can be written: a
  // report's start-up does not pay for it (issue 12)
  const writer = options.readonly ? null : (await import('./ingest.js')).BatchWriter
  return new SqliteStore(new Connection(db, options.path, Boolean(options.readonly)), writer)
}

/** Does a store exist at this location (a file; a database holding cpactl's schema)? Never creates one. */
export async function storeExists(location: string): Promise<boolean> {
  const where = classifyLocation(location)
  if (where.kind === 'sqlite') return existsSync(where.path)
  try {
    await (await openStore({path: location, readonly: true})).close()
    return true
  } catch (error) {
    if ((error as {code?: string}).code === 'store_missing') return false
    throw error
  }
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
