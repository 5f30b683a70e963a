/**
 * NameRepository over PostgreSQL (the counterpart of ../names.ts: same statements): API-key aliases and
 * masked-key hints, account labels, usage sources. Lookups of many keys or accounts are one query each
 * (`= ANY`), not one per key.
 */
import {accountName, ALIAS_COLS, aliasKey, LIST_HINTS, RESOLVE_LABELS, RESOLVE_SOURCES, UPSERT_ALIAS, UPSERT_HINT, UPSERT_LABEL} from '../names.js'
import type {AccountLabel, AccountName, AliasRow, KeyHint, KeyName} from '../records.js'
import type {NameRepository} from '../types.js'
import type {PgConnection} from './connection.js'

export class PgNames implements NameRepository {
  constructor(private readonly c: PgConnection) {}

  async list(): Promise<AliasRow[]> {
    return this.c.query<AliasRow>(`SELECT ${ALIAS_COLS} FROM api_key_aliases ORDER BY alias_key COLLATE "C"`, [], 'list aliases')
  }

  async byHash(hash: string): Promise<AliasRow | null> {
    return (await this.c.one<AliasRow>(`SELECT ${ALIAS_COLS} FROM api_key_aliases WHERE api_key_hash = ?`, [hash], 'read an alias')) ?? null
  }

  async byName(alias: string): Promise<AliasRow | null> {
    return (await this.c.one<AliasRow>(`SELECT ${ALIAS_COLS} FROM api_key_aliases WHERE alias_key = ?`, [aliasKey(alias)], 'read an alias')) ?? null
  }

  async upsert(hash: string, alias: string, now = Date.now()): Promise<void> {
    await this.c.tx('save an alias', () => this.c.query(UPSERT_ALIAS, [hash, alias, aliasKey(alias), now]))
  }

  async upsertMany(entries: ReadonlyArray<{hash: string; alias: string}>, now = Date.now()): Promise<void> {
    await this.c.tx('save aliases', async () => {
      for (const e of entries) await this.c.query(UPSERT_ALIAS, [e.hash, e.alias, aliasKey(e.alias), now])
    })
  }

  async remove(hash: string): Promise<boolean> {
    return this.c.tx('remove an alias', async () => (await this.c.query('DELETE FROM api_key_aliases WHERE api_key_hash = ? RETURNING 1', [hash])).length > 0)
  }

  async saveKeyHints(instance: string | null, hints: ReadonlyArray<{apiKeyHash: string; masked: string}>, now = Date.now()): Promise<void> {
    await this.c.tx('save key hints', async () => {
      for (const h of hints) await this.c.query(UPSERT_HINT, [h.apiKeyHash, h.masked, instance, now])
    })
  }

  async listKeyHints(): Promise<KeyHint[]> {
    return this.c.query<KeyHint>(LIST_HINTS, [], 'list key hints')
  }

  async keyNames(hashes: readonly string[]): Promise<Map<string, KeyName>> {
    const out = new Map<string, KeyName>()
    const wanted = hashes.filter((h) => h !== '')
    if (wanted.length === 0) return out
    const rows = await this.c.query<{h: string; alias: string | null; masked: string | null}>(
      `SELECT h, (SELECT alias FROM api_key_aliases WHERE api_key_hash = h) AS alias, (SELECT masked FROM api_key_hints WHERE api_key_hash = h) AS masked
       FROM unnest(?::text[]) AS u(h)`,
      [wanted],
      'name API keys',
    )
    for (const r of rows) out.set(r.h, {apiKeyHash: r.h, alias: r.alias, masked: r.masked})
    return out
  }

  async saveAccountLabels(instance: string, labels: readonly AccountLabel[], now = Date.now()): Promise<number> {
    return this.c.tx('save account labels', async () => {
      let n = 0
      for (const f of labels) {
        if (!f.authIndex) continue
        await this.c.query(UPSERT_LABEL, [instance, f.authIndex, f.name, f.email, f.label, f.provider, now])
        n++
      }
      return n
    })
  }

  async accountNames(authIndexes: readonly string[]): Promise<Map<string, AccountName>> {
    const out = new Map<string, AccountName>()
    if (authIndexes.length === 0) return out
    const labels = await this.c.query<{auth_index: string; instance: string; name: string | null; email: string | null; label: string | null; provider: string | null}>(
      `SELECT DISTINCT ON (auth_index) auth_index, instance, name, email, label, provider FROM account_labels
       WHERE auth_index = ANY(?::text[]) ORDER BY auth_index, updated_at DESC`,
      [authIndexes],
      'name accounts',
    )
    const sources = await this.c.query<{auth_index: string; instance: string; source: string}>(
      `SELECT DISTINCT ON (auth_index) auth_index, instance, source FROM report_account_sources
       WHERE auth_index = ANY(?::text[]) ORDER BY auth_index, last_ts DESC`,
      [authIndexes],
      'name accounts',
    )
    const l = new Map(labels.map((r) => [r.auth_index, r]))
    const s = new Map(sources.map((r) => [r.auth_index, r]))
    for (const a of authIndexes) out.set(a, accountName(a, l.get(a), s.get(a)))
    return out
  }

  async resolveAccount(term: string): Promise<string[]> {
    const lower = term.trim().toLowerCase()
    const found = new Set<string>()
    for (const r of await this.c.query<{auth_index: string}>(RESOLVE_LABELS, [lower, lower, `${lower}.json`, lower, lower], 'resolve an account')) found.add(r.auth_index)
    for (const r of await this.c.query<{auth_index: string}>(RESOLVE_SOURCES, [lower, lower], 'resolve an account')) found.add(r.auth_index)
    if (/^[0-9a-f]{16}$/.test(lower)) found.add(lower)
    return [...found]
  }
}
