/**
 * The ioredis client traps (ready-check INFO loop, HELLO/CLIENT before AUTH, retry storms), reproduced against the
 * simulator with the real ioredis packages: defaults must fail the way they fail against the real gateway; the
 * recommended options must produce the clean handshake.
 */
import {Redis as Redis5} from 'ioredis'
import {Redis as Redis6} from 'ioredis6'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {mgmt, type Simulator, startTestSimulator, TEST_MANAGEMENT_KEY, V7} from '../../helpers/sim.js'

let sim: Simulator
const clients: Array<{disconnect(): void}> = []

beforeEach(async () => {
  sim = await startTestSimulator({version: V7, seed: 21})
})

afterEach(async () => {
  for (const c of clients.splice(0)) c.disconnect()
  await sim.close()
})

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (cond()) return true
    await sleep(10)
  }
  return cond()
}

const recommended = {
  lazyConnect: true,
  enableReadyCheck: false,
  disableClientInfo: true,
  maxRetriesPerRequest: 0,
  connectTimeout: 5000,
  enableOfflineQueue: false,
  retryStrategy: () => null,
}

describe('ioredis 5.11.1 defaults', () => {
  it('sends INFO as a ready check, gets unknown command and reconnects in a loop', async () => {
    const redis = new Redis5({host: '127.0.0.1', port: sim.port, password: TEST_MANAGEMENT_KEY})
    redis.on('error', () => {})
    clients.push(redis)
    const looped = await waitFor(() => sim.respLog().length > 2, 1500)
    redis.disconnect()
    expect(looped).toBe(true)
    const log = sim.respLog()
    expect(log.length).toBeGreaterThan(1)
    // each attempt: AUTH (accepted), CLIENT SETINFO ×2 (unknown), INFO (unknown) ⇒ "Ready check failed"
    expect(log[0].commands).toEqual([
      ['auth', '***'],
      ['client', 'SETINFO', 'LIB-NAME', 'ioredis'],
      ['client', 'SETINFO', 'LIB-VER', '5.11.1'],
      ['info'],
    ])
    expect(redis.status).not.toBe('ready')
    // the key was right: nothing counted toward a ban
    expect(sim.counters().authFailures).toBe(0)
  })
})

describe('ioredis 6.0.0 defaults', () => {
  it('pipelines HELLO 3 AUTH before AUTH, gets NOAUTH, each counted ⇒ the IP is banned, HTTP too', async () => {
    const redis = new Redis6({host: '127.0.0.1', port: sim.port, password: TEST_MANAGEMENT_KEY})
    redis.on('error', () => {})
    clients.push(redis)
    const banned = await waitFor(() => sim.counters().bans > 0, 3000)
    redis.disconnect()
    expect(banned).toBe(true)
    const first = sim.respLog()[0].commands
    expect(first[0]).toEqual(['hello', '3', 'AUTH', 'default', '***'])
    expect(first.some(c => c[0].toLowerCase() === 'auth')).toBe(false)
    expect(sim.counters().authFailures).toBeGreaterThanOrEqual(5)
    const http = await mgmt(sim, 'GET', '/config')
    expect(http.status).toBe(403)
    expect(http.json.error).toMatch(/^IP banned due to too many failed attempts\. Try again in \d+m\d+s$/)
  })
})

describe('the recommended options (no ready check, no client info, no retries, protocol 2 on v6)', () => {
  it('ioredis 5: the server sees only AUTH, then pops', async () => {
    sim.preload(5)
    const redis = new Redis5({host: '127.0.0.1', port: sim.port, password: TEST_MANAGEMENT_KEY, ...recommended})
    clients.push(redis)
    await redis.connect()
    const items = await redis.lpop('usage', 100)
    expect(items).toHaveLength(5)
    expect(await redis.lpop('usage', 100)).toEqual([])
    expect(await redis.lpop('usage')).toBeNull()
    redis.disconnect()
    expect(sim.respLog().map(c => c.commands)).toEqual([
      [
        ['auth', '***'],
        ['lpop', 'usage', '100'],
        ['lpop', 'usage', '100'],
        ['lpop', 'usage'],
      ],
    ])
    expect(sim.counters().authFailures).toBe(0)
  })

  it('ioredis 6 with protocol 2: the server sees only AUTH, then pops', async () => {
    sim.preload(3)
    const redis = new Redis6({host: '127.0.0.1', port: sim.port, password: TEST_MANAGEMENT_KEY, protocol: 2, ...recommended})
    clients.push(redis)
    await redis.connect()
    expect(await redis.rpop('usage', 10)).toHaveLength(3)
    redis.disconnect()
    expect(sim.respLog().map(c => c.commands)).toEqual([[['auth', '***'], ['rpop', 'usage', '10']]])
  })

  it('a wrong key costs one connection and one failure, then the client ends', async () => {
    const redis = new Redis5({host: '127.0.0.1', port: sim.port, password: 'wrong-key', ...recommended})
    redis.on('error', () => {})
    clients.push(redis)
    const ended = new Promise(resolve => redis.once('end', resolve))
    await redis.connect().catch(() => {})
    await ended
    await expect(redis.lpop('usage', 10)).rejects.toThrow(/Connection is closed/)
    expect(sim.respLog()).toEqual([{id: expect.any(Number), remoteAddress: '127.0.0.1', commands: [['auth', '***']]}])
    expect(sim.counters().authFailures).toBe(1)
  })

  it('hazard: with the ready check off, a command sent right after connect() is pipelined behind a failing AUTH (2 strikes)', async () => {
    const redis = new Redis5({host: '127.0.0.1', port: sim.port, password: 'wrong-key', ...recommended})
    redis.on('error', () => {})
    clients.push(redis)
    await redis.connect()
    const error = await redis.lpop('usage', 10).then(
      () => undefined,
      (e: Error) => e.message,
    )
    await waitFor(() => redis.status === 'end', 1000)
    // the server saw AUTH then LPOP on the same connection: the LPOP is a pre-AUTH command (a failed auth)
    expect(sim.respLog()[0].commands).toEqual([['auth', '***'], ['lpop', 'usage', '10']])
    expect(error).toBe('NOAUTH Authentication required.')
    expect(sim.counters().authFailures).toBe(2)
  })

  it('SUBSCRIBE: resolves 1, first message {"support_refresh":true}, ping gives [pong, null]', async () => {
    const redis = new Redis5({host: '127.0.0.1', port: sim.port, password: TEST_MANAGEMENT_KEY, ...recommended})
    clients.push(redis)
    await redis.connect()
    const messages: string[] = []
    redis.on('message', (_channel: string, msg: string) => messages.push(msg))
    expect(await redis.subscribe('usage')).toBe(1)
    const recs = sim.generate(3)
    await waitFor(() => messages.length >= 4, 2000)
    expect(messages).toEqual(['{"support_refresh":true}', ...recs.map(r => r.payload)])
    expect(await redis.ping()).toEqual(['pong', null])
    redis.disconnect()
  })
})
