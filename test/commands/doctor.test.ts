import {afterEach, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {runCli} from '../helpers/run.js'
import {SUITE_IS_V8, suiteGateway} from '../helpers/sim.js'

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
      'management-api': 'pass',
      'gateway-version': 'pass',
      'example-client-keys': 'pass',
      'auth-indexes': 'pass',
    })
    const api = r.json.find((c: {check: string}) => c.check === 'management-api')
    expect(api.message).toBe(
      SUITE_IS_V8
        ? 'cpactl uses the v8 management API (/v8/management), chosen from X-CPA-VERSION'
        : 'cpactl uses the v0 management API (/v0/management; a v7 gateway), chosen from X-CPA-VERSION',
    )
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

  it('names what an older v7 gateway lacks; a dev build is probed (warn); a v8 gateway passes', async () => {
    const versionCheck = async (version: string) => {
      sim?.close()
      sim = await startSimulator({managementKey: KEY, version})
      const r = await runCli(['doctor', '--json'], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
      return Object.fromEntries(r.json.map((c: {check: string}) => [c.check, c])) as Record<string, {status: string; message: string}>
    }
    const old = await versionCheck('7.2.20')
    expect(old['gateway-version'].status).toBe('warn')
    expect(old['gateway-version'].message).toBe(
      'gateway 7.2.20 lacks features cpactl would use: cooldown reset (auth-files reset-cooldown, /reset-quota) (>= 7.2.22); auth-file name/auth_index filters (>= 7.2.94); token_breakdown accounting (exact token buckets in reports) (>= 7.2.97); the full usage record (client IP, user agent, access-token fingerprint) (>= 7.2.111)',
    )
    const dev = await versionCheck('dev')
    expect(dev['management-api'].message).toBe('cpactl uses the v8 management API (/v8/management), chosen by probing the v8 route (the version string says none)')
    expect(dev['gateway-version']).toMatchObject({status: 'warn', message: "version 'dev' (a source build) says nothing: cpactl assumes the newest features and probes the routes it needs"})
    const v8 = await versionCheck('v8.0.23')
    expect(v8['gateway-version']).toMatchObject({status: 'pass', message: 'gateway v8.0.23: HTTP usage queue on /v8/management; RESP usage output is probed, not assumed'})
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
