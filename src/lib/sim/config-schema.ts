/** The legacy config's key types and defaults, their validation with the gateway's messages, and typed merging. */
import {isHashedSecret} from './auth.js'

export type Kind = 'bool' | 'int' | 'string' | 'string[]' | 'map' | 'list' | 'strategy'

/** Types of the known keys, used by PUT /config.yaml validation (422 invalid_config). Unknown keys pass. */
export const SCHEMA: Record<string, Kind> = {
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

/** Defaults shown by GET /config when a key is absent from the YAML (the gateway's code defaults). */
export const DEFAULTS: Record<string, unknown> = {
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

/** Keys tagged `json:"-"` in the gateway: never in GET /config, only in the raw /config.yaml. */
export const HIDDEN_FROM_JSON = new Set(['host', 'port', 'auth-dir', 'remote-management'])

export const STRATEGY_ALIASES: Record<string, string> = {
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

/** Canonical routing strategy for a value or alias (`rr`, `wrr`, `ff`, … ; empty = round-robin); undefined when unknown. */
export function normalizeStrategy(value: string): string | undefined {
  return STRATEGY_ALIASES[value.trim().toLowerCase()]
}

export const YAML_BOOL = /^(true|false|yes|no|on|off|y|n)$/i

export function coerceBool(v: unknown): unknown {
  if (typeof v === 'string' && YAML_BOOL.test(v)) return /^(true|yes|on|y)$/i.test(v)
  return v
}

export function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'sequence'
  return typeof v === 'object' ? 'mapping' : `${typeof v} ${JSON.stringify(v)}`
}

/**
 * The gateway's typed decode of config.yaml (gopkg.in/yaml.v3, not strict): a type error returns its message
 * (PUT /config.yaml ⇒ 400 `invalid_yaml` on a syntax or type error, corrected 2026-12). Unknown keys pass.
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

/** Credential weights must be YAML numbers (yaml.v3 decodes into typed structs: a quoted "5" is a type error). */
export function entryTypes(entry: unknown, where: string): string | undefined {
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
 * The full load of a decoded config (PUT /config.yaml's second check ⇒ 422 `invalid_config`, corrected 2026-12):
 * credential weights are plain integers ≤ 1,000,000 (≤ 0 is valid: excluded from weighted round-robin), a
 * plaintext secret fits bcrypt (72 bytes), the routing strategy is known.
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

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {...base}
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(base[k]) ? deepMerge(base[k] as Record<string, unknown>, v) : v
  }
  return out
}

/** Normalise YAML-1.1 style booleans of typed keys to real booleans (the gateway decodes them so). */
export function coerceTyped(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
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
