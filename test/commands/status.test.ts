import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {runCli} from '../helpers/run.js'
import {SUITE_IS_V8, suiteGateway, suitePath} from '../helpers/sim.js'

const KEY = 'status-test-management-key-0123456789'
let sim: Simulator

beforeEach(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY, seed: 7})
})
afterEach(async () => {
  await sim.close()
})

const env = (key = KEY) => ({CPA_URL: sim.url, CPA_MANAGEMENT_KEY: key})

describe('cpactl status', () => {
  it('reports version, management API, key, publishing, retention and both transports without popping anything', async () => {
    sim.preload(3)
    const r = await runCli(['status', '--json'], {env: env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({
      url: sim.url,
      profile: null,
      keySource: 'env CPA_MANAGEMENT_KEY',
      gateway: {
        reachable: true,
        version: sim.version,
        commit: 'a7e3596',
        buildDate: '2026-08-22T06:41:09Z',
        managementApi: SUITE_IS_V8 ? 'v8' : 'v0',
        major: SUITE_IS_V8 ? 8 : 7,
        apiDetectedBy: 'version',
      },
      management: {enabled: true, keyAccepted: true, error: null},
      usage: {publishing: true, retentionSeconds: 60},
      transports: SUITE_IS_V8
        ? {http: {available: true}, resp: {available: false, reason: expect.stringMatching(/^no RESP listener: the port answered HTTP/)}}
        : {http: {available: true}, resp: {available: true, reason: 'AUTH accepted on the gateway port'}},
    })
    // the RESP check sent exactly one AUTH and nothing else (v8 without RESP: it reached the HTTP parser); nothing popped
    const resp = sim.respLog()
    if (SUITE_IS_V8) expect(resp).toHaveLength(0)
    else {
      expect(resp).toHaveLength(1)
      expect(resp[0].commands).toEqual([['AUTH', '***']])
    }
    expect(sim.counters().popped).toBe(0)
    expect(sim.counters().queued).toBe(3)
    expect(sim.counters().authFailures).toBe(0)
    // one request decided the API and read the config (the probe answer is reused)
    expect(sim.httpLog().filter((e) => e.path.startsWith('/v0/management') || e.path.startsWith('/v8/management')).map((e) => e.path)).toEqual(['/v0/management/config'])
  })

  it('human output is a key/value block on stdout', async () => {
    sim.setConfig('usage-statistics-enabled', false)
    const r = await runCli(['status'], {env: env()})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^Usage publishing\s+OFF \(no records are queued\)$/m)
    expect(r.stdout).toContain(`Version           ${sim.version} `)
    expect(r.stdout).toMatch(SUITE_IS_V8 ? /^Management API\s+v8 \(\/v8\/management; chosen by the version header\)$/m : /^Management API\s+v0 \(\/v0\/management; chosen by the version header\)$/m)
    expect(r.stdout).toMatch(SUITE_IS_V8 ? /^Major version\s+8$/m : /^Major version\s+7$/m)
  })

  it('a wrong key: exit 4 after exactly one rejected attempt, with and without --json, key never printed', async () => {
    const wrong = 'wrong-key-that-must-not-leak-42'
    const human = await runCli(['status'], {env: env(wrong)})
    expect(human.exitCode).toBe(4)
    expect(sim.authFailures()).toBe(1)
    const json = await runCli(['status', '--json'], {env: env(wrong)})
    expect(json.exitCode).toBe(4)
    expect(json.json.error).toMatchObject({code: 'auth_failed', exitCode: 4})
    expect(json.json.error.message).toContain('env CPA_MANAGEMENT_KEY')
    expect(sim.authFailures()).toBe(2)
    // no RESP AUTH was attempted after the HTTP rejection
    expect(sim.respLog()).toHaveLength(0)
    for (const out of [human.stdout, human.stderr, json.stdout, json.stderr]) expect(out).not.toContain(wrong)
  })

  it('a banned IP: exit 4, code ip_banned, with the remaining time', async () => {
    sim.ban('127.0.0.1', 29 * 60_000 + 41_000)
    const r = await runCli(['status', '--json'], {env: env()})
    expect(r.exitCode).toBe(4)
    expect(r.json.error.code).toBe('ip_banned')
    expect(r.json.error.message).toMatch(/try again in 29m4\ds/)
    expect(r.json.error.details.remainingMs).toBeGreaterThan(29 * 60_000)
  })

  it('management disabled: exit 3 management_disabled (empty 404, /healthz ok)', async () => {
    sim.setManagementEnabled(false)
    const r = await runCli(['status', '--json'], {env: env()})
    expect(r.exitCode).toBe(3)
    expect(r.json.error.code).toBe('management_disabled')
  })

  it('gateway down: exit 5 unreachable', async () => {
    const url = sim.url
    await sim.close()
    const r = await runCli(['status', '--json'], {env: {CPA_URL: url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(5)
    expect(r.json.error.code).toBe('unreachable')
    sim = await startSimulator({...suiteGateway(), managementKey: KEY}) // for afterEach
  })

  it('no key anywhere: exit 3 missing_key, nothing sent to the management API', async () => {
    const r = await runCli(['status', '--json'], {env: {CPA_URL: sim.url}})
    expect(r.exitCode).toBe(3)
    expect(r.json.error.code).toBe('missing_key')
    expect(sim.httpLog().filter((e) => /^\/v[08]\/management/.test(e.path))).toHaveLength(0)
  })

  it('bad flag: exit 2 with and without --json', async () => {
    expect((await runCli(['status', '--nope'])).exitCode).toBe(2)
    const j = await runCli(['status', '--nope', '--json'])
    expect(j.exitCode).toBe(2)
  })
})

describe('cpactl status: which management API', () => {
  const versions: Array<[string, 'v8' | 'v0', number | null, 'version' | 'probe']> = [
    ['8.0.23', 'v8', 8, 'version'],
    ['v8.0.4', 'v8', 8, 'version'],
    ['7.2.140', 'v0', 7, 'version'],
    ['v7.2.140-3-gabc1234-dirty', 'v0', 7, 'version'],
    ['dev', 'v8', null, 'probe'],
    ['a7e3596', 'v8', null, 'probe'],
  ]
  it.each(versions)('X-CPA-VERSION %s ⇒ %s (major %s, by %s), at most two requests, both with the key', async (version, api, major, by) => {
    await sim.close()
    sim = await startSimulator({managementKey: KEY, version})
    const r = await runCli(['status', '--json'], {env: env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.gateway).toMatchObject({version, managementApi: api, major, apiDetectedBy: by})
    const mgmt = sim.httpLog().filter((e) => /^\/v[08]\/management/.test(e.path))
    expect(mgmt.map((e) => `${e.path} ${e.status}`)).toEqual(by === 'probe' ? ['/v0/management/config 200', '/v8/management/config/config-version 200'] : ['/v0/management/config 200'])
    expect(sim.authFailures()).toBe(0)
  })

  it('the API is cached per gateway URL for a few minutes: a second command sends no probe', async () => {
    await runCli(['status', '--json'], {env: env()})
    const before = sim.httpLog().length
    const again = await runCli(['auth-files', 'list', '--json'], {env: env()})
    expect(again.exitCode).toBe(0)
    const paths = sim.httpLog().slice(before).map((e) => e.path)
    expect(paths).toEqual([suitePath('GET', '/auth-files')])
  })

  it('management disabled or Home mode: exit 3 naming both causes (bare 404 on /v0 and /v8, /healthz answers)', async () => {
    for (const setup of [() => sim.setManagementEnabled(false), () => sim.setHomeMode(true)]) {
      await sim.close()
      sim = await startSimulator({managementKey: KEY, version: '8.0.23'})
      setup()
      const r = await runCli(['status', '--json'], {env: env()})
      expect(r.exitCode).toBe(3)
      expect(r.json.error.code).toBe('management_disabled')
      expect(r.json.error.message).toMatch(/management is disabled .* or the node runs in CPA Home mode/)
      expect(r.json.error.hint).toMatch(/secret key/)
      expect(sim.authFailures()).toBe(0)
    }
  })
})
