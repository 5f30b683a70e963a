/**
 * The simulated v8 config tree: GET semantics, writes in the gateway's validation order with its error strings,
 * the documented negative fixtures, migration of a legacy file (comments kept, unknown sections archived, the
 * legacy.yaml / v8.yaml fixture pair), legacy writes after migration, TURN
 * secrets, read-only fields, and the early/later revision differences.
 */
import {readFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {verifySecret} from '../../../src/lib/sim/auth.js'
import {startSimulator, type Simulator, type SimulatorOptions} from '../../../src/lib/sim/index.js'
import {mgmt, TEST_MANAGEMENT_KEY} from '../../helpers/sim.js'

let sim: Simulator
let key = TEST_MANAGEMENT_KEY

async function start(opts: Partial<SimulatorOptions> = {}) {
  sim = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: '8.0.23', seed: 2, ...opts})
  key = TEST_MANAGEMENT_KEY
}

beforeEach(async () => {
  await start()
})
afterEach(async () => {
  await sim.close()
})

async function call(method: string, path: string, body?: string, api = 'v8') {
  return mgmt(sim, method, `//${api}/management${path}`, {key, body, headers: body !== undefined ? {'content-type': 'application/json'} : {}})
}

const j = (v: unknown) => JSON.stringify(v)
const rawFile = async () => (await call('GET', '/config.yaml', undefined, 'v0')).text

describe('GET /config and /config/<path> (the file, migrated in memory; 404 = absent)', () => {
  it('shows a migrated view of a legacy file without writing it; 404 not_found for an absent key', async () => {
    const before = await rawFile()
    expect(before).not.toContain('config-version')
    const root = await call('GET', '/config')
    expect(root.status).toBe(200)
    expect(root.headers.get('cache-control')).toBe('no-store')
    expect(root.json['config-version']).toBe(8)
    expect(root.json.observability.usage['usage-statistics-enabled']).toBe(true)
    expect(root.json.access['api-keys']).toHaveLength(4)
    expect(root.json.management['secret-key']).toMatch(/^\$2a\$/)
    expect(root.json['api-keys'].gemini[0]).toMatchObject({name: 'gemini-1', keys: [{'api-key': expect.any(String)}]})
    expect((await call('GET', '/config/routing/retry/request-retry')).json).toBe(3)
    expect((await call('GET', '/config/routing/strategy')).json).toBe('round-robin')
    expect(await call('GET', '/config/nope')).toMatchObject({status: 404, json: {error: 'not_found'}})
    expect(await call('GET', '/config/routing/retry/max-retry-credentials')).toMatchObject({status: 404, json: {error: 'not_found'}})
    // GET never writes the file
    expect(await rawFile()).toBe(before)
  })

  it('GET /config.yaml is the normalised v8 view as YAML (not the raw file)', async () => {
    const r = await call('GET', '/config.yaml')
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toBe('application/yaml; charset=utf-8')
    expect(r.headers.get('cache-control')).toBe('no-store')
    const doc = YAML.parse(r.text)
    expect(doc['config-version']).toBe(8)
    expect(doc.routing.retry['request-retry']).toBe(3)
    expect(doc['request-retry']).toBeUndefined()
  })
})

describe('negative fixtures: each answer as listed, the file unchanged and unmigrated', () => {
  const cases: Array<[string, string, string | undefined, number, Record<string, unknown>]> = [
    ['PATCH', '/config', j({'request-retry': 5}), 400, {error: 'invalid_config', message: 'legacy field request-retry is not accepted by v8; use routing.retry.request-retry'}],
    ['PUT', '/config/routing/retry/request-retry', j({value: 5}), 422, {error: 'invalid_config'}],
    ['PUT', '/config/server/port', j('bad'), 422, {error: 'invalid_config'}],
    ['PUT', '/config/access/api-keys/0', j('x'), 400, {error: 'invalid_path'}],
    ['PUT', '/config/api-keys/claude', j([{keys: [{'api-key': 'k', 'base-url': 'u'}]}]), 422, {error: 'invalid_config', message: 'api-keys.claude: base-url belongs to the group'}],
    ['PUT', '/config/api-keys/unknown', j([]), 400, {error: 'invalid_config', message: 'unknown API-key provider unknown'}],
    ['PUT', '/config/plugins/auth-revision', j(1), 400, {error: 'read_only_field', field: 'plugins/auth-revision'}],
    ['PUT', '/config', j([]), 400, {error: 'config_must_be_object'}],
    // the root is `/config/` (the catch-all with an empty path); `DELETE /config` is no route
    ['DELETE', '/config/', undefined, 400, {error: 'cannot_delete_config'}],
    ['DELETE', '/config', undefined, 404, {}],
    ['GET', '/config/nope', undefined, 404, {error: 'not_found'}],
    // more config-handler errors
    ['PUT', '/config/routing/strategy', 'round-robin', 400, {error: 'invalid_json'}],
    ['PUT', '/config/routing/strategy', '', 400, {error: 'invalid_json'}],
    ['PUT', '/config/config-version', j(7), 422, {error: 'invalid_config', message: 'unsupported config-version (expected 8)'}],
    ['PUT', '/config/config-version', j('8'), 422, {error: 'invalid_config', message: 'unsupported config-version (expected 8)'}],
    ['PUT', '/config/access', 'null', 422, {error: 'invalid_config', message: 'access must be a mapping'}],
    ['PUT', '/config/api-keys/codex', j([{name: 'c', 'base-url': 'https://c', keys: [{'api-key': 'k', weight: 1_000_001}]}]), 422, {error: 'invalid_config'}],
    ['PUT', '/config/api-keys/codex', j([{name: 'c', 'base-url': 'https://c', keys: [{'api-key': 'k', weight: 1.5}]}]), 422, {error: 'invalid_config'}],
    ['PUT', '/config/api-keys/codex', j([{name: 'c', region: 'eu', keys: []}]), 422, {error: 'invalid_config', message: 'api-keys.codex: unsupported group field region'}],
    ['PUT', '/config/api-keys/codex', j({name: 'c'}), 422, {error: 'invalid_config', message: 'api-keys.codex must be a list'}],
    ['PUT', '/config/oauth/providers/codex/unknown', j(true), 400, {error: 'invalid_config'}],
    ['PUT', '/config/nonsense', j({a: 1}), 400, {error: 'invalid_config', message: 'unknown v8 configuration section nonsense'}],
    ['DELETE', '/config/nope/deeper', undefined, 404, {error: 'not_found'}],
    ['PATCH', '/config.yaml', 'a: 1', 404, {}],
  ]
  it.each(cases)('%s %s %s ⇒ %i', async (method, path, body, status, expected) => {
    const before = await rawFile()
    const r = await call(method, path, body)
    expect(r.status).toBe(status)
    if (Object.keys(expected).length > 0) expect(r.json).toMatchObject(expected)
    else expect(r.text).toBe('')
    expect(await rawFile()).toBe(before)
  })
})

describe('writes (body checks, paths, read-only fields, validation, persist)', () => {
  it('PUT a raw value: 200 {"status":"ok","config-version":8}; the first write migrates the whole file, comments kept', async () => {
    expect(sim.getConfig('usage-statistics-enabled')).toBe(true)
    const r = await call('PUT', '/config/observability/usage/usage-statistics-enabled', 'false')
    expect(r).toMatchObject({status: 200, json: {status: 'ok', 'config-version': 8}})
    expect(sim.getConfig('usage-statistics-enabled')).toBe(false)
    const file = await rawFile()
    const doc = YAML.parse(file)
    expect(doc['config-version']).toBe(8)
    expect(doc['usage-statistics-enabled']).toBeUndefined()
    expect(doc['remote-management']).toBeUndefined()
    expect(doc.management['secret-key']).toMatch(/^\$2a\$/)
    expect(doc['api-keys'].gemini[0].name).toBe('gemini-1')
    expect(doc['gemini-api-key']).toBeUndefined()
    // comments travel with the keys they belong to
    expect(file).toContain('# Seconds a record stays in the usage queue (at most 3600).\n    redis-usage-queue-retention-seconds: 60')
    expect(file.startsWith('# cpactl sim: configuration of a simulated CLIProxyAPI gateway.')).toBe(true)
    // v0 keeps serving the effective values from the migrated file
    expect((await call('GET', '/usage-statistics-enabled', undefined, 'v0')).json).toEqual({'usage-statistics-enabled': false})
    expect((await call('GET', '/config', undefined, 'v0')).json['request-retry']).toBe(3)
  })

  it('PATCH deep-merges objects, replaces lists, stores null; missing mappings are created; DELETE prunes only what it emptied', async () => {
    expect((await call('PATCH', '/config/routing', j({retry: {'max-retry-credentials': 2}, 'session-affinity': true}))).status).toBe(200)
    expect((await call('GET', '/config/routing')).json).toMatchObject({strategy: 'round-robin', 'session-affinity': true, retry: {'request-retry': 3, 'max-retry-interval': 30, 'max-retry-credentials': 2}})
    expect((await call('PUT', '/config/server/discovery/interfaces/include', j(['eth0']))).status).toBe(200)
    expect((await call('GET', '/config/server/discovery')).json).toEqual({interfaces: {include: ['eth0']}})
    expect((await call('PUT', '/config/plugins/configs/demo', j({}))).status).toBe(200)
    expect((await call('PATCH', '/config/requests', j({'proxy-url': null}))).status).toBe(200)
    expect(await call('GET', '/config/requests/proxy-url')).toMatchObject({status: 200, text: 'null'})
    expect((await call('DELETE', '/config/server/discovery/interfaces/include')).status).toBe(200)
    expect(await call('GET', '/config/server/discovery')).toMatchObject({status: 404, json: {error: 'not_found'}})
    // an explicit empty map elsewhere stays
    expect((await call('GET', '/config/plugins/configs/demo')).json).toEqual({})
    expect((await call('DELETE', '/config/requests/proxy-url')).status).toBe(200)
    expect(await call('GET', '/config/requests/proxy-url')).toMatchObject({status: 404})
  })

  it('PATCH /config {} migrates a legacy file without changing a setting (explicit migration)', async () => {
    const before = (await call('GET', '/config', undefined, 'v0')).json
    expect((await call('PATCH', '/config', '{}')).status).toBe(200)
    expect(YAML.parse(await rawFile())['config-version']).toBe(8)
    expect((await call('GET', '/config', undefined, 'v0')).json).toEqual(before)
  })

  it('legacy v0 writes on a migrated file edit the v8 value (restoreV8Layout); v0 provider-key writes regroup per key', async () => {
    await call('PATCH', '/config', '{}')
    expect((await call('PUT', '/request-retry', j({value: 2}), 'v0')).status).toBe(200)
    expect((await call('GET', '/config/routing/retry/request-retry')).json).toBe(2)
    expect(YAML.parse(await rawFile())['request-retry']).toBeUndefined()
    // a custom group name is lost when the provider is rewritten through v0 (one group per key)
    await call('PUT', '/config/api-keys/codex', j([{name: 'team-a', 'base-url': 'https://c.example', priority: 5, keys: [{'api-key': 'ka'}, {'api-key': 'kb', weight: 0}]}]))
    const flat = (await call('GET', '/codex-api-key', undefined, 'v0')).json['codex-api-key']
    expect(flat.map((e: Record<string, unknown>) => [e['api-key'], e['base-url'], e.priority, e.weight])).toEqual([
      ['ka', 'https://c.example', 5, undefined],
      ['kb', 'https://c.example', 5, 0],
    ])
    await call('PATCH', '/codex-api-key', j({index: 0, value: {'excluded-models': ['*']}}), 'v0')
    const groups = (await call('GET', '/config/api-keys/codex')).json
    expect(groups.map((g: {name: string}) => g.name)).toEqual(['codex-1', 'codex-2'])
  })

  it('a management secret-key write takes effect; an empty one switches management off (404 on /v0 and /v8)', async () => {
    expect((await call('PUT', '/config/management/secret-key', j('rotated-v8-key'))).status).toBe(200)
    expect((await call('GET', '/config/config-version')).status).toBe(401)
    sim.unban()
    key = 'rotated-v8-key'
    expect((await call('GET', '/config/config-version')).status).toBe(200)
    // stored as a hash, never as the plaintext
    const file = await rawFile()
    expect(YAML.parse(file).management['secret-key']).toMatch(/^\$2a\$/)
    expect(file).not.toContain('rotated-v8-key')
    expect((await call('PUT', '/config/management/secret-key', j(''))).status).toBe(200)
    for (const api of ['v0', 'v8']) {
      const r = await call('GET', '/config', undefined, api)
      expect(r.status).toBe(404)
      expect(r.text).toBe('')
    }
  })
})

describe('TURN secrets (removed from JSON reads, kept on JSON writes)', () => {
  it('JSON reads drop username/credential; a JSON write that leaves them out keeps them for the same urls; "" clears', async () => {
    const servers = [{urls: ['turn:a.example'], username: 'u1', credential: 'c1'}, {urls: ['turn:b.example'], username: 'u2', credential: 'c2'}]
    expect((await call('PUT', '/config/oauth/providers/codex/live-media-relay', j({enabled: true, 'ice-servers': servers}))).status).toBe(200)
    const read = (await call('GET', '/config/oauth/providers/codex/live-media-relay/ice-servers')).json
    expect(read).toEqual([{urls: ['turn:a.example']}, {urls: ['turn:b.example']}])
    // write back what was read, with b's urls changed: a keeps its secrets, the changed server does not inherit b's
    expect((await call('PUT', '/config/oauth/providers/codex/live-media-relay/ice-servers', j([read[0], {urls: ['turn:c.example']}]))).status).toBe(200)
    const yaml = YAML.parse((await call('GET', '/config.yaml')).text)
    expect(yaml.oauth.providers.codex['live-media-relay']['ice-servers']).toEqual([{urls: ['turn:a.example'], username: 'u1', credential: 'c1'}, {urls: ['turn:c.example']}])
    expect((await call('PUT', '/config/oauth/providers/codex/live-media-relay/ice-servers', j([{urls: ['turn:a.example'], username: '', credential: null}]))).status).toBe(200)
    const cleared = YAML.parse((await call('GET', '/config.yaml')).text)
    expect(cleared.oauth.providers.codex['live-media-relay']['ice-servers']).toEqual([{urls: ['turn:a.example'], username: '', credential: null}])
  })
})

describe('PUT /config.yaml', () => {
  it('takes a v8 document; a legacy-layout body is refused with 400 invalid_config (legacy field)', async () => {
    const view = (await call('GET', '/config.yaml')).text
    const changed = view.replace('request-retry: 3', 'request-retry: 4')
    expect((await call('PUT', '/config.yaml', changed)).status).toBe(200)
    expect((await call('GET', '/config/routing/retry/request-retry')).json).toBe(4)
    const before = await rawFile()
    const legacy = await call('PUT', '/config.yaml', 'request-retry: 2\n')
    expect(legacy).toMatchObject({status: 400, json: {error: 'invalid_config', message: 'legacy field request-retry is not accepted by v8; use routing.retry.request-retry'}})
    expect(await call('PUT', '/config.yaml', '- a\n')).toMatchObject({status: 400, json: {error: 'config_must_be_object'}})
    expect(await call('PUT', '/config.yaml', 'a: [\n')).toMatchObject({status: 400, json: {error: 'invalid_body'}})
    expect(await rawFile()).toBe(before)
  })
})

describe('revisions (early and later 8.0.x builds)', () => {
  it('later builds: a root write without api-keys keeps the groups; a client-key list there is folded into access.api-keys; reads of api-keys carry auth_index', async () => {
    const whole = (await call('GET', '/config')).json
    const groups = whole['api-keys']
    delete whole['api-keys']
    expect((await call('PUT', '/config', j(whole))).status).toBe(200)
    expect((await call('GET', '/config/api-keys')).json.gemini).toHaveLength(1)
    whole['api-keys'] = ['sk-new-client-key-0001']
    expect((await call('PUT', '/config', j(whole))).status).toBe(200)
    expect((await call('GET', '/config/access/api-keys')).json).toContain('sk-new-client-key-0001')
    const read = (await call('GET', '/config/api-keys/gemini')).json
    expect(read[0].keys[0].auth_index).toMatch(/^[0-9a-f]{16}$/)
    // the injected index is stripped on write
    expect((await call('PUT', '/config/api-keys/gemini', j(read))).status).toBe(200)
    expect(YAML.parse(await rawFile())['api-keys'].gemini[0].keys[0].auth_index).toBeUndefined()
    expect(groups.gemini).toHaveLength(1)
  })

  it('early builds: omitting api-keys deletes the groups; a root client-key list is refused (legacy field api-keys); no client/upstream/models roots', async () => {
    await sim.close()
    await start({version: '8.0.4', v8Revision: 'early'})
    const whole = (await call('GET', '/config')).json
    delete whole['api-keys']
    expect((await call('PUT', '/config', j(whole))).status).toBe(200)
    expect(await call('GET', '/config/api-keys')).toMatchObject({status: 404})
    whole['api-keys'] = ['sk-new-client-key-0001']
    expect(await call('PUT', '/config', j(whole))).toMatchObject({status: 400, json: {message: 'legacy field api-keys is not accepted by v8; use access.api-keys'}})
    expect(await call('PUT', '/config/client/codex/enable-apply-patch', 'true')).toMatchObject({status: 400, json: {message: 'unknown v8 configuration section client'}})
    expect((await call('GET', '/config/api-keys/gemini')).status).toBe(404)
  })
})

describe('the legacy.yaml / v8.yaml fixture pair', () => {
  it('migrating legacy.yaml with PATCH /config {} gives v8.yaml (compared as parsed YAML; the secret as a hash)', async () => {
    const legacy = readFileSync(new URL('../../fixtures/config/v8/legacy.yaml', import.meta.url), 'utf8')
    const expected = YAML.parse(readFileSync(new URL('../../fixtures/config/v8/v8.yaml', import.meta.url), 'utf8'))
    expect((await call('PUT', '/config.yaml', legacy, 'v0')).status).toBe(200)
    key = 'fixture-management-key'
    // loading never migrates
    expect(YAML.parse(await rawFile())['config-version']).toBeUndefined()
    expect((await call('PATCH', '/config', '{}')).status).toBe(200)
    const migrated = YAML.parse(await rawFile())
    expect(verifySecret(migrated.management['secret-key'], 'fixture-management-key')).toBe(true)
    delete migrated.management['secret-key']
    delete expected.management['secret-key']
    expect(migrated).toEqual(expected)
  })

  it('unknown sections are commented out at the end of the file during migration', async () => {
    const text = (await rawFile()) + 'ampcode:\n  upstream: https://amp.example\n'
    expect((await call('PUT', '/config.yaml', text, 'v0')).status).toBe(200)
    expect((await call('PATCH', '/config', '{}')).status).toBe(200)
    const file = await rawFile()
    expect(YAML.parse(file).ampcode).toBeUndefined()
    expect(file).toContain('# ampcode:\n#   upstream: https://amp.example')
  })
})
