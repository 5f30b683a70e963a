/**
 * The simulator as a CPA v8 gateway: /v8/management with the
 * same handlers as v0, v0 still served, bare 404s for unknown v8 paths before any auth, management disabled and
 * Home mode, RESP usage output off by default, and one route map covering every route.
 */
import {connect} from 'node:net'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {configAuthIds} from '../../../src/lib/sim/routes/auth-files-status.js'
import {ROUTE_MAP} from '../../../src/lib/sim/routes/route-map.js'
import {mgmt, RawResp, respAuthed, TEST_MANAGEMENT_KEY} from '../../helpers/sim.js'

const VERSION = '8.0.23'
let sim: Simulator

async function v8(method: string, path: string, opts: {key?: string | null; body?: unknown} = {}) {
  return mgmt(sim, method, `//v8/management${path}`, opts)
}

async function v0(method: string, path: string) {
  return mgmt(sim, method, path)
}

beforeAll(async () => {
  sim = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: VERSION, seed: 4})
})
afterAll(async () => {
  await sim.close()
})

describe('v8 detection facts', () => {
  it('GET /v8/management/config/config-version answers 200 `8` with the X-CPA-* headers; v0 answers too', async () => {
    const r = await v8('GET', '/config/config-version')
    expect(r.status).toBe(200)
    expect(r.json).toBe(8)
    expect(r.headers.get('x-cpa-version')).toBe(VERSION)
    expect(r.headers.get('x-cpa-commit')).not.toBeNull()
    expect(r.headers.get('x-cpa-build-date')).not.toBeNull()
    expect(r.headers.get('x-cpa-support-plugin')).toBe('1')
    const legacy = await v0('GET', '/config')
    expect(legacy.status).toBe(200)
    expect(legacy.headers.get('x-cpa-version')).toBe(VERSION)
    expect(legacy.json['usage-statistics-enabled']).toBe(true)
  })

  it('a wrong key on a v8 route is a counted 401 that still carries X-CPA-VERSION', async () => {
    const before = sim.authFailures()
    const r = await v8('GET', '/config/config-version', {key: 'wrong'})
    expect(r.status).toBe(401)
    expect(r.json).toEqual({error: 'invalid management key'})
    expect(r.headers.get('x-cpa-version')).toBe(VERSION)
    expect(sim.authFailures()).toBe(before + 1)
    sim.unban()
  })

  it('unmatched /v8/management paths and wrong methods: bare 404 before any auth (no body, no headers, no strike)', async () => {
    const before = sim.authFailures()
    for (const [method, path] of [
      ['GET', '/debug'],
      ['GET', '/api-keys'],
      ['GET', '/credentials/status'],
      ['GET', '/oauth/providers/codex/auth-url'],
      ['PATCH', '/config.yaml'],
      ['GET', '/usage-queue'],
      ['GET', '/credentials/quota/providers'],
    ]) {
      for (const key of [TEST_MANAGEMENT_KEY, 'wrong', null]) {
        const r = await v8(method, path, {key})
        expect(r.status, `${method} ${path}`).toBe(404)
        expect(r.text, `${method} ${path}`).toBe('')
        expect(r.headers.get('x-cpa-version'), `${method} ${path}`).toBeNull()
      }
    }
    expect(sim.authFailures()).toBe(before)
  })
})

describe('v8 operational routes use the v0 handlers', () => {
  it('credentials = auth files, the usage queue, api-key usage, logs, latest version', async () => {
    const files = await v8('GET', '/credentials')
    expect(files.status).toBe(200)
    expect(files.json.files.map((f: {name: string}) => f.name)).toEqual((await v0('GET', '/auth-files')).json.files.map((f: {name: string}) => f.name))
    expect((await v8('GET', '/credentials/models?name=nope.json')).json).toEqual({models: []})
    expect(await v8('GET', '/observability/usage/queue?count=0')).toMatchObject({status: 400, json: {error: 'count must be a positive integer'}})
    sim.preload(3)
    const popped = await v8('GET', '/observability/usage/queue?count=2')
    expect(popped.status).toBe(200)
    expect(popped.json).toHaveLength(2)
    expect((await v0('GET', '/usage-queue?count=5')).json).toHaveLength(1) // the same FIFO
    expect((await v8('GET', '/observability/usage/api-keys')).json).toEqual((await v0('GET', '/api-key-usage')).json)
    expect(await v8('GET', '/observability/logs')).toMatchObject({status: 400, json: {error: 'logging to file disabled'}})
    expect((await v8('GET', '/server/latest-version')).json).toEqual({'latest-version': 'v7.3.8'})
    expect((await v8('GET', '/observability/logs/errors')).json).toEqual({files: []})
  })

  it('/requests/api-call, /routing/cooldown/reset and credential status answer like their v0 twins', async () => {
    expect(await v8('POST', '/requests/api-call', {body: {method: 'GET'}})).toMatchObject({status: 400, json: {error: 'missing url'}})
    expect(await v8('POST', '/routing/cooldown/reset', {body: {}})).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
    expect(await v8('POST', '/routing/cooldown/reset', {body: {auth_index: '0000000000000000'}})).toMatchObject({status: 404, json: {error: 'auth not found'}})
    expect(await v8('PATCH', '/credentials/status', {body: {name: 'missing.json', disabled: true}})).toMatchObject({status: 404, json: {error: 'auth file not found'}})
  })
})

describe('v8 OAuth routes fold the v0 ones and v8 writes migrate the file', () => {
  it('/oauth/auth-url?provider= dispatches to the v0 login handlers; /oauth/import needs provider=vertex', async () => {
    const claude = await v8('GET', '/oauth/auth-url?provider=%20Claude%20')
    expect(claude).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(claude.json.url).toEqual(expect.any(String))
    expect((await v8('GET', `/oauth/status?state=${claude.json.state}`)).json).toEqual({status: 'wait'})
    expect(await v8('DELETE', `/oauth/session?state=${claude.json.state}`)).toMatchObject({status: 200})
    expect(await v8('GET', '/oauth/auth-url')).toMatchObject({status: 400, json: {error: 'provider is required'}})
    expect(await v8('GET', '/oauth/auth-url?provider=anthropic')).toMatchObject({status: 404, json: {error: 'provider_not_found'}})
    expect((await v8('GET', '/oauth/auth-url?provider=xai')).json).toMatchObject({status: 'ok'})
    expect(await v8('POST', '/oauth/import')).toMatchObject({status: 400, json: {error: 'provider is required'}})
    expect(await v8('POST', '/oauth/import?provider=gemini')).toMatchObject({status: 404, json: {error: 'provider_not_found'}})
    // the earlier path form is gone, and v0's names are not v8 routes
    expect(await v8('GET', '/oauth/providers/claude/auth-url')).toMatchObject({status: 404, text: ''})
    expect(await v8('GET', '/anthropic-auth-url')).toMatchObject({status: 404, text: ''})
  })

  it('a v8 operation that saves config migrates a legacy file; the same v0 operation does not', async () => {
    const gw = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: VERSION, seed: 4})
    const call = async (api: 'v0' | 'v8', method: string, path: string, body?: unknown) => {
      const res = await fetch(`${gw.url}/${api}/management${path}`, {
        method,
        headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`, 'content-type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return {status: res.status, text, json: text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined}
    }
    try {
      const [id] = [...configAuthIds(gw.config.full()).entries()].find(([, ref]) => ref.family === 'gemini-api-key')!
      // a rejected v8 write migrates nothing
      expect((await call('v8', 'PATCH', '/credentials/status', {name: 'missing.json', disabled: true})).status).toBe(404)
      expect((await call('v0', 'GET', '/config.yaml')).text).not.toMatch(/^config-version: 8/m)
      expect((await call('v0', 'PATCH', '/auth-files/status', {name: id, disabled: true})).status).toBe(200)
      expect((await call('v0', 'GET', '/config.yaml')).text).not.toMatch(/^config-version: 8/m)
      expect((await call('v8', 'PATCH', '/credentials/status', {name: id, disabled: false})).status).toBe(200)
      expect((await call('v0', 'GET', '/config.yaml')).text).toMatch(/^config-version: 8/m)
      expect((await call('v0', 'GET', '/config')).json['gemini-api-key'][0]['excluded-models'] ?? []).not.toContain('*')
    } finally {
      await gw.close()
    }
  })
})

describe('management disabled and Home mode', () => {
  it('management disabled: bare 404 on /v0 and /v8, /healthz ok', async () => {
    sim.setManagementEnabled(false)
    try {
      for (const url of ['/v0/management/config', '/v8/management/config/config-version']) {
        const r = await fetch(`${sim.url}${url}`, {headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`}})
        expect(r.status).toBe(404)
        expect(await r.text()).toBe('')
        expect(r.headers.get('x-cpa-version')).toBeNull()
      }
      expect((await fetch(`${sim.url}/healthz`)).status).toBe(200)
    } finally {
      sim.setManagementEnabled(true)
    }
  })

  it('Home mode: bare 404 on /v0, /v8 and /management.html; RESP says the usage output is disabled', async () => {
    sim.setHomeMode(true)
    try {
      for (const url of ['/v0/management/config', '/v8/management/config', '/management.html']) {
        const r = await fetch(`${sim.url}${url}`, {headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`}})
        expect(r.status, url).toBe(404)
        expect(await r.text(), url).toBe('')
      }
      expect((await fetch(`${sim.url}/healthz`)).status).toBe(200)
      const c = await RawResp.connect(sim.port)
      const reply = await c.command('AUTH', TEST_MANAGEMENT_KEY)
      expect(reply).toMatchObject({message: 'ERR redis usage output disabled in home mode'})
      await c.closed()
    } finally {
      sim.setHomeMode(false)
    }
  })
})

describe('RESP usage output on v8', () => {
  it('off by default: RESP bytes reach the HTTP parser, which answers 400 and closes; nothing is popped, no strike', async () => {
    sim.preload(2)
    const queued = sim.counters().queued
    const before = sim.authFailures()
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect({port: sim.port, host: '127.0.0.1'}, () => socket.write(`*2\r\n$4\r\nAUTH\r\n$${TEST_MANAGEMENT_KEY.length}\r\n${TEST_MANAGEMENT_KEY}\r\n`))
      let got = ''
      socket.on('data', (d) => (got += d.toString('latin1')))
      socket.on('close', () => resolve(got))
      socket.on('error', reject)
    })
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request/)
    expect(sim.counters().queued).toBe(queued)
    expect(sim.authFailures()).toBe(before)
  })

  it('respUsage: true serves it as v7 does', async () => {
    const withResp = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: VERSION, respUsage: true})
    try {
      withResp.preload(2)
      const c = await respAuthed(withResp)
      expect(await c.command('LPOP', 'usage', '5')).toHaveLength(2)
      c.close()
    } finally {
      await withResp.close()
    }
  })
})

describe('the route map (routes/route-map.ts)', () => {
  /** A request that no handler accepts (invalid JSON body, a missing key path): the answer shows whether the route exists. */
  async function probe(api: 'v0' | 'v8', method: string, template: string) {
    const path = template.replace(':name', 'error-x.log').replace(':id', 'abcd1234').replace(':channel', 'codex').replace('*path', 'nope/x')
    const res = await fetch(`${sim.url}/${api}/management${path}`, {
      method,
      headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`, 'content-type': 'application/json'},
      body: method === 'GET' || method === 'DELETE' ? undefined : 'x',
    })
    const text = await res.text()
    return {status: res.status, text, version: res.headers.get('x-cpa-version')}
  }

  it('rows are unique; every v8 path of the map is served on a v8 gateway, every v0 path still is', async () => {
    const keys = ROUTE_MAP.map((r) => `${r.method} ${r.v0 ?? '-'} ${r.v8 ?? '-'}`)
    expect(new Set(keys).size).toBe(keys.length)
    for (const row of ROUTE_MAP) {
      if (row.v8 && !row.early) {
        // an unregistered v8 path is a bare 404 without headers (the OAuth callback has no key check and no headers)
        const r = await probe('v8', row.method, row.v8)
        if (row.v8 === '/oauth/callback') expect(r.status === 404 && r.text === '', `${row.method} v8 ${row.v8}`).toBe(false)
        else expect(r.version, `${row.method} v8 ${row.v8}`).toBe(VERSION)
      }
      if (row.v0 && !(row.method === 'DELETE' && row.v0 === '/proxy-url')) {
        // an unregistered v0 path is an empty 404 (with headers); a registered one answers otherwise
        const r = await probe('v0', row.method, row.v0)
        expect(r.status === 404 && r.text === '', `${row.method} v0 ${row.v0}`).toBe(false)
      }
    }
    expect((await v0('GET', '/config')).status).toBe(200)
  })

  it('the quota rows are registered on early 8.0.x builds only (later builds removed them: bare 404); v0 /quota/* on both', async () => {
    const early = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: '8.0.4', v8Revision: 'early', plugins: true})
    try {
      const r = await fetch(`${early.url}/v8/management/credentials/quota/providers`, {headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`}})
      expect(r.status).toBe(200)
      expect(await r.json()).toEqual({
        providers: [{plugin_id: 'sim-quota', provider: 'codex', display_name: 'Codex usage (simulated plugin)', supported_providers: ['codex'], supports_reset: true}],
      })
    } finally {
      await early.close()
    }
    const later = await v8('GET', '/credentials/quota/providers')
    expect(later.status).toBe(404)
    expect(later.text).toBe('')
    // the v0 route stays; without plugins there is no quota provider
    expect(await v0('GET', '/quota/providers')).toMatchObject({status: 200, json: {providers: []}})
  })
})

describe('v8-era credential listing', () => {
  it('later builds: observed_at, passive quota snapshot fields, optional pagination; early builds: {"files": […]} only', async () => {
    const list = await v8('GET', '/credentials')
    expect(Object.keys(list.json).sort()).toEqual(['files', 'observed_at'])
    const codex = list.json.files.find((f: {provider: string}) => f.provider === 'codex')
    expect(codex).toMatchObject({supports_quota: true, quota_provider: 'codex', model_quotas: {}, cooldowns: {}, quota: {signals: {}}})
    const page = await v8('GET', '/credentials?page=2&page_size=3')
    expect(page.json).toMatchObject({total: list.json.files.length, page: 2, page_size: 3, has_more: list.json.files.length > 6})
    expect(page.json.files.map((f: {name: string}) => f.name)).toEqual(list.json.files.slice(3, 6).map((f: {name: string}) => f.name))
    expect(await v8('GET', '/credentials?page=0')).toMatchObject({status: 400, json: {error: 'page must be a positive integer'}})
    const early = await startSimulator({managementKey: TEST_MANAGEMENT_KEY, version: '8.0.4', v8Revision: 'early'})
    try {
      const r = await fetch(`${early.url}/v8/management/credentials`, {headers: {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`}})
      expect(Object.keys((await r.json()) as object)).toEqual(['files'])
    } finally {
      await early.close()
    }
  })
})
