/**
 * Config state of the simulator: GET /config, GET/PUT /config.yaml, the simple settings,
 * /latest-version, secret-key handling (bcrypt on load) and hot reload (a cleared secret switches management off),
 * over real HTTP.
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {validateConfig} from '../../../src/lib/sim/config-schema.js'
import {mgmt, type Simulator, startTestSimulator, TEST_MANAGEMENT_KEY, V7} from '../../helpers/sim.js'

let sim: Simulator

beforeEach(async () => {
  sim = await startTestSimulator({version: V7, seed: 9, apiKeys: ['sk-one', 'sk-two']})
})

afterEach(async () => {
  await sim.close()
})

describe('GET /config', () => {
  it('returns the config as kebab-case JSON without host, port, auth-dir, remote-management', async () => {
    const r = await mgmt(sim, 'GET', '/config')
    expect(r.status).toBe(200)
    for (const hidden of ['host', 'port', 'auth-dir', 'remote-management']) expect(r.json).not.toHaveProperty(hidden)
    expect(r.json).toMatchObject({
      'api-keys': ['sk-one', 'sk-two'],
      'usage-statistics-enabled': true,
      'redis-usage-queue-retention-seconds': 60,
      'logging-to-file': false,
      'request-log': false,
      'ws-auth': true,
      'error-logs-max-files': 10,
      routing: {strategy: 'round-robin'},
    })
    expect(JSON.stringify(r.json)).not.toContain(TEST_MANAGEMENT_KEY)
  })

  it('omits redis-usage-queue-retention-seconds when the YAML has none (clients treat absent as 60)', async () => {
    const yaml = (await mgmt(sim, 'GET', '/config.yaml')).text.replace(/^redis-usage-queue-retention-seconds:.*\n/m, '')
    expect((await mgmt(sim, 'PUT', '/config.yaml', {body: yaml})).status).toBe(200)
    expect((await mgmt(sim, 'GET', '/config')).json).not.toHaveProperty('redis-usage-queue-retention-seconds')
  })
})

describe('GET/PUT /config.yaml', () => {
  it('serves the raw file with host/port/auth-dir and a hashed secret, never the plaintext key', async () => {
    const r = await mgmt(sim, 'GET', '/config.yaml')
    expect(r.headers.get('content-type')).toBe('application/yaml; charset=utf-8')
    expect(r.headers.get('cache-control')).toBe('no-store')
    expect(r.text).toContain(`port: ${sim.port}`)
    expect(r.text).toMatch(/auth-dir: ".+"/)
    expect(r.text).toMatch(/secret-key: "\$2a\$10\$[./A-Za-z0-9]{53}"/)
    expect(r.text).not.toContain(TEST_MANAGEMENT_KEY)
    expect(r.text).toContain('# Seconds a record stays in the usage queue')
  })

  it('400 invalid_yaml for unparseable text and type errors, 422 invalid_config when the load fails; nothing changes', async () => {
    const before = (await mgmt(sim, 'GET', '/config.yaml')).text
    const bad = await mgmt(sim, 'PUT', '/config.yaml', {body: 'debug: [unclosed\n'})
    expect(bad.status).toBe(400)
    expect(bad.json.error).toBe('invalid_yaml')
    expect(typeof bad.json.message).toBe('string')
    const dup = await mgmt(sim, 'PUT', '/config.yaml', {body: 'debug: true\ndebug: false\n'})
    expect(dup.status).toBe(400)
    // type errors while decoding into the typed config: 400 invalid_yaml
    for (const body of ['port: eighty\n', 'port: "8317"\n', 'api-keys: {a: 1}\n', 'usage-statistics-enabled: 3\n', '- a list\n', 'codex-api-key:\n  - api-key: k\n    base-url: u\n    weight: "5"\n']) {
      const r = await mgmt(sim, 'PUT', '/config.yaml', {body})
      expect(r.status, body).toBe(400)
      expect(r.json.error, body).toBe('invalid_yaml')
    }
    // decodes, but the full load fails: 422 invalid_config
    for (const body of [
      'routing:\n  strategy: random\n',
      'codex-api-key:\n  - api-key: k\n    base-url: u\n    weight: 1.5\n',
      'claude-api-key:\n  - api-key: k\n    weight: 1000001\n',
      `remote-management:\n  secret-key: "${'x'.repeat(73)}"\n`,
    ]) {
      const r = await mgmt(sim, 'PUT', '/config.yaml', {body})
      expect(r.status, body).toBe(422)
      expect(r.json.error, body).toBe('invalid_config')
    }
    expect((await mgmt(sim, 'GET', '/config.yaml')).text).toBe(before)
  })

  it('weight <= 0 is a valid credential weight (excluded from weighted round-robin)', async () => {
    const text = (await mgmt(sim, 'GET', '/config.yaml')).text + 'xai-api-key:\n  - api-key: parked-key\n    base-url: https://x.example\n    weight: 0\n  - api-key: parked-key-2\n    base-url: https://x.example\n    weight: -3\n'
    const r = await mgmt(sim, 'PUT', '/config.yaml', {body: text})
    expect(r.status).toBe(200)
    const keys = (await mgmt(sim, 'GET', '/xai-api-key')).json['xai-api-key']
    expect(keys.map((k: {weight: number}) => k.weight)).toEqual([0, -3])
  })

  it('applies a valid file: {"ok":true,"changed":["config"]}, comments kept, values live', async () => {
    const text = (await mgmt(sim, 'GET', '/config.yaml')).text.replace('debug: false', 'debug: true # turned on by a test')
    const r = await mgmt(sim, 'PUT', '/config.yaml', {body: text})
    expect(r.status).toBe(200)
    expect(r.json).toEqual({ok: true, changed: ['config']})
    expect((await mgmt(sim, 'GET', '/debug')).json).toEqual({debug: true})
    expect((await mgmt(sim, 'GET', '/config.yaml')).text).toContain('debug: true # turned on by a test')
  })

  it('hashes a plaintext secret-key on reload; the new key works, the old one does not', async () => {
    const text = (await mgmt(sim, 'GET', '/config.yaml')).text.replace(/secret-key: ".*"/, 'secret-key: "rotated-key-42"')
    expect((await mgmt(sim, 'PUT', '/config.yaml', {body: text})).status).toBe(200)
    const yaml = (await mgmt(sim, 'GET', '/config.yaml', {key: 'rotated-key-42'})).text
    expect(yaml).not.toContain('rotated-key-42')
    expect(yaml).toMatch(/secret-key: "\$2a\$10\$/)
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(401)
  })

  it('clearing the secret-key disables management (empty 404) until one is set again', async () => {
    const text = (await mgmt(sim, 'GET', '/config.yaml')).text.replace(/secret-key: ".*"/, 'secret-key: ""')
    expect((await mgmt(sim, 'PUT', '/config.yaml', {body: text})).status).toBe(200)
    const r = await mgmt(sim, 'GET', '/config')
    expect(r.status).toBe(404)
    expect(r.text).toBe('')
    sim.setConfig('remote-management.secret-key', 'back-again')
    expect((await mgmt(sim, 'GET', '/config', {key: 'back-again'})).status).toBe(200)
  })
})

describe('simple settings ({"value": …} routes)', () => {
  const cases: Array<[string, string, unknown, unknown]> = [
    ['/debug', 'debug', true, false],
    ['/logging-to-file', 'logging-to-file', true, false],
    ['/usage-statistics-enabled', 'usage-statistics-enabled', false, true],
    ['/request-log', 'request-log', true, false],
    ['/ws-auth', 'ws-auth', false, true],
    ['/force-model-prefix', 'force-model-prefix', true, false],
    ['/request-retry', 'request-retry', 7, 3],
    ['/max-retry-credentials', 'max-retry-credentials', 2, 0],
    ['/max-retry-interval', 'max-retry-interval', 45, 30],
    ['/logs-max-total-size-mb', 'logs-max-total-size-mb', 512, 0],
    ['/error-logs-max-files', 'error-logs-max-files', 3, 10],
    ['/proxy-url', 'proxy-url', 'socks5://127.0.0.1:1080', ''],
    ['/quota-exceeded/switch-project', 'switch-project', false, true],
    ['/quota-exceeded/switch-preview-model', 'switch-preview-model', false, true],
  ]

  it.each(cases)('%s: GET shows {%s}, PUT and PATCH {"value"} persist into config.yaml', async (path, key, value, initial) => {
    expect((await mgmt(sim, 'GET', path)).json).toEqual({[key]: initial})
    expect((await mgmt(sim, 'PUT', path, {body: {value}})).json).toEqual({status: 'ok'})
    expect((await mgmt(sim, 'GET', path)).json).toEqual({[key]: value})
    expect((await mgmt(sim, 'PATCH', path, {body: {value: initial}})).json).toEqual({status: 'ok'})
    expect((await mgmt(sim, 'GET', path)).json).toEqual({[key]: initial})
  })

  it('400 invalid body for a missing or wrong-typed value', async () => {
    for (const [path, body] of [
      ['/debug', {}],
      ['/debug', {value: 'true'}],
      ['/request-retry', {value: '3'}],
      ['/request-retry', {value: 1.5}],
      ['/proxy-url', {value: 5}],
      ['/debug', 'not json'],
    ] as const) {
      const r = await mgmt(sim, 'PUT', path, {body})
      expect(r.status).toBe(400)
      expect(r.json).toEqual({error: 'invalid body'})
    }
  })

  it('normalises negatives: logs-max-total-size-mb → 0, error-logs-max-files → 10, max-retry-credentials → 0', async () => {
    await mgmt(sim, 'PUT', '/logs-max-total-size-mb', {body: {value: -5}})
    await mgmt(sim, 'PUT', '/error-logs-max-files', {body: {value: -1}})
    await mgmt(sim, 'PUT', '/max-retry-credentials', {body: {value: -3}})
    const c = (await mgmt(sim, 'GET', '/config')).json
    expect([c['logs-max-total-size-mb'], c['error-logs-max-files'], c['max-retry-credentials']]).toEqual([0, 10, 0])
  })

  it('DELETE /proxy-url clears it', async () => {
    await mgmt(sim, 'PUT', '/proxy-url', {body: {value: 'http://proxy:3128'}})
    expect((await mgmt(sim, 'DELETE', '/proxy-url')).json).toEqual({status: 'ok'})
    expect((await mgmt(sim, 'GET', '/proxy-url')).json).toEqual({'proxy-url': ''})
  })

  it('routing/strategy accepts aliases, stores the canonical name, rejects unknown values', async () => {
    const expectations: Array<[string, string]> = [
      ['rr', 'round-robin'],
      ['roundrobin', 'round-robin'],
      ['wrr', 'weighted-round-robin'],
      ['weightedroundrobin', 'weighted-round-robin'],
      ['ff', 'fill-first'],
      ['fillfirst', 'fill-first'],
      ['fill-first', 'fill-first'],
      ['', 'round-robin'],
    ]
    for (const [given, canonical] of expectations) {
      expect((await mgmt(sim, 'PUT', '/routing/strategy', {body: {value: given}})).json).toEqual({status: 'ok'})
      expect((await mgmt(sim, 'GET', '/routing/strategy')).json).toEqual({strategy: canonical})
    }
    const bad = await mgmt(sim, 'PATCH', '/routing/strategy', {body: {value: 'random'}})
    expect(bad.status).toBe(400)
    expect(bad.json).toEqual({error: 'invalid strategy'})
    expect((await mgmt(sim, 'GET', '/config.yaml')).text).toContain('strategy: "round-robin"')
  })

  it('a setting write keeps the comments of config.yaml', async () => {
    await mgmt(sim, 'PUT', '/usage-statistics-enabled', {body: {value: false}})
    const text = (await mgmt(sim, 'GET', '/config.yaml')).text
    expect(text).toContain('# Publish one usage record per upstream attempt')
    expect(text).toContain('usage-statistics-enabled: false')
  })

  it('/max-retry-credentials exists only from v7.2.140 (version gate)', async () => {
    await sim.close()
    sim = await startTestSimulator({version: '7.2.139'})
    expect((await mgmt(sim, 'GET', '/max-retry-credentials')).status).toBe(404)
    expect((await mgmt(sim, 'GET', '/max-retry-interval')).status).toBe(200)
  })
})

describe('/latest-version', () => {
  it('reports the configured release with a v prefix, 502 request_failed when the lookup fails', async () => {
    expect((await mgmt(sim, 'GET', '/latest-version')).json).toEqual({'latest-version': 'v7.3.8'})
    sim.setLatestVersion(null)
    const r = await mgmt(sim, 'GET', '/latest-version')
    expect(r.status).toBe(502)
    expect(r.json.error).toBe('request_failed')
  })
})

describe('validateConfig', () => {
  it('accepts YAML-1.1 booleans for typed bools, null values and plain floats for ints; rejects strings for ints', () => {
    expect(validateConfig({debug: 'yes', 'request-log': null, port: 8317})).toBeUndefined()
    expect(validateConfig({'request-retry': 2.5})).toBeUndefined()
    expect(validateConfig({port: '8317'})).toMatch(/port/)
    expect(validateConfig({'remote-management': {'allow-remote': 'maybe'}})).toMatch(/remote-management\.allow-remote/)
    expect(validateConfig(null)).toBeUndefined()
    expect(validateConfig('text')).toMatch(/mapping/)
  })
})
