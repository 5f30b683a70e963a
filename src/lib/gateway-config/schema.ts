/**
 * The one schema of the gateway config keys cpactl knows (the keys GET /config returns, the provider-key entry
 * fields, and host/port/auth-dir/remote-management, which only config.yaml carries), written once and used by
 * `config apply` (local validation), `config check` (the `invalid-value` and `unknown-key` rules) and `config set`
 * (value typing). It types values; it never removes keys: unknown keys pass through untouched and are only
 * reported.
 *
 * zod is imported lazily (it adds ~40 ms to a cold start): `loadConfigSchema()` builds the schema on first use.
 */
import type {ZodType} from 'zod'

import {formatPath, getAt, isPlainObject, type PathPart} from './path.js'
import {PROVIDER_KEY_FAMILIES} from '../gateway/provider-keys.js'
import {LEGACY_ROOTS} from '../gateway/config-keymap.js'

/** Top-level keys a legacy gateway reads: every legacy key of the v8 key map (config-keymap.ts) plus `home` (not a key, ignored). */
export const KNOWN_TOP_LEVEL_KEYS: readonly string[] = [...LEGACY_ROOTS, 'home']

/** Key families the gateway has several of (`antigravity-signature-*`). */
export const KNOWN_TOP_LEVEL_PREFIXES: readonly string[] = ['antigravity-signature-']

/** Maps whose every key is known: a key inside them that is not listed is a typo as well. */
export const KNOWN_NESTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  'remote-management': ['allow-remote', 'secret-key', 'disable-control-panel', 'disable-auto-update-panel', 'panel-github-repository'],
  tls: ['enable', 'cert', 'key'],
  routing: ['strategy', 'session-affinity', 'session-affinity-ttl', 'session-affinity-subagents'],
  'quota-exceeded': ['switch-project', 'switch-preview-model', 'antigravity-credits'],
}

/** Provider-key families: lists of API-key credentials. */
export const PROVIDER_LIST_KEYS = PROVIDER_KEY_FAMILIES

/** Families whose entries the gateway's list PUT drops silently when they lack `base-url`. */
export const BASE_URL_REQUIRED = ['codex-api-key', 'xai-api-key', 'openai-compatibility'] as const

export function isKnownTopLevelKey(key: string): boolean {
  return KNOWN_TOP_LEVEL_KEYS.includes(key) || KNOWN_TOP_LEVEL_PREFIXES.some((p) => key.startsWith(p))
}

/** Scalar type of a known scalar path (for `config set` value typing); null when unknown or not a scalar. */
export function scalarTypeOf(parts: readonly PathPart[]): 'boolean' | 'integer' | 'string' | null {
  const key = parts.filter((p) => typeof p === 'string').join('.')
  return SCALAR_TYPES[key] ?? null
}

const SCALAR_TYPES: Record<string, 'boolean' | 'integer' | 'string'> = {
  host: 'string',
  port: 'integer',
  'auth-dir': 'string',
  'proxy-url': 'string',
  'tls.enable': 'boolean',
  'tls.cert': 'string',
  'tls.key': 'string',
  'remote-management.allow-remote': 'boolean',
  'remote-management.secret-key': 'string',
  'remote-management.disable-control-panel': 'boolean',
  'remote-management.disable-auto-update-panel': 'boolean',
  'remote-management.panel-github-repository': 'string',
  'routing.strategy': 'string',
  'routing.session-affinity': 'boolean',
  'routing.session-affinity-ttl': 'string',
  'routing.session-affinity-subagents': 'boolean',
  'quota-exceeded.switch-project': 'boolean',
  'quota-exceeded.switch-preview-model': 'boolean',
  'quota-exceeded.antigravity-credits': 'boolean',
  'plugins.enabled': 'boolean',
  'plugins.dir': 'string',
}
for (const k of ['debug', 'commercial-mode', 'logging-to-file', 'usage-statistics-enabled', 'request-log', 'force-model-prefix', 'disable-cooling', 'save-cooldown-status', 'ws-auth', 'disable-claude-cloak-mode']) {
  SCALAR_TYPES[k] = 'boolean'
}
for (const k of ['logs-max-total-size-mb', 'error-logs-max-files', 'redis-usage-queue-retention-seconds', 'request-retry', 'max-retry-credentials', 'max-retry-interval', 'transient-error-cooldown-seconds', 'auth-auto-refresh-workers']) {
  SCALAR_TYPES[k] = 'integer'
}

/** YAML 1.1 spellings the gateway's decoder still accepts for booleans. */
export const YAML11_BOOL = /^(true|false|yes|no|on|off|y|n)$/i

let schemaPromise: Promise<ZodType> | null = null

/** The zod schema (built once, lazily). Every key is optional and may be null (the gateway's zero value). */
export function loadConfigSchema(): Promise<ZodType> {
  schemaPromise ??= buildSchema()
  return schemaPromise
}

async function buildSchema(): Promise<ZodType> {
  const {z} = await import('zod')
  const opt = <T extends ZodType>(s: T) => s.nullable().optional()
  const bool = opt(z.union([z.boolean(), z.string().regex(YAML11_BOOL, 'expected true or false')]))
  const int = opt(z.int())
  const str = opt(z.string())
  const strList = opt(z.array(z.string()))
  const headers = opt(z.record(z.string(), z.string()))
  const model = z.looseObject({name: str, alias: str})
  const providerEntry = z.looseObject({
    'api-key': str,
    'base-url': str,
    'proxy-url': str,
    prefix: str,
    priority: int,
    weight: int,
    headers,
    'excluded-models': strList,
    models: opt(z.array(model)),
    'disable-cooling': bool,
    'request-retry': int,
    websockets: bool,
  })
  const openaiCompat = z.looseObject({
    name: str,
    'base-url': str,
    prefix: str,
    priority: int,
    disabled: bool,
    'api-key-entries': opt(z.array(z.looseObject({'api-key': str, weight: int, 'proxy-url': str}))),
    models: opt(z.array(model)),
    headers,
    'disable-cooling': bool,
    'request-retry': int,
  })
  const shape: Record<string, ZodType> = {
    host: str,
    port: opt(z.int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535')),
    tls: opt(z.looseObject({enable: bool, cert: str, key: str})),
    'remote-management': opt(
      z.looseObject({
        'allow-remote': bool,
        'secret-key': str,
        'disable-control-panel': bool,
        'disable-auto-update-panel': bool,
        'panel-github-repository': str,
      }),
    ),
    'auth-dir': str,
    'api-keys': strList,
    'proxy-url': str,
    'quota-exceeded': opt(z.looseObject({'switch-project': bool, 'switch-preview-model': bool, 'antigravity-credits': bool})),
    routing: opt(z.looseObject({strategy: str, 'session-affinity': bool, 'session-affinity-ttl': str})),
    plugins: opt(z.looseObject({enabled: bool, dir: str, configs: opt(z.record(z.string(), z.unknown()))})),
    'openai-compatibility': opt(z.array(openaiCompat)),
    'oauth-excluded-models': opt(z.record(z.string(), z.array(z.string()).nullable())),
    'oauth-model-alias': opt(z.record(z.string(), z.array(z.looseObject({name: str, alias: str})).nullable())),
    'oauth-request-scoped-errors': opt(z.record(z.string(), z.array(z.unknown()).nullable())),
  }
  for (const family of PROVIDER_LIST_KEYS) if (family !== 'openai-compatibility') shape[family] = opt(z.array(providerEntry))
  for (const [key, type] of Object.entries(SCALAR_TYPES)) {
    if (key.includes('.')) continue
    shape[key] ??= type === 'boolean' ? bool : type === 'integer' ? int : str
  }
  return z.looseObject(shape)
}

export interface SchemaIssue {
  path: string
  parts: PathPart[]
  message: string
}

/** A value in words, for messages: `the string "x"`, `a list`, `number 5`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  if (isPlainObject(v)) return 'a mapping'
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`
  return `${typeof v} ${JSON.stringify(v)}`
}

/** Validate decoded config data; one issue per offending value, with a readable message. */
export async function validateConfigData(data: unknown): Promise<SchemaIssue[]> {
  const schema = await loadConfigSchema()
  const res = schema.safeParse(data)
  if (res.success) return []
  const seen = new Set<string>()
  const issues: SchemaIssue[] = []
  for (const issue of res.error.issues) {
    const parts = issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
    const path = formatPath(parts)
    if (seen.has(path)) continue
    seen.add(path)
    const actual = getAt(data, parts)
    const i = issue as {code: string; expected?: string}
    let message: string
    if (issue.message.startsWith('expected ')) {
      // our own messages (booleans, port range)
      message = `${issue.message}, found ${describeValue(actual)}`
    } else if (i.code === 'invalid_type' || i.code === 'invalid_union') {
      // every number in the gateway config is an integer
      const expected =
        i.code === 'invalid_union' || i.expected === 'boolean'
          ? 'true or false'
          : i.expected === 'int' || i.expected === 'number'
            ? 'an integer'
            : i.expected === 'array'
              ? 'a list'
              : i.expected === 'object' || i.expected === 'record' || i.expected === 'map'
                ? 'a mapping'
                : `a ${i.expected}`
      message = `expected ${expected}, found ${describeValue(actual)}`
    } else {
      message = `${issue.message} (found ${describeValue(actual)})`
    }
    issues.push({path: path || '(root)', parts, message})
  }
  return issues
}
