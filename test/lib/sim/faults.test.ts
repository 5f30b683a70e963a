/**
 * Fault injection and observability of the simulator (issue 3 "Traffic" and "Observability for tests").
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {parseFaultSpec} from '../../../src/lib/sim/faults.js'
import {mgmt, RawResp, respAuthed, type Simulator, startTestSimulator, TEST_MANAGEMENT_KEY, V7} from '../../helpers/sim.js'

let sim: Simulator
const open: RawResp[] = []

beforeEach(async () => {
  sim = await startTestSimulator({version: V7, seed: 31})
})

afterEach(async () => {
  for (const c of open.splice(0)) c.close()
  await sim.close()
})

async function authed(): Promise<RawResp> {
  const c = await respAuthed(sim)
  open.push(c)
  return c
}

describe('faults', () => {
  it('malformedEvery: a malformed payload after every N-th record; totals stay exact', async () => {
    sim.faults.malformedEvery = 3
    const recs = sim.generate(9)
    const body = (await mgmt(sim, 'GET', '/usage-queue?count=100')).json as unknown[]
    expect(body).toHaveLength(12)
    const malformed = [body[3], body[7], body[11]]
    expect(typeof malformed[0]).toBe('string') // truncated JSON, returned as a JSON string
    expect(recs[2].payload.startsWith(malformed[0] as string)).toBe(true)
    expect(malformed[1]).toBe('simulated fault: not a JSON document')
    expect(malformed[2]).toEqual([42]) // valid JSON, not an object
    expect(sim.counters().malformed).toBe(3)
    expect(sim.totals().requests).toBe(9)
  })

  it('dropMidReplyEvery (RESP): every N-th pop reply with records is cut off and the connection dropped; the records are gone', async () => {
    sim.faults.dropMidReplyEvery = 2
    for (let i = 0; i < 6; i++) sim.pushRaw(`{"n":${i}}`)
    const c = await authed()
    expect(await c.command('LPOP', 'usage', '2')).toEqual(['{"n":0}', '{"n":1}'])
    expect(await c.command('LPOP', 'usage', '2').catch((e: Error) => e.message)).toBe('connection closed')
    expect(c.raw.toString()).toContain('*2\r\n$7\r\n{"n":0}')
    const d = await authed()
    expect(await d.command('LPOP', 'usage', '10')).toEqual(['{"n":4}', '{"n":5}'])
    expect(sim.counters()).toMatchObject({droppedReplies: 1, popped: 6, queued: 0})
  })

  it('dropMidReplyEvery (HTTP): the reply is truncated, the client sees a network error', async () => {
    sim.faults.dropMidReplyEvery = 1
    sim.pushRaw('{"x":1}')
    await expect(mgmt(sim, 'GET', '/usage-queue?count=5')).rejects.toThrow()
    // an empty pop carries no records and is never dropped
    expect((await mgmt(sim, 'GET', '/usage-queue?count=5')).json).toEqual([])
    expect(sim.counters()).toMatchObject({droppedReplies: 1, popped: 1})
  })

  it('http5xx: a burst of N answers before auth (no failure counted), then normal service', async () => {
    sim.faults.http5xx = {count: 2}
    const a = await mgmt(sim, 'GET', '/config', {key: 'wrong'})
    expect(a.status).toBe(503)
    expect(a.json).toEqual({error: 'core auth manager unavailable'})
    expect(a.headers.get('x-cpa-version')).toBe('7.2.140')
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(503)
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(200)
    expect(sim.counters()).toMatchObject({injected5xx: 2, authFailures: 0})
    sim.faults = {http5xx: {count: 1, status: 502}}
    expect((await mgmt(sim, 'GET', '/config')).status).toBe(502)
    // /healthz is never affected
    sim.faults = {http5xx: {count: 1}}
    expect((await mgmt(sim, 'GET', '//healthz', {key: null})).status).toBe(200)
  })

  it('latencyMs delays replies without reordering pipelined RESP commands or HTTP answers', async () => {
    sim.faults.latencyMs = 30
    for (let i = 0; i < 3; i++) sim.pushRaw(`{"l":${i}}`)
    const c = await authed()
    c.send('LPOP', 'usage')
    c.send('INFO')
    c.send('LPOP', 'usage', '5')
    expect(await c.reply()).toBe('{"l":0}')
    expect(await c.reply()).toEqual(expect.objectContaining({message: "ERR unknown command 'info'"}))
    expect(await c.reply()).toEqual(['{"l":1}', '{"l":2}'])
    expect((await mgmt(sim, 'GET', '/debug')).json).toEqual({debug: false})
  })

  it('restart drops subscribers (their sockets close) and the FIFO; the port is the same', async () => {
    const port = sim.port
    const sub = await authed()
    await sub.command('SUBSCRIBE', 'usage')
    await sub.reply()
    await sim.restart()
    await sub.closed()
    expect(sim.port).toBe(port)
    expect(sim.subscribers()).toEqual({usage: 0, errors: 0})
    sim.generate(2)
    expect((await mgmt(sim, 'GET', '/usage-queue?count=9')).json).toHaveLength(2)
  })

  it('parseFaultSpec reads the --fault forms and rejects the rest', () => {
    expect(parseFaultSpec('malformed-every=50')).toEqual({malformedEvery: 50})
    expect(parseFaultSpec('latency=200')).toEqual({latencyMs: 200})
    expect(parseFaultSpec('drop-every=7')).toEqual({dropMidReplyEvery: 7})
    expect(parseFaultSpec('5xx=3')).toEqual({http5xx: {count: 3, status: 503}})
    expect(parseFaultSpec('5xx=3:502')).toEqual({http5xx: {count: 3, status: 502}})
    expect(parseFaultSpec('config-write-fail=2')).toEqual({configTree: {error: 'write_failed', after: 2, count: 1}})
    for (const bad of ['latency', 'drop-every=0', '5xx=1:404', 'boom=1', 'latency=-5']) expect(() => parseFaultSpec(bad)).toThrow()
  })
})

describe('observability', () => {
  it('respLog: one entry per connection, commands in order, passwords redacted', async () => {
    const a = await RawResp.connect(sim.port)
    open.push(a)
    await a.command('HELLO', '3', 'AUTH', 'default', TEST_MANAGEMENT_KEY)
    await a.command('AUTH', 'default', TEST_MANAGEMENT_KEY)
    await a.command('LPOP', 'usage', '3')
    const b = await RawResp.connect(sim.port)
    open.push(b)
    await b.command('AUTH', 'wrong-key-here')
    const log = sim.respLog()
    expect(log.map(l => l.commands)).toEqual([
      [
        ['HELLO', '3', 'AUTH', 'default', '***'],
        ['AUTH', 'default', '***'],
        ['LPOP', 'usage', '3'],
      ],
      [['AUTH', '***']],
    ])
    expect(log.every(l => l.remoteAddress === '127.0.0.1')).toBe(true)
    expect(JSON.stringify(log)).not.toContain(TEST_MANAGEMENT_KEY)
    expect(JSON.stringify(log)).not.toContain('wrong-key-here')
  })

  it('httpLog: method, path, query, status, connection, in order; never a key', async () => {
    await mgmt(sim, 'GET', '/usage-queue?count=3')
    await mgmt(sim, 'PUT', '/debug', {body: {value: true}})
    await mgmt(sim, 'GET', '/config', {key: 'nope'})
    await mgmt(sim, 'GET', '//healthz', {key: null})
    const log = sim.httpLog()
    expect(log.map(({method, path, query, status}) => ({method, path, query, status}))).toEqual([
      {method: 'GET', path: '/v0/management/usage-queue', query: 'count=3', status: 200},
      {method: 'PUT', path: '/v0/management/debug', query: '', status: 200},
      {method: 'GET', path: '/v0/management/config', query: '', status: 401},
      {method: 'GET', path: '/healthz', query: '', status: 200},
    ])
    expect(log.every(e => e.connectionId > 0 && typeof e.at === 'number')).toBe(true)
    expect(JSON.stringify(log)).not.toContain(TEST_MANAGEMENT_KEY)
    expect(sim.counters()).toMatchObject({httpRequests: 4, authFailures: 1})
  })

  it('counters: connections, commands, generated/popped/queued/expired', async () => {
    sim.generate(5)
    const c = await authed()
    await c.command('LPOP', 'usage', '2')
    expect(sim.counters()).toMatchObject({generated: 5, published: 5, popped: 2, queued: 3, respCommands: 2, connections: 1})
    sim.clearLogs()
    await c.command('LPOP', 'usage')
    expect(sim.respLog().map(l => l.commands)).toEqual([[['LPOP', 'usage']]])
  })
})
