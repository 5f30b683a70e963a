/**
 * Test helpers around the gateway simulator (src/lib/sim): start/stop one per test file, the env a
 * command test passes to runCli, a small HTTP helper, and a raw RESP client for wire-level assertions.
 *
 * ```ts
 * const ctx = useSimulator({seed: 3})
 * it('…', async () => {
 *   ctx.sim.preload(10)
 *   const res = await runCli(['collect', '--json'], {env: ctx.env()})
 * })
 * ```
 */
import {connect, type Socket} from 'node:net'
import {Agent, fetch} from 'undici'
import {afterAll, beforeAll} from 'vitest'

import {type Simulator, type SimulatorOptions, startSimulator} from '../../src/lib/sim/index.js'
import {rowForV0} from '../../src/lib/sim/routes/route-map.js'

export type {Simulator, SimulatorOptions} from '../../src/lib/sim/index.js'

/** The management key every test simulator uses unless told otherwise. */
export const TEST_MANAGEMENT_KEY = 'sim-test-management-key-7d41c2'

/**
 * The gateway version the whole suite runs against: CPACTL_TEST_GATEWAY_VERSION (`.ci/run` runs the suite once
 * with 7.2.140 and once with an 8.0.x version). Unset: the simulator's default (7.2.140). Tests that are
 * inherently version-specific pass their own `version`, which wins.
 */
export const SUITE_GATEWAY_VERSION: string | undefined = process.env.CPACTL_TEST_GATEWAY_VERSION || undefined

/** The v7 release the v7 contract tests (RESP, the v0 config file, …) pin themselves to. */
export const V7 = '7.2.140'

/** True when the suite runs against a v8 simulator. */
export const SUITE_IS_V8 = /^v?(\d+)\./.test(SUITE_GATEWAY_VERSION ?? '') && Number(/^v?(\d+)\./.exec(SUITE_GATEWAY_VERSION!)![1]) >= 8

/**
 * The path a request for a v0 route takes on the suite's gateway: `/v0/management<path>` on v7, the v8 path
 * of the same route on v8 (from the simulator's route map; routes without a v8 name stay on v0).
 */
export function suitePath(method: string, v0Path: string): string {
  if (SUITE_IS_V8) {
    const row = rowForV0(method, v0Path)
    if (row?.v8) return `/v8/management${row.v8}`
  }
  return `/v0/management${v0Path}`
}

/** Simulator options every test simulator starts from (the suite's gateway version). */
export function suiteGateway(): Partial<SimulatorOptions> {
  return SUITE_GATEWAY_VERSION ? {version: SUITE_GATEWAY_VERSION} : {}
}

export function startTestSimulator(opts: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  return startSimulator({managementKey: TEST_MANAGEMENT_KEY, port: 0, ...suiteGateway(), ...opts})
}

/** Environment for runCli: the simulator's URL and key (CPA_URL / CPA_MANAGEMENT_KEY). */
export function simEnv(sim: Simulator, key = TEST_MANAGEMENT_KEY): Record<string, string> {
  return {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: key}
}

export interface SimHandle {
  readonly sim: Simulator
  env(key?: string): Record<string, string>
}

/** One simulator for the whole test file (beforeAll/afterAll). */
export function useSimulator(opts: Partial<SimulatorOptions> = {}): SimHandle {
  let current: Simulator | undefined
  beforeAll(async () => {
    current = await startTestSimulator(opts)
  })
  afterAll(async () => {
    await current?.close()
  })
  return {
    get sim(): Simulator {
      if (!current) throw new Error('simulator not started (use inside a test)')
      return current
    },
    env: (key?: string) => simEnv(current!, key),
  }
}

export interface MgmtResponse<T = any> {
  status: number
  headers: Headers
  text: string
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: T
}

/**
 * One raw management request with fetch (no retries, no client logic): `path` below /v0/management unless
 * it starts with '//' (then absolute, e.g. '//healthz').
 */
/**
 * mgmt() opens a fresh connection per request: a pooled keep-alive socket may still look open to the client
 * for a moment after a simulated restart destroyed it, and a request sent on it fails with "other side closed"
 * (a real client would retry; these raw requests must not).
 */
const noKeepAlive = new Agent({pipelining: 0})

export async function mgmt<T = any>(
  sim: Simulator,
  method: string,
  path: string,
  opts: {key?: string | null; body?: unknown; headers?: Record<string, string>} = {},
): Promise<MgmtResponse<T>> {
  const url = path.startsWith('//') ? `${sim.url}${path.slice(1)}` : `${sim.url}/v0/management${path}`
  const headers: Record<string, string> = {...opts.headers}
  const key = opts.key === undefined ? TEST_MANAGEMENT_KEY : opts.key
  if (key !== null) headers.authorization = `Bearer ${key}`
  let body: string | Buffer | undefined
  if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = opts.body
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body)
    headers['content-type'] ??= 'application/json'
  }
  const res = await fetch(url, {method, headers, body, dispatcher: noKeepAlive})
  const text = await res.text()
  let json: any
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return {status: res.status, headers: res.headers, text, json}
}

/**
 * `METHOD path` of the requests the simulator saw from log index `from` on, without the ones every command may
 * add around its own: API detection (`GET /v0/management/config`) and the legacy-file check before a v8 write
 * (`GET /v0/management/config.yaml`). `writes` keeps only the non-GET requests.
 */
export function requestsSince(sim: Simulator, from: number, opts: {writes?: boolean} = {}): string[] {
  return sim
    .httpLog()
    .slice(from)
    .filter((e) => !(opts.writes && e.method === 'GET'))
    .map((e) => `${e.method} ${e.path}`)
    .filter((l) => l !== 'GET /v0/management/config' && l !== 'GET /v0/management/config.yaml')
}

// ------------------------------------------------------------------------------------ raw RESP client

/** An error reply (`-ERR …`). */
export class RespErrorReply {
  constructor(readonly message: string) {}
}

export type RespValue = string | number | null | RespErrorReply | RespValue[]

function encodeCommand(args: string[]): Buffer {
  const parts = [`*${args.length}\r\n`]
  for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`)
  return Buffer.from(parts.join(''))
}

/** Parse one reply from `buf` at `pos`; undefined when incomplete. */
function parseReply(buf: Buffer, pos: number): {value: RespValue; next: number} | undefined {
  if (pos >= buf.length) return undefined
  const end = buf.indexOf('\r\n', pos)
  if (end === -1) return undefined
  const type = String.fromCharCode(buf[pos])
  const line = buf.toString('utf8', pos + 1, end)
  switch (type) {
    case '+':
      return {value: line, next: end + 2}
    case '-':
      return {value: new RespErrorReply(line), next: end + 2}
    case ':':
      return {value: Number(line), next: end + 2}
    case '$': {
      const len = Number(line)
      if (len < 0) return {value: null, next: end + 2}
      if (buf.length < end + 2 + len + 2) return undefined
      return {value: buf.toString('utf8', end + 2, end + 2 + len), next: end + 2 + len + 2}
    }
    case '*': {
      const n = Number(line)
      if (n < 0) return {value: null, next: end + 2}
      const items: RespValue[] = []
      let p = end + 2
      for (let i = 0; i < n; i++) {
        const r = parseReply(buf, p)
        if (!r) return undefined
        items.push(r.value)
        p = r.next
      }
      return {value: items, next: p}
    }
    default:
      throw new Error(`unexpected RESP reply byte ${JSON.stringify(type)}`)
  }
}

/**
 * A minimal RESP2 client that shows exactly what the server sent (no handshake, no retries):
 * `send()` writes a command, `reply()` waits for the next reply, `closed` settles when the server closes.
 */
export class RawResp {
  private buf = Buffer.alloc(0)
  private readonly replies: RespValue[] = []
  private waiters: Array<(v: RespValue) => void> = []
  private closeWaiters: Array<() => void> = []
  isClosed = false
  /** Every byte received, for assertions on exact framing. */
  raw = Buffer.alloc(0)

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw = Buffer.concat([this.raw, chunk])
      this.buf = Buffer.concat([this.buf, chunk])
      for (;;) {
        const r = parseReply(this.buf, 0)
        if (!r) break
        this.buf = this.buf.subarray(r.next)
        const w = this.waiters.shift()
        if (w) w(r.value)
        else this.replies.push(r.value)
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.isClosed = true
      for (const w of this.closeWaiters) w()
      this.closeWaiters = []
    })
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawResp> {
    return new Promise((resolve, reject) => {
      const socket = connect({port, host}, () => resolve(new RawResp(socket)))
      socket.once('error', reject)
    })
  }

  /** Write one command as a RESP array of bulk strings. */
  send(...args: string[]): void {
    this.socket.write(encodeCommand(args))
  }

  /** Write raw bytes (malformed frames, pipelines). */
  sendRaw(data: string | Buffer): void {
    this.socket.write(data)
  }

  /** The next reply (rejects after `timeoutMs` or when the connection closes first). */
  reply(timeoutMs = 3000): Promise<RespValue> {
    const queued = this.replies.shift()
    if (queued !== undefined) return Promise.resolve(queued)
    if (this.isClosed) return Promise.reject(new Error('connection closed'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w !== waiter)
        reject(new Error('no reply'))
      }, timeoutMs)
      const waiter = (v: RespValue) => {
        clearTimeout(timer)
        resolve(v)
      }
      this.waiters.push(waiter)
      this.closeWaiters.push(() => {
        if (this.waiters.includes(waiter)) {
          clearTimeout(timer)
          this.waiters = this.waiters.filter(w => w !== waiter)
          reject(new Error('connection closed'))
        }
      })
    })
  }

  /** Send a command and wait for its reply. */
  async command(...args: string[]): Promise<RespValue> {
    this.send(...args)
    return this.reply()
  }

  /** Resolves when the server closes the connection (rejects after `timeoutMs`). */
  closed(timeoutMs = 3000): Promise<void> {
    if (this.isClosed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('connection still open')), timeoutMs)
      this.closeWaiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Replies already received and not yet consumed. */
  pendingReplies(): RespValue[] {
    return [...this.replies]
  }

  close(): void {
    this.socket.destroy()
  }
}

/** Connect and AUTH with the test key; throws unless the server answered +OK. */
export async function respAuthed(sim: Simulator, key = TEST_MANAGEMENT_KEY): Promise<RawResp> {
  const c = await RawResp.connect(sim.port)
  const r = await c.command('AUTH', key)
  if (r !== 'OK') throw new Error(`AUTH failed: ${JSON.stringify(r)}`)
  return c
}
