import YAML, {type Document, isMap, isScalar, isSeq} from 'yaml'

import {hashSecret, isHashedSecret} from './auth.js'
import {groupLegacyKeys, isV8Marked, legacyView, providerOfFamily, v8PathOf} from './config-v8.js'
import type {SimRequest, SimResponse, SimRoute} from './types.js'
import type {SimFeature} from './version.js'

/**
 * Config state of the simulated gateway: the config.yaml text is the source of truth (held as a `yaml`
 * Document so comments survive edits, as the gateway preserves them; cpa-gateway.md §1.4, §3.0), plus the
 * routes that read and write it: `GET /config`, `GET/PUT /config.yaml`, the simple settings of §3.1 and
 * `/latest-version`.
 */

export interface InitialConfig {
  host: string
  port: number
  authDir: string
  managementKey: string
  apiKeys: string[]
  usageStatisticsEnabled: boolean
  retentionSeconds: number
  /** `remote-management.allow-remote` (default false: only 127.0.0.1 and ::1 may manage). */
  allowRemote?: boolean
}

const q = (s: string): string => JSON.stringify(s)

/** The config.yaml the simulator starts with (comments included, like the example config). */
export function initialConfigYaml(init: InitialConfig): string {
  const keys = init.apiKeys.map(k => `  - ${q(k)}`).join('\n')
  return `# cpactl sim: configuration of a simulated CLIProxyAPI gateway.
# Change it with PUT /v0/management/config.yaml or the simple-setting endpoints; comments survive edits.

# Server binding (not part of GET /config).
host: ${q(init.host)}
port: ${init.port}

# Management API access.
remote-management:
  # Only 127.0.0.1 and ::1 may call the management API unless this is true.
  allow-remote: ${init.allowRemote === true}
  # Stored hashed. A plaintext value written here is hashed when the config is reloaded.
  secret-key: ${q(hashSecret(init.managementKey))}
  disable-control-panel: false

# Directory holding the credential JSON files.
auth-dir: ${q(init.authDir)}

# Client API keys accepted on /v1.
api-keys:
${keys || '  []'}

debug: false
logging-to-file: false
logs-max-total-size-mb: 0
error-logs-max-files: 10

# Publish one usage record per upstream attempt to the usage queue (RESP and /usage-queue).
usage-statistics-enabled: ${init.usageStatisticsEnabled}
# Seconds a record stays in the usage queue (at most 3600).
redis-usage-queue-retention-seconds: ${init.retentionSeconds}

request-log: false
proxy-url: ""
request-retry: 3
max-retry-interval: 30

quota-exceeded:
  switch-project: true
  switch-preview-model: true

routing:
  strategy: "round-robin"

ws-auth: true
`.replace('api-keys:\n  []', 'api-keys: []')
}

// ------------------------------------------------------------------------------------------- schema

type Kind = 'bool' | 'int' | 'string' | 'string[]' | 'map' | 'list' | 'strategy'

/** Types of the known keys, used by PUT /config.yaml validation (422 invalid_config). Unknown keys pass. */
const SCHEMA: Record<string, Kind> = {
  host: 'string',
  port: 'int',
  'auth-dir': 'string',
  'remote-management': 'map',
  'remote-management.allow-remote': 'bool',
  'remote-management.secret-key': 'string',
  'remote-management.disable-control-panel': 'bool',
  'remote-management.disable-auto-update-panel': 'bool',
  'remote-management.panel-github-repository': 'string',
  tls: 'map',
  'tls.enable': 'bool',
  'tls.cert': 'string',
  'tls.key': 'string',
  'api-keys': 'string[]',
  debug: 'bool',
  'logging-to-file': 'bool',
  'logs-max-total-size-mb': 'int',
  'error-logs-max-files': 'int',
  'usage-statistics-enabled': 'bool',
  'redis-usage-queue-retention-seconds': 'int',
  'proxy-url': 'string',
  'request-log': 'bool',
  'ws-auth': 'bool',
  'request-retry': 'int',
  'max-retry-credentials': 'int',
  'max-retry-interval': 'int',
  'force-model-prefix': 'bool',
  'commercial-mode': 'bool',
  'disable-cooling': 'bool',
  'save-cooldown-status': 'bool',
  'transient-error-cooldown-seconds': 'int',
  'auth-auto-refresh-workers': 'int',
  'quota-exceeded': 'map',
  'quota-exceeded.switch-project': 'bool',
  'quota-exceeded.switch-preview-model': 'bool',
  'quota-exceeded.antigravity-credits': 'bool',
  routing: 'map',
  'routing.strategy': 'strategy',
  'routing.session-affinity': 'bool',
  'routing.session-affinity-ttl': 'string',
  'gemini-api-key': 'list',
  'interactions-api-key': 'list',
  'codex-api-key': 'list',
  'claude-api-key': 'list',
  'xai-api-key': 'list',
  'vertex-api-key': 'list',
  'openai-compatibility': 'list',
  'oauth-excluded-models': 'map',
  'oauth-model-alias': 'map',
  'oauth-request-scoped-errors': 'map',
  plugins: 'map',
  'plugins.enabled': 'bool',
  payload: 'map',
  pprof: 'map',
}

/** Defaults shown by GET /config when a key is absent from the YAML (cpa-gateway.md §8). */
const DEFAULTS: Record<string, unknown> = {
  'proxy-url': '',
  'force-model-prefix': false,
  'request-log': false,
  'api-keys': [],
  tls: {enable: false, cert: '', key: ''},
  debug: false,
  'commercial-mode': false,
  'logging-to-file': false,
  'logs-max-total-size-mb': 0,
  'error-logs-max-files': 10,
  'usage-statistics-enabled': false,
  'disable-cooling': false,
  'save-cooldown-status': false,
  'transient-error-cooldown-seconds': 0,
  'request-retry': 0,
  'max-retry-credentials': 0,
  'max-retry-interval': 0,
  'quota-exceeded': {'switch-project': false, 'switch-preview-model': false, 'antigravity-credits': false},
  routing: {strategy: 'round-robin', 'session-affinity': false, 'session-affinity-ttl': '1h'},
  'ws-auth': true,
  plugins: {enabled: false, dir: 'plugins'},
}

/** Keys tagged `json:"-"` in the gateway: never in GET /config (§3.1, §13.13). */
const HIDDEN_FROM_JSON = new Set(['host', 'port', 'auth-dir', 'remote-management'])

const STRATEGY_ALIASES: Record<string, string> = {
  '': 'round-robin',
  'round-robin': 'round-robin',
  rr: 'round-robin',
  roundrobin: 'round-robin',
  'weighted-round-robin': 'weighted-round-robin',
  wrr: 'weighted-round-robin',
  weightedroundrobin: 'weighted-round-robin',
  'fill-first': 'fill-first',
  ff: 'fill-first',
  fillfirst: 'fill-first',
}

/** Canonical routing strategy for a value or alias (§3.1); undefined when unknown. */
export function normalizeStrategy(value: string): string | undefined {
  return STRATEGY_ALIASES[value.trim().toLowerCase()]
}

const YAML_BOOL = /^(true|false|yes|no|on|off|y|n)$/i

function coerceBool(v: unknown): unknown {
  if (typeof v === 'string' && YAML_BOOL.test(v)) return /^(true|yes|on|y)$/i.test(v)
  return v
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'sequence'
  return typeof v === 'object' ? 'mapping' : `${typeof v} ${JSON.stringify(v)}`
}

/**
 * The gateway's typed decode of config.yaml (gopkg.in/yaml.v3, not strict): a type error returns its message
 * (PUT /config.yaml ⇒ 400 `invalid_yaml`, §3.1 corrected). Unknown keys pass.
 */
export function validateConfig(js: unknown): string | undefined {
  if (js === null || js === undefined) return undefined
  if (typeof js !== 'object' || Array.isArray(js)) return `config root must be a mapping, got ${describe(js)}`
  const walk = (obj: Record<string, unknown>, prefix: string): string | undefined => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k
      const kind = SCHEMA[path]
      if (!kind || v === null || v === undefined) continue
      const bad = `cannot unmarshal ${describe(v)} into ${path} (${kind === 'strategy' ? 'string' : kind})`
      switch (kind) {
        case 'bool':
          if (typeof v !== 'boolean' && !(typeof v === 'string' && YAML_BOOL.test(v))) return bad
          break
        case 'int':
          // plain floats decode into int fields (truncated); strings do not
          if (typeof v !== 'number' || !Number.isFinite(v)) return bad
          break
        case 'string':
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return bad
          break
        case 'strategy':
          if (typeof v !== 'string') return bad
          break
        case 'string[]':
          if (!Array.isArray(v) || v.some(x => typeof x === 'object' && x !== null)) return bad
          break
        case 'list':
          if (!Array.isArray(v)) return bad
          for (const [i, entry] of v.entries()) {
            const err = entryTypes(entry, `${path}[${i}]`)
            if (err) return err
          }
          break
        case 'map': {
          if (typeof v !== 'object' || Array.isArray(v)) return bad
          const inner = walk(v as Record<string, unknown>, path)
          if (inner) return inner
          break
        }
      }
    }
    return undefined
  }
  return walk(js as Record<string, unknown>, '')
}

/** Credential weights must be YAML numbers (a quoted "5" is a type error, §8 YAML typing). */
function entryTypes(entry: unknown, where: string): string | undefined {
  if (!isPlainObject(entry)) return undefined
  const check = (w: unknown, at: string) => (w !== undefined && w !== null && typeof w !== 'number' ? `cannot unmarshal ${describe(w)} into ${at}.weight (int)` : undefined)
  const direct = check(entry.weight, where)
  if (direct) return direct
  if (Array.isArray(entry['api-key-entries'])) {
    for (const [i, k] of entry['api-key-entries'].entries()) {
      const err = isPlainObject(k) ? check(k.weight, `${where}.api-key-entries[${i}]`) : undefined
      if (err) return err
    }
  }
  return undefined
}

/**
 * The full load of a decoded config (§3.1 corrected ⇒ 422 `invalid_config`): credential weights are plain
 * integers ≤ 1,000,000 (≤ 0 is valid: excluded from weighted round-robin), a plaintext secret fits bcrypt
 * (72 bytes), the routing strategy is known.
 */
export function loadConfigProblem(js: unknown): string | undefined {
  if (!isPlainObject(js)) return undefined
  const weight = (w: unknown, at: string) => {
    if (w === undefined || w === null) return undefined
    if (typeof w !== 'number' || !Number.isInteger(w)) return `${at}.weight: weight must be an integer`
    if (w > 1_000_000) return `${at}.weight: weight must not exceed 1000000`
    return undefined
  }
  for (const family of ['gemini-api-key', 'interactions-api-key', 'codex-api-key', 'claude-api-key', 'xai-api-key', 'vertex-api-key', 'meta-api-key', 'openai-compatibility']) {
    const list = js[family]
    if (!Array.isArray(list)) continue
    for (const [i, entry] of list.entries()) {
      if (!isPlainObject(entry)) continue
      const err = weight(entry.weight, `${family}[${i}]`)
      if (err) return err
      if (Array.isArray(entry['api-key-entries'])) {
        for (const [j, k] of entry['api-key-entries'].entries()) {
          const e2 = isPlainObject(k) ? weight(k.weight, `${family}[${i}].api-key-entries[${j}]`) : undefined
          if (e2) return e2
        }
      }
    }
  }
  const rm = js['remote-management']
  const secret = isPlainObject(rm) ? rm['secret-key'] : undefined
  if (typeof secret === 'string' && !isHashedSecret(secret) && Buffer.byteLength(secret) > 72) return 'bcrypt: password length exceeds 72 bytes'
  const routing = js.routing
  const strategy = isPlainObject(routing) ? routing.strategy : undefined
  if (typeof strategy === 'string' && normalizeStrategy(strategy) === undefined) return `invalid routing.strategy ${JSON.stringify(strategy)}`
  return undefined
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...base}
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(base[k]) ? deepMerge(base[k] as Record<string, unknown>, v) : v
  }
  return out
}

/** Normalise YAML-1.1 style booleans of typed keys to real booleans (the gateway decodes them so). */
function coerceTyped(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k
    const kind = SCHEMA[path]
    if (kind === 'bool') out[k] = coerceBool(v)
    else if (kind === 'strategy' && typeof v === 'string') out[k] = normalizeStrategy(v) ?? v
    else if (kind === 'map' && isPlainObject(v)) out[k] = coerceTyped(v, path)
    else out[k] = v
  }
  return out
}

// ---------------------------------------------------------------------------------------------- state

export type ReplaceResult = {ok: true} | {ok: false; status: 400 | 422; error: string; message: string}

export class ConfigState {
  private doc: Document
  private cache: Record<string, unknown> | undefined
  private fullCache: Record<string, unknown> | undefined
  private readonly listeners: Array<() => void> = []
  private writeCount = 0

  /** `v8`: the gateway is a v8 one (its loader reads the v8 layout and mixed files); v7 reads legacy only. */
  private readonly v8: boolean

  constructor(text: string, opts: {v8?: boolean} = {}) {
    this.v8 = Boolean(opts.v8)
    const doc = YAML.parseDocument(text, {uniqueKeys: true})
    if (doc.errors.length > 0) throw new Error(`invalid initial config: ${doc.errors[0].message}`)
    this.doc = doc
    this.hashPlaintextSecret()
  }

  /** Called after every change (simple setting, setConfigValue, PUT /config.yaml). */
  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** How many times the config changed (a handler that saved config moved it). */
  writes(): number {
    return this.writeCount
  }

  private changed(): void {
    this.writeCount++
    this.cache = undefined
    this.fullCache = undefined
    for (const l of this.listeners) l()
  }

  /** The config.yaml bytes, as GET /config.yaml returns them. */
  text(): string {
    return this.doc.toString()
  }

  /**
   * The effective config in legacy names (typed keys coerced), without defaults: for a v8-layout or mixed file
   * the v8 values win and provider groups are expanded (config-v8.ts legacyView). What the runtime runs on.
   */
  raw(): Record<string, unknown> {
    if (!this.cache) {
      const js = this.doc.toJS() as unknown
      this.cache = isPlainObject(js) ? coerceTyped(this.v8 ? legacyView(js) : js) : {}
    }
    return this.cache
  }

  /** The file as decoded, in its own layout (no defaults, no legacy view). */
  fileJs(): Record<string, unknown> {
    const js = this.doc.toJS() as unknown
    return isPlainObject(js) ? js : {}
  }

  /** The file is in v8 layout (root `config-version: 8`, cpa-gateway-v8.md §4.5). */
  isV8Layout(): boolean {
    return this.v8 && isV8Marked(this.doc.toJS())
  }

  /** A copy of the file as a YAML document (comments included), e.g. to migrate in memory. */
  document(): Document {
    // re-parsed from the text: values set through the API become nodes, nothing is shared with the live file
    return YAML.parseDocument(this.doc.toString(), {uniqueKeys: true}) as Document
  }

  /** Replace the file with a v8 document that passed validation (a v8 write, §2.4 step 8). */
  commitDocument(doc: Document): void {
    this.doc = doc
    this.hashPlaintextSecret()
    this.changed()
  }

  /** Defaults + YAML, including host/port/auth-dir/remote-management (SimContext.config()). A fresh copy. */
  full(): Record<string, unknown> {
    return structuredClone(this.merged())
  }

  /** Cached merged view for internal reads (never handed out: callers could mutate it). */
  private merged(): Record<string, unknown> {
    this.fullCache ??= deepMerge(DEFAULTS, this.raw())
    return this.fullCache
  }

  /** What GET /config returns: the full config without the `json:"-"` keys (§3.1). */
  publicJson(): Record<string, unknown> {
    const out = this.full()
    for (const k of HIDDEN_FROM_JSON) delete out[k]
    return out
  }

  get(path: string | string[]): unknown {
    const parts = typeof path === 'string' ? path.split('.') : path
    let cur: unknown = this.merged()
    for (const p of parts) {
      if (!isPlainObject(cur)) return undefined
      cur = cur[p]
    }
    return cur !== null && typeof cur === 'object' ? structuredClone(cur) : cur
  }

  /**
   * Set one value by its legacy name, keeping comments: scalars are mutated in place, other values replace the
   * node. On a v8-layout file the value lands at its v8 path (restoreV8Layout, v8 §1.3); a changed provider-key
   * list is rebuilt as one group per key named `<provider>-<n>` (the documented pitfall).
   */
  set(path: string | string[], value: unknown): void {
    let parts = typeof path === 'string' ? path.split('.') : path
    if (parts.join('.') === 'remote-management.secret-key' && typeof value === 'string' && value && !isHashedSecret(value)) {
      value = hashSecret(value)
    }
    if (this.isV8Layout()) {
      const provider = parts.length === 1 ? providerOfFamily(parts[0]) : undefined
      if (provider) {
        parts = ['api-keys', provider]
        value = groupLegacyKeys(Array.isArray(value) ? value : [], provider)
      } else {
        const mapped = v8PathOf(parts)
        if (mapped) parts = mapped
      }
    }
    const node = this.doc.getIn(parts, true)
    const scalarValue = value === null || ['string', 'number', 'boolean'].includes(typeof value)
    if (isScalar(node) && scalarValue) node.value = value
    else {
      if (this.doc.contents === null || !(isMap(this.doc.contents) || isSeq(this.doc.contents))) this.doc = new YAML.Document({}) as Document
      // collections become YAML nodes, so later path edits (setIn/deleteIn below them) work
      this.doc.setIn(parts, scalarValue ? value : this.doc.createNode(value))
    }
    this.changed()
  }

  delete(path: string | string[]): void {
    let parts = typeof path === 'string' ? path.split('.') : path
    if (this.isV8Layout()) parts = v8PathOf(parts) ?? parts
    if (this.doc.hasIn(parts)) this.doc.deleteIn(parts)
    this.changed()
  }

  /**
   * PUT /v0/management/config.yaml (§3.1 corrected): YAML syntax and any type error while decoding ⇒ 400
   * `invalid_yaml`; a decoded text whose full load fails ⇒ 422 `invalid_config`; else the file is replaced
   * verbatim (any layout; a v8 gateway does not migrate it, v8 §1.3). An empty body passes and wipes the file.
   */
  replace(text: string): ReplaceResult {
    const doc = YAML.parseDocument(text, {uniqueKeys: true})
    if (doc.errors.length > 0) return {ok: false, status: 400, error: 'invalid_yaml', message: doc.errors[0].message}
    let js: unknown
    try {
      js = doc.toJS()
    } catch (error) {
      return {ok: false, status: 400, error: 'invalid_yaml', message: (error as Error).message}
    }
    const view = this.v8 && isPlainObject(js) ? legacyView(js) : js
    const typeError = validateConfig(view)
    if (typeError) return {ok: false, status: 400, error: 'invalid_yaml', message: typeError}
    const problem = loadConfigProblem(view)
    if (problem) return {ok: false, status: 422, error: 'invalid_config', message: problem}
    this.doc = doc
    this.hashPlaintextSecret()
    this.changed()
    return {ok: true}
  }

  /** A plaintext secret-key is hashed on load and written back, comments preserved (§1.4; v8 §1.2). */
  private hashPlaintextSecret(): void {
    this.fullCache = undefined
    for (const at of [['remote-management', 'secret-key'], ['management', 'secret-key']]) {
      const node = this.doc.getIn(at, true)
      if (isScalar(node) && typeof node.value === 'string' && node.value !== '' && !isHashedSecret(node.value)) {
        node.value = hashSecret(node.value)
      }
    }
    this.cache = undefined
  }

  /** The stored (hashed) secret, '' when none: management is then disabled (§1.1). */
  secretKey(): string {
    const v = this.get('remote-management.secret-key')
    return typeof v === 'string' ? v : ''
  }

  allowRemote(): boolean {
    return this.get('remote-management.allow-remote') === true
  }
}

// --------------------------------------------------------------------------------------------- routes

interface SimpleSetting {
  url: string
  path: string[]
  responseKey: string
  kind: 'bool' | 'int' | 'string'
  normalize?: (v: never) => unknown
  deletable?: boolean
  since?: SimFeature
}

/** The simple settings of §3.1: GET → `{"<key>": value}`, PUT/PATCH `{"value": …}` → `{"status":"ok"}`. */
export const SIMPLE_SETTINGS: SimpleSetting[] = [
  {url: '/debug', path: ['debug'], responseKey: 'debug', kind: 'bool'},
  {url: '/logging-to-file', path: ['logging-to-file'], responseKey: 'logging-to-file', kind: 'bool'},
  {
    url: '/logs-max-total-size-mb',
    path: ['logs-max-total-size-mb'],
    responseKey: 'logs-max-total-size-mb',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 0 : v),
  },
  {
    url: '/error-logs-max-files',
    path: ['error-logs-max-files'],
    responseKey: 'error-logs-max-files',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 10 : v),
  },
  {url: '/usage-statistics-enabled', path: ['usage-statistics-enabled'], responseKey: 'usage-statistics-enabled', kind: 'bool'},
  {url: '/proxy-url', path: ['proxy-url'], responseKey: 'proxy-url', kind: 'string', deletable: true},
  {url: '/request-log', path: ['request-log'], responseKey: 'request-log', kind: 'bool'},
  {url: '/ws-auth', path: ['ws-auth'], responseKey: 'ws-auth', kind: 'bool'},
  {url: '/request-retry', path: ['request-retry'], responseKey: 'request-retry', kind: 'int'},
  {
    url: '/max-retry-credentials',
    path: ['max-retry-credentials'],
    responseKey: 'max-retry-credentials',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 0 : v),
    since: 'maxRetryCredentials',
  },
  {url: '/max-retry-interval', path: ['max-retry-interval'], responseKey: 'max-retry-interval', kind: 'int'},
  {url: '/force-model-prefix', path: ['force-model-prefix'], responseKey: 'force-model-prefix', kind: 'bool'},
  {url: '/routing/strategy', path: ['routing', 'strategy'], responseKey: 'strategy', kind: 'string'},
  {url: '/quota-exceeded/switch-project', path: ['quota-exceeded', 'switch-project'], responseKey: 'switch-project', kind: 'bool'},
  {
    url: '/quota-exceeded/switch-preview-model',
    path: ['quota-exceeded', 'switch-preview-model'],
    responseKey: 'switch-preview-model',
    kind: 'bool',
  },
]

const ok = (body: unknown, status = 200): SimResponse => ({status, body})
const fail = (status: number, error: string, message?: string): SimResponse => ({
  status,
  body: message === undefined ? {error} : {error, message},
})

/** Parse a `{"value": …}` body of the expected JSON type; undefined ⇒ 400 invalid body. */
function readValue(req: SimRequest, kind: SimpleSetting['kind']): unknown {
  let body: unknown
  try {
    body = JSON.parse(req.body.toString('utf8'))
  } catch {
    return undefined
  }
  if (!isPlainObject(body) || !('value' in body)) return undefined
  const v = body.value
  if (kind === 'bool' && typeof v === 'boolean') return v
  if (kind === 'int' && typeof v === 'number' && Number.isSafeInteger(v)) return v
  if (kind === 'string' && typeof v === 'string') return v
  return undefined
}

export interface ConfigRouteOptions {
  /** What /latest-version reports (without `v`); null simulates a failed GitHub call (502). */
  latestVersion: () => string | null
}

export function configRoutes(state: ConfigState, opts: ConfigRouteOptions): SimRoute[] {
  const routes: SimRoute[] = [
    {method: 'GET', path: '/config', handler: () => ok(state.publicJson())},
    {
      method: 'GET',
      path: '/config.yaml',
      handler: () => ({
        status: 200,
        headers: {'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store'},
        body: state.text(),
      }),
    },
    {
      method: 'PUT',
      path: '/config.yaml',
      handler(req) {
        const result = state.replace(req.body.toString('utf8'))
        if (!result.ok) return fail(result.status, result.error, result.message)
        return ok({ok: true, changed: ['config']})
      },
    },
    {
      method: 'GET',
      path: '/latest-version',
      handler() {
        const latest = opts.latestVersion()
        if (latest === null) return fail(502, 'request_failed', 'simulated: GitHub release lookup failed')
        return ok({'latest-version': latest.startsWith('v') ? latest : `v${latest}`})
      },
    },
  ]
  for (const s of SIMPLE_SETTINGS) {
    routes.push({method: 'GET', path: s.url, since: s.since, handler: () => ok({[s.responseKey]: state.get(s.path)})})
    const write = (req: SimRequest): SimResponse => {
      let value = readValue(req, s.kind)
      if (value === undefined) return fail(400, 'invalid body')
      if (s.url === '/routing/strategy') {
        const canonical = normalizeStrategy(value as string)
        if (canonical === undefined) return fail(400, 'invalid strategy')
        value = canonical
      }
      if (s.normalize) value = s.normalize(value as never)
      state.set(s.path, value)
      return ok({status: 'ok'})
    }
    routes.push({method: 'PUT', path: s.url, since: s.since, handler: write}, {method: 'PATCH', path: s.url, since: s.since, handler: write})
    if (s.deletable) {
      routes.push({
        method: 'DELETE',
        path: s.url,
        handler() {
          state.set(s.path, '')
          return ok({status: 'ok'})
        },
      })
    }
  }
  return routes
}
