/**
 * The one operation table (src/lib/gateway/operations.ts): the exact method and path of every operation cpactl
 * uses, on a v8 gateway and on a v7 one. Written from the gateway's documented routes, so a wrong row fails here
 * before it fails against a gateway.
 */
import {describe, expect, it} from 'vitest'

import {OPERATIONS, type OperationName, resolveOperation} from '../../../src/lib/gateway/operations.js'

type Row = [OperationName, string, string | null, string | null, Record<string, string>?]

// operation, method, path on v8 (/v8/management…; null = v8 has none, v0 used), path on v7 (/v0/management…)
const EXPECTED: Row[] = [
  ['usageQueue', 'GET', '/v8/management/observability/usage/queue', '/v0/management/usage-queue'],
  ['apiKeyUsage', 'GET', '/v8/management/observability/usage/api-keys', '/v0/management/api-key-usage'],
  ['credentialsList', 'GET', '/v8/management/credentials', '/v0/management/auth-files'],
  ['credentialsUpload', 'POST', '/v8/management/credentials', '/v0/management/auth-files'],
  ['credentialsDelete', 'DELETE', '/v8/management/credentials', '/v0/management/auth-files'],
  ['credentialsDownload', 'GET', '/v8/management/credentials/download', '/v0/management/auth-files/download'],
  ['credentialsModels', 'GET', '/v8/management/credentials/models', '/v0/management/auth-files/models'],
  ['credentialsStatus', 'PATCH', '/v8/management/credentials/status', '/v0/management/auth-files/status'],
  ['credentialsFields', 'PATCH', '/v8/management/credentials/fields', '/v0/management/auth-files/fields'],
  ['credentialsRefresh', 'POST', '/v8/management/credentials/refresh', '/v0/management/auth-files/refresh'],
  ['quotaProviders', 'GET', '/v8/management/credentials/quota/providers', '/v0/management/quota/providers'],
  ['quotaFetch', 'POST', '/v8/management/credentials/quota/fetch', '/v0/management/quota/fetch'],
  ['quotaReset', 'POST', '/v8/management/credentials/quota/reset', '/v0/management/quota/reset'],
  ['apiCall', 'POST', '/v8/management/requests/api-call', '/v0/management/api-call'],
  ['cooldownReset', 'POST', '/v8/management/routing/cooldown/reset', '/v0/management/reset-quota'],
  ['modelDefinitions', 'GET', '/v8/management/routing/model-definitions/codex', '/v0/management/model-definitions/codex', {channel: 'codex'}],
  ['latestVersion', 'GET', '/v8/management/server/latest-version', '/v0/management/latest-version'],
  ['logsRead', 'GET', '/v8/management/observability/logs', '/v0/management/logs'],
  ['logsClear', 'DELETE', '/v8/management/observability/logs', '/v0/management/logs'],
  ['errorLogsList', 'GET', '/v8/management/observability/logs/errors', '/v0/management/request-error-logs'],
  ['errorLogDownload', 'GET', '/v8/management/observability/logs/errors/error-a%20b.log', '/v0/management/request-error-logs/error-a%20b.log', {name: 'error-a b.log'}],
  ['requestLogById', 'GET', '/v8/management/observability/logs/requests/0192f5b4-aaaa-7bbb-8ccc-0123456789ab', '/v0/management/request-log-by-id/0192f5b4-aaaa-7bbb-8ccc-0123456789ab', {id: '0192f5b4-aaaa-7bbb-8ccc-0123456789ab'}],
  // config reads: the effective legacy struct and the raw file exist only on v0 (v8 GETs show a migrated view)
  ['configEffective', 'GET', null, '/v0/management/config'],
  ['configFileRaw', 'GET', null, '/v0/management/config.yaml'],
  ['configFileRawPut', 'PUT', null, '/v0/management/config.yaml'],
  ['configYamlGet', 'GET', '/v8/management/config.yaml', '/v0/management/config.yaml'],
  ['configYamlPut', 'PUT', '/v8/management/config.yaml', '/v0/management/config.yaml'],
  // the v8 config tree: no v0 route
  ['configTreeRoot', 'GET', '/v8/management/config', null],
  ['configTreeRootPut', 'PUT', '/v8/management/config', null],
  ['configTreeRootPatch', 'PATCH', '/v8/management/config', null],
  ['configTreeRootDelete', 'DELETE', '/v8/management/config/', null],
  ['configTreeGet', 'GET', '/v8/management/config/routing/retry/request-retry', null, {path: 'routing/retry/request-retry'}],
  ['configTreePut', 'PUT', '/v8/management/config/api-keys/openai-compatibility', null, {path: 'api-keys/openai-compatibility'}],
  ['configTreePatch', 'PATCH', '/v8/management/config/payload/default/reasoning.effort', null, {path: 'payload/default/reasoning.effort'}],
  ['configTreeDelete', 'DELETE', '/v8/management/config/requests/proxy-url', null, {path: '/requests//proxy-url/'}],
  // simple settings: v0 `{"value": …}` routes → v8 config paths
  ['setting.get:debug', 'GET', '/v8/management/config/observability/logs/debug', '/v0/management/debug'],
  ['setting.put:logging-to-file', 'PUT', '/v8/management/config/observability/logs/logging-to-file', '/v0/management/logging-to-file'],
  ['setting.get:usage-statistics-enabled', 'GET', '/v8/management/config/observability/usage/usage-statistics-enabled', '/v0/management/usage-statistics-enabled'],
  ['setting.get:redis-usage-queue-retention-seconds', 'GET', '/v8/management/config/observability/usage/redis-usage-queue-retention-seconds', null],
  ['setting.put:proxy-url', 'PUT', '/v8/management/config/requests/proxy-url', '/v0/management/proxy-url'],
  ['setting.delete:proxy-url', 'DELETE', '/v8/management/config/requests/proxy-url', '/v0/management/proxy-url'],
  ['setting.put:ws-auth', 'PUT', '/v8/management/config/oauth/providers/aistudio/ws-auth', '/v0/management/ws-auth'],
  ['setting.put:request-retry', 'PUT', '/v8/management/config/routing/retry/request-retry', '/v0/management/request-retry'],
  ['setting.get:max-retry-credentials', 'GET', '/v8/management/config/routing/retry/max-retry-credentials', '/v0/management/max-retry-credentials'],
  ['setting.put:max-retry-interval', 'PUT', '/v8/management/config/routing/retry/max-retry-interval', '/v0/management/max-retry-interval'],
  ['setting.put:force-model-prefix', 'PUT', '/v8/management/config/routing/force-model-prefix', '/v0/management/force-model-prefix'],
  ['setting.put:routing.strategy', 'PUT', '/v8/management/config/routing/strategy', '/v0/management/routing/strategy'],
  ['setting.put:request-log', 'PUT', '/v8/management/config/observability/logs/request-log', '/v0/management/request-log'],
  ['setting.put:logs-max-total-size-mb', 'PUT', '/v8/management/config/observability/logs/logs-max-total-size-mb', '/v0/management/logs-max-total-size-mb'],
  ['setting.put:error-logs-max-files', 'PUT', '/v8/management/config/observability/logs/error-logs-max-files', '/v0/management/error-logs-max-files'],
  // no v8 name: the v0 route on both
  ['setting.put:quota-exceeded.switch-project', 'PUT', null, '/v0/management/quota-exceeded/switch-project'],
  ['setting.get:quota-exceeded.switch-preview-model', 'GET', null, '/v0/management/quota-exceeded/switch-preview-model'],
  // client keys (v8: access/api-keys, whole list only) and provider keys (v8: api-keys/<provider> groups)
  ['clientKeysList', 'GET', '/v8/management/config/access/api-keys', '/v0/management/api-keys'],
  ['clientKeysPut', 'PUT', '/v8/management/config/access/api-keys', '/v0/management/api-keys'],
  ['clientKeysDelete', 'DELETE', null, '/v0/management/api-keys'],
  ['providerKeys.list:codex-api-key', 'GET', '/v8/management/config/api-keys/codex', '/v0/management/codex-api-key'],
  ['providerKeys.put:interactions-api-key', 'PUT', '/v8/management/config/api-keys/interactions', '/v0/management/interactions-api-key'],
  ['providerKeys.list:openai-compatibility', 'GET', '/v8/management/config/api-keys/openai-compatibility', '/v0/management/openai-compatibility'],
  ['providerKeys.patch:gemini-api-key', 'PATCH', null, '/v0/management/gemini-api-key'],
]

describe('the operation table', () => {
  it.each(EXPECTED)('%s: %s v8 %s / v7 %s', (name, method, v8, v0, params = {}) => {
    const onV8 = resolveOperation(name, 'v8', params)
    const onV7 = resolveOperation(name, 'v0', params)
    // v8 gateway: the v8 path, or the v0 one where v8 has no route
    const v8Expected = v8 ?? v0
    if (v8Expected === null) expect(onV8).toBeNull()
    else expect(`${onV8!.method} /${onV8!.api}/management${onV8!.path}`).toBe(`${method} ${v8Expected}`)
    // v7 gateway: the v0 path; a v8-only operation has none
    if (v0 === null) expect(onV7).toBeNull()
    else expect(`${onV7!.method} /${onV7!.api}/management${onV7!.path}`).toBe(`${method} ${v0}`)
  })

  it('covers every operation of the table (a new row needs a line above)', () => {
    const tested = new Set(EXPECTED.map((r) => r.at(0)))
    const untested = Object.keys(OPERATIONS).filter((n) => !tested.has(n as OperationName) && !/^setting\.|^providerKeys\./.test(n))
    expect(untested).toEqual([])
  })
})
