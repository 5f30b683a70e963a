import {afterEach, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {runCli} from '../helpers/run.js'
import {suiteGateway} from '../helpers/sim.js'

const KEY = 'doctor-test-management-key-0123456789'
let sim: Simulator | undefined

afterEach(async () => {
  await sim?.close()
  sim = undefined
})

const byName = (checks: Array<{check: string; status: string}>) => Object.fromEntries(checks.map((c) => [c.check, c.status]))

describe('cpactl doctor', () => {
  it('a healthy simulator passes every gateway check (exit 0)', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY})
    const r = await runCli(['doctor', '--json'], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    const s = byName(r.json)
    expect(s).toMatchObject({
      'gateway-reachable': 'pass',
      'management-enabled': 'pass',
      'key-accepted': 'pass',
      'remote-management': 'pass',
      'usage-publishing': 'pass',
      'queue-retention': 'pass',
      'gateway-version': 'pass',
      'example-client-keys': 'pass',
      'auth-indexes': 'pass',
    })
    for (const c of r.json) expect(Object.keys(c).sort()).toEqual(['check', 'fix', 'message', 'status'])
  })

  it('finds publishing off, short retention, example keys and an old gateway (exit 1, each with a fix)', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY, version: '6.10.2', usageStatisticsEnabled: false, retentionSeconds: 30, apiKeys: ['your-api-key-1', 'sk-real-1']})
    const r = await runCli(['doctor', '--json', '--expected-interval', '5m'], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(1)
    const s = byName(r.json)
    expect(s['usage-publishing']).toBe('fail')
    expect(s['queue-retention']).toBe('fail')
    expect(s['example-client-keys']).toBe('fail')
    expect(s['gateway-version']).toBe('fail')
    const retention = r.json.find((c: {check: string}) => c.check === 'queue-retention')
    expect(retention.message).toContain('retention 30s is shorter than the expected collection interval 5m')
    expect(retention.fix).toContain('300')
  })

  it('RESP-only gap: HTTP queue ok but strict key needs 7.1.44 ⇒ warn; --warnings-as-errors ⇒ exit 1', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY, version: '7.0.9'})
    const env = {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}
    const r = await runCli(['doctor', '--json'], {env})
    expect(byName(r.json)['gateway-version']).toBe('warn')
    expect(r.exitCode).toBe(0)
    const strict = await runCli(['doctor', '--json', '--warnings-as-errors'], {env})
    expect(strict.exitCode).toBe(1)
  })

  it('a wrong key fails key-accepted after one attempt and skips what needs the config', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY})
    const r = await runCli(['doctor', '--json'], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: 'nope-nope-nope'}})
    expect(r.exitCode).toBe(1)
    const s = byName(r.json)
    expect(s['key-accepted']).toBe('fail')
    expect(s['usage-publishing']).toBe('skip')
    expect(sim.authFailures()).toBe(1)
  })

  it('gateway down: reachable fails, the rest is skipped, table on stdout', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY})
    const url = sim.url
    await sim.close()
    sim = undefined
    const r = await runCli(['doctor'], {env: {CPA_URL: url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(1)
    expect(r.stdout.split('\n')[0]).toBe('STATUS\tCHECK\tMESSAGE\tFIX')
    expect(r.stdout).toMatch(/^FAIL\tgateway-reachable\t/m)
    expect(r.stdout).toMatch(/^SKIP\tusage-publishing\t/m)
  })
})

describe('cpactl doctor: store and collector checks', () => {
  it('warns before the first collection, passes after it, and flags dead letters waiting', async () => {
    sim = await startSimulator({...suiteGateway(), managementKey: KEY})
    const {tempDir} = await import('../helpers/run.js')
    const store = `${tempDir()}/doctor.db`
    const env = {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY, CPACTL_STORE: store}
    const before = await runCli(['doctor', '--json'], {env})
    expect(byName(before.json)['collector-last-run']).toBe('warn')
    expect(before.exitCode).toBe(0)

    sim.preload(20)
    sim.pushRaw('{not json')
    const c = await runCli(['collect', '--json'], {env})
    expect(c.json).toMatchObject({popped: 21, inserted: 20, deadLettered: 1})
    const after = await runCli(['doctor', '--json'], {env})
    const s = byName(after.json)
    expect(s['collector-last-run']).toBe('pass')
    expect(s['dead-letters']).toBe('warn')
  })
})
