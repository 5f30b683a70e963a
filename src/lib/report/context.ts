/**
 * What every report needs before it can run: an existing store (reports never create one), the price book,
 * and display names for accounts and API keys.
 */
import {existsSync} from 'node:fs'

import {ConfigError} from '../cli/errors.js'
import {PriceBook} from '../pricing/cost.js'
import {openStore, type SqliteStore} from '../store/index.js'
import {listPrices} from '../store/prices.js'
import type {AccountName, KeyName} from '../store/reports.js'

/** Open a store that must already exist (reports, exports, maintenance). */
export async function openExistingStore(path: string): Promise<SqliteStore> {
  if (!existsSync(path)) {
    throw new ConfigError(`no store at ${path} yet`, {code: 'store_missing', hint: 'collect usage first (cpactl collect), or pass --store'})
  }
  return openStore({path})
}

export async function withStore<T>(path: string, fn: (store: SqliteStore) => Promise<T> | T, options: {create?: boolean} = {}): Promise<T> {
  const store = options.create ? await openStore({path}) : await openExistingStore(path)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

export function loadPriceBook(store: SqliteStore): PriceBook {
  return new PriceBook(listPrices(store.db))
}

/** What an account is called in reports: auth-file name, else email, label, usage source, else auth_index. */
export function accountDisplay(authIndex: string, n: AccountName | undefined): string {
  if (authIndex === '') return '(no credential)'
  return n?.name ?? n?.email ?? n?.label ?? n?.source ?? authIndex
}

/** What an API key is called in reports: its alias, else its masked form, else a hash prefix — never the key. */
export function apiKeyDisplay(hash: string, n: KeyName | undefined): string {
  if (hash === '') return '(no client key)'
  return n?.alias ?? n?.masked ?? `sha256:${hash.slice(0, 12)}`
}
