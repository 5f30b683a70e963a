/**
 * The GET retry policy of the gateway client: a GET is tried at most 3 times, and only on transient failures
 * (network errors, timeouts, 5xx); never on a rejected key (401/403: five failures ban the IP), never on a 4xx
 * the gateway meant, never for a write (POST/PUT/PATCH/DELETE) unless the caller asks, and not after an abort.
 * A scripted loopback server answers each request in turn and counts them.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest'

import {AuthError, RejectedError, UpstreamError} from '../../../src/lib/cli/errors.js'
import {GatewayClient} from '../../../src/lib/gateway/client.js'

type Step = number | 'drop'
let script: Step[] = []
let seen: Array<{method: string; url: string}> = []
let server: Server
let url: string

function answer(req: IncomingMessage, res: ServerResponse): void {
  seen.push({method: req.method!, url: req.url!})
  const step = script.shift() ?? 200
  if (step === 'drop') {
    req.socket.destroy()
    return
  }
  res.writeHead(step, {'content-type': 'application/json'})
  res.end(JSON.stringify(step < 300 ? {ok: true} : {error: `status ${step}`}))
}

beforeAll(async () => {
  server = createServer(answer)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  script = []
  seen = []
})

const client = (signal?: AbortSignal) =>
  new GatewayClient({baseUrl: url, retryBaseMs: 1, timeoutMs: 2000, signal, getKey: async () => ({key: 'retry-test-key', source: 'test'})})

describe('GET retry policy', () => {
  it('retries a GET on 5xx and succeeds on the third attempt', async () => {
    script = [503, 502, 200]
    const res = await client().request({path: '/config'})
    expect(res.status).toBe(200)
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(Array(3).fill('GET /v0/management/config'))
  })

  it('gives up after 3 attempts with an upstream error (exit 5)', async () => {
    script = [500, 503, 504, 200]
    const error = await client().request({path: '/config'}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UpstreamError)
    expect((error as UpstreamError).exitCode).toBe(5)
    expect(seen).toHaveLength(3)
  })

  it('retries a dropped connection', async () => {
    script = ['drop', 200]
    expect((await client().request({path: '/config'})).status).toBe(200)
    expect(seen).toHaveLength(2)
  })

  it('never retries a rejected key: one 401 is one request', async () => {
    script = [401, 200]
    expect(await client().request({path: '/config'}).catch((e: unknown) => e)).toBeInstanceOf(AuthError)
    expect(seen).toHaveLength(1)
  })

  it('never retries a 4xx the gateway meant', async () => {
    for (const status of [400, 404, 409, 422]) {
      seen = []
      script = [status, 200]
      expect(await client().request({path: '/config'}).catch((e: unknown) => e)).toBeInstanceOf(RejectedError)
      expect(seen, String(status)).toHaveLength(1)
    }
  })

  it('never retries a write, even on 5xx, unless the caller asks', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      seen = []
      script = [503, 200]
      expect(await client().request({method, path: '/config', json: {}}).catch((e: unknown) => e)).toBeInstanceOf(UpstreamError)
      expect(seen, method).toHaveLength(1)
    }
    seen = []
    script = [503, 200]
    expect((await client().request({method: 'PUT', path: '/config', json: {}, retry: true})).status).toBe(200)
    expect(seen).toHaveLength(2)
  })

  it('a GET with retry: false is tried once', async () => {
    script = [503, 200]
    expect(await client().request({path: '/config', retry: false}).catch((e: unknown) => e)).toBeInstanceOf(UpstreamError)
    expect(seen).toHaveLength(1)
  })

  it('stops retrying once aborted', async () => {
    const controller = new AbortController()
    script = [503, 503, 200]
    const c = new GatewayClient({baseUrl: url, retryBaseMs: 200, timeoutMs: 2000, signal: controller.signal, getKey: async () => ({key: 'k', source: 'test'})})
    const pending = c.request({path: '/config'}).catch((e: unknown) => e)
    while (seen.length === 0) await new Promise((r) => setTimeout(r, 5))
    controller.abort()
    await pending
    expect(seen).toHaveLength(1)
    await c.close()
  })
})
