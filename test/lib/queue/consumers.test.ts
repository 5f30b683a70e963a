import {describe, expect, it} from 'vitest'

import {AuthError, UpstreamError} from '../../../src/lib/cli/errors.js'
import {GatewayClient} from '../../../src/lib/gateway/client.js'
import {HttpConsumer, openConsumer, RespConsumer, RespSubscriber, respEndpointFor} from '../../../src/lib/queue/index.js'
import {TEST_MANAGEMENT_KEY, useSimulator, V7} from '../../helpers/sim.js'

function client(url: string, key = TEST_MANAGEMENT_KEY, apiFrom?: GatewayClient): GatewayClient {
  return new GatewayClient({apiFrom, baseUrl: url, getKey: async () => ({key, source: 'test'}), retryBaseMs: 1})
}

describe('usage-queue consumers against the simulator', () => {
  const ctx = useSimulator({version: V7, seed: 4})

  it('RESP: AUTH and LPOP usage <n> only, oldest first, [] when empty', async () => {
    const sim = ctx.sim
    const seen = sim.respLog().length
    sim.pushRaw('first')
    sim.pushRaw('second')
    sim.pushRaw('third')
    const c = await RespConsumer.connect(respEndpointFor(client(sim.url)))
    expect(await c.pop(2)).toEqual(['first', 'second'])
    expect(await c.pop(5)).toEqual(['third'])
    expect(await c.pop(5)).toEqual([])
    await c.close()
    expect(sim.respLog().slice(seen).map((x) => x.commands)).toEqual([
      [['auth', '***'], ['lpop', 'usage', '2'], ['lpop', 'usage', '5'], ['lpop', 'usage', '5']],
    ])
  })

  it('RESP: a wrong key is an AuthError after one AUTH; auto does not fall back to HTTP on it', async () => {
    const sim = ctx.sim
    // the management API is already known (detected with the right key); only the RESP AUTH uses the wrong one
    const known = client(sim.url)
    await known.managementApi()
    const before = sim.counters()
    const gw = client(sim.url, 'bad-key-xyz', known)
    const err = await openConsumer({transport: 'auto', popClient: gw, resp: respEndpointFor(gw)}).catch((e) => e)
    expect(err).toBeInstanceOf(AuthError)
    expect(err.code).toBe('auth_failed')
    expect(sim.counters().authFailures - before.authFailures).toBe(1)
    expect(sim.counters().httpRequests).toBe(before.httpRequests)
    sim.unban()
  })

  it('RESP: a closed port is resp_unavailable (auto would fall back); HTTP pops pass count and never retry', async () => {
    const sim = ctx.sim
    const down = client('http://127.0.0.1:9')
    const err = await RespConsumer.connect(respEndpointFor(down)).catch((e) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect(err.code).toBe('resp_unavailable')
    // a v7 gateway whose HTTP answers but whose RESP port is closed: auto falls back to HTTP
    const known = client(sim.url)
    await known.managementApi()
    const noResp = client(sim.url, TEST_MANAGEMENT_KEY, known)
    const opened = await openConsumer({transport: 'auto', popClient: noResp, resp: respEndpointFor(down)})
    expect(opened.consumer.transport).toBe('http')
    expect(opened.fallbackReason).toMatch(/ECONNREFUSED/)
    // the HTTP pop against a gateway answering 503: one request, no retry
    const popper = client(sim.url)
    const {api} = await popper.managementApi() // the API probe is not a pop: done before the fault
    sim.faults.http5xx = {count: 1, status: 503}
    const http = sim.httpLog().length
    const pop = await new HttpConsumer(popper).pop(10).catch((e) => e)
    expect(pop).toBeInstanceOf(UpstreamError)
    const path = api === 'v8' ? '/v8/management/observability/usage/queue' : '/v0/management/usage-queue'
    expect(sim.httpLog().slice(http).map((e) => [e.path, e.query, e.status])).toEqual([[path, 'count=10', 503]])
    sim.pushRaw('{"not":"a record"}')
    sim.pushRaw('torn {')
    expect(await new HttpConsumer(client(sim.url)).pop(10)).toEqual([{not: 'a record'}, 'torn {'])
  })

  it('subscriber: AUTH, SUBSCRIBE usage, the support_refresh control payload, then live records', async () => {
    const sim = ctx.sim
    const got: string[] = []
    let closed: Error | null | undefined
    const sub = new RespSubscriber(respEndpointFor(client(sim.url)))
    await sub.start({message: (p) => got.push(p), closed: (e) => (closed = e)})
    const recs = sim.generate(3)
    const deadline = Date.now() + 5000
    while (got.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    expect(got).toEqual(['{"support_refresh":true}', ...recs.map((r) => r.payload)])
    await sim.restart({downMs: 10})
    const until = Date.now() + 5000
    while (closed === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    expect(closed).not.toBeUndefined()
    sub.close()
  })
})
