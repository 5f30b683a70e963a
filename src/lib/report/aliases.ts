/**
 * The `aliases` commands' work (cpamp-anchor.md §9): human names for client API keys, keyed by the lowercase
 * hex SHA-256 of the trimmed key. A raw key given to us is hashed at once and never stored, printed or logged.
 * Aliases are at most 120 characters and unique regardless of case; they outlive the keys, so history keeps
 * its names.
 */
import {readFile} from 'node:fs/promises'

import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {aliasByHash, aliasByName, keyUsage, listAliases, listKeyHints, removeAlias, saveKeyHints, upsertAlias} from '../store/aliases.js'
import type {SqliteStore} from '../store/index.js'
import {refreshReportRollups} from '../store/reports.js'
import {hashApiKey, isSha256Hex, maskSecret} from '../usage/mask.js'
import {withStore} from './context.js'

export const ALIAS_MAX = 120

export interface AliasView {
  alias: string
  apiKeyHash: string
  /** Masked key (`****wxyz`) when the key was seen on a gateway (aliases import --from-gateway), else null. */
  masked: string | null
  requests: number
  lastSeen: string | null
  updatedAt: string
}

/** A key given as a 64-hex hash or as the key itself (hashed here). */
export function keyHashOf(keyOrHash: string): {hash: string; wasRawKey: boolean} {
  const t = keyOrHash.trim()
  if (t === '') throw new UsageError('the API key is empty', {code: 'invalid_api_key'})
  if (isSha256Hex(t)) return {hash: t.toLowerCase(), wasRawKey: false}
  return {hash: hashApiKey(t)!, wasRawKey: true}
}

export function checkAlias(alias: string): string {
  const a = alias.trim()
  if (a === '') throw new UsageError('the alias is empty', {code: 'invalid_alias'})
  if ([...a].length > ALIAS_MAX) throw new UsageError(`the alias is ${[...a].length} characters long; at most ${ALIAS_MAX} are allowed`, {code: 'invalid_alias'})
  if (/[\u0000-\u001f\u007f]/.test(a)) throw new UsageError('the alias contains control characters', {code: 'invalid_alias'})
  return a
}

function views(store: SqliteStore): AliasView[] {
  refreshReportRollups(store.db)
  const usage = keyUsage(store.db)
  const hints = new Map(listKeyHints(store.db).map((h) => [h.apiKeyHash, h.masked]))
  return listAliases(store.db).map((a) => {
    const u = usage.get(a.apiKeyHash)
    return {
      alias: a.alias,
      apiKeyHash: a.apiKeyHash,
      masked: hints.get(a.apiKeyHash) ?? null,
      requests: u?.requests ?? 0,
      lastSeen: u ? new Date(u.lastTs).toISOString() : null,
      updatedAt: new Date(a.updatedAt).toISOString(),
    }
  })
}

export async function listAliasViews(storePath: string): Promise<AliasView[]> {
  return withStore(storePath, views, {create: true})
}

export interface SetAliasResult {
  alias: string
  apiKeyHash: string
  /** The alias the key had before, null when it had none. */
  previousAlias: string | null
  changed: boolean
}

function setIn(store: SqliteStore, hash: string, alias: string, now: number): SetAliasResult {
  const taken = aliasByName(store.db, alias)
  if (taken && taken.apiKeyHash !== hash) {
    throw new UsageError(`the alias '${taken.alias}' already names another key (sha256:${taken.apiKeyHash.slice(0, 12)})`, {
      code: 'alias_taken',
      hint: `remove it first: cpactl aliases remove '${taken.alias}'`,
    })
  }
  const prev = aliasByHash(store.db, hash)
  const changed = prev?.alias !== alias
  if (changed) upsertAlias(store.db, hash, alias, now)
  return {alias, apiKeyHash: hash, previousAlias: prev?.alias ?? null, changed}
}

export async function setAlias(storePath: string, keyOrHash: string, alias: string, now = Date.now()): Promise<SetAliasResult> {
  const {hash} = keyHashOf(keyOrHash)
  const a = checkAlias(alias)
  return withStore(storePath, (s) => setIn(s, hash, a, now), {create: true})
}

export interface RemoveAliasResult {
  alias: string
  apiKeyHash: string
}

/** Remove by alias (any case), hash, or raw key. */
export async function removeAliasEntry(storePath: string, target: string): Promise<RemoveAliasResult> {
  return withStore(
    storePath,
    (s) => {
      const byName = aliasByName(s.db, target.trim())
      const row = byName ?? aliasByHash(s.db, keyHashOf(target).hash)
      if (!row) throw new UsageError('no alias matches that name, hash or key', {code: 'alias_not_found', hint: 'cpactl aliases list'})
      removeAlias(s.db, row.apiKeyHash)
      return {alias: row.alias, apiKeyHash: row.apiKeyHash}
    },
    {create: true},
  )
}

export interface GatewayKeyView {
  index: number
  /** `****wxyz` — the key itself is never shown. */
  masked: string
  apiKeyHash: string
  alias: string | null
  requests: number
  lastSeen: string | null
}

/** One shape for both import modes (fields of the other mode are null / empty). */
export interface AliasImportResult {
  source: 'gateway' | 'file'
  /** --from-gateway: the instance the keys were read from. */
  instance: string | null
  /** --from-gateway: the gateway's keys, masked, with hash and alias. */
  keys: GatewayKeyView[]
  /** --from-gateway: aliases whose key is no longer on the gateway (their history keeps the name). */
  orphanAliases: Array<{alias: string; apiKeyHash: string}>
  /** FILE: the file read. */
  file: string | null
  /** FILE: entries read, aliases set or renamed, already equal. */
  read: number
  set: number
  unchanged: number
  /** FILE: entries refused (alias taken by another key, invalid alias or key), with the reason. */
  rejected: Array<{alias: string; reason: string}>
}

export type ImportFromGatewayResult = AliasImportResult
export type ImportFileResult = AliasImportResult

/** List the gateway's client keys (masked) with their hashes and aliases, and remember the masked forms. */
export async function importFromGateway(storePath: string, client: GatewayClient, instance: string, now = Date.now()): Promise<ImportFromGatewayResult> {
  const {listApiKeys} = await import('../gateway/api-keys.js')
  const keys = await listApiKeys(client)
  return withStore(
    storePath,
    (s) => {
      refreshReportRollups(s.db)
      const usage = keyUsage(s.db)
      const seen = new Set<string>()
      const out: GatewayKeyView[] = []
      keys.forEach((k, index) => {
        const hash = hashApiKey(k)
        if (!hash) return
        seen.add(hash)
        const u = usage.get(hash)
        out.push({
          index,
          masked: maskSecret(k),
          apiKeyHash: hash,
          alias: aliasByHash(s.db, hash)?.alias ?? null,
          requests: u?.requests ?? 0,
          lastSeen: u ? new Date(u.lastTs).toISOString() : null,
        })
      })
      saveKeyHints(s.db, instance, out.map((k) => ({apiKeyHash: k.apiKeyHash, masked: k.masked})), now)
      const orphanAliases = listAliases(s.db)
        .filter((a) => !seen.has(a.apiKeyHash))
        .map((a) => ({alias: a.alias, apiKeyHash: a.apiKeyHash}))
      return {source: 'gateway' as const, instance, keys: out, orphanAliases, file: null, read: 0, set: 0, unchanged: 0, rejected: []}
    },
    {create: true},
  )
}

/**
 * Import aliases from JSON: an array of `{apiKeyHash|key, alias}`, `{items: [...]}` (the leading panel's
 * `api-key-aliases` shape) or the output of `cpactl aliases list --json`. Raw keys are hashed at once.
 */
export async function importAliasFile(storePath: string, file: string, now = Date.now()): Promise<ImportFileResult> {
  let doc: unknown
  try {
    doc = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    const e = error as NodeJS.ErrnoException
    throw new UsageError(e.code ? `cannot read ${file}: ${e.message}` : `${file} is not JSON: ${e.message}`, {code: 'invalid_alias_file'})
  }
  const items = Array.isArray(doc) ? doc : Array.isArray((doc as {items?: unknown})?.items) ? (doc as {items: unknown[]}).items : null
  if (!items) throw new UsageError(`${file}: expected an array of {apiKeyHash, alias} or {items: [...]}`, {code: 'invalid_alias_file'})
  return withStore(
    storePath,
    (s) => {
      const res: AliasImportResult = {source: 'file', instance: null, keys: [], orphanAliases: [], file, read: items.length, set: 0, unchanged: 0, rejected: []}
      const run = s.db.transaction(() => {
        for (const it of items as Array<Record<string, unknown>>) {
          const alias = typeof it?.alias === 'string' ? it.alias : ''
          const keyOrHash = [it?.apiKeyHash, it?.api_key_hash, it?.hash, it?.key].find((v) => typeof v === 'string') as string | undefined
          try {
            if (!keyOrHash) throw new UsageError('no apiKeyHash or key')
            const r = setIn(s, keyHashOf(keyOrHash).hash, checkAlias(alias), now)
            if (r.changed) res.set++
            else res.unchanged++
          } catch (error) {
            res.rejected.push({alias, reason: (error as Error).message})
          }
        }
      })
      run()
      return res
    },
    {create: true},
  )
}
