/**
 * The bridge from client-key commands to the alias table in the store (the store's name repository, migration 002;
 * owned by the reports side). Keys are matched by the SHA-256 of the trimmed key only; the store never sees a
 * raw key. A missing store simply means "no aliases yet".
 */
import {existsSync} from 'node:fs'

import type {Store} from '../store/index.js'
import {hashApiKey, sha256Hex} from '../usage/mask.js'

/** Lowercase hex SHA-256 of the trimmed key (the only form a client key is stored in): usage/mask.ts hashApiKey. */
export function apiKeyHash(key: string): string {
  return hashApiKey(key) ?? sha256Hex('')
}

async function withAliases<T>(storePath: string | null, fn: (store: Store) => Promise<T>, fallback: T): Promise<T> {
  if (!storePath || !existsSync(storePath)) return fallback
  const {openStore} = await import('../store/index.js')
  let store: Store
  try {
    store = await openStore({path: storePath, readonly: true})
  } catch {
    // an outdated or unreadable store has no usable aliases for this purpose
    return fallback
  }
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

/** alias → key hash, or null when the store or the alias does not exist. */
export async function hashForAlias(storePath: string | null, alias: string): Promise<string | null> {
  return withAliases(storePath, async (s) => (await s.aliases.byName(alias))?.apiKeyHash ?? null, null)
}

/** key hash → alias for every alias in the store. */
export async function aliasesByHash(storePath: string | null): Promise<Map<string, string>> {
  return withAliases(storePath, async (s) => new Map((await s.aliases.list()).map((r) => [r.apiKeyHash, r.alias])), new Map<string, string>())
}
