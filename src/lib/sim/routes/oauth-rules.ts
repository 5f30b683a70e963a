/**
 * The per-channel OAuth rule maps: `/oauth-excluded-models`, `/oauth-model-alias`,
 * `/oauth-request-scoped-errors` (the last since v7.2.138).
 *
 * GET `{"<key>": {channel: [...]}}` (`null` when empty); PUT the map or `{"items":{...}}`; PATCH one
 * channel (an empty list removes it; unknown channel + empty list ⇒ 404); DELETE `?channel=` or
 * `?provider=` (excluded models: `?provider=` only). Values are normalised like the gateway's config
 * sanitizers: channel keys trimmed and lower-cased; excluded patterns trimmed, lower-cased, de-duplicated;
 * aliases need a name and a different alias, unique per channel; scoped-error rules need a positive status,
 * a pattern and an action. The maps live in the config (`oauth-excluded-models`, …), so GET /config and
 * /config.yaml show them too.
 */
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, ok, parseJson} from './http.js'

type RuleMap = Record<string, unknown[]>

/** Field types of one list element, for the Go-style typed decode (a type mismatch ⇒ 400 invalid body). */
type FieldKind = 'string' | 'bool' | 'int' | 'string[]'

interface RuleKind {
  /** Config key and GET key. */
  key: string
  /** Element decoder: the element's fields and types, or 'string' for plain string lists. */
  element: 'string' | Record<string, FieldKind>
  /** PATCH body field holding the list. */
  listField: string
  /** PATCH accepts `channel` besides `provider`. */
  channelField: boolean
  notFound: string
  missing: string
  invalidChannel: string
  /** Normalise one channel's list (already type-checked); an empty result removes the channel. */
  normalize(list: unknown[]): unknown[]
}

function typeOk(kind: FieldKind, v: unknown): boolean {
  if (v === null || v === undefined) return true
  switch (kind) {
    case 'string':
      return typeof v === 'string'
    case 'bool':
      return typeof v === 'boolean'
    case 'int':
      return typeof v === 'number' && Number.isInteger(v)
    case 'string[]':
      return Array.isArray(v) && v.every(x => typeof x === 'string' || x === null)
  }
}

/** Go `json.Unmarshal` into `[]T`: null ⇒ empty, every element of the declared shape. */
function decodeList(kind: RuleKind, value: unknown): unknown[] | undefined {
  if (value === null || value === undefined) return []
  if (!Array.isArray(value)) return undefined
  for (const el of value) {
    if (kind.element === 'string') {
      if (el !== null && typeof el !== 'string') return undefined
    } else {
      if (el === null) continue
      if (!isRecord(el)) return undefined
      for (const [field, fk] of Object.entries(kind.element)) if (!typeOk(fk, el[field])) return undefined
    }
  }
  return value
}

/** Go `json.Unmarshal` into `map[string][]T`; undefined on a type error. */
function decodeMap(kind: RuleKind, value: unknown): RuleMap | undefined {
  if (value === null) return {}
  if (!isRecord(value)) return undefined
  const out: RuleMap = {}
  for (const [channel, list] of Object.entries(value)) {
    const decoded = decodeList(kind, list)
    if (!decoded) return undefined
    out[channel] = decoded
  }
  return out
}

function normalizeMap(kind: RuleKind, map: RuleMap): RuleMap | null {
  const out: RuleMap = {}
  for (const [raw, list] of Object.entries(map)) {
    const channel = raw.trim().toLowerCase()
    if (channel === '') continue
    const clean = kind.normalize(list)
    if (clean.length > 0) out[channel] = clean
  }
  return Object.keys(out).length > 0 ? out : null
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '')

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(str).filter(Boolean) : [])

const EXCLUDED: RuleKind = {
  key: 'oauth-excluded-models',
  element: 'string',
  listField: 'models',
  channelField: false,
  notFound: 'provider not found',
  missing: 'missing provider',
  invalidChannel: 'invalid provider',
  normalize(list) {
    const seen = new Set<string>()
    for (const v of list) {
      const m = str(v).toLowerCase()
      if (m !== '') seen.add(m)
    }
    return [...seen]
  },
}

const ALIAS: RuleKind = {
  key: 'oauth-model-alias',
  element: {name: 'string', alias: 'string', fork: 'bool', 'display-name': 'string', 'force-mapping': 'bool'},
  listField: 'aliases',
  channelField: true,
  notFound: 'channel not found',
  missing: 'missing channel',
  invalidChannel: 'invalid channel',
  normalize(list) {
    const seen = new Set<string>()
    const out: unknown[] = []
    for (const el of list) {
      if (!isRecord(el)) continue
      const name = str(el.name)
      const alias = str(el.alias)
      if (name === '' || alias === '' || name.toLowerCase() === alias.toLowerCase() || seen.has(alias.toLowerCase())) continue
      seen.add(alias.toLowerCase())
      const entry: Record<string, unknown> = {name, alias}
      if (el.fork === true) entry.fork = true
      if (str(el['display-name']) !== '') entry['display-name'] = str(el['display-name'])
      if (el['force-mapping'] === true) entry['force-mapping'] = true
      out.push(entry)
    }
    return out
  },
}

const SCOPED_ERRORS: RuleKind = {
  key: 'oauth-request-scoped-errors',
  element: {status: 'int', match: 'string[]', 'match-regexr': 'string[]', action: 'string'},
  listField: 'rules',
  channelField: true,
  notFound: 'channel not found',
  missing: 'missing channel',
  invalidChannel: 'invalid channel',
  normalize(list) {
    const out: unknown[] = []
    for (const el of list) {
      if (!isRecord(el)) continue
      const status = typeof el.status === 'number' ? el.status : 0
      const match = strings(el.match)
      const regex = strings(el['match-regexr'])
      const action = str(el.action).toLowerCase()
      if (status <= 0 || (match.length === 0 && regex.length === 0) || action === '') continue
      const rule: Record<string, unknown> = {status}
      if (match.length > 0) rule.match = match
      if (regex.length > 0) rule['match-regexr'] = regex
      rule.action = action
      out.push(rule)
    }
    return out
  },
}

function current(kind: RuleKind, sim: SimContext): RuleMap | null {
  const v = sim.config()[kind.key]
  return isRecord(v) ? normalizeMap(kind, v as RuleMap) : null
}

/** Write the map back (an empty map removes the key, like the gateway's nil map). */
function store(kind: RuleKind, sim: SimContext, map: RuleMap | null): SimResponse {
  if (map === null || Object.keys(map).length === 0) {
    if (sim.deleteConfigValue) sim.deleteConfigValue(kind.key)
    else sim.setConfigValue(kind.key, null)
  } else sim.setConfigValue(kind.key, map)
  return ok({status: 'ok'})
}

function getRules(kind: RuleKind) {
  return (_req: SimRequest, sim: SimContext): SimResponse => ok({[kind.key]: current(kind, sim)})
}

function putRules(kind: RuleKind) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const text = req.body.toString('utf8')
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return fail(400, 'invalid body')
    }
    let map = decodeMap(kind, body)
    if (!map) {
      map = isRecord(body) ? decodeMap(kind, body.items ?? null) : undefined
      if (!map) return fail(400, 'invalid body')
    }
    return store(kind, sim, normalizeMap(kind, map))
  }
}

function patchRules(kind: RuleKind) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const parsed = parseJson(req)
    if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid body')
    const b = parsed.value
    for (const f of ['provider', 'channel']) if (b[f] !== undefined && b[f] !== null && typeof b[f] !== 'string') return fail(400, 'invalid body')
    const list = decodeList(kind, b[kind.listField])
    if (!list) return fail(400, 'invalid body')
    let raw: unknown
    if (kind.channelField) raw = typeof b.channel === 'string' ? b.channel : b.provider
    else {
      if (typeof b.provider !== 'string') return fail(400, 'invalid body')
      raw = b.provider
    }
    const channel = str(raw).toLowerCase()
    if (channel === '') return fail(400, kind.invalidChannel)
    const map = {...current(kind, sim)}
    const clean = kind.normalize(list)
    if (clean.length === 0) {
      if (!(channel in map)) return fail(404, kind.notFound)
      delete map[channel]
      return store(kind, sim, map)
    }
    map[channel] = clean
    return store(kind, sim, map)
  }
}

function deleteRules(kind: RuleKind) {
  return (req: SimRequest, sim: SimContext): SimResponse => {
    let channel = (req.query.get(kind.channelField ? 'channel' : 'provider') ?? '').trim().toLowerCase()
    if (channel === '' && kind.channelField) channel = (req.query.get('provider') ?? '').trim().toLowerCase()
    if (channel === '') return fail(400, kind.missing)
    const map = {...current(kind, sim)}
    if (!(channel in map)) return fail(404, kind.notFound)
    delete map[channel]
    return store(kind, sim, map)
  }
}

function routesFor(kind: RuleKind, path: string, since?: SimRoute['since']): SimRoute[] {
  return [
    {method: 'GET', path, since, handler: getRules(kind)},
    {method: 'PUT', path, since, handler: putRules(kind)},
    {method: 'PATCH', path, since, handler: patchRules(kind)},
    {method: 'DELETE', path, since, handler: deleteRules(kind)},
  ]
}

export const oauthRuleRoutes: SimRoute[] = [
  ...routesFor(EXCLUDED, '/oauth-excluded-models'),
  ...routesFor(ALIAS, '/oauth-model-alias'),
  ...routesFor(SCOPED_ERRORS, '/oauth-request-scoped-errors', 'oauthRequestScopedErrors'),
]

/** The normalised maps, for the /v1/models listing (aliases and exclusions apply there). */
export function oauthModelAliases(config: Record<string, unknown>): Record<string, Array<{name: string; alias: string; fork?: boolean}>> {
  const v = config[ALIAS.key]
  return (isRecord(v) ? normalizeMap(ALIAS, v as RuleMap) : null) as Record<string, Array<{name: string; alias: string; fork?: boolean}>> | null ?? {}
}

export function oauthExcludedModels(config: Record<string, unknown>): Record<string, string[]> {
  const v = config[EXCLUDED.key]
  return ((isRecord(v) ? normalizeMap(EXCLUDED, v as RuleMap) : null) as Record<string, string[]> | null) ?? {}
}
