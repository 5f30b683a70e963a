/**
 * Gateway config endpoints (cpa-gateway.md §3.0, §3.1): GET /config, raw /config.yaml, and the simple
 * `{"value": …}` settings.
 */
import type {GatewayClient} from './client.js'
import {RejectedError, UsageError} from '../cli/errors.js'

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

export async function getConfig(client: GatewayClient): Promise<GatewayConfig> {
  const res = await client.request({path: '/config', schema: await objectSchema()})
  return res.data as GatewayConfig
}

/** Queue retention as the gateway applies it (§5.4): absent or ≤ 0 ⇒ 60 s, > 3600 ⇒ 3600 s. */
export function effectiveRetentionSeconds(config: GatewayConfig): number {
  const v = config['redis-usage-queue-retention-seconds']
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return 60
  return Math.min(3600, Math.floor(v))
}

export async function getConfigYaml(client: GatewayClient): Promise<string> {
  const res = await client.request<string>({path: '/config.yaml', responseType: 'text', headers: {accept: 'application/yaml, text/plain, */*'}})
  return res.data
}

export interface PutConfigYamlResult {
  ok: boolean
  changed: string[]
}

/**
 * PUT /config.yaml (§3.1). The gateway's 400 `invalid_yaml` and 422 `invalid_config` become a RejectedError
 * (exit 8) whose message is the gateway's own text, with codes `invalid_yaml` / `invalid_config`.
 */
export async function putConfigYaml(client: GatewayClient, yamlText: string): Promise<PutConfigYamlResult> {
  const res = await client.request<{ok?: boolean; changed?: string[]; error?: string; message?: string}>({
    method: 'PUT',
    path: '/config.yaml',
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

/** DELETE /proxy-url (§3.1): clears the global proxy. */
export async function clearProxyUrl(client: GatewayClient): Promise<void> {
  await client.request({method: 'DELETE', path: '/proxy-url'})
}

/**
 * Simple settings with a dedicated endpoint (§3.1): setting name → path and response key. The value type is
 * checked locally before sending (the gateway answers 400 `invalid body` otherwise).
 */
export const SIMPLE_SETTINGS: Record<string, {path: string; key: string; type: 'boolean' | 'integer' | 'string'}> = {
  debug: {path: '/debug', key: 'debug', type: 'boolean'},
  'logging-to-file': {path: '/logging-to-file', key: 'logging-to-file', type: 'boolean'},
  'logs-max-total-size-mb': {path: '/logs-max-total-size-mb', key: 'logs-max-total-size-mb', type: 'integer'},
  'error-logs-max-files': {path: '/error-logs-max-files', key: 'error-logs-max-files', type: 'integer'},
  'usage-statistics-enabled': {path: '/usage-statistics-enabled', key: 'usage-statistics-enabled', type: 'boolean'},
  'proxy-url': {path: '/proxy-url', key: 'proxy-url', type: 'string'},
  'request-log': {path: '/request-log', key: 'request-log', type: 'boolean'},
  'ws-auth': {path: '/ws-auth', key: 'ws-auth', type: 'boolean'},
  'request-retry': {path: '/request-retry', key: 'request-retry', type: 'integer'},
  'max-retry-credentials': {path: '/max-retry-credentials', key: 'max-retry-credentials', type: 'integer'},
  'max-retry-interval': {path: '/max-retry-interval', key: 'max-retry-interval', type: 'integer'},
  'force-model-prefix': {path: '/force-model-prefix', key: 'force-model-prefix', type: 'boolean'},
  'routing.strategy': {path: '/routing/strategy', key: 'strategy', type: 'string'},
  'quota-exceeded.switch-project': {path: '/quota-exceeded/switch-project', key: 'switch-project', type: 'boolean'},
  'quota-exceeded.switch-preview-model': {path: '/quota-exceeded/switch-preview-model', key: 'switch-preview-model', type: 'boolean'},
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

export async function getSetting(client: GatewayClient, name: string): Promise<unknown> {
  const spec = SIMPLE_SETTINGS[name]
  if (!spec) throw new UsageError(`'${name}' has no dedicated setting endpoint`)
  const res = await client.request<Record<string, unknown>>({path: spec.path, schema: await objectSchema()})
  return res.data[spec.key]
}

/** PUT {"value": v}. The gateway reloads asynchronously (§3.0); callers that must confirm re-read later. */
export async function setSetting(client: GatewayClient, name: string, value: boolean | number | string): Promise<void> {
  const spec = SIMPLE_SETTINGS[name]
  if (!spec) throw new UsageError(`'${name}' has no dedicated setting endpoint`)
  await client.request({method: 'PUT', path: spec.path, json: {value}})
}
