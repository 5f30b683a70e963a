/**
 * Test harness for the management-surface tests: `startSimulator()` on an ephemeral loopback port with a
 * controllable clock, driven over real HTTP with the management key.
 */
import type {SimAccountRegistry} from '../../../src/lib/sim/account-types.js'
import {type Simulator, type SimulatorOptions, startSimulator} from '../../../src/lib/sim/index.js'
import {suiteGateway} from '../../helpers/sim.js'

export const KEY = 'sim-surface-test-key'

export interface SurfaceEnv {
  url: string
  authDir: string
  accounts: SimAccountRegistry
  config(): Record<string, unknown>
  setConfig(key: string, value: unknown): void
  /** Simulated clock control (ms since epoch). */
  clock: {now: number}
  sim: Simulator
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

async function startReal(seed: number, start: number, extra: Partial<SimulatorOptions> = {}): Promise<SurfaceEnv> {
  const clock = {now: start}
  const sim = await startSimulator({...suiteGateway(), managementKey: KEY, port: 0, seed, now: () => clock.now, apiKeys: ['sk-client-1'], ...extra})
  return {
    url: sim.url,
    authDir: sim.accounts.authDir,
    accounts: sim.accounts,
    config: () => sim.config.full(),
    setConfig: (k, v) => sim.setConfig(k, v),
    clock,
    sim,
    close: () => sim.close(),
  }
}

/** 2026-08-22T06:03:11.000Z, a fixed simulated "now". */
export const T0 = Date.UTC(2026, 7, 22, 6, 3, 11)

export async function startSurface(opts: {seed?: number; now?: number; sim?: Partial<SimulatorOptions>} = {}): Promise<SurfaceEnv> {
  return startReal(opts.seed ?? 42, opts.now ?? T0, opts.sim)
}

/** The first credential of a provider with its file content (`md`, `{}` for config keys). */
export function firstAccount(env: SurfaceEnv, provider: string) {
  const a = env.accounts.list().find(x => x.provider === provider)!
  return {...a, md: env.accounts.file(a.name)?.metadata ?? {}}
}
