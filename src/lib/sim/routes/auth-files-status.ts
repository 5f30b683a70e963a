/** PATCH /auth-files/status for file-backed credentials and config-backed keys, and finding a credential by name. */
import {createHash} from 'node:crypto'

import type {SimAccountRegistry, SimAuthFile} from '../account-types.js'
import {fail, isRecord, ok, parseJson, refreshed, registryOf, trimmed} from './http.js'
import type {SimAccount, SimContext, SimRequest, SimResponse} from '../types.js'

export const CONFIG_DISABLE_PATTERN = '*'

/** Synthesizer kind of a config-key family (the `<kind>` of its internal auth ID). */
export const AUTH_ID_KIND: Record<string, string> = {
  'gemini-api-key': 'gemini:apikey',
  'interactions-api-key': 'gemini-interactions:apikey',
  'claude-api-key': 'claude:apikey',
  'codex-api-key': 'codex:apikey',
  'xai-api-key': 'xai:apikey',
  'vertex-api-key': 'vertex:apikey',
}

/**
 * The gateway's internal auth ID of a config API key (corrected 2026-12): `<kind>:<h>`, `<h>` = the first 12 hex
 * of SHA-256 over `<kind>` followed, per part, by a 0x00 byte and the trimmed part (api-key, base-url,
 * proxy-url, prefix, headers sorted by name as `name 0x00 value 0x00`; vertex and openai-compatibility:
 * api-key, base-url, proxy-url only); a second identical entry of a kind gets `-1`, a third `-2`, …
 * No endpoint returns these IDs.
 */
export function configAuthIds(config: Record<string, unknown>): Map<string, {family: string; index: number; keyIndex: number}> {
  const out = new Map<string, {family: string; index: number; keyIndex: number}>()
  const seen = new Map<string, number>()
  const add = (kind: string, parts: string[], ref: {family: string; index: number; keyIndex: number}) => {
    const h = createHash('sha256')
    h.update(kind)
    for (const p of parts) h.update(Buffer.concat([Buffer.from([0]), Buffer.from(p.trim())]))
    let id = `${kind}:${h.digest('hex').slice(0, 12)}`
    const n = seen.get(id) ?? 0
    seen.set(id, n + 1)
    if (n > 0) id = `${id}-${n}`
    out.set(id, ref)
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  const headers = (v: unknown) =>
    isRecord(v)
      ? Object.keys(v)
          .sort()
          .map((k) => `${k}\u0000${str(v[k])}\u0000`)
          .join('')
      : ''
  for (const [family, kind] of Object.entries(AUTH_ID_KIND)) {
    const list = config[family]
    if (!Array.isArray(list)) continue
    list.forEach((e, index) => {
      if (!isRecord(e)) return
      const parts = family === 'vertex-api-key' ? [str(e['api-key']), str(e['base-url']), str(e['proxy-url'])] : [str(e['api-key']), str(e['base-url']), str(e['proxy-url']), str(e.prefix), headers(e.headers)]
      add(kind, parts, {family, index, keyIndex: -1})
    })
  }
  const compat = config['openai-compatibility']
  if (Array.isArray(compat)) {
    compat.forEach((e, index) => {
      if (!isRecord(e)) return
      const kind = `openai-compatibility:${str(e.name).toLowerCase()}`
      const keys = Array.isArray(e['api-key-entries']) ? e['api-key-entries'] : []
      keys.forEach((k, keyIndex) => add(kind, [str(isRecord(k) ? k['api-key'] : ''), str(e['base-url']), str(isRecord(k) ? k['proxy-url'] : '')], {family: 'openai-compatibility', index, keyIndex}))
    })
  }
  return out
}

/** Disabling a config key via PATCH /auth-files/status: toggle `*` in the entry's `excluded-models`. */
export function toggleConfigKey(sim: SimContext, family: string, index: number, disabled: boolean): boolean {
  const list = sim.config()[family]
  if (!Array.isArray(list) || !isRecord(list[index])) return false
  const next = list.map((e) => structuredClone(e) as Record<string, unknown>)
  const entry = next[index]!
  const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]).filter((m) => m !== CONFIG_DISABLE_PATTERN) : []
  if (disabled) excluded.push(CONFIG_DISABLE_PATTERN)
  if (excluded.length > 0) entry['excluded-models'] = excluded
  else delete entry['excluded-models']
  sim.setConfigValue(family, next)
  return true
}

/**
 * PATCH /auth-files/status (corrected 2026-12): `name` matches an auth ID or a file name; `auth_index` only
 * narrows that match. Config API keys have no file, so only their internal auth ID finds them — an
 * auth_index as name is 404 `auth file not found`; openai-compatibility keys: 404 `config api key entry not found`.
 */
export function patchStatus(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid request body')
  const body = parsed.value
  if (body.name !== undefined && typeof body.name !== 'string') return fail(400, 'invalid request body')
  if (body.auth_index !== undefined && typeof body.auth_index !== 'string') return fail(400, 'invalid request body')
  if (body.disabled !== undefined && body.disabled !== null && typeof body.disabled !== 'boolean') return fail(400, 'invalid request body')
  const name = trimmed(body.name)
  const authIndex = trimmed(body.auth_index)
  if (name === '') return fail(400, 'name is required')
  if (typeof body.disabled !== 'boolean') return fail(400, 'disabled is required')
  const disabled = body.disabled

  const found = findCredential(reg, sim.config(), name)
  if (found?.kind === 'file' && (authIndex === '' || found.account.authIndex === authIndex)) {
    reg.setDisabled(found.file.name, disabled)
    refreshed(sim)
    return ok({status: 'ok', disabled})
  }
  if (found?.kind === 'config') {
    const key = found.ref
    if (key.family === 'openai-compatibility') return fail(404, 'config api key entry not found')
    if (authIndex !== '' && found.account?.authIndex !== authIndex) return fail(404, 'auth file not found')
    if (!toggleConfigKey(sim, key.family, key.index, disabled)) return fail(404, 'config api key entry not found')
    return ok({status: 'ok', disabled, via: 'config:excluded-models', excluded_pattern: CONFIG_DISABLE_PATTERN})
  }
  return fail(404, 'auth file not found')
}

export type FoundCredential =
  | {kind: 'file'; file: SimAuthFile; account: SimAccount}
  | {kind: 'config'; id: string; ref: {family: string; index: number; keyIndex: number}; account: SimAccount | undefined}

/**
 * The gateway's auth lookup by `name` (corrected 2026-12): an auth ID or a file name; config API keys have no
 * file, so only their internal auth ID (`configAuthIds`) finds them. An `auth_index` only narrows the match (the
 * caller compares it with `account.authIndex`).
 */
export function findCredential(reg: SimAccountRegistry, config: Record<string, unknown>, name: string): FoundCredential | undefined {
  const file = reg.file(name)
  if (file) return {kind: 'file', file, account: reg.byName(file.name)!}
  const ref = configAuthIds(config).get(name)
  if (!ref) return undefined
  const account = reg.list().find((a) => {
    const key = a.authType === 'apikey' ? reg.configKey(a.authIndex) : undefined
    return key?.family === ref.family && key.index === ref.index && (ref.keyIndex < 0 || key.keyIndex === ref.keyIndex)
  })
  return {kind: 'config', id: name, ref, account}
}
