/**
 * Test harness for the management-surface tests: a simulator on an ephemeral loopback port, driven over
 * real HTTP with the management key. Uses `startSimulator()` (src/lib/sim/index.ts) when the core has it;
 * until then a minimal stand-in HTTP server that authenticates and dispatches the same routes
 * (surfaceRoutes + the core's config routes).
 */
import {createServer, type IncomingMessage, type Server} from 'node:http'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {createAccountRegistry, defaultProviderConfig, type SimAccountRegistry} from '../../../src/lib/sim/accounts.js'
import {ConfigState, configRoutes, initialConfigYaml} from '../../../src/lib/sim/config-state.js'
import {surfaceRoutes} from '../../../src/lib/sim/routes/index.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../../../src/lib/sim/types.js'

export const KEY = 'sim-surface-test-key'

export interface SurfaceEnv {
  url: string
  authDir: string
  accounts: SimAccountRegistry
  config(): Record<string, unknown>
  setConfig(key: string, value: unknown): void
  /** Simulated clock control (ms since epoch). */
  clock: {now: number}
  close(): Promise<void>
}

export interface CallResult {
  status: number
  headers: Headers
  text: string
  json: any
}

export async function call(
  env: SurfaceEnv,
  method: string,
  path: string,
  opts: {json?: unknown; body?: string | FormData | Blob | Buffer; headers?: Record<string, string>} = {},
): Promise<CallResult> {
  const headers: Record<string, string> = {authorization: `Bearer ${KEY}`, ...opts.headers}
  let body = opts.body
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json)
    headers['content-type'] = 'application/json'
  }
  const res = await fetch(`${env.url}/v0/management${path}`, {method, headers, body})
  const text = await res.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return {status: res.status, headers: res.headers, text, json}
}

function match(route: SimRoute, method: string, path: string): boolean {
  if (route.method !== method) return false
  if (!route.path.includes(':')) return route.path === path
  const rp = route.path.split('/')
  const pp = path.split('/')
  return rp.length === pp.length && rp.every((seg, i) => seg.startsWith(':') ? pp[i] !== '' : seg === pp[i])
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Stand-in server: the same route table behind a key check. */
async function startStandIn(seed: number, start: number): Promise<SurfaceEnv> {
  const authDir = mkdtempSync(join(tmpdir(), 'cpactl-sim-auth-'))
  const clock = {now: start}
  const state = new ConfigState(
    initialConfigYaml({host: '127.0.0.1', port: 0, authDir, managementKey: KEY, apiKeys: ['sk-client-1'], usageStatisticsEnabled: true, retentionSeconds: 60}),
  )
  for (const [k, v] of Object.entries(defaultProviderConfig(seed))) state.set(k, v)
  const accounts = createAccountRegistry({seed, authDir, now: () => clock.now, config: () => state.full()})
  const sim: SimContext = {
    config: () => state.full(),
    setConfigValue: (k, v) => state.set(k, v),
    now: () => clock.now,
    accounts,
    log: (line) => accounts.appendLog(line),
  }
  const routes = [...configRoutes(state, {version: '7.2.140', latestVersion: () => '7.2.140'}), ...surfaceRoutes]
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const body = await readBody(req)
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, {'content-type': 'application/json'}).end(JSON.stringify({error: 'invalid management key'}))
      return
    }
    const path = url.pathname.replace(/^\/v0\/management/, '') || '/'
    const route = routes.find((r) => match(r, req.method ?? 'GET', path))
    if (!route) {
      res.writeHead(404).end()
      return
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v])),
      body,
      clientIp: '127.0.0.1',
    }
    let out: SimResponse
    try {
      out = await route.handler(simReq, sim)
    } catch (error) {
      out = {status: 500, body: {error: (error as Error).message}}
    }
    const headers = {...out.headers}
    let payload: Buffer | string = ''
    if (Buffer.isBuffer(out.body) || typeof out.body === 'string') payload = out.body
    else if (out.body !== undefined) {
      payload = JSON.stringify(out.body)
      headers['content-type'] ??= 'application/json; charset=utf-8'
    }
    res.writeHead(out.status, headers).end(payload)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as {port: number}).port
  return {
    url: `http://127.0.0.1:${port}`,
    authDir,
    accounts,
    config: () => state.full(),
    setConfig: (k, v) => state.set(k, v),
    clock,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      rmSync(authDir, {recursive: true, force: true})
    },
  }
}

/** 2026-08-22T06:03:11.000Z, a fixed simulated "now". */
export const T0 = Date.UTC(2026, 7, 22, 6, 3, 11)

export async function startSurface(opts: {seed?: number; now?: number} = {}): Promise<SurfaceEnv> {
  return startStandIn(opts.seed ?? 42, opts.now ?? T0)
}
