/**
 * The `aliases` commands' work: human names for client API keys, keyed by the lowercase
 * hex SHA-256 of the trimmed key. A raw key given to us is hashed at once and never stored, printed or logged.
 * Aliases are at most 120 characters and unique regardless of case; they outlive the keys, so history keeps
 * its names.
 */
import {makeWarning, type Warning} from '../cli/warnings.js'
import {existsSync} from 'node:fs'
import {readFile} from 'node:fs/promises'

import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {aliasKey, type AliasRow, type Store} from '../store/index.js'
import {hashApiKey, isSha256Hex, maskSecret} from '../usage/mask.js'
import {readStore, writeStore} from '../report/context.js'

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

async function views(store: Store): Promise<AliasView[]> {
  const usage = await store.rollups.keyUsage()
  const hints = new Map((await store.aliases.listKeyHints()).map((h) => [h.apiKeyHash, h.masked]))
  return (await store.aliases.list()).map((a) => {
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
  if (!existsSync(storePath)) return []
  return readStore(storePath, views)
}

export interface SetAliasResult {
  alias: string
  apiKeyHash: string
  /** The alias the key had before, null when it had none. */
  previousAlias: string | null
  changed: boolean
}

/** Check an alias change against the current aliases (by alias key and by hash); throws when taken. */
function planAlias(byKey: Map<string, AliasRow>, byHash: Map<string, AliasRow>, hash: string, alias: string): SetAliasResult {
  const taken = byKey.get(aliasKey(alias))
  if (taken && taken.apiKeyHash !== hash) {
    throw new UsageError(`the alias '${taken.alias}' already names another key (sha256:${taken.apiKeyHash.slice(0, 12)})`, {
      code: 'alias_taken',
      hint: `remove it first: cpactl aliases remove '${taken.alias}'`,
    })
  }
  const prev = byHash.get(hash)
  return {alias, apiKeyHash: hash, previousAlias: prev?.alias ?? null, changed: prev?.alias !== alias}
}

export async function setAlias(storePath: string, keyOrHash: string, alias: string, now = Date.now()): Promise<SetAliasResult> {
  const {hash} = keyHashOf(keyOrHash)
  const a = checkAlias(alias)
  return writeStore(
    storePath,
    async (s) => {
      const taken = await s.aliases.byName(a)
      const prev = await s.aliases.byHash(hash)
      const plan = planAlias(new Map(taken ? [[aliasKey(taken.alias), taken]] : []), new Map(prev ? [[hash, prev]] : []), hash, a)
      if (plan.changed) await s.aliases.upsert(hash, a, now)
      return plan
    },
    {create: true},
  )
}

export interface RemoveAliasResult {
  alias: string
  apiKeyHash: string
}

/** Remove by alias (any case), hash, or raw key. */
export async function removeAliasEntry(storePath: string, target: string): Promise<RemoveAliasResult> {
  return writeStore(
    storePath,
    async (s) => {
      const byName = await s.aliases.byName(target.trim())
      const row = byName ?? (await s.aliases.byHash(keyHashOf(target).hash))
      if (!row) throw new UsageError('no alias matches that name, hash or key', {code: 'alias_not_found', hint: 'cpactl aliases list'})
      await s.aliases.remove(row.apiKeyHash)
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
  /** orphan_aliases (--from-gateway), alias_rejected (FILE, one per refused entry). */
  warnings: Warning[]
}

export type ImportFromGatewayResult = AliasImportResult
export type ImportFileResult = AliasImportResult

/** List the gateway's client keys (masked) with their hashes and aliases, and remember the masked forms. */
export async function importFromGateway(storePath: string, client: GatewayClient, instance: string, now = Date.now()): Promise<ImportFromGatewayResult> {
  const {listApiKeys} = await import('../gateway/api-keys.js')
  const keys = await listApiKeys(client)
  return writeStore(
    storePath,
    async (s) => {
      const usage = await s.rollups.keyUsage()
      const aliases = new Map((await s.aliases.list()).map((a) => [a.apiKeyHash, a]))
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
          alias: aliases.get(hash)?.alias ?? null,
          requests: u?.requests ?? 0,
          lastSeen: u ? new Date(u.lastTs).toISOString() : null,
        })
      })
      await s.aliases.saveKeyHints(
        instance,
        out.map((k) => ({apiKeyHash: k.apiKeyHash, masked: k.masked})),
        now,
      )
      const orphanAliases = [...aliases.values()]
        .filter((a) => !seen.has(a.apiKeyHash))
        .map((a) => ({alias: a.alias, apiKeyHash: a.apiKeyHash}))
      const warnings =
        orphanAliases.length === 0
          ? []
          : [makeWarning('orphan_aliases', `aliases of keys no longer on the gateway (history keeps them): ${orphanAliases.map((a) => a.alias).join(', ')}`, orphanAliases.map((a) => a.alias))]
      return {source: 'gateway' as const, instance, keys: out, orphanAliases, file: null, read: 0, set: 0, unchanged: 0, rejected: [], warnings}
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
  return writeStore(
    storePath,
    async (s) => {
      const res: AliasImportResult = {source: 'file', instance: null, keys: [], orphanAliases: [], file, read: items.length, set: 0, unchanged: 0, rejected: [], warnings: []}
      // validated against the current aliases plus the file's earlier entries, then written in one transaction
      const current = await s.aliases.list()
      const byKey = new Map(current.map((a) => [aliasKey(a.alias), a]))
      const byHash = new Map(current.map((a) => [a.apiKeyHash, a]))
      const changes = new Map<string, string>()
      for (const it of items as Array<Record<string, unknown>>) {
        const alias = typeof it?.alias === 'string' ? it.alias : ''
        const keyOrHash = [it?.apiKeyHash, it?.api_key_hash, it?.hash, it?.key].find((v) => typeof v === 'string') as string | undefined
        try {
          if (!keyOrHash) throw new UsageError('no apiKeyHash or key')
          const hash = keyHashOf(keyOrHash).hash
          const a = checkAlias(alias)
          const r = planAlias(byKey, byHash, hash, a)
          if (!r.changed) {
            res.unchanged++
            continue
          }
          const prev = byHash.get(hash)
          if (prev) byKey.delete(aliasKey(prev.alias))
          const row = {apiKeyHash: hash, alias: a, updatedAt: now}
          byKey.set(aliasKey(a), row)
          byHash.set(hash, row)
          changes.set(hash, a)
          res.set++
        } catch (error) {
          res.rejected.push({alias, reason: (error as Error).message})
          res.warnings.push(makeWarning('alias_rejected', `${alias || '(no alias)'}: ${(error as Error).message}`, [alias]))
        }
      }
      await s.aliases.upsertMany(
        [...changes].map(([hash, alias]) => ({hash, alias})),
        now,
      )
      return res
    },
    {create: true},
  )
}
