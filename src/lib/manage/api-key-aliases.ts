/**
 * The bridge from client-key commands to the alias table in the store (src/lib/store/aliases.ts, migration 002;
 * owned by the reports side). Keys are matched by the SHA-256 of the trimmed key only; the store never sees a
 * raw key. A missing store simply means "no aliases yet".
 */
import {existsSync} from 'node:fs'

import {hashApiKey, sha256Hex} from '../usage/mask.js'

/** Lowercase hex SHA-256 of the trimmed key (the only form a client key is stored in): usage/mask.ts hashApiKey. */
export function apiKeyHash(key: string): string {
  return hashApiKey(key) ?? sha256Hex('')
}

async function withAliasDb<T>(storePath: string | null, fn: (db: import('../store/db.js').Database, aliases: typeof import('../store/aliases.js')) => T, fallback: T): Promise<T> {
  if (!storePath || !existsSync(storePath)) return fallback
  const {openDatabase} = await import('../store/db.js')
  const aliases = await import('../store/aliases.js')
  let db: import('../store/db.js').Database
  try {
    db = await openDatabase(storePath, {readonly: true})
  } catch {
    // an outdated or unreadable store has no usable aliases for this purpose
    return fallback
  }
  try {
    return fn(db, aliases)
  } finally {
    db.close()
  }
}

/** alias → key hash, or null when the store or the alias does not exist. */
export async function hashForAlias(storePath: string | null, alias: string): Promise<string | null> {
  return withAliasDb(storePath, (db, a) => a.aliasByName(db, alias)?.apiKeyHash ?? null, null)
}

/** key hash → alias for every alias in the store. */
export async function aliasesByHash(storePath: string | null): Promise<Map<string, string>> {
  return withAliasDb(storePath, (db, a) => new Map(a.listAliases(db).map((r) => [r.apiKeyHash, r.alias])), new Map<string, string>())
}
