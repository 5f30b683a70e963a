/**
 * Shared setup for the inspection tests: a gateway client and a temp store against a test simulator, and
 * small accessors over the simulator's auth files and HTTP log.
 */
import {join} from 'node:path'

import {GatewayClient} from '../../../src/lib/gateway/client.js'
import type {Simulator} from '../../../src/lib/sim/index.js'
import {openStore, type InspectionRepository} from '../../../src/lib/store/index.js'
import {tempDir} from '../../helpers/run.js'
import {TEST_MANAGEMENT_KEY} from '../../helpers/sim.js'
import {suitePath} from '../../helpers/sim.js'

export function clientFor(sim: Simulator, timeoutMs = 5000): GatewayClient {
  return new GatewayClient({baseUrl: sim.url, timeoutMs, retryBaseMs: 10, getKey: async () => ({key: TEST_MANAGEMENT_KEY, source: 'test'})})
}

/** The inspection repository of a store, closable (the tests own the store). */
export type TestInspections = InspectionRepository & {close(): Promise<void>}

export async function tempStore(path = join(tempDir('cpactl-inspect-'), 'cpactl.db')): Promise<TestInspections> {
  const store = await openStore({path})
  const repo = store.inspections
  return new Proxy(repo, {
    get(target, prop) {
      if (prop === 'close') return () => store.close()
      const v = Reflect.get(target, prop, target)
      return typeof v === 'function' ? v.bind(target) : v
    },
  }) as TestInspections
}

/** Auth-file names of a provider, sorted. */
export function names(sim: Simulator, provider: string): string[] {
  return sim.accounts
    .files()
    .filter((f) => f.type === provider)
    .map((f) => f.name)
    .sort()
}

export function isDisabled(sim: Simulator, name: string): boolean {
  return sim.accounts.file(name)?.metadata.disabled === true
}

/** Requests to a v0 route (`/auth-files/status`), or to its v8 twin when the suite runs against v8. */
export function count(sim: Simulator, method: string, v0Path: string): number {
  const path = suitePath(method, v0Path)
  return sim.httpLog().filter((e) => e.method === method && e.path === path).length
}

/** Wait until `cond()` holds (the simulator logs a request when its handler finishes). */
export async function waitFor(cond: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const until = Date.now() + limitMs
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
