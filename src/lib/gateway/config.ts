/**
 * Gateway config endpoints: GET /config (the effective legacy struct, served on v0
 * by v7 and v8 gateways alike), the raw /config.yaml, and the simple settings: on v0 `{"value": …}` routes, on
 * v8 their config-tree paths (bare values; a 404 means "absent, the default applies").
 * The v8 config tree itself is in config-tree.ts.
 */
import type {GatewayClient} from './client.js'
import {RejectedError, UsageError} from '../cli/errors.js'
import {ROUTING_STRATEGIES} from './config-keymap.js'
import {type SettingName, SETTING_PATHS} from './operations.js'

export type GatewayConfig = Record<string, unknown> & {
  'usage-statistics-enabled'?: boolean
  'redis-usage-queue-retention-seconds'?: number
  'api-keys'?: string[]
  'logging-to-file'?: boolean
  'request-log'?: boolean
}

async function objectSchema() {
  const {z} = await import('zod')
  return z.record(z.string(), z.unknown())
}

/** GET /v0/management/config: the effective runtime config in the legacy (v7) shape, on v7 and v8 gateways. */
export async function getConfig(client: GatewayClient): Promise<GatewayConfig> {
  const res = await client.call('configEffective', {schema: await objectSchema()})
  return res.data as GatewayConfig
}

/** Queue retention as the gateway applies it: absent or ≤ 0 ⇒ 60 s, > 3600 ⇒ 3600 s. */
export function effectiveRetentionSeconds(config: GatewayConfig): number {
  const v = config['redis-usage-queue-retention-seconds']
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return 60
  return Math.min(3600, Math.floor(v))
}

/** The raw config.yaml bytes (GET /v0/management/config.yaml; v8 has no raw view, its file may be in either layout). */
export async function getConfigYaml(client: GatewayClient): Promise<string> {
  const res = await client.call<string>('configFileRaw', {responseType: 'text', headers: {accept: 'application/yaml, text/plain, */*'}})
  return res.data
}

export interface PutConfigYamlResult {
  ok: boolean
  changed: string[]
}

/**
 * PUT /config.yaml. The gateway's 400 `invalid_yaml` (syntax or type error) and 422 `invalid_config` (fails
 * validation) become a RejectedError (exit 8) whose message is the gateway's own text, with codes `invalid_yaml` /
 * `invalid_config`.
 */
export async function putConfigYaml(client: GatewayClient, yamlText: string): Promise<PutConfigYamlResult> {
  const res = await client.call<{ok?: boolean; changed?: string[]; error?: string; message?: string}>('configFileRawPut', {
    body: yamlText,
    contentType: 'application/yaml',
    passStatuses: [400, 422],
  })
  if (res.status === 400 || res.status === 422) {
    const error = typeof res.data?.error === 'string' ? res.data.error : res.status === 400 ? 'invalid_yaml' : 'invalid_config'
    const message = typeof res.data?.message === 'string' ? res.data.message : ''
    const what = error === 'invalid_yaml' ? 'is not valid YAML' : error === 'invalid_config' ? 'is not a valid config' : `was refused (${error})`
    throw new RejectedError(`the gateway says the config ${what}${message ? `: ${message}` : ''}`, res.status, {
      code: error === 'invalid_yaml' || error === 'invalid_config' ? error : 'rejected',
      hint: 'nothing was changed on the gateway; fix the file (cpactl config check FILE) and apply again',
      details: {status: res.status, gatewayError: error, gatewayMessage: message},
    })
  }
  return {ok: res.data?.ok === true, changed: res.data?.changed ?? []}
}

/**
 * Simple settings with a dedicated endpoint: setting name → v0 response key and value type. The paths
 * (v0 route, v8 config path) are in operations.ts. The value type is checked locally before sending (the gateway
 * answers 400 `invalid body` on v0, 422 on v8 otherwise).
 */
export const SIMPLE_SETTINGS: Record<string, {key: string; type: 'boolean' | 'integer' | 'string'; default: boolean | number | string}> = {
  debug: {key: 'debug', type: 'boolean', default: false},
  'logging-to-file': {key: 'logging-to-file', type: 'boolean', default: false},
  'logs-max-total-size-mb': {key: 'logs-max-total-size-mb', type: 'integer', default: 0},
  'error-logs-max-files': {key: 'error-logs-max-files', type: 'integer', default: 10},
  'usage-statistics-enabled': {key: 'usage-statistics-enabled', type: 'boolean', default: false},
  'proxy-url': {key: 'proxy-url', type: 'string', default: ''},
  'request-log': {key: 'request-log', type: 'boolean', default: false},
  'ws-auth': {key: 'ws-auth', type: 'boolean', default: true},
  'request-retry': {key: 'request-retry', type: 'integer', default: 0},
  'max-retry-credentials': {key: 'max-retry-credentials', type: 'integer', default: 0},
  'max-retry-interval': {key: 'max-retry-interval', type: 'integer', default: 0},
  'force-model-prefix': {key: 'force-model-prefix', type: 'boolean', default: false},
  'routing.strategy': {key: 'strategy', type: 'string', default: 'round-robin'},
  'quota-exceeded.switch-project': {key: 'switch-project', type: 'boolean', default: false},
  'quota-exceeded.switch-preview-model': {key: 'switch-preview-model', type: 'boolean', default: false},
}

/** Convert a command-line value to the setting's JSON type, or throw a UsageError. */
export function coerceSettingValue(name: string, text: string): boolean | number | string {
  const spec = SIMPLE_SETTINGS[name]
  if (!spec) throw new UsageError(`'${name}' has no dedicated setting endpoint`)
  if (spec.type === 'boolean') {
    if (/^(true|on|yes|1)$/i.test(text)) return true
    if (/^(false|off|no|0)$/i.test(text)) return false
    throw new UsageError(`${name} takes true or false, not '${text}'`, {code: 'invalid_value'})
  }
  if (spec.type === 'integer') {
    if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${name} takes an integer, not '${text}'`, {code: 'invalid_value'})
    return Number(text.trim())
  }
  return text
}

function settingSpec(name: string) {
  const spec = SIMPLE_SETTINGS[name]
  if (!spec || !(name in SETTING_PATHS)) throw new UsageError(`'${name}' has no dedicated setting endpoint`)
  return spec
}

/**
 * Read a simple setting. v0: `{"<key>": value}`. v8: the bare value of its config path; a 404 `not_found` means the
 * key is absent from the file and the gateway default applies (a v8 GET does not fill in defaults), so the
 * default is returned.
 */
export async function getSetting(client: GatewayClient, name: string): Promise<unknown> {
  const spec = settingSpec(name)
  const {api} = await client.managementApi()
  const onV8 = api === 'v8' && SETTING_PATHS[name as SettingName].v8 !== null
  const res = await client.call<unknown>(`setting.get:${name as SettingName}`, {passStatuses: onV8 ? [404] : []})
  if (res.status === 404) {
    // the v8 tree answers a JSON 404 `not_found` for a key absent from the file: the default applies
    if (isNotFoundBody(res.data)) return spec.default
    throw client.unsupportedRoute(`GET /v8/management/config/${SETTING_PATHS[name as SettingName].v8}`, `the ${name} setting`)
  }
  if (res.data !== null && typeof res.data === 'object' && !Array.isArray(res.data) && spec.key in (res.data as Record<string, unknown>)) {
    return (res.data as Record<string, unknown>)[spec.key]
  }
  return res.data
}

function isNotFoundBody(data: unknown): boolean {
  return data !== null && typeof data === 'object' && (data as {error?: unknown}).error === 'not_found'
}

/**
 * Write a simple setting: v0 PUT `{"value": v}`; v8 PUT of the bare value on its config path (this first v8
 * write migrates a legacy file). The gateway reloads asynchronously, so a read right after a write may still show
 * the old value; callers that must confirm
 * re-read later.
 */
export async function setSetting(client: GatewayClient, name: string, value: boolean | number | string): Promise<void> {
  settingSpec(name)
  const {api} = await client.managementApi()
  const onV8 = api === 'v8' && SETTING_PATHS[name as SettingName].v8 !== null
  // the v0 route turns a strategy alias into its canonical name; the v8 tree stores what it gets (and whether
  // its loader reads the rr/roundrobin aliases is unknown): send the canonical name
  if (onV8 && name === 'routing.strategy' && typeof value === 'string') value = canonicalStrategy(value) ?? value
  await client.call(`setting.put:${name as SettingName}`, {json: onV8 ? value : {value}})
}

/** The canonical routing strategy of a value or alias (as v0 `/routing/strategy` maps it), undefined when unknown. */
export function canonicalStrategy(value: string): string | undefined {
  return ROUTING_STRATEGIES[value.trim().toLowerCase()]
}
