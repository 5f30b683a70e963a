/**
 * The one table of management operations cpactl uses, with the path of each on the two management APIs:
 * `/v8/management` (CPA v8) and `/v0/management` (v7, and v8's "near deprecation" twin). Area modules name an
 * operation; the client picks the API the gateway speaks (detect.ts) and resolves the path here. Commands never
 * choose paths.
 *
 * Rules: one API per gateway, because a v8 write migrates the config file and so changes what the v0 routes
 * return. On a v8 gateway every operation uses its v8 path; the v0 path only where v8
 * has no route (`v8: null`). On a v7 gateway only the v0 path exists; an operation with `v0: null` needs v8.
 * `:name` segments are filled from `params` (URL-encoded); `*path` is a slash path of config keys.
 */

import {KEY_FAMILIES, type KeyFamily, NO_V8_NAME, v8PathOf} from './config-keymap.js'

export type ManagementApi = 'v8' | 'v0'

export interface Operation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below /v8/management, or null when v8 has no route for it. */
  v8: string | null
  /** Path below /v0/management, or null when only v8 has it. */
  v0: string | null
  /** What it is, for messages ("the gateway has no route for <what>"). */
  what: string
  /** Oldest gateway release that has the v0 route, for "not supported by this gateway" errors. */
  v0Since?: string
}

/**
 * Simple settings by their legacy names. On v0 each has a route `/<name with / for .>`
 * that takes `{"value": …}` and answers `{"<key>": …}`; on v8 it is the config path the key map gives
 * (config-keymap.ts), which takes and answers the bare value (404 = absent, the default
 * applies). `quota-exceeded.*` have no v8 name and stay on v0; the queue retention has no v0 route.
 */
const V0_SETTINGS = [
  'debug',
  'logging-to-file',
  'logs-max-total-size-mb',
  'error-logs-max-files',
  'request-log',
  'usage-statistics-enabled',
  'proxy-url',
  'ws-auth',
  'request-retry',
  'max-retry-credentials',
  'max-retry-interval',
  'force-model-prefix',
  'routing.strategy',
  'quota-exceeded.switch-project',
  'quota-exceeded.switch-preview-model',
] as const
const V8_ONLY_SETTINGS = ['redis-usage-queue-retention-seconds'] as const

export type SettingName = (typeof V0_SETTINGS)[number] | (typeof V8_ONLY_SETTINGS)[number]

export const SETTING_PATHS = Object.fromEntries(
  [...V0_SETTINGS, ...V8_ONLY_SETTINGS].map((name) => [
    name,
    {
      v0: (V0_SETTINGS as readonly string[]).includes(name) ? `/${name.replaceAll('.', '/')}` : null,
      v8: NO_V8_NAME.includes(name) ? null : v8PathOf(name).replaceAll('.', '/'),
    },
  ]),
) as Readonly<Record<SettingName, {v0: string | null; v8: string | null}>>

/** Config-backed provider-key families with a v0 list route → their v8 `api-keys.<provider>` group list. */
type V0Family = Extract<KeyFamily, {v0Route: true}>
export type ProviderFamily = V0Family['legacy']
export const PROVIDER_FAMILY_V8 = Object.fromEntries(KEY_FAMILIES.filter((f): f is V0Family => f.v0Route).map((f) => [f.legacy, f.provider])) as Readonly<
  Record<ProviderFamily, V0Family['provider']>
>

const settingOps = Object.fromEntries(
  Object.entries(SETTING_PATHS).flatMap(([name, p]) => {
    const v8 = p.v8 === null ? null : `/config/${p.v8}`
    return [
      [`setting.get:${name}`, {method: 'GET', v8, v0: p.v0, what: `the ${name} setting`}],
      [`setting.put:${name}`, {method: 'PUT', v8, v0: p.v0, what: `the ${name} setting`}],
    ]
  }),
) as Record<`setting.get:${SettingName}` | `setting.put:${SettingName}`, Operation>

const providerOps = Object.fromEntries(
  Object.entries(PROVIDER_FAMILY_V8).flatMap(([family, provider]) => [
    [`providerKeys.list:${family}`, {method: 'GET', v8: `/config/api-keys/${provider}`, v0: `/${family}`, what: `the ${family} list`}],
    [`providerKeys.put:${family}`, {method: 'PUT', v8: `/config/api-keys/${provider}`, v0: `/${family}`, what: `the ${family} list`}],
    [`providerKeys.patch:${family}`, {method: 'PATCH', v8: null, v0: `/${family}`, what: `one ${family} entry`}],
  ]),
) as Record<`providerKeys.${'list' | 'put' | 'patch'}:${ProviderFamily}`, Operation>

export const OPERATIONS = {
  // usage: the destructive queue pop and the per-upstream-key counters
  usageQueue: {method: 'GET', v8: '/observability/usage/queue', v0: '/usage-queue', what: 'the HTTP usage queue', v0Since: '6.10.8'},
  apiKeyUsage: {method: 'GET', v8: '/observability/usage/api-keys', v0: '/api-key-usage', what: 'API-key usage counters', v0Since: '6.9.47'},

  // credentials = auth files
  credentialsList: {method: 'GET', v8: '/credentials', v0: '/auth-files', what: 'the credential list'},
  credentialsUpload: {method: 'POST', v8: '/credentials', v0: '/auth-files', what: 'credential upload'},
  credentialsDelete: {method: 'DELETE', v8: '/credentials', v0: '/auth-files', what: 'credential delete'},
  credentialsDownload: {method: 'GET', v8: '/credentials/download', v0: '/auth-files/download', what: 'credential download'},
  credentialsModels: {method: 'GET', v8: '/credentials/models', v0: '/auth-files/models', what: 'credential models'},
  credentialsStatus: {method: 'PATCH', v8: '/credentials/status', v0: '/auth-files/status', what: 'credential enable/disable'},
  credentialsFields: {method: 'PATCH', v8: '/credentials/fields', v0: '/auth-files/fields', what: 'credential field edits'},
  credentialsRefresh: {method: 'POST', v8: '/credentials/refresh', v0: '/auth-files/refresh', what: 'credential refresh'},
  // gateway-side quota (early 8.0.x builds only, later ones answer 404; feature-probed)
  quotaProviders: {method: 'GET', v8: '/credentials/quota/providers', v0: '/quota/providers', what: 'quota providers'},
  quotaFetch: {method: 'POST', v8: '/credentials/quota/fetch', v0: '/quota/fetch', what: 'quota fetch'},
  quotaReset: {method: 'POST', v8: '/credentials/quota/reset', v0: '/quota/reset', what: 'quota reset'},

  // requests, routing, server
  apiCall: {method: 'POST', v8: '/requests/api-call', v0: '/api-call', what: 'the api-call proxy'},
  cooldownReset: {method: 'POST', v8: '/routing/cooldown/reset', v0: '/reset-quota', what: 'cooldown reset', v0Since: '7.2.22'},
  modelDefinitions: {method: 'GET', v8: '/routing/model-definitions/:channel', v0: '/model-definitions/:channel', what: 'model definitions'},
  latestVersion: {method: 'GET', v8: '/server/latest-version', v0: '/latest-version', what: 'the latest-version check'},

  // logs
  logsRead: {method: 'GET', v8: '/observability/logs', v0: '/logs', what: 'the main log'},
  logsClear: {method: 'DELETE', v8: '/observability/logs', v0: '/logs', what: 'clearing the main log'},
  errorLogsList: {method: 'GET', v8: '/observability/logs/errors', v0: '/request-error-logs', what: 'request-error logs'},
  errorLogDownload: {method: 'GET', v8: '/observability/logs/errors/:name', v0: '/request-error-logs/:name', what: 'a request-error log'},
  requestLogById: {method: 'GET', v8: '/observability/logs/requests/:id', v0: '/request-log-by-id/:id', what: 'a request log by id'},

  // config, legacy views: the flattened runtime struct and the raw file exist only on v0
  configEffective: {method: 'GET', v8: null, v0: '/config', what: 'the effective (legacy) config'},
  configFileRaw: {method: 'GET', v8: null, v0: '/config.yaml', what: 'the raw config file'},
  // PUT the file verbatim after v7 validation, without migrating it; the v8 PUT wants a v8 document
  configFileRawPut: {method: 'PUT', v8: null, v0: '/config.yaml', what: 'the raw config file'},
  // config.yaml: v8 = the normalised v8 view / a v8 document; v0 = the raw file
  configYamlGet: {method: 'GET', v8: '/config.yaml', v0: '/config.yaml', what: 'config.yaml'},
  configYamlPut: {method: 'PUT', v8: '/config.yaml', v0: '/config.yaml', what: 'config.yaml'},
  // the v8 config tree: bodies are raw JSON values, path segments are mapping keys
  configTreeRoot: {method: 'GET', v8: '/config', v0: null, what: 'the v8 config tree'},
  configTreeRootPut: {method: 'PUT', v8: '/config', v0: null, what: 'the v8 config tree'},
  configTreeRootPatch: {method: 'PATCH', v8: '/config', v0: null, what: 'the v8 config tree'},
  // no DELETE /config route: the root is the catch-all's empty path (⇒ 400 cannot_delete_config)
  configTreeRootDelete: {method: 'DELETE', v8: '/config/', v0: null, what: 'the v8 config tree'},
  configTreeGet: {method: 'GET', v8: '/config/*path', v0: null, what: 'a v8 config path'},
  configTreePut: {method: 'PUT', v8: '/config/*path', v0: null, what: 'a v8 config path'},
  configTreePatch: {method: 'PATCH', v8: '/config/*path', v0: null, what: 'a v8 config path'},
  configTreeDelete: {method: 'DELETE', v8: '/config/*path', v0: null, what: 'a v8 config path'},
  'setting.delete:proxy-url': {method: 'DELETE', v8: '/config/requests/proxy-url', v0: '/proxy-url', what: 'the proxy-url setting'},

  // client API keys (v8: access/api-keys, whole list only)
  clientKeysList: {method: 'GET', v8: '/config/access/api-keys', v0: '/api-keys', what: 'client API keys'},
  clientKeysPut: {method: 'PUT', v8: '/config/access/api-keys', v0: '/api-keys', what: 'client API keys'},
  clientKeysDelete: {method: 'DELETE', v8: null, v0: '/api-keys', what: 'deleting one client API key'},

  ...settingOps,
  ...providerOps,
} satisfies Record<string, Operation>

export type OperationName = keyof typeof OPERATIONS

export interface ResolvedOperation {
  api: ManagementApi
  method: Operation['method']
  /** Path below the chosen management base, parameters filled. */
  path: string
}

function fill(template: string, params: Record<string, string>): string {
  return template
    .replace(/\*([A-Za-z_]+)/g, (_m, name: string) => {
      const v = params[name]
      if (v === undefined) throw new Error(`operation path ${template}: missing *${name}`)
      return v
        .split('/')
        .filter((s) => s !== '')
        .map(encodeURIComponent)
        .join('/')
    })
    .replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
      const v = params[name]
      if (v === undefined) throw new Error(`operation path ${template}: missing :${name}`)
      return encodeURIComponent(v)
    })
}

/**
 * The method and path of an operation on a gateway speaking `api`: the v8 path on v8 (the v0 path when v8 has
 * none), the v0 path on v7. null when the gateway's API has no route for it (a v8-only operation on v7).
 */
export function resolveOperation(name: OperationName, api: ManagementApi, params: Record<string, string> = {}): ResolvedOperation | null {
  const op: Operation = OPERATIONS[name]
  if (api === 'v8' && op.v8 !== null) return {api: 'v8', method: op.method, path: fill(op.v8, params)}
  if (op.v0 !== null) return {api: 'v0', method: op.method, path: fill(op.v0, params)}
  return null
}
