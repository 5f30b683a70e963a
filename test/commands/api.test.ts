import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {runCli} from '../helpers/run.js'
import {suiteGateway} from '../helpers/sim.js'

const KEY = 'api-test-management-key-0123456789'
let sim: Simulator
let env: Record<string, string>

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY})
  env = {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}
})
afterAll(async () => {
  await sim.close()
})

describe('cpactl api', () => {
  it('GET a management path prints the body', async () => {
    const r = await runCli(['api', 'GET', 'usage-statistics-enabled'], {env})
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({'usage-statistics-enabled': true})
  })

  it('an origin path (leading /) is sent without the key', async () => {
    const r = await runCli(['api', 'GET', '/healthz', '--json'], {env})
    expect(r.json).toEqual({status: 'ok'})
  })

  it('an explicit /v8/management path is a management path (sent with the key); a v8 queue GET needs --yes', async () => {
    const v8 = await startSimulator({managementKey: KEY, version: '8.0.23'})
    try {
      const e = {CPA_URL: v8.url, CPA_MANAGEMENT_KEY: KEY}
      const r = await runCli(['api', 'GET', '/v8/management/config/routing', '--json'], {env: e})
      expect(r.exitCode, `${r.stdout} ${r.stderr} ${r.error?.message}`).toBe(0)
      expect(r.json).toMatchObject({strategy: 'round-robin'})
      expect(v8.authFailures()).toBe(0)
      const pop = await runCli(['api', 'GET', '/v8/management/observability/usage/queue?count=5'], {env: e})
      expect(pop.exitCode).toBe(2)
    } finally {
      await v8.close()
    }
  })

  it('state-changing calls need --yes; without it nothing is sent (exit 2)', async () => {
    const before = sim.httpLog().length
    const put = await runCli(['api', 'PUT', 'debug', '--data', '{"value":true}'], {env})
    expect(put.exitCode).toBe(2)
    const pop = await runCli(['api', 'GET', 'usage-queue?count=5'], {env})
    expect(pop.exitCode).toBe(2)
    expect(pop.error?.message).toContain('pops usage records')
    expect(sim.httpLog().length).toBe(before)
  })

  it('PUT with --yes changes the setting', async () => {
    const r = await runCli(['api', 'PUT', 'debug', '--data', '{"value":true}', '--yes', '--json'], {env})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({status: 'ok'})
    expect(sim.getConfig('debug')).toBe(true)
  })

  it('a gateway 400 prints the body and exits 8 with the gateway text', async () => {
    const r = await runCli(['api', 'PUT', 'debug', '--data', '{"value":"not-a-bool"}', '--yes'], {env})
    expect(r.exitCode).toBe(8)
    expect(JSON.parse(r.stdout)).toEqual({error: 'invalid body'})
  })

  it('GET usage-queue --yes pops exactly the requested count', async () => {
    sim.preload(4)
    const r = await runCli(['api', 'GET', 'usage-queue?count=3', '--yes', '--json'], {env})
    expect(r.exitCode).toBe(0)
    expect(r.json).toHaveLength(3)
    expect(sim.counters().popped).toBe(3)
  })
})
