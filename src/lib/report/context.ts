/**
 * What every report needs before it can run: an existing store opened read-only (reports never create, migrate
 * or write one, so a report against a backup or a read-only file changes nothing), the price book, and
 * display names for accounts and API keys. Commands that change the store open it writable instead.
 */
import {PriceBook} from '../pricing/cost.js'
import {withStore, type AccountName, type KeyName, type Store} from '../store/index.js'

/** Reports, exports, listings: read-only; the store must exist. */
export async function readStore<T>(path: string, fn: (store: Store) => Promise<T> | T): Promise<T> {
  return withStore({path, readonly: true}, fn)
}

/** Commands that change the store: writable; created with `create`, else it must exist. */
export async function writeStore<T>(path: string, fn: (store: Store) => Promise<T> | T, options: {create?: boolean} = {}): Promise<T> {
  return withStore({path, mustExist: !options.create}, fn)
}

export async function loadPriceBook(store: Store): Promise<PriceBook> {
  return new PriceBook(await store.prices.list())
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
