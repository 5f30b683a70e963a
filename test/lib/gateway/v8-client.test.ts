/**
 * The gateway client against v7 and v8 simulators: API detection with its cache, the empty-404 mapping (a missing
 * route is exit 8 naming the route and the version, never "management disabled"), and the v8 config-tree functions
 * issue 11 builds on.
 */
import {existsSync, mkdtempSync, readFileSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {ConfigError, RejectedError, UpstreamError} from '../../../src/lib/cli/errors.js'
import {GatewayClient} from '../../../src/lib/gateway/client.js'
import {
  deleteConfigTree,
  getConfigTree,
  getConfigTreeYaml,
  isConfigFileMigrated,
  patchConfigTree,
  putConfigTree,
  putConfigTreeYaml,
  v8MigrationNotice,
} from '../../../src/lib/gateway/config-tree.js'
import {API_CACHE_TTL_MS, detectManagementApi} from '../../../src/lib/gateway/detect.js'
import {startSimulator, type Simulator, type SimulatorOptions} from '../../../src/lib/sim/index.js'
import {TEST_MANAGEMENT_KEY} from '../../helpers/sim.js'

const sims: Simulator[] = []
const clients: GatewayClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
  for (const s of sims.splice(0)) await s.close()
})

async function sim(opts: Partial<SimulatorOptions>): Promise<Simulator> {
  const s = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, ...opts})
  sims.push(s)
  return s
}

function client(s: Simulator, opts: {cacheDir?: string; key?: string} = {}): GatewayClient {
  const c = new GatewayClient({baseUrl: s.url, getKey: async () => ({key: opts.key ?? TEST_MANAGEMENT_KEY, source: 'test'}), cacheDir: opts.cacheDir, retryBaseMs: 1})
  clients.push(c)
  return c
}

const mgmtLog = (s: Simulator, from = 0) => s.httpLog().slice(from).filter((e) => /^\/v[08]\/management/.test(e.path)).map((e) => `${e.method} ${e.path} ${e.status}`)

describe('API detection (v0 config + X-CPA-VERSION, then the v8 config-version probe)', () => {
  it('one request when the version says the major; the answer is cached 0600 per gateway URL; a second client sends nothing', async () => {
    const s = await sim({version: 'v8.0.23'})
    const cacheDir = mkdtempSync(join(tmpdir(), 'cpactl-api-cache-'))
    const info = await client(s, {cacheDir}).managementApi()
    expect(info).toMatchObject({api: 'v8', version: 'v8.0.23', major: 8, featureProbed: false, source: 'probe'})
    expect(mgmtLog(s)).toEqual(['GET /v0/management/config 200'])
    const file = join(cacheDir, 'gateway-api.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(file, 'utf8'))[s.url]).toMatchObject({api: 'v8', version: 'v8.0.23', major: 8})
    const again = await client(s, {cacheDir}).managementApi()
    expect(again).toMatchObject({api: 'v8', source: 'cache'})
    expect(mgmtLog(s)).toHaveLength(1)
    // the cache is trusted for a few minutes only
    const later = await detectManagementApi(client(s, {cacheDir}), {cacheDir, now: () => Date.now() + API_CACHE_TTL_MS + 1000})
    expect(later.info.source).toBe('probe')
  })

  it('dev or a bare SHA say nothing: the v8 route is probed (two requests, both with the key)', async () => {
    for (const version of ['dev', 'a7e3596']) {
      const s = await sim({version})
      const info = await client(s).managementApi()
      expect(info).toMatchObject({api: 'v8', major: null, featureProbed: true})
      expect(mgmtLog(s)).toEqual(['GET /v0/management/config 200', 'GET /v8/management/config/config-version 200'])
      expect(s.authFailures()).toBe(0)
    }
  })

  it('a wrong key costs exactly one strike: the probe sends the key and stops at the rejection', async () => {
    const s = await sim({version: '8.0.23'})
    const err = await client(s, {key: 'wrong'}).managementApi().catch((e) => e)
    expect(err.code).toBe('auth_failed')
    expect(s.authFailures()).toBe(1)
    expect(mgmtLog(s)).toEqual(['GET /v0/management/config 401'])
  })

  it('a cached API the gateway no longer matches is corrected by the first answer and forgotten', async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cpactl-api-cache-'))
    const v7 = await sim({version: '7.2.140'})
    await client(v7, {cacheDir}).managementApi()
    const url = v7.url
    const port = v7.port
    await v7.close()
    sims.splice(sims.indexOf(v7), 1)
    // the operator upgrades the gateway on the same address
    const v8 = await sim({version: '8.0.23', port})
    expect(v8.url).toBe(url)
    const c = client(v8, {cacheDir})
    expect((await c.managementApi()).source).toBe('cache')
    const files = await c.call<{files: unknown[]}>('credentialsList')
    expect(files.data.files.length).toBeGreaterThan(0)
    expect(c.detectedApi).toMatchObject({api: 'v8', stale: true})
    expect(JSON.parse(readFileSync(join(cacheDir, 'gateway-api.json'), 'utf8'))[url]).toBeUndefined()
    // the request after the correction uses the v8 path
    await c.call('credentialsList')
    expect(mgmtLog(v8).at(-1)).toBe('GET /v8/management/credentials 200')
  })
})

describe('empty 404s: a missing route is never "management disabled"', () => {
  it('a v7 route this build lacks (empty 404 with X-CPA-*): exit 8 naming the route and the version', async () => {
    const s = await sim({version: '7.2.20'}) // /reset-quota arrived in 7.2.22
    const err = await client(s).call('cooldownReset', {json: {auth_index: 'x'}}).catch((e) => e)
    expect(err).toBeInstanceOf(RejectedError)
    expect(err.exitCode).toBe(8)
    expect(err.code).toBe('unsupported_route')
    expect(err.message).toBe('the gateway (version 7.2.20) has no route POST /v0/management/reset-quota for cooldown reset (added in 7.2.22)')
  })

  it('a v8 route a later build removed (bare 404, no headers): one confirming request, exit 8, never "disabled"', async () => {
    const s = await sim({version: '8.0.30'}) // a later build: no /credentials/quota/*
    const c = client(s)
    await c.managementApi()
    const from = s.httpLog().length
    const err = await c.call('quotaProviders').catch((e) => e)
    expect(err).toBeInstanceOf(RejectedError)
    expect(err.code).toBe('unsupported_route')
    expect(err.message).toBe('the gateway (version 8.0.30) has no route GET /v8/management/credentials/quota/providers for quota providers')
    expect(mgmtLog(s, from)).toEqual(['GET /v8/management/credentials/quota/providers 404', 'GET /v0/management/config 200'])
  })

  it('a gateway older than 7.1.47 answers an unknown route with gin text and no headers: still exit 8 after one check', async () => {
    const s = await sim({version: '7.1.40'})
    const err = await client(s).call('cooldownReset', {json: {auth_index: 'x'}}).catch((e) => e)
    expect(err.code).toBe('unsupported_route')
    expect(err.message).toContain('version 7.1.40')
  })

  it('management disabled or Home mode: exit 3 naming both causes; the gateway down: exit 5', async () => {
    const s = await sim({version: '8.0.23'})
    s.setManagementEnabled(false)
    const err = await client(s).managementApi().catch((e) => e)
    expect(err).toBeInstanceOf(ConfigError)
    expect(err.code).toBe('management_disabled')
    expect(err.message).toContain('management is disabled (no secret key set) or the node runs in CPA Home mode')
    expect(s.authFailures()).toBe(0)
    const url = s.url
    await s.close()
    sims.splice(0)
    const down = await new GatewayClient({baseUrl: url, getKey: async () => ({key: 'k', source: 't'}), retryBaseMs: 1}).managementApi().catch((e) => e)
    expect(down).toBeInstanceOf(UpstreamError)
  })
})

describe('the v8 config tree client (/config/<path> and /config.yaml)', () => {
  it('reads nodes (absent ⇒ found: false), writes raw values, maps rejections to exit 8 with the gateway code', async () => {
    const s = await sim({version: '8.0.23'})
    const c = client(s)
    expect(await getConfigTree(c, 'routing/retry/request-retry')).toEqual({found: true, value: 3})
    expect(await getConfigTree(c, ['routing', 'retry', 'max-retry-credentials'])).toEqual({found: false, value: undefined})
    expect((await getConfigTree<Record<string, unknown>>(c)).value!['config-version']).toBe(8)
    expect(await isConfigFileMigrated(c)).toBe(false)
    expect(await v8MigrationNotice(c)).toContain('migrated the gateway config file to the v8 layout')
    expect(await putConfigTree(c, 'routing/retry/max-retry-credentials', 2)).toEqual({configVersion: 8})
    expect(await isConfigFileMigrated(c)).toBe(true)
    expect(await v8MigrationNotice(c)).toBeNull()
    await patchConfigTree(c, 'routing', {'session-affinity': true})
    expect((await getConfigTree<Record<string, unknown>>(c, 'routing')).value).toMatchObject({strategy: 'round-robin', 'session-affinity': true, retry: {'max-retry-credentials': 2}})
    await deleteConfigTree(c, 'routing/session-affinity')
    expect((await getConfigTree(c, 'routing/session-affinity')).found).toBe(false)
    const cases: Array<[() => Promise<unknown>, number, string, RegExp]> = [
      [() => putConfigTree(c, 'server/port', 'bad'), 422, 'invalid_config', /cannot unmarshal !!str `bad` into int/],
      [() => patchConfigTree(c, [], {'request-retry': 5}), 400, 'invalid_config', /legacy field request-retry is not accepted by v8; use routing\.retry\.request-retry/],
      [() => putConfigTree(c, 'plugins/auth-revision', 7), 400, 'read_only_field', /plugins\/auth-revision is read-only/],
      [() => putConfigTree(c, 'access/api-keys/0', 'x'), 400, 'invalid_path', /invalid_path/],
      [() => putConfigTree(c, [], []), 400, 'config_must_be_object', /config_must_be_object/],
      [() => deleteConfigTree(c, []), 400, 'cannot_delete_config', /cannot_delete_config/],
      [() => deleteConfigTree(c, 'nope'), 404, 'not_found', /not_found/],
    ]
    for (const [op, status, code, message] of cases) {
      const err = (await op().catch((e) => e)) as RejectedError
      expect(err, code).toBeInstanceOf(RejectedError)
      expect({status: err.status, code: err.code, exit: err.exitCode}).toEqual({status, code, exit: 8})
      expect(err.message).toMatch(message)
    }
  })

  it('config.yaml: the v8 view and a whole v8 document; v7 has no tree (exit 8 before anything is sent)', async () => {
    const s = await sim({version: '8.0.23'})
    const c = client(s)
    const view = await getConfigTreeYaml(c)
    expect(view).toMatch(/^config-version: 8$/m)
    await putConfigTreeYaml(c, view.replace('request-retry: 3', 'request-retry: 6'))
    expect((await getConfigTree(c, 'routing/retry/request-retry')).value).toBe(6)
    const legacy = (await putConfigTreeYaml(c, 'request-retry: 2\n').catch((e) => e)) as RejectedError
    expect(legacy.code).toBe('invalid_config')
    const v7 = await sim({version: '7.2.140'})
    const c7 = client(v7)
    await c7.managementApi()
    const from = v7.httpLog().length
    for (const op of [() => getConfigTree(c7, 'routing'), () => putConfigTree(c7, 'routing/strategy', 'fill-first'), () => putConfigTreeYaml(c7, 'a: 1')]) {
      const err = (await op().catch((e) => e)) as RejectedError
      expect(err.code).toBe('unsupported_route')
      expect(err.exitCode).toBe(8)
    }
    expect(v7.httpLog().slice(from)).toEqual([])
    expect(existsSync(join(tmpdir(), 'never'))).toBe(false)
  })

  it('every config error string the simulated gateway returns reaches the caller with its code', async () => {
    const s = await sim({version: '8.0.23'})
    const c = client(s)
    const before = s.config.text()
    // 400 / 422 through the tree functions: RejectedError (exit 8), the gateway's code and message
    const rejected: Array<[() => Promise<unknown>, number, string, string]> = [
      [() => putConfigTree(c, 'routing/retry/request-retry', {value: 5}), 422, 'invalid_config', 'cannot unmarshal !!map into int (routing.retry.request-retry) (422 invalid_config)'],
      [() => putConfigTree(c, 'config-version', 7), 422, 'invalid_config', 'unsupported config-version (expected 8)'],
      [() => putConfigTree(c, 'api-keys/claude', [{keys: [{'api-key': 'k', 'base-url': 'u'}]}]), 422, 'invalid_config', 'api-keys.claude: base-url belongs to the group'],
      [() => putConfigTree(c, 'nope', 1), 400, 'invalid_config', 'unknown v8 configuration section nope'],
      [() => putConfigTree(c, 'api-keys/unknown', []), 400, 'invalid_config', 'unknown API-key provider unknown'],
      [() => putConfigTree(c, 'oauth/providers/codex/unknown', true), 400, 'invalid_config', 'unknown'],
      [() => putConfigTreeYaml(c, 'a: [\n'), 400, 'invalid_body', 'invalid_body'],
      [() => putConfigTreeYaml(c, '- a\n'), 400, 'config_must_be_object', 'config_must_be_object'],
      [() => putConfigTreeYaml(c, 'request-retry: 2\n'), 400, 'invalid_config', 'legacy field request-retry is not accepted by v8; use routing.retry.request-retry'],
    ]
    for (const [op, status, code, message] of rejected) {
      const err = (await op().catch((e) => e)) as RejectedError
      expect(err, message).toBeInstanceOf(RejectedError)
      expect({status: err.status, code: err.code, exit: err.exitCode}, message).toEqual({status, code, exit: 8})
      expect(err.message).toContain(message)
    }
    // a body that is not JSON on a JSON route (the tree functions always send JSON): 400 invalid_json
    const raw = await c.call<{error: string}>('configTreePut', {params: {path: 'routing/strategy'}, body: 'round-robin', contentType: 'application/json', passStatuses: [400], retry: false})
    expect({status: raw.status, data: raw.data}).toEqual({status: 400, data: {error: 'invalid_json'}})
    // 500s: UpstreamError (exit 5) with the gateway's code
    const failures: Array<['read_failed' | 'decode_failed' | 'write_failed', () => Promise<unknown>, string]> = [
      ['read_failed', () => getConfigTree(c, 'routing'), 'the gateway could not read its config file (GET config routing: 500 read_failed)'],
      ['decode_failed', () => getConfigTree(c, 'routing'), 'the gateway could not decode the value (GET config routing: 500 decode_failed)'],
      ['write_failed', () => putConfigTree(c, 'routing/strategy', 'fill-first'), 'the gateway could not write its config file (PUT config routing/strategy: 500 write_failed: simulated fault: the config file cannot be written)'],
      ['read_failed', () => getConfigTreeYaml(c), 'the gateway could not read its config file (GET config config.yaml: 500 read_failed)'],
      ['write_failed', () => putConfigTreeYaml(c, 'config-version: 8\n'), 'the gateway could not write its config file (PUT config config.yaml: 500 write_failed: simulated fault: the config file cannot be written)'],
    ]
    for (const [error, op, message] of failures) {
      s.faults = {configTree: {error}}
      const err = (await op().catch((e) => e)) as UpstreamError
      expect(err, message).toBeInstanceOf(UpstreamError)
      expect({code: err.code, exit: err.exitCode, message: err.message}).toEqual({code: error, exit: 5, message})
    }
    s.faults = {}
    // every rejection and failure left the file byte for byte as it was
    expect(s.config.text()).toBe(before)
  })
})
