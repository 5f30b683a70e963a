/**
 * Upstream provider keys: config-backed credentials.
 *
 * GET `/<family>` → `{"<family>": [entry...]}`: each entry is the config object (kebab-case) plus
 * `"auth-index"` (the live runtime auth_index of the credential synthesised from it; omitted when empty). For
 * `openai-compatibility` every `api-key-entries` item carries its own `auth-index`; the provider entry has one only when it has no key
 * entries.
 *
 * PUT replaces the list (bare array or `{"items":[...]}`), with the per-family rules (codex/xai/
 * openai-compatibility drop entries without `base-url`; vertex requires `api-key`). DELETE takes
 * one entry (`?api-key=` [+ `&base-url=`] or `?index=`; openai-compatibility by `?name=` or `?index=`).
 *
 * `/meta-api-key` (v8 gateways: a v0 route added after 7.2.140) has the codex entry shape; an
 * empty `base-url` becomes `https://api.meta.ai/v1`, and keys that are empty or start with `dca:` are dropped
 * (the v8 `api-keys.meta` group rules).
 */
import {type ConfigKeyFamily, META_DEFAULT_BASE_URL} from '../account-types.js'
import {configAuthIndex, stableAuthIndex} from '../auth-index.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, ok, parseJson, scanInt} from './http.js'

const FAMILIES: ConfigKeyFamily[] = [
  'gemini-api-key',
  'interactions-api-key',
  'codex-api-key',
  'claude-api-key',
  'xai-api-key',
  'vertex-api-key',
  'meta-api-key',
  'openai-compatibility',
]

function entries(sim: SimContext, family: ConfigKeyFamily): Record<string, unknown>[] {
  const raw = sim.config()[family]
  return Array.isArray(raw) ? raw.filter(isRecord).map((e) => structuredClone(e)) : []
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function withAuthIndex(family: ConfigKeyFamily, entry: Record<string, unknown>, index: number): Record<string, unknown> {
  const out = structuredClone(entry)
  const baseUrl = str(entry['base-url'])
  if (family === 'openai-compatibility') {
    const keys = Array.isArray(entry['api-key-entries']) ? (entry['api-key-entries'] as unknown[]) : []
    if (keys.length > 0) {
      out['api-key-entries'] = keys.map((k) => {
        const item = isRecord(k) ? structuredClone(k) : {}
        item['auth-index'] = configAuthIndex(family, baseUrl, str(item['api-key']))
        return item
      })
    } else {
      out['auth-index'] = configAuthIndex(family, baseUrl, '')
    }
    return out
  }
  if (family === 'vertex-api-key') {
    // auth_index seed `id:<auth ID>`: vertex-compat keys match no earlier seed rule (plugin seed, .json file,
    // config-key family); the simulator's auth ID is `vertex-api-key:<index>`.
    out['auth-index'] = stableAuthIndex(`id:${family}:${index}`)
    return out
  }
  out['auth-index'] = configAuthIndex(family, baseUrl, str(entry['api-key']))
  return out
}

function getList(family: ConfigKeyFamily) {
  return (_req: SimRequest, sim: SimContext): SimResponse =>
    ok({[family]: entries(sim, family).map((e, i) => withAuthIndex(family, e, i))})
}

function putList(family: ConfigKeyFamily) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const parsed = parseJson(req)
    if (!parsed.ok) return fail(400, 'invalid body')
    let items: unknown[]
    if (Array.isArray(parsed.value)) items = parsed.value
    else if (isRecord(parsed.value) && Array.isArray(parsed.value.items) && parsed.value.items.length > 0) items = parsed.value.items
    else return fail(400, 'invalid body')
    if (!items.every(isRecord)) return fail(400, 'invalid body')
    let list = items as Record<string, unknown>[]
    // weights (corrected 2026-12): a non-integer fails JSON decoding (invalid body); > 1,000,000 names the entry
    for (const [i, e] of list.entries()) {
      const weights = [e.weight, ...(Array.isArray(e['api-key-entries']) ? (e['api-key-entries'] as unknown[]).map((k) => (isRecord(k) ? k.weight : undefined)) : [])]
      for (const w of weights) {
        if (w === undefined || w === null) continue
        if (typeof w !== 'number' || !Number.isInteger(w)) return fail(400, 'invalid body')
        if (w > 1_000_000) return fail(400, `${family}[${i}].weight: weight must not exceed 1000000`)
      }
    }
    if (family === 'vertex-api-key' && list.some((e) => str(e['api-key']).trim() === '')) {
      return fail(400, 'invalid body')
    }
    if (family === 'codex-api-key' || family === 'xai-api-key' || family === 'openai-compatibility') {
      list = list.filter((e) => str(e['base-url']).trim() !== '') // the gateway silently drops entries without base-url
    }
    if (family === 'meta-api-key') {
      // meta (v8 api-keys.meta group rules): an empty base-url takes the default; empty keys and `dca:` keys are dropped
      list = list
        .map((e) => ({...e, 'api-key': str(e['api-key']).trim(), 'base-url': str(e['base-url']).trim() || META_DEFAULT_BASE_URL}))
        .filter((e) => e['api-key'] !== '' && !e['api-key'].startsWith('dca:'))
    }
    // the gateway never stores its runtime auth-index
    sim.setConfigValue(
      family,
      list.map((e) => {
        const c = structuredClone(e)
        delete c['auth-index']
        return c
      }),
    )
    return ok()
  }
}

function deleteEntry(family: ConfigKeyFamily) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const list = entries(sim, family)
    const indexRaw = req.query.get('index')
    if (family === 'openai-compatibility') {
      const name = (req.query.get('name') ?? '').trim()
      if (name !== '') {
        sim.setConfigValue(
          family,
          list.filter((e) => str(e.name) !== name),
        )
        return ok()
      }
      const idx = scanInt(indexRaw)
      if (idx !== undefined && idx >= 0 && idx < list.length) {
        list.splice(idx, 1)
        sim.setConfigValue(family, list)
        return ok()
      }
      return fail(400, 'missing name or index')
    }
    const apiKey = (req.query.get('api-key') ?? '').trim()
    const baseUrlGiven = req.query.has('base-url')
    const baseUrl = (req.query.get('base-url') ?? '').trim()
    if (apiKey !== '') {
      const matches = list.filter((e) => str(e['api-key']).trim() === apiKey)
      const strictFamilies: ConfigKeyFamily[] = ['gemini-api-key', 'interactions-api-key']
      if (!baseUrlGiven && matches.length > 1 && family !== 'claude-api-key') {
        return fail(400, 'multiple items match api-key; base-url is required')
      }
      const keep = list.filter(
        (e) => !(str(e['api-key']).trim() === apiKey && (!baseUrlGiven || str(e['base-url']).trim() === baseUrl)),
      )
      if (keep.length === list.length && strictFamilies.includes(family)) return fail(404, 'item not found')
      sim.setConfigValue(family, keep)
      return ok()
    }
    const idx = scanInt(indexRaw)
    if (indexRaw !== null && idx !== undefined) {
      if (idx >= 0 && idx < list.length) {
        list.splice(idx, 1)
        sim.setConfigValue(family, list)
        return ok()
      }
      // the meta handler has no 404 here: an index out of range falls through to the 400
      if (family !== 'meta-api-key') return fail(404, 'item not found')
    }
    return fail(400, 'missing api-key or index')
  }
}

/** PATCH `{"index"|"match", "value": {...}}` (openai-compatibility: `{"name"|"index", "value"}`). */
function patchEntry(family: ConfigKeyFamily) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const parsed = parseJson(req)
    if (!parsed.ok || !isRecord(parsed.value) || !isRecord(parsed.value.value)) return fail(400, 'invalid body')
    const body = parsed.value
    const value = body.value as Record<string, unknown>
    const list = entries(sim, family)
    let at = -1
    if (typeof body.index === 'number' && Number.isInteger(body.index) && body.index >= 0 && body.index < list.length) at = body.index
    else if (family === 'openai-compatibility' && typeof body.name === 'string') at = list.findIndex((e) => str(e.name) === body.name)
    else if (typeof body.match === 'string') {
      const narrow = req.query.get('base-url')
      at = list.findIndex(
        (e) => str(e['api-key']) === body.match && (narrow === null || str(e['base-url']) === narrow),
      )
    }
    if (at < 0) return fail(404, 'item not found')
    if ('weight' in value && value.weight !== null) {
      // (corrected 2026-12) a JSON integer ≤ 1,000,000; 0 and negative values are valid and stored as sent
      const w = value.weight
      if (typeof w !== 'number' || !Number.isInteger(w)) return fail(400, 'weight must be an integer')
      if (w > 1_000_000) return fail(400, 'weight must not exceed 1000000')
    }
    if ('disable-cooling' in value && value['disable-cooling'] !== null && typeof value['disable-cooling'] !== 'boolean') {
      return fail(400, 'disable-cooling must be a boolean or null')
    }
    const next = {...list[at]!}
    for (const [k, v] of Object.entries(value)) {
      if (v === null) delete next[k]
      else next[k] = v
    }
    // meta: an empty base-url resets to the default endpoint instead of deleting the entry
    if (family === 'meta-api-key' && 'base-url' in value) next['base-url'] = str(next['base-url']).trim() || META_DEFAULT_BASE_URL
    const emptied =
      family === 'openai-compatibility'
        ? 'base-url' in value && str(next['base-url']) === ''
        : str(next['api-key']) === '' && str(next['base-url']) === '' && family.endsWith('-api-key') && family !== 'claude-api-key'
    if (emptied) list.splice(at, 1)
    else list[at] = next
    sim.setConfigValue(family, list)
    return ok()
  }
}

/** Families added after the oldest simulated gateways (interactions v7.2.51, xai v7.2.73, meta after 7.2.140). */
const FAMILY_SINCE: Partial<Record<string, SimRoute['since']>> = {'interactions-api-key': 'interactionsKeys', 'xai-api-key': 'xaiKeys', 'meta-api-key': 'v8'}

export const providerKeyRoutes: SimRoute[] = FAMILIES.flatMap((family) => [
  {method: 'GET', path: `/${family}`, since: FAMILY_SINCE[family], handler: getList(family)},
  {method: 'PUT', path: `/${family}`, since: FAMILY_SINCE[family], handler: putList(family)},
  {method: 'PATCH', path: `/${family}`, since: FAMILY_SINCE[family], handler: patchEntry(family)},
  {method: 'DELETE', path: `/${family}`, since: FAMILY_SINCE[family], handler: deleteEntry(family)},
])
