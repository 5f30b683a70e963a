/**
 * NameRepository over SQLite (types.ts): client API-key aliases and masked-key hints (migration 002),
 * account labels from the gateway's auth-file list, and the usage sources the rollups
 * keep per credential. Keys are identified only by the lowercase hex SHA-256 of the trimmed key; the raw key
 * never reaches this module.
 */
import type {Connection} from './connection.js'
import type {AccountLabel, AccountName, AliasRow, KeyHint, KeyName} from './records.js'
import type {NameRepository} from './types.js'

/** The uniqueness key of an alias: NFC, lower case (aliases are unique regardless of case). */
export function aliasKey(alias: string): string {
  return alias.normalize('NFC').toLowerCase()
}

export const ALIAS_COLS = 'api_key_hash AS "apiKeyHash", alias, updated_at AS "updatedAt"'
export const UPSERT_ALIAS = `INSERT INTO api_key_aliases (api_key_hash, alias, alias_key, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (api_key_hash) DO UPDATE SET alias = excluded.alias, alias_key = excluded.alias_key, updated_at = excluded.updated_at`

export const UPSERT_HINT = `INSERT INTO api_key_hints (api_key_hash, masked, instance, seen_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (api_key_hash) DO UPDATE SET masked = excluded.masked, instance = excluded.instance, seen_at = excluded.seen_at`
export const UPSERT_LABEL = `INSERT INTO account_labels (instance, auth_index, name, email, label, provider, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (instance, auth_index) DO UPDATE SET name = excluded.name, email = excluded.email, label = excluded.label,
    provider = excluded.provider, updated_at = excluded.updated_at`
export const LIST_HINTS = 'SELECT api_key_hash AS "apiKeyHash", masked, instance, seen_at AS "seenAt" FROM api_key_hints ORDER BY seen_at DESC'
export const RESOLVE_LABELS = 'SELECT auth_index FROM account_labels WHERE auth_index = ? OR lower(name) = ? OR lower(name) = ? OR lower(email) = ? OR lower(label) = ?'
export const RESOLVE_SOURCES = 'SELECT DISTINCT auth_index FROM report_account_sources WHERE auth_index = ? OR lower(source) = ?'
export const LABEL_OF = 'SELECT instance, auth_index, name, email, label, provider FROM account_labels WHERE auth_index = ? ORDER BY updated_at DESC LIMIT 1'
export const SOURCE_OF = 'SELECT instance, source FROM report_account_sources WHERE auth_index = ? ORDER BY last_ts DESC LIMIT 1'

/** An account's display facts from its newest label row and newest usage source (both backends). */
export function accountName(
  authIndex: string,
  l: {instance: string; name: string | null; email: string | null; label: string | null; provider: string | null} | undefined,
  s: {instance: string; source: string} | undefined,
): AccountName {
  return {
    instance: l?.instance ?? s?.instance ?? '',
    authIndex,
    name: l?.name ?? null,
    email: l?.email ?? null,
    label: l?.label ?? null,
    provider: l?.provider ?? null,
    source: s?.source ?? null,
  }
}

export class SqliteNames implements NameRepository {
  constructor(private readonly c: Connection) {}

  async list(): Promise<AliasRow[]> {
    return this.c.db.prepare(`SELECT ${ALIAS_COLS} FROM api_key_aliases ORDER BY alias_key`).all() as AliasRow[]
  }

  async byHash(hash: string): Promise<AliasRow | null> {
    return (this.c.db.prepare(`SELECT ${ALIAS_COLS} FROM api_key_aliases WHERE api_key_hash = ?`).get(hash) as AliasRow | undefined) ?? null
  }

  async byName(alias: string): Promise<AliasRow | null> {
    return (this.c.db.prepare(`SELECT ${ALIAS_COLS} FROM api_key_aliases WHERE alias_key = ?`).get(aliasKey(alias)) as AliasRow | undefined) ?? null
  }

  async upsert(hash: string, alias: string, now = Date.now()): Promise<void> {
    this.c.write('save an alias', () => this.c.db.prepare(UPSERT_ALIAS).run(hash, alias, aliasKey(alias), now))
  }

  async upsertMany(entries: ReadonlyArray<{hash: string; alias: string}>, now = Date.now()): Promise<void> {
    const up = this.c.db.prepare(UPSERT_ALIAS)
    this.c.write('save aliases', () => {
      for (const e of entries) up.run(e.hash, e.alias, aliasKey(e.alias), now)
    })
  }

  async remove(hash: string): Promise<boolean> {
    return this.c.write('remove an alias', () => this.c.db.prepare('DELETE FROM api_key_aliases WHERE api_key_hash = ?').run(hash).changes > 0)
  }

  async saveKeyHints(instance: string | null, hints: ReadonlyArray<{apiKeyHash: string; masked: string}>, now = Date.now()): Promise<void> {
    const up = this.c.db.prepare(UPSERT_HINT)
    this.c.write('save key hints', () => {
      for (const h of hints) up.run(h.apiKeyHash, h.masked, instance, now)
    })
  }

  async listKeyHints(): Promise<KeyHint[]> {
    return this.c.db.prepare(LIST_HINTS).all() as KeyHint[]
  }

  async keyNames(hashes: readonly string[]): Promise<Map<string, KeyName>> {
    const out = new Map<string, KeyName>()
    const alias = this.c.db.prepare('SELECT alias FROM api_key_aliases WHERE api_key_hash = ?').pluck()
    const hint = this.c.db.prepare('SELECT masked FROM api_key_hints WHERE api_key_hash = ?').pluck()
    for (const h of hashes) {
      if (h === '') continue
      out.set(h, {apiKeyHash: h, alias: (alias.get(h) as string | undefined) ?? null, masked: (hint.get(h) as string | undefined) ?? null})
    }
    return out
  }

  async saveAccountLabels(instance: string, labels: readonly AccountLabel[], now = Date.now()): Promise<number> {
    const up = this.c.db.prepare(UPSERT_LABEL)
    return this.c.write('save account labels', () => {
      let n = 0
      for (const f of labels) {
        if (!f.authIndex) continue
        up.run(instance, f.authIndex, f.name, f.email, f.label, f.provider, now)
        n++
      }
      return n
    })
  }

  async accountNames(authIndexes: readonly string[]): Promise<Map<string, AccountName>> {
    const out = new Map<string, AccountName>()
    if (authIndexes.length === 0) return out
    const labels = this.c.db.prepare(LABEL_OF)
    const sources = this.c.db.prepare(SOURCE_OF)
    for (const a of authIndexes) {
      out.set(a, accountName(a, labels.get(a) as never, sources.get(a) as never))
    }
    return out
  }

  async resolveAccount(term: string): Promise<string[]> {
    const lower = term.trim().toLowerCase()
    const found = new Set<string>()
    for (const r of this.c.db
      .prepare(RESOLVE_LABELS)
      .all(lower, lower, `${lower}.json`, lower, lower) as Array<{auth_index: string}>) {
      found.add(r.auth_index)
    }
    for (const r of this.c.db.prepare(RESOLVE_SOURCES).all(lower, lower) as Array<{auth_index: string}>) {
      found.add(r.auth_index)
    }
    if (/^[0-9a-f]{16}$/.test(lower)) found.add(lower)
    return [...found]
  }
}
