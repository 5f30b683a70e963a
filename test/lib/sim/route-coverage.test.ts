/**
 * Route coverage: the simulator's one route table (src/lib/sim/routes/index.ts and its v8 map, read through
 * `sim.routeList()`) against the route lists transcribed by hand from cpa-gateway.md and cpa-gateway-v8.md
 * (reference-routes.ts), per major and simulated version; then every listed route answered over a real socket.
 */
import {afterEach, describe, expect, it} from 'vitest'

import {versionAtLeast} from '../../../src/lib/sim/version.js'
import {mgmt, type Simulator, startTestSimulator, V7} from '../../helpers/sim.js'
import {CLIENT_API_ROUTES, ROUTE_SINCE, V0_ADDED_AFTER_7_2_140, V0_MANAGEMENT_ROUTES, V0_PUBLIC_ROUTES, V8_EARLY_ONLY_ROUTES, V8_MANAGEMENT_ROUTES} from './reference-routes.js'

let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const sorted = (list: string[]) => [...list].sort()
const V8 = '8.0.23'

function served(s: Simulator): {management: string[]; v8: string[] | null; public: string[]; simOnly: string[]} {
  const list = s.routeList()
  return {
    management: sorted(list.management.map(r => `${r.method} ${r.path}`)),
    v8: list.v8 && sorted(list.v8.map(r => `${r.method} ${r.path}`)),
    public: sorted(list.public.filter(r => !r.simOnly).map(r => `${r.method} ${r.path}`)),
    simOnly: sorted(list.public.filter(r => r.simOnly).map(r => `${r.method} ${r.path}`)),
  }
}

/** The /v0/management routes of `version`: each route from its first release; a v8 gateway adds the newer ones. */
function expectedFor(version: string): string[] {
  const v7 = V0_MANAGEMENT_ROUTES.filter(route => !ROUTE_SINCE.some(x => x.route.test(route) && !versionAtLeast(version, x.since)))
  return versionAtLeast(version, '8.0.0') ? [...v7, ...V0_ADDED_AFTER_7_2_140] : v7
}

describe('route table vs the references, per major', () => {
  it('the transcribed lists: v7.2.140 129 pairs on 58 paths; v8 adds 15 to /v0; /v8 has 41 (later) + 3 (early), no duplicates', () => {
    expect(V0_MANAGEMENT_ROUTES).toHaveLength(129)
    expect(new Set(V0_MANAGEMENT_ROUTES).size).toBe(129)
    expect(new Set(V0_MANAGEMENT_ROUTES.map(r => r.split(' ')[1])).size).toBe(58)
    const v0OnV8 = [...V0_MANAGEMENT_ROUTES, ...V0_ADDED_AFTER_7_2_140]
    expect(new Set(v0OnV8).size).toBe(144)
    expect(new Set([...V8_MANAGEMENT_ROUTES, ...V8_EARLY_ONLY_ROUTES]).size).toBe(44)
    expect(V8_MANAGEMENT_ROUTES).toHaveLength(41)
  })

  it('v7.2.140 serves exactly its 129 management routes and no /v8 table', async () => {
    sim = await startTestSimulator({version: V7})
    const s = served(sim)
    expect(s.management).toEqual(sorted(V0_MANAGEMENT_ROUTES))
    expect(s.v8).toBeNull()
  })

  it.each(['6.10.8', '7.1.40', '7.1.47', '7.1.69', '7.2.64', '7.2.137', '7.2.139'])('v%s serves the routes its version registers', async version => {
    sim = await startTestSimulator({version})
    expect(served(sim).management).toEqual(sorted(expectedFor(version)))
    expect(served(sim).v8).toBeNull()
  })

  it.each([
    [V8, 'later'],
    ['8.0.4', 'early'],
    ['dev', 'later'],
  ] as const)('v%s (%s): /v0 = the v7.2.140 table + the later v0 routes, /v8 = the v8 map of that revision', async (version, revision) => {
    sim = await startTestSimulator({version, v8Revision: revision})
    const s = served(sim)
    expect(s.management).toEqual(sorted(expectedFor(version)))
    expect(s.management).toHaveLength(144)
    expect(s.v8).toEqual(sorted(revision === 'early' ? [...V8_MANAGEMENT_ROUTES, ...V8_EARLY_ONLY_ROUTES] : V8_MANAGEMENT_ROUTES))
  })

  it('outside the management APIs: the key-less routes and the scripted client API; the simulated consent pages are marked sim-only', async () => {
    for (const version of [V7, V8]) {
      sim = await startTestSimulator({version})
      const s = served(sim)
      expect(s.public).toEqual(sorted([...V0_PUBLIC_ROUTES, ...CLIENT_API_ROUTES]))
      expect(s.simOnly.every(r => r.startsWith('GET /sim/'))).toBe(true)
      expect(s.simOnly.length).toBeGreaterThan(0)
      await sim.close()
      sim = undefined
    }
  })
})

/** Concrete path of a route template: a harmless request (no JSON body, nothing to delete) reaches the handler. */
function concrete(template: string): string {
  const params: Record<string, string> = {':channel': 'codex', ':name': 'error-none.log', ':id': 'deadbeef', '*path': 'nope/x'}
  return template.replace(/:[a-z]+|\*path/g, p => params[p] ?? 'x')
}

/**
 * Every route of `routes` under `prefix`: a registered one never answers the unknown-route 404 (empty body) and,
 * except the key-less OAuth callback, carries X-CPA-VERSION. Writes carry an invalid JSON body, so nothing changes.
 */
async function unanswered(s: Simulator, prefix: string, routes: string[]): Promise<string[]> {
  const failures: string[] = []
  for (const route of routes) {
    const [method, template] = route.split(' ') as [string, string]
    const body = method === 'GET' || method === 'DELETE' ? undefined : 'x'
    const r = await mgmt(s, method, `//${prefix}${concrete(template)}`, {body, headers: {'content-type': 'application/json'}})
    if (r.status === 404 && r.text === '') failures.push(route)
    const callback = /\/oauth[-/]callback$/.test(template)
    if (callback ? r.headers.get('x-cpa-version') !== null : r.headers.get('x-cpa-version') !== s.version) failures.push(`${route} (X-CPA-VERSION)`)
  }
  return failures
}

describe('every listed route answers over a real socket', () => {
  it('v7.2.140: no reference route gets the unknown-route answer (empty 404) with a valid key', async () => {
    sim = await startTestSimulator({version: V7, plugins: true})
    const configText = (await mgmt(sim, 'GET', '/config.yaml')).text
    const failures: string[] = []
    for (const route of V0_MANAGEMENT_ROUTES) {
      const [method, template] = route.split(' ') as [string, string]
      // an empty PUT /config.yaml would wipe the config, secret included: write it back unchanged
      const body = route === 'PUT /config.yaml' ? configText : method === 'GET' || method === 'DELETE' ? undefined : '{}'
      const r = await mgmt(sim, method, concrete(template), {body, headers: {'content-type': route === 'PUT /config.yaml' ? 'application/yaml' : 'application/json'}})
      if (r.status === 404 && r.text === '') failures.push(route)
      if (route.endsWith('/oauth-callback') ? r.headers.get('x-cpa-version') !== null : r.headers.get('x-cpa-version') !== '7.2.140') failures.push(`${route} (X-CPA-VERSION)`)
    }
    expect(failures).toEqual([])
    // the v8 additions are unknown routes on v7.2.140, and /v8 is no API at all
    expect(await unanswered(sim, 'v0/management', V0_ADDED_AFTER_7_2_140)).toEqual(V0_ADDED_AFTER_7_2_140)
    const v8 = await mgmt(sim, 'GET', '//v8/management/config')
    expect({status: v8.status, text: v8.text, version: v8.headers.get('x-cpa-version')}).toEqual({status: 404, text: '', version: null})
    expect(sim.authFailures()).toBe(0)
  })

  it('v8 (later): every /v0 addition and every /v8 route answers; the early-only quota routes are bare 404s', async () => {
    sim = await startTestSimulator({version: V8, plugins: true})
    expect(await unanswered(sim, 'v0/management', V0_ADDED_AFTER_7_2_140)).toEqual([])
    expect(await unanswered(sim, 'v8/management', V8_MANAGEMENT_ROUTES)).toEqual([])
    for (const route of V8_EARLY_ONLY_ROUTES) {
      const [method, path] = route.split(' ') as [string, string]
      const r = await mgmt(sim, method, `//v8/management${path}`, {body: method === 'GET' ? undefined : '{}'})
      expect({route, status: r.status, text: r.text, version: r.headers.get('x-cpa-version')}).toEqual({route, status: 404, text: '', version: null})
    }
    expect(sim.authFailures()).toBe(0)
  })

  it('v8 (early): the quota routes answer too', async () => {
    sim = await startTestSimulator({version: '8.0.4', v8Revision: 'early', plugins: true})
    expect(await unanswered(sim, 'v8/management', [...V8_MANAGEMENT_ROUTES, ...V8_EARLY_ONLY_ROUTES])).toEqual([])
  })

  it('a method the table does not list for a known path is an unknown route (v0: empty 404 with headers; v8: bare 404)', async () => {
    sim = await startTestSimulator({version: V8})
    for (const [method, path] of [['DELETE', '/config'], ['POST', '/plugins'], ['PUT', '/get-auth-status'], ['GET', '/model-definitions'], ['POST', '/meta-api-key'], ['GET', '/auth-files/refresh']]) {
      const r = await mgmt(sim, method!, path!)
      expect({route: `${method} ${path}`, status: r.status, text: r.text, version: r.headers.get('x-cpa-version')}).toEqual({route: `${method} ${path}`, status: 404, text: '', version: V8})
    }
    for (const [method, path] of [['DELETE', '/config'], ['GET', '/credentials/refresh'], ['POST', '/plugins/x/quota/reset'], ['GET', '/oauth/callback/x'], ['GET', '/meta-api-key']]) {
      const r = await mgmt(sim, method!, `//v8/management${path}`)
      expect({route: `${method} ${path}`, status: r.status, text: r.text, version: r.headers.get('x-cpa-version')}).toEqual({route: `${method} ${path}`, status: 404, text: '', version: null})
    }
  })
})
