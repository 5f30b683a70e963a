/**
 * HTTP conformance of the simulator, written from the gateway contract (availability, credentials, check order,
 * the IP ban, client IP, version headers, unauthenticated routes, the HTTP usage queue), not from our client.
 * Real sockets, raw fetch: no client logic of ours in the loop.
 */
import {connect} from 'node:net'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {mgmt, RawResp, type Simulator, startTestSimulator, TEST_MANAGEMENT_KEY, V7} from '../../helpers/sim.js'

let sim: Simulator

beforeEach(async () => {
  sim = await startTestSimulator({version: V7, seed: 5})
})

afterEach(async () => {
  await sim.close()
})

describe('unauthenticated routes and headers', () => {
  it('GET/HEAD /healthz and GET / need no key', async () => {
    const h = await mgmt(sim, 'GET', '//healthz', {key: null})
    expect(h.status).toBe(200)
    expect(h.json).toEqual({status: 'ok'})
    const head = await fetch(`${sim.url}/healthz`, {method: 'HEAD'})
    expect(head.status).toBe(200)
    const root = await mgmt(sim, 'GET', '//', {key: null})
    expect(root.json.message).toBe('CLI Proxy API Server')
    expect(Array.isArray(root.json.endpoints)).toBe(true)
  })

  it('sets X-CPA-VERSION/COMMIT/BUILD-DATE on management answers, 401 and 403 included', async () => {
    await sim.close()
    sim = await startTestSimulator({version: '7.2.99', commit: 'abc1234', buildDate: '2026-07-30T10:00:00Z'})
    for (const key of [TEST_MANAGEMENT_KEY, 'wrong']) {
      const r = await mgmt(sim, 'GET', '/config', {key})
      expect(r.headers.get('x-cpa-version')).toBe('7.2.99')
      expect(r.headers.get('x-cpa-commit')).toBe('abc1234')
      expect(r.headers.get('x-cpa-build-date')).toBe('2026-07-30T10:00:00Z')
    }
    sim.ban()
    const banned = await mgmt(sim, 'GET', '/config')
    expect(banned.status).toBe(403)
    expect(banned.headers.get('x-cpa-version')).toBe('7.2.99')
  })

  it('answers CORS preflight with 204 and allows any origin', async () => {
    const r = await fetch(`${sim.url}/v0/management/config`, {method: 'OPTIONS'})
    expect(r.status).toBe(204)
    expect(r.headers.get('access-control-allow-origin')).toBe('*')
    expect(r.headers.get('access-control-expose-headers')).toContain('X-CPA-VERSION')
  })
})

describe('management disabled', () => {
  it('404 with an empty body and no X-CPA headers on every management path; /healthz still ok', async () => {
    sim.setManagementEnabled(false)
    for (const path of ['/config', '/usage-queue', '/no-such-route']) {
      const r = await mgmt(sim, 'GET', path)
      expect(r.status).toBe(404)
      expect(r.text).toBe('')
      expect(r.headers.get('x-cpa-version')).toBeNull()
    }
    expect((await mgmt(sim, 'GET', '//healthz', {key: null})).json).toEqual({status: 'ok'})
    sim.setManagementEnabled(true)
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(200)
  })

  it('an unknown management route or method (v7.1.47+) is an empty 404 WITH X-CPA-* after auth (not "disabled")', async () => {
    for (const [method, path] of [['GET', '/usage'], ['POST', '/config'], ['GET', '/model-definitions']] as const) {
      const r = await mgmt(sim, method, path)
      expect({method, path, status: r.status, text: r.text}).toEqual({method, path, status: 404, text: ''})
      expect(r.headers.get('x-cpa-version')).toBe('7.2.140')
      expect(r.headers.get('x-cpa-support-plugin')).toBe('1')
    }
    // the key is still checked first
    const bad = await mgmt(sim, 'GET', '/usage', {key: 'wrong'})
    expect({status: bad.status, json: bad.json}).toEqual({status: 401, json: {error: 'invalid management key'}})
    // outside /v0/management: an empty 404 without headers
    const outside = await mgmt(sim, 'GET', '//v8/management/config')
    expect({status: outside.status, text: outside.text, version: outside.headers.get('x-cpa-version')}).toEqual({status: 404, text: '', version: null})
  })

  it('before v7.1.47 an unknown route is gin\'s text 404 without X-CPA-* and without a key check', async () => {
    await sim.close()
    sim = await startTestSimulator({version: '7.1.40'})
    const failuresBefore = sim.authFailures()
    for (const key of [TEST_MANAGEMENT_KEY, 'wrong']) {
      const r = await mgmt(sim, 'GET', '/max-retry-credentials', {key})
      expect({status: r.status, text: r.text, version: r.headers.get('x-cpa-version')}).toEqual({status: 404, text: '404 page not found', version: null})
    }
    expect(sim.authFailures()).toBe(failuresBefore)
    expect((await mgmt(sim, 'GET', '/request-retry')).status).toBe(200)
    expect((await mgmt(sim, 'GET', '//nope', {key: null})).text).toBe('404 page not found')
  })

  it('a v7 gateway has no /v8 routes: bare 404 (no body, no X-CPA-*), no auth, no strike', async () => {
    const before = sim.authFailures()
    for (const key of [TEST_MANAGEMENT_KEY, 'wrong-key', null]) {
      const r = await fetch(`${sim.url}/v8/management/config/config-version`, {headers: key ? {authorization: `Bearer ${key}`} : {}})
      expect(r.status).toBe(404)
      expect(await r.text()).toBe('')
      expect(r.headers.get('x-cpa-version')).toBeNull()
    }
    expect(sim.authFailures()).toBe(before)
  })
})

describe('credentials and check order', () => {
  it('accepts Bearer (scheme case-insensitive), a bare Authorization value, and X-Management-Key', async () => {
    const url = `${sim.url}/v0/management/config`
    const variants: Array<Record<string, string>> = [
      {authorization: `Bearer ${TEST_MANAGEMENT_KEY}`},
      {authorization: `bEaReR ${TEST_MANAGEMENT_KEY}`},
      {authorization: TEST_MANAGEMENT_KEY},
      {'x-management-key': TEST_MANAGEMENT_KEY},
    ]
    for (const headers of variants) {
      expect((await fetch(url, {headers})).status).toBe(200)
    }
    expect(sim.authFailures()).toBe(0)
  })

  it('does not accept the key in the query string', async () => {
    const r = await fetch(`${sim.url}/v0/management/config?key=${TEST_MANAGEMENT_KEY}&management_key=${TEST_MANAGEMENT_KEY}`)
    expect(r.status).toBe(401)
    expect(await r.json()).toEqual({error: 'missing management key'})
  })

  it('401 missing / invalid management key, both counted; success resets the counter', async () => {
    const missing = await mgmt(sim, 'GET', '/config', {key: null})
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual({error: 'missing management key'})
    const invalid = await mgmt(sim, 'GET', '/config', {key: 'nope'})
    expect(invalid.status).toBe(401)
    expect(invalid.json).toEqual({error: 'invalid management key'})
    expect(sim.authFailures()).toBe(2)
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(200)
    expect(sim.authFailures()).toBe(0)
  })

  it('a remote client gets 403 remote management disabled, not counted (step 2 before step 4)', async () => {
    const headers = {'x-forwarded-for': '203.0.113.7'}
    const r = await mgmt(sim, 'GET', '/config', {key: 'wrong', headers})
    expect(r.status).toBe(403)
    expect(r.json).toEqual({error: 'remote management disabled'})
    expect(sim.authFailures('203.0.113.7')).toBe(0)
    // allow-remote: the key is checked, and failures count against the forwarded IP (v7 trusts X-Forwarded-For)
    sim.setConfig('remote-management.allow-remote', true)
    expect((await mgmt(sim, 'GET', '/config', {headers})).status).toBe(200)
    expect((await mgmt(sim, 'GET', '/config', {key: 'wrong', headers})).status).toBe(401)
    expect(sim.authFailures('203.0.113.7')).toBe(1)
    expect(sim.authFailures('127.0.0.1')).toBe(0)
  })

  it('allowRemote (sim start --allow-remote) starts with remote-management.allow-remote: true', async () => {
    await sim.close()
    sim = await startTestSimulator({allowRemote: true})
    expect((await mgmt(sim, 'GET', '/config', {headers: {'x-forwarded-for': '203.0.113.7'}})).status).toBe(200)
    expect((await mgmt(sim, 'GET', '/config.yaml')).text).toMatch(/allow-remote: true/)
  })

  it('X-Forwarded-For: 127.0.0.1 makes a client look local (gin ClientIP trusts all proxies)', async () => {
    const r = await mgmt(sim, 'GET', '/config', {headers: {'x-forwarded-for': '127.0.0.1'}})
    expect(r.status).toBe(200)
  })
})

describe('the IP ban', () => {
  it('five wrong keys ban the IP: 403 with the remaining time, even for the correct key', async () => {
    for (let i = 0; i < 5; i++) expect((await mgmt(sim, 'GET', '/config', {key: `bad-${i}`})).status).toBe(401)
    const r = await mgmt(sim, 'GET', '/config')
    expect(r.status).toBe(403)
    expect(r.json).toEqual({error: 'IP banned due to too many failed attempts. Try again in 30m0s'})
    expect(sim.counters()).toMatchObject({authFailures: 5, bans: 1})
    // not counted while banned
    await mgmt(sim, 'GET', '/config', {key: 'bad-again'})
    expect(sim.counters().authFailures).toBe(5)
  })

  it('the counter and the ban are shared with RESP: RESP failures lock HTTP out (and back)', async () => {
    const c = await RawResp.connect(sim.port)
    for (let i = 0; i < 3; i++) await c.command('AUTH', `wrong-${i}`)
    for (let i = 0; i < 2; i++) expect((await mgmt(sim, 'GET', '/config', {key: 'wrong'})).status).toBe(401)
    const r = await mgmt(sim, 'GET', '/usage-queue')
    expect(r.status).toBe(403)
    expect(r.json.error).toMatch(/^IP banned due to too many failed attempts\. Try again in (30m0s|29m59s)$/)
    const a = (await c.command('AUTH', TEST_MANAGEMENT_KEY)) as {message: string}
    expect(a.message).toMatch(/^ERR IP banned/)
    c.close()
  })

  it('the ban expires with the (simulated) clock; remaining time is Go-formatted', async () => {
    await sim.close()
    let now = Date.parse('2026-08-22T06:00:00Z')
    sim = await startTestSimulator({version: V7, now: () => now, banDurationMs: 90 * 60_000})
    for (let i = 0; i < 5; i++) await mgmt(sim, 'GET', '/config', {key: 'x'})
    now += 19 * 60_000 + 250
    expect((await mgmt(sim, 'GET', '/config')).json.error).toBe('IP banned due to too many failed attempts. Try again in 1h11m0s')
    now += 71 * 60_000 - 1000
    expect((await mgmt(sim, 'GET', '/config')).json.error).toBe('IP banned due to too many failed attempts. Try again in 1s')
    now += 1000
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(200)
  })

  it('sim.ban() / unban() on demand', async () => {
    sim.ban('127.0.0.1', 5 * 60_000)
    expect((await mgmt(sim, 'GET', '/config')).json.error).toBe('IP banned due to too many failed attempts. Try again in 5m0s')
    sim.unban()
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(200)
  })
})

describe('GET /usage-queue', () => {
  it('pops one record by default, oldest first, as a JSON array of objects', async () => {
    for (let i = 0; i < 4; i++) sim.pushRaw(`{"n":${i}}`)
    expect((await mgmt(sim, 'GET', '/usage-queue')).json).toEqual([{n: 0}])
    expect((await mgmt(sim, 'GET', '/usage-queue?count=2')).json).toEqual([{n: 1}, {n: 2}])
    expect((await mgmt(sim, 'GET', '/usage-queue?count=100')).json).toEqual([{n: 3}])
    const empty = await mgmt(sim, 'GET', '/usage-queue?count=5')
    expect(empty.status).toBe(200)
    expect(empty.text).toBe('[]')
  })

  it('400 on a non-positive or non-integer count', async () => {
    for (const bad of ['0', '-2', 'ten', '1.5']) {
      const r = await mgmt(sim, 'GET', `/usage-queue?count=${bad}`)
      expect(r.status).toBe(400)
      expect(r.json).toEqual({error: 'count must be a positive integer'})
    }
  })

  it('returns a payload that is not valid JSON as a JSON string, keeps record field order', async () => {
    sim.pushRaw('not json {')
    sim.generate(1)
    const r = await mgmt(sim, 'GET', '/usage-queue?count=2')
    expect(r.json[0]).toBe('not json {')
    expect(Object.keys(r.json[1])[0]).toBe('timestamp')
    expect(r.text.startsWith('["not json {",{"timestamp":')).toBe(true)
  })

  it('shares the FIFO with RESP pops', async () => {
    for (let i = 0; i < 3; i++) sim.pushRaw(`{"s":${i}}`)
    const c = await RawResp.connect(sim.port)
    await c.command('AUTH', TEST_MANAGEMENT_KEY)
    expect(await c.command('LPOP', 'usage')).toBe('{"s":0}')
    expect((await mgmt(sim, 'GET', '/usage-queue')).json).toEqual([{s: 1}])
    expect(await c.command('RPOP', 'usage', '9')).toEqual(['{"s":2}'])
    c.close()
  })

  it('is absent before v6.10.8 (a 404 with a body)', async () => {
    await sim.close()
    sim = await startTestSimulator({version: '6.10.1'})
    const r = await mgmt(sim, 'GET', '/usage-queue')
    expect(r.status).toBe(404)
    expect(r.text).toBe('404 page not found')
  })
})

describe('publication and retention', () => {
  it('usage-statistics-enabled gates publishing', async () => {
    expect((await mgmt(sim, 'PUT', '/usage-statistics-enabled', {body: {value: false}})).json).toEqual({status: 'ok'})
    sim.generate(5)
    expect(sim.counters()).toMatchObject({generated: 5, unpublished: 5, queued: 0})
    await mgmt(sim, 'PUT', '/usage-statistics-enabled', {body: {value: true}})
    sim.generate(2)
    expect((await mgmt(sim, 'GET', '/usage-queue?count=10')).json).toHaveLength(2)
  })

  it('prunes records older than the retention window at push and at pop', async () => {
    await sim.close()
    let now = Date.parse('2026-08-22T06:00:00Z')
    sim = await startTestSimulator({version: V7, now: () => now, retentionSeconds: 30})
    sim.pushRaw('{"t":0}')
    now += 20_000
    sim.pushRaw('{"t":20}')
    now += 10_001 // the first is now 30.001 s old
    expect((await mgmt(sim, 'GET', '/usage-queue?count=10')).json).toEqual([{t: 20}])
    expect(sim.counters().expired).toBe(1)
    // retention is live-updated, clamped to 3600, ≤ 0 means 60
    sim.setConfig('redis-usage-queue-retention-seconds', 999_999)
    sim.pushRaw('{"t":"a"}')
    now += 3_599_000
    sim.pushRaw('{"t":"b"}')
    expect((await mgmt(sim, 'GET', '/usage-queue?count=10')).json).toEqual([{t: 'a'}, {t: 'b'}])
    sim.setConfig('redis-usage-queue-retention-seconds', 0)
    sim.pushRaw('{"t":"c"}')
    now += 61_000
    expect((await mgmt(sim, 'GET', '/usage-queue?count=10')).json).toEqual([])
  })

  it('a restart drops the FIFO and subscribers but keeps config, counters and the ban state', async () => {
    sim.preload(10)
    await mgmt(sim, 'PUT', '/debug', {body: {value: true}})
    await mgmt(sim, 'GET', '/config', {key: 'wrong'})
    const before = sim.counters()
    await sim.restart({downMs: 20})
    expect(sim.counters()).toMatchObject({generated: before.generated, queued: 0, authFailures: 1})
    expect((await mgmt(sim, 'GET', '/debug')).json).toEqual({debug: true})
    expect((await mgmt(sim, 'GET', '/usage-queue?count=100')).json).toEqual([])
  })
})

describe('one port, first-byte sniff', () => {
  it('closes a connection that sends nothing before the sniff deadline', async () => {
    await sim.close()
    sim = await startTestSimulator({version: V7, sniffTimeoutMs: 150})
    const closedWithoutData = await new Promise<boolean>((resolve, reject) => {
      const s = connect({port: sim.port, host: '127.0.0.1'})
      let got = false
      s.on('data', () => (got = true))
      s.on('close', () => resolve(!got))
      s.on('error', reject)
    })
    expect(closedWithoutData).toBe(true)
    expect(sim.counters().connections).toBe(1)
  })

  it('serves HTTP and RESP on the same port and a large HTTP body split across writes', async () => {
    const big = `# ${'x'.repeat(200_000)}\n${(await mgmt(sim, 'GET', '/config.yaml')).text}`
    const status = await new Promise<string>((resolve, reject) => {
      const s = connect({port: sim.port, host: '127.0.0.1'}, async () => {
        const head = `PUT /v0/management/config.yaml HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_MANAGEMENT_KEY}\r\nContent-Type: application/yaml\r\nContent-Length: ${Buffer.byteLength(big)}\r\nConnection: close\r\n\r\n`
        s.write(head.slice(0, 10))
        await new Promise(r => setTimeout(r, 20))
        s.write(head.slice(10))
        for (let i = 0; i < big.length; i += 50_000) {
          s.write(big.slice(i, i + 50_000))
          await new Promise(r => setTimeout(r, 5))
        }
      })
      let out = ''
      s.on('data', d => (out += d.toString()))
      s.on('close', () => resolve(out.split('\r\n')[0]))
      s.on('error', reject)
    })
    expect(status).toBe('HTTP/1.1 200 OK')
    expect((await mgmt(sim, 'GET', '/config.yaml')).text.startsWith('# xxxx')).toBe(true)
  })
})
