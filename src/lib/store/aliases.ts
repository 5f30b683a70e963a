/**
 * Client API-key aliases and hints in the store (migration 002; cpamp-anchor.md §9). Keys are identified only
 * by the lowercase hex SHA-256 of the trimmed key; the raw key never reaches this module.
 */
import type {Database} from './db.js'

export interface AliasRow {
  apiKeyHash: string
  alias: string
  updatedAt: number
}

export interface KeyHint {
  apiKeyHash: string
  masked: string
  instance: string | null
  seenAt: number
}

/** The uniqueness key of an alias: NFC, lower case (aliases are unique regardless of case). */
export function aliasKey(alias: string): string {
  return alias.normalize('NFC').toLowerCase()
}

export function listAliases(db: Database): AliasRow[] {
  return db.prepare('SELECT api_key_hash AS apiKeyHash, alias, updated_at AS updatedAt FROM api_key_aliases ORDER BY alias_key').all() as AliasRow[]
}

export function aliasByHash(db: Database, hash: string): AliasRow | null {
  return (db.prepare('SELECT api_key_hash AS apiKeyHash, alias, updated_at AS updatedAt FROM api_key_aliases WHERE api_key_hash = ?').get(hash) as AliasRow | undefined) ?? null
}

export function aliasByName(db: Database, alias: string): AliasRow | null {
  return (
    (db.prepare('SELECT api_key_hash AS apiKeyHash, alias, updated_at AS updatedAt FROM api_key_aliases WHERE alias_key = ?').get(aliasKey(alias)) as AliasRow | undefined) ?? null
  )
}

/** Insert or rename; the caller has checked that no other hash holds the alias. */
export function upsertAlias(db: Database, hash: string, alias: string, now = Date.now()): void {
  db.prepare(
    `INSERT INTO api_key_aliases (api_key_hash, alias, alias_key, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (api_key_hash) DO UPDATE SET alias = excluded.alias, alias_key = excluded.alias_key, updated_at = excluded.updated_at`,
  ).run(hash, alias, aliasKey(alias), now)
}

export function removeAlias(db: Database, hash: string): boolean {
  return db.prepare('DELETE FROM api_key_aliases WHERE api_key_hash = ?').run(hash).changes > 0
}

export function saveKeyHints(db: Database, instance: string | null, hints: ReadonlyArray<{apiKeyHash: string; masked: string}>, now = Date.now()): void {
  const up = db.prepare(
    `INSERT INTO api_key_hints (api_key_hash, masked, instance, seen_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (api_key_hash) DO UPDATE SET masked = excluded.masked, instance = excluded.instance, seen_at = excluded.seen_at`,
  )
  db.transaction(() => {
    for (const h of hints) up.run(h.apiKeyHash, h.masked, instance, now)
  })()
}

export function listKeyHints(db: Database): KeyHint[] {
  return db.prepare('SELECT api_key_hash AS apiKeyHash, masked, instance, seen_at AS seenAt FROM api_key_hints ORDER BY seen_at DESC').all() as KeyHint[]
}

/** Usage per API-key hash from the report rollups: requests and newest event. */
export function keyUsage(db: Database): Map<string, {requests: number; lastTs: number}> {
  const rows = db.prepare("SELECT api_key_hash AS h, SUM(requests) AS requests, MAX(last_ts) AS lastTs FROM report_key_daily WHERE api_key_hash <> '' GROUP BY api_key_hash").all() as Array<{
    h: string
    requests: number
    lastTs: number
  }>
  return new Map(rows.map((r) => [r.h, {requests: r.requests, lastTs: r.lastTs}]))
}
