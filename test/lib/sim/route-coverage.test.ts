/**
 * Route coverage: the simulator's one route table (src/lib/sim/routes/index.ts, read through
 * `sim.routeList()`) against the route lists transcribed by hand from cpa-gateway.md (reference-routes.ts),
 * per simulated version; then every listed route answered over a real socket.
 */
import {afterEach, describe, expect, it} from 'vitest'

import {versionAtLeast} from '../../../src/lib/sim/version.js'
import {mgmt, type Simulator, startTestSimulator, V7} from '../../helpers/sim.js'
import {CLIENT_API_ROUTES, ROUTE_SINCE, V0_MANAGEMENT_ROUTES, V0_PUBLIC_ROUTES} from './reference-routes.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const sorted = (list: string[]) => [...list].sort()

function served(s: Simulator): {management: string[]; public: string[]; simOnly: string[]} {
  const list = s.routeList()
  return {
    management: sorted(list.management.map(r => `${r.method} ${r.path}`)),
    public: sorted(list.public.filter(r => !r.simOnly).map(r => `${r.method} ${r.path}`)),
    simOnly: sorted(list.public.filter(r => r.simOnly).map(r => `${r.method} ${r.path}`)),
  }
}

/** The reference routes a gateway of `version` registers (§11 minimum versions). */
function expectedFor(version: string): string[] {
  return V0_MANAGEMENT_ROUTES.filter(route => !ROUTE_SINCE.some(x => x.route.test(route) && !versionAtLeast(version, x.since)))
}

describe('route table vs cpa-gateway.md', () => {
  it('the transcribed reference list holds 129 method + path pairs on 58 paths, no duplicates', () => {
    expect(V0_MANAGEMENT_ROUTES).toHaveLength(129)
    expect(new Set(V0_MANAGEMENT_ROUTES).size).toBe(129)
    expect(new Set(V0_MANAGEMENT_ROUTES.map(r => r.split(' ')[1])).size).toBe(58)
  })

  it('v7.2.140 serves exactly the §3 management routes', async () => {
    sim = await startTestSimulator({version: V7})
    expect(served(sim).management).toEqual(sorted(V0_MANAGEMENT_ROUTES))
  })

  it.each(['6.10.8', '7.1.40', '7.1.47', '7.1.69', '7.2.64', '7.2.137', '7.2.139', 'dev'])('v%s serves the routes its version registers (§11)', async version => {
    sim = await startTestSimulator({version})
    expect(served(sim).management).toEqual(sorted(expectedFor(version)))
  })

  it('outside /v0/management: the §2.2 routes and the scripted client API; the simulated consent pages are marked sim-only', async () => {
    sim = await startTestSimulator()
    const s = served(sim)
    expect(s.public).toEqual(sorted([...V0_PUBLIC_ROUTES, ...CLIENT_API_ROUTES]))
    expect(s.simOnly.every(r => r.startsWith('GET /sim/'))).toBe(true)
    expect(s.simOnly.length).toBeGreaterThan(0)
  })
})

describe('every listed route answers over a real socket', () => {
  const paramFor: Record<string, string> = {':channel': 'codex', ':name': 'error-none.log', ':id': 'deadbeef'}

  it('no reference route gets the unknown-route answer (empty 404) with a valid key', async () => {
    sim = await startTestSimulator({version: V7, plugins: true})
    const configText = (await mgmt(sim, 'GET', '/config.yaml')).text
    const failures: string[] = []
    for (const route of V0_MANAGEMENT_ROUTES) {
      const [method, template] = route.split(' ') as [string, string]
      const path = template.replace(/:[a-z]+/g, p => paramFor[p] ?? 'x')
      // an empty PUT /config.yaml would wipe the config, secret included (§3.1): write it back unchanged
      const body = route === 'PUT /config.yaml' ? configText : method === 'GET' || method === 'DELETE' ? undefined : '{}'
      const r = await mgmt(sim, method, path, {body, headers: {'content-type': route === 'PUT /config.yaml' ? 'application/yaml' : 'application/json'}})
      if (r.status === 404 && r.text === '') failures.push(route)
      if (route.endsWith('/oauth-callback') ? r.headers.get('x-cpa-version') !== null : r.headers.get('x-cpa-version') !== '7.2.140') failures.push(`${route} (X-CPA-VERSION)`)
    }
    expect(failures).toEqual([])
    expect(sim.authFailures()).toBe(0)
  })

  it('a method the table does not list for a known path is an unknown route', async () => {
    sim = await startTestSimulator()
    for (const [method, path] of [['DELETE', '/config'], ['POST', '/plugins'], ['PUT', '/get-auth-status'], ['GET', '/model-definitions']]) {
      const r = await mgmt(sim, method!, path!)
      expect({route: `${method} ${path}`, status: r.status, text: r.text}).toEqual({route: `${method} ${path}`, status: 404, text: ''})
    }
  })
})
