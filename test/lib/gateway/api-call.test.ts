/**
 * POST /api-call through the gateway client: the upstream status is data inside an
 * HTTP 200, gateway-side refusals and failures keep the status → error mapping, and the call is never retried.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {apiCall, upstreamHeader} from '../../../src/lib/gateway/api-call.js'
import {GatewayClient} from '../../../src/lib/gateway/client.js'
import type {Simulator} from '../../../src/lib/sim/index.js'
import {startTestSimulator, SUITE_IS_V8, TEST_MANAGEMENT_KEY, suitePath} from '../../helpers/sim.js'

let sim: Simulator
let client: GatewayClient

beforeAll(async () => {
  sim = await startTestSimulator({seed: 5})
  client = new GatewayClient({baseUrl: sim.url, getKey: async () => ({key: TEST_MANAGEMENT_KEY, source: 'test'})})
})

afterAll(async () => {
  await client.close()
  await sim.close()
})

const claude = () => sim.accounts.files().find((f) => f.type === 'claude')!.name
const authIndex = (name: string) => sim.accounts.byName(name)!.authIndex
const calls = () => sim.httpLog().filter((e) => e.path === suitePath('POST', '/api-call'))

describe('apiCall', () => {
  it('returns the upstream answer, with the token substituted by the gateway', async () => {
    sim.accounts.setScenario(claude(), 'ok')
    const res = await apiCall(client, {
      authIndex: authIndex(claude()),
      method: 'GET',
      url: 'https://api.anthropic.com/api/oauth/usage',
      header: {Authorization: 'Bearer $TOKEN$', 'anthropic-beta': 'oauth-2025-04-20'},
    })
    expect(res.statusCode).toBe(200)
    expect(upstreamHeader(res, 'content-type')).toBe('application/json')
    expect(Object.keys(JSON.parse(res.body))).toContain('seven_day')
  })

  it('an upstream 401 is data, not an error', async () => {
    sim.accounts.setScenario(claude(), 'revoked')
    const res = await apiCall(client, {authIndex: authIndex(claude()), method: 'GET', url: 'https://api.anthropic.com/api/oauth/usage', header: {Authorization: 'Bearer $TOKEN$'}})
    expect(res.statusCode).toBe(401)
    expect(JSON.parse(res.body).error.message).toBe('OAuth token has been revoked. Please obtain a new token.')
  })

  it('maps gateway refusals to RejectedError (8) and gateway failures to UpstreamError (5), each sent once', async () => {
    sim.clearLogs()
    // a vertex service account has no token for $TOKEN$: the gateway refuses with 400
    const vertex = sim.accounts.files().find((f) => f.type === 'vertex')!.name
    await expect(
      apiCall(client, {authIndex: authIndex(vertex), method: 'GET', url: 'https://api.anthropic.com/api/oauth/usage', header: {Authorization: 'Bearer $TOKEN$'}}),
    ).rejects.toMatchObject({exitCode: 8, status: 400, message: 'auth token not found'})
    await expect(apiCall(client, {authIndex: authIndex(claude()), method: 'GET', url: 'https://example.invalid/x'})).rejects.toMatchObject({
      exitCode: 5,
      code: 'server_error',
    })
    expect(calls().map((e) => e.status)).toEqual([400, 502])
  })

  it('an auth_index that matches no credential: v7 forwards $TOKEN$ unreplaced (the upstream 401 inside a 200); v8 refuses with 400', async () => {
    const req = {authIndex: '0000000000000000', method: 'GET', url: 'https://api.anthropic.com/api/oauth/usage', header: {Authorization: 'Bearer $TOKEN$'}}
    if (SUITE_IS_V8) await expect(apiCall(client, req)).rejects.toMatchObject({exitCode: 8, status: 400, message: 'auth credential not found for auth_index'})
    else expect((await apiCall(client, req)).statusCode).toBe(401)
  })

  it('enforces its own deadline', async () => {
    sim.accounts.setScenario(claude(), {scenario: 'timeout', delayMs: 2000})
    await expect(
      apiCall(client, {authIndex: authIndex(claude()), method: 'GET', url: 'https://api.anthropic.com/api/oauth/usage', header: {Authorization: 'Bearer $TOKEN$'}}, {timeoutMs: 150}),
    ).rejects.toMatchObject({exitCode: 5, code: 'timeout'})
    sim.accounts.setScenario(claude(), 'ok')
  })
})
