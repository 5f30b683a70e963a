/**
 * Client API keys (the keys callers of the gateway's /v1 send): list (masked unless --reveal), add (a generated
 * strong key unless one comes on stdin; printed once), remove by value, alias or index. Removing a key leaves its
 * alias and usage history in the store untouched. Every write is re-read and verified.
 */
import {randomBytes} from 'node:crypto'

import {CheckFailedError, RejectedError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {deleteApiKeyAt, deleteApiKeyValue, listApiKeys, replaceApiKeys} from '../gateway/api-keys.js'
import {v8MigrationNotice} from '../gateway/config-tree.js'
import {aliasesByHash, apiKeyHash, hashForAlias} from '../aliases/api-key-aliases.js'
import {confirmOrFail} from '../cli/confirm.js'
import {maskSecret} from '../gateway-config/mask.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {addWarning, makeWarning, reportWarning, type Warning} from '../cli/warnings.js'

export interface ApiKeyRow {
  index: number
  /** Masked `****abcd` unless reveal. */
  key: string
  /** SHA-256 (lowercase hex) of the trimmed key: what the store and reports know it by. */
  hash: string
  alias: string | null
  /** An example key `your-api-key-*`: while one is present the gateway refuses proxy traffic (safe mode). */
  example: boolean
}

const EXAMPLE = /^your-api-key-/i

/** The configured keys (a list: its warning about example keys goes to the command's collector, i.e. stderr). */
export async function listApiKeyRows(client: GatewayClient, options: {reveal?: boolean; storePath?: string | null} = {}): Promise<ApiKeyRow[]> {
  const keys = await listApiKeys(client)
  const aliases = await aliasesByHash(options.storePath ?? null)
  const rows = keys.map((k, index) => {
    const hash = apiKeyHash(k)
    return {index, key: options.reveal ? k : maskSecret(k), hash, alias: aliases.get(hash) ?? null, example: EXAMPLE.test(k.trim())}
  })
  const examples = rows.filter((r) => r.example).map((r) => String(r.index))
  if (examples.length > 0) {
    reportWarning(makeWarning('example_keys_configured', 'example keys your-api-key-* are configured: the gateway refuses every proxy request until they are removed', examples))
  }
  return rows
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** `sk-cpa-` + 40 base62 characters (≈238 bits), unbiased (rejection sampling). */
export function generateApiKey(): string {
  let out = ''
  while (out.length < 40) {
    for (const b of randomBytes(64)) {
      if (b < 248 && out.length < 40) out += BASE62[b % 62]
    }
  }
  return `sk-cpa-${out}`
}

export function validateNewKey(key: string): string {
  const k = key.trim()
  if (k === '') throw new UsageError('the key read from standard input is empty', {code: 'invalid_key'})
  if (/\s/.test(k)) throw new UsageError('a client key must not contain whitespace', {code: 'invalid_key'})
  if (EXAMPLE.test(k)) throw new UsageError(`'${k}' is an example key; the gateway refuses proxy traffic while one is configured`, {code: 'invalid_key'})
  if (k.length < 16) throw new UsageError(`a client key needs at least 16 characters (got ${k.length}); omit the key to have a strong one generated`, {code: 'weak_key'})
  return k
}

export interface ApiKeyAddResult {
  /** The new key in plaintext (shown once); masked on a dry run. */
  key: string
  generated: boolean
  hash: string
  /** Position in api-keys after the change (null on a dry run or when it was already present). */
  index: number | null
  /** false when the key was already configured (nothing written). */
  changed: boolean
  dryRun: boolean
  verified: boolean | null
  warnings: Warning[]
}

export async function addApiKey(client: GatewayClient, options: {key?: string; dryRun?: boolean; poll?: PollOptions} = {}): Promise<ApiKeyAddResult> {
  const generated = options.key === undefined
  const key = generated ? generateApiKey() : validateNewKey(options.key!)
  const hash = apiKeyHash(key)
  const current = await listApiKeys(client)
  const existing = current.findIndex((k) => k.trim() === key)
  const warnings: Warning[] = []
  if (existing >= 0) return {key: maskSecret(key), generated, hash, index: existing, changed: false, dryRun: Boolean(options.dryRun), verified: null, warnings}
  if (options.dryRun) return {key: maskSecret(key), generated, hash, index: null, changed: true, dryRun: true, verified: null, warnings}
  // v8: read, modify, PUT access/api-keys (no index operations there); the first v8 write migrates a legacy file
  const notice = await v8MigrationNotice(client)
  await replaceApiKeys(client, [...current, key])
  if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
  const check = await pollUntil(() => listApiKeys(client), (keys) => keys.some((k) => k.trim() === key), options.poll)
  if (!check.ok) throw new CheckFailedError('the gateway accepted the new key but does not list it when read back', {code: 'not_verified'})
  return {key, generated, hash, index: check.value.findIndex((k) => k.trim() === key), changed: true, dryRun: false, verified: true, warnings}
}

export interface ApiKeyRemoveOptions {
  /** How to read the target; default: a configured value first, then an index, then an alias. */
  by?: 'value' | 'index' | 'alias'
  yes?: boolean
  dryRun?: boolean
  storePath?: string | null
  interactive?: boolean
  poll?: PollOptions
}

export interface ApiKeyRemoveResult {
  by: 'value' | 'index' | 'alias'
  index: number
  key: string
  hash: string
  /** The alias stays in the store, with the key's history. */
  alias: string | null
  /** How many entries go (a value removes every duplicate). */
  removed: number
  remaining: number
  dryRun: boolean
  verified: boolean | null
  warnings: Warning[]
}

export async function removeApiKey(client: GatewayClient, target: string, options: ApiKeyRemoveOptions = {}): Promise<ApiKeyRemoveResult> {
  const t = target.trim()
  if (t === '') throw new UsageError('name the key to remove: its value, alias or index', {code: 'invalid_key'})
  const keys = await listApiKeys(client)
  let by: ApiKeyRemoveResult['by'] | null = null
  let index = -1
  if ((!options.by || options.by === 'value') && keys.some((k) => k.trim() === t)) {
    by = 'value'
    index = keys.findIndex((k) => k.trim() === t)
  } else if ((!options.by || options.by === 'index') && /^\d+$/.test(t) && Number(t) < keys.length) {
    by = 'index'
    index = Number(t)
  } else if (!options.by || options.by === 'alias') {
    const hash = await hashForAlias(options.storePath ?? null, t)
    if (hash) {
      index = keys.findIndex((k) => apiKeyHash(k) === hash)
      if (index >= 0) by = 'alias'
      else throw new RejectedError(`alias '${t}' belongs to a key that is not configured on the gateway`, 404, {code: 'not_found'})
    }
  }
  if (by === null) {
    // a value the user typed is a secret too: show it masked (indexes and short aliases are shown as typed)
    const shown = /^\d+$/.test(t) || t.length < 12 ? t : maskSecret(t)
    const tried = options.by ? `by ${options.by}` : `not a configured value, an index below ${keys.length}, or a known alias`
    throw new RejectedError(`no client key matches '${shown}' (${tried})`, 404, {
      code: 'not_found',
      hint: 'see cpactl api-keys list',
    })
  }
  const raw = keys[index]
  const hash = apiKeyHash(raw)
  const alias = (await aliasesByHash(options.storePath ?? null)).get(hash) ?? null
  const removed = by === 'index' ? 1 : keys.filter((k) => k.trim() === raw.trim()).length
  const warnings: Warning[] = []
  if (removed > 1) addWarning(warnings, 'duplicate_key', `the key is configured ${removed} times; every copy is removed`)
  if (keys.length - removed === 0) addWarning(warnings, 'last_client_key', 'this removes the last client key')
  const base = {by, index, key: maskSecret(raw), hash, alias, removed, remaining: keys.length - removed, warnings}
  if (options.dryRun) return {...base, dryRun: true, verified: null}
  await confirmOrFail({
    yes: Boolean(options.yes),
    action: `remove client key ${maskSecret(raw)}${alias ? ` (${alias})` : ''} at index ${index}`,
    note: 'clients using it get 401 from then on; its alias and history stay in the store',
    interactive: options.interactive,
  })
  const before = keys.filter((k) => k.trim() === raw.trim()).length
  const notice = await v8MigrationNotice(client)
  if (by === 'index') await deleteApiKeyAt(client, index)
  else await deleteApiKeyValue(client, raw.trim())
  if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
  const check = await pollUntil(
    () => listApiKeys(client),
    (now) => now.filter((k) => k.trim() === raw.trim()).length === before - removed && now.length === keys.length - removed,
    options.poll,
  )
  if (!check.ok) throw new CheckFailedError('the gateway accepted the removal but still lists the key when read back', {code: 'not_verified'})
  return {...base, dryRun: false, verified: true}
}
