/**
 * Upstream provider keys: config-backed API-key credentials (v0: the `/<family>` lists; v8: `api-keys.<provider>`
 * groups). cpactl reads them to resolve an `auth_index` that is not a file, and switches
 * one on or off. Keys are returned masked; the plaintext never leaves this module.
 *
 * Enabling/disabling a config key: `PATCH /auth-files/status` would need the gateway's internal auth ID, which no
 * endpoint returns (the auth_index alone gets 404 `auth file not found`), so cpactl never uses it for config keys.
 * Instead:
 * - v0: `PATCH /<family> {"index": i, "value": {"excluded-models": [..., "*"]}}` (gemini, interactions, claude,
 *   codex, xai, vertex), the entry located by its live `auth-index` in a fresh read;
 * - v8: the key's own `excluded-models` override in `api-keys/<provider>` (read, change, PUT the provider's list;
 *   a v8 write migrates a legacy file);
 * - openai-compatibility keys cannot be switched one by one on either API (only the whole provider): refused.
 */
import {RejectedError} from '../cli/errors.js'
import {maskSecret} from '../usage/mask.js'
import type {GatewayClient} from './client.js'
import {PROVIDER_FAMILY_V8, type ProviderFamily} from './operations.js'

export const PROVIDER_KEY_FAMILIES = Object.keys(PROVIDER_FAMILY_V8) as ProviderFamily[]

export type ProviderKeyFamily = ProviderFamily

export interface ProviderKeyRef {
  family: ProviderKeyFamily
  /** Index of the entry in the family list (v8: of the group in `api-keys.<provider>`). */
  index: number
  /** openai-compatibility (v0) or any v8 group: index in `api-key-entries` / `keys`, else null. */
  keyIndex: number | null
  /** openai-compatibility provider name, or the v8 group name; else null. */
  name: string | null
  authIndex: string
  baseUrl: string | null
  /** `****abcd` — never the key itself. */
  apiKeyMasked: string | null
  /** `excluded-models` holds `*`: the key is disabled; null where the family has no such field per key. */
  disabled: boolean | null
}

const DISABLE_PATTERN = '*'

function mask(key: unknown): string | null {
  return typeof key !== 'string' || key.trim() === '' ? null : maskSecret(key)
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const isRecord = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v)
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])

const AUTH_ERRORS = new Set(['auth_failed', 'ip_banned', 'remote_disabled', 'forbidden', 'management_disabled'])

/** One entry of a v0 family list, with its plaintext key kept inside this module. */
interface V0Entry {
  family: ProviderFamily
  index: number
  keyIndex: number | null
  name: string | null
  authIndex: string
  baseUrl: string | null
  apiKey: string
  excluded: unknown[] | null
}

async function readV0Family(client: GatewayClient, family: ProviderFamily): Promise<V0Entry[] | null> {
  const res = await client.call<Record<string, unknown>>(`providerKeys.list:${family}`, {passStatuses: [404]})
  if (res.status !== 200) return null
  const out: V0Entry[] = []
  list(res.data?.[family]).forEach((entry, index) => {
    if (!isRecord(entry)) return
    const baseUrl = str(entry['base-url'])
    if (family === 'openai-compatibility') {
      const keys = list(entry['api-key-entries'])
      keys.forEach((k, keyIndex) => {
        const ke = isRecord(k) ? k : {}
        const ai = str(ke['auth-index'])
        if (ai) out.push({family, index, keyIndex, name: str(entry.name), authIndex: ai, baseUrl, apiKey: String(ke['api-key'] ?? ''), excluded: null})
      })
      const ai = str(entry['auth-index'])
      if (keys.length === 0 && ai) out.push({family, index, keyIndex: null, name: str(entry.name), authIndex: ai, baseUrl, apiKey: '', excluded: null})
      return
    }
    const ai = str(entry['auth-index'])
    if (ai) out.push({family, index, keyIndex: null, name: null, authIndex: ai, baseUrl, apiKey: String(entry['api-key'] ?? ''), excluded: Array.isArray(entry['excluded-models']) ? entry['excluded-models'] : []})
  })
  return out
}

/** A v8 key with its group, flattened (a missing or null key field inherits the group's). */
interface V8Key {
  family: ProviderFamily
  group: number
  key: number
  name: string | null
  baseUrl: string | null
  apiKey: string
  /** Injected by later 8.0.x builds (stripped again on write); absent on early builds. */
  authIndex: string | null
  /** The effective excluded-models (key override, else the group's). */
  excluded: unknown[]
}

async function readV8Family(client: GatewayClient, family: ProviderFamily): Promise<{groups: unknown[]; keys: V8Key[]} | null> {
  const res = await client.call<unknown>(`providerKeys.list:${family}`, {passStatuses: [404]})
  if (res.status === 404) return (res.data as {error?: unknown} | null)?.error === 'not_found' ? {groups: [], keys: []} : null
  const groups = list(res.data)
  const keys: V8Key[] = []
  groups.forEach((g, group) => {
    if (!isRecord(g)) return
    list(g.keys).forEach((k, key) => {
      if (!isRecord(k)) return
      const excluded = Array.isArray(k['excluded-models']) ? k['excluded-models'] : Array.isArray(g['excluded-models']) ? g['excluded-models'] : []
      keys.push({family, group, key, name: str(g.name), baseUrl: str(g['base-url']), apiKey: String(k['api-key'] ?? ''), authIndex: str(k.auth_index) ?? str(k['auth-index']), excluded})
    })
  })
  return {groups, keys}
}

function rethrowAuth(results: PromiseSettledResult<unknown>[]): void {
  for (const r of results) {
    if (r.status === 'rejected' && AUTH_ERRORS.has((r.reason as {code?: string})?.code ?? '')) throw r.reason
  }
}

/**
 * Every config-backed credential with its live auth_index. v0: the family lists (spelled `auth-index` there). v8:
 * the `api-keys.<provider>` groups; keys whose read carries no `auth_index` (early 8.0.x builds) take it from the
 * v0 expansion of the same key (`GET /v0/management/<family>` lists every group key as one entry). Families the
 * gateway does not serve (older versions) are skipped.
 */
export async function listProviderKeys(client: GatewayClient): Promise<ProviderKeyRef[]> {
  const {api} = await client.managementApi()
  if (api !== 'v8') {
    const answers = await Promise.allSettled(PROVIDER_KEY_FAMILIES.map((f) => readV0Family(client, f)))
    rethrowAuth(answers)
    return answers.flatMap((a) => (a.status === 'fulfilled' && a.value ? a.value : [])).map(v0Ref)
  }
  const answers = await Promise.allSettled(PROVIDER_KEY_FAMILIES.map((f) => readV8Family(client, f)))
  rethrowAuth(answers)
  const out: ProviderKeyRef[] = []
  for (const [i, a] of answers.entries()) {
    if (a.status !== 'fulfilled' || !a.value) continue
    const family = PROVIDER_KEY_FAMILIES[i]
    let v0: V0Entry[] | null = null
    for (const k of a.value.keys) {
      let authIndex = k.authIndex
      if (!authIndex) {
        v0 ??= (await readV0Family(client, family).catch(() => null)) ?? []
        authIndex = v0.find((e) => e.apiKey.trim() === k.apiKey.trim() && (e.baseUrl ?? '') === (k.baseUrl ?? ''))?.authIndex ?? null
      }
      if (!authIndex) continue
      out.push({
        family,
        index: k.group,
        keyIndex: k.key,
        name: k.name,
        authIndex,
        baseUrl: k.baseUrl,
        apiKeyMasked: mask(k.apiKey),
        disabled: family === 'openai-compatibility' ? null : k.excluded.includes(DISABLE_PATTERN),
      })
    }
  }
  return out
}

function v0Ref(e: V0Entry): ProviderKeyRef {
  return {
    family: e.family,
    index: e.index,
    keyIndex: e.keyIndex,
    name: e.name,
    authIndex: e.authIndex,
    baseUrl: e.baseUrl,
    apiKeyMasked: mask(e.apiKey),
    disabled: e.excluded === null ? null : e.excluded.includes(DISABLE_PATTERN),
  }
}

export interface ConfigKeyToggle {
  /** false when the key already was in that state (nothing written). */
  changed: boolean
  /** How it was written, for the record: `v0 PATCH /codex-api-key[2]` or `v8 PUT config/api-keys/codex`. */
  via: string
}

function notToggleable(ref: {family: ProviderFamily; name: string | null}): RejectedError {
  return new RejectedError(
    `openai-compatibility keys cannot be enabled or disabled one by one${ref.name ? ` (provider '${ref.name}')` : ''}: the gateway can only switch off the whole provider`,
    409,
    {
      code: 'not_supported',
      hint: 'to stop the whole provider, set disabled: true on its openai-compatibility entry in the config; to retire one key, remove it from api-key-entries',
      details: {family: ref.family},
    },
  )
}

function withPattern(current: unknown[], disabled: boolean): unknown[] {
  const rest = current.filter((m) => m !== DISABLE_PATTERN)
  return disabled ? [...rest, DISABLE_PATTERN] : rest
}

/** Switch one config API key on or off by its auth_index (see the module comment for the mechanism). */
export async function setConfigKeyDisabled(client: GatewayClient, ref: {family: ProviderFamily; authIndex: string; name: string | null}, disabled: boolean): Promise<ConfigKeyToggle> {
  if (ref.family === 'openai-compatibility') throw notToggleable(ref)
  const {api} = await client.managementApi()
  const gone = () =>
    new RejectedError(`the config key with auth_index ${ref.authIndex} is no longer in ${ref.family} (changed since it was read)`, 404, {code: 'not_found'})
  if (api !== 'v8') {
    const entries = (await readV0Family(client, ref.family)) ?? []
    const entry = entries.find((e) => e.authIndex === ref.authIndex)
    if (!entry) throw gone()
    const current = entry.excluded ?? []
    if (current.includes(DISABLE_PATTERN) === disabled) return {changed: false, via: `v0 PATCH /${ref.family}[${entry.index}]`}
    const next = withPattern(current, disabled)
    await client.call(`providerKeys.patch:${ref.family}`, {json: {index: entry.index, value: {'excluded-models': next.length > 0 ? next : []}}, retry: false})
    return {changed: true, via: `v0 PATCH /${ref.family}[${entry.index}]`}
  }
  const provider = PROVIDER_FAMILY_V8[ref.family]
  const read = await readV8Family(client, ref.family)
  if (!read) throw gone()
  let target = read.keys.find((k) => k.authIndex === ref.authIndex)
  if (!target) {
    const v0 = (await readV0Family(client, ref.family)) ?? []
    const e = v0.find((x) => x.authIndex === ref.authIndex)
    if (e) target = read.keys.find((k) => k.apiKey.trim() === e.apiKey.trim() && (k.baseUrl ?? '') === (e.baseUrl ?? ''))
  }
  if (!target) throw gone()
  if (target.excluded.includes(DISABLE_PATTERN) === disabled) return {changed: false, via: `v8 PUT config/api-keys/${provider}`}
  const groups = structuredClone(read.groups) as Array<Record<string, unknown>>
  for (const g of groups) {
    // later builds inject auth_index into key entries for reads; it is not a config field
    for (const k of list(g.keys)) if (isRecord(k)) delete k.auth_index
  }
  const group = groups[target.group]
  const key = list(group.keys)[target.key] as Record<string, unknown>
  const groupExcluded = Array.isArray(group['excluded-models']) ? group['excluded-models'] : null
  const next = withPattern(target.excluded, disabled)
  // the key's own override: set while disabled; dropped again when it equals what the group says
  if (!disabled && (groupExcluded ? JSON.stringify(next) === JSON.stringify(groupExcluded) : next.length === 0)) delete key['excluded-models']
  else key['excluded-models'] = next
  const {putConfigTree} = await import('./config-tree.js')
  await putConfigTree(client, ['api-keys', provider], groups)
  return {changed: true, via: `v8 PUT config/api-keys/${provider}`}
}
