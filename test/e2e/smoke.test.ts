// Spawns the real binary (bin/run.js over dist/, built by `npm test`'s pretest) to check what unit-level
// runs cannot: real stdout/stderr separation, process exit codes with and without --json, --help and --version.
import {existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../src/lib/sim/index.js'
import {requireCapability} from '../helpers/capability.js'
import {projectRoot, runBinary} from '../helpers/run.js'
import {suiteGateway} from '../helpers/sim.js'

const KEY = 'smoke-test-management-key-0123456789'
let sim: Simulator
const built = requireCapability('the built binary (dist/)', existsSync(join(projectRoot, 'dist', 'commands', 'status.js')), 'run npm run build first (npm test does it in pretest)')

const cpactl = (args: string[], env: Record<string, string> = {}) => runBinary(args, env)

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY})
})
afterAll(async () => {
  await sim.close()
})

describe.runIf(built)('the cpactl binary', () => {
  it('--version and --help', async () => {
    const v = await cpactl(['--version'])
    expect(v.code).toBe(0)
    expect(v.stdout).toMatch(/^cpactl\/\d+\.\d+\.\d+ /)
    const h = await cpactl(['status', '--help'])
    expect(h.code).toBe(0)
    expect(h.stdout).toContain('GLOBAL FLAGS')
  })

  it('stdout carries only the result; a wrong key exits 4 in both modes, the message on stderr (human) or stdout (JSON)', async () => {
    const ok = await cpactl(['status', '--json'], {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY})
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout).management.keyAccepted).toBe(true)

    const human = await cpactl(['doctor'], {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: 'wrong-key-smoke-xyz'})
    expect(human.code).toBe(1)
    expect(human.stdout).toMatch(/^FAIL\tkey-accepted\t/m)

    const bad = await cpactl(['status'], {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: 'wrong-key-smoke-xyz'})
    expect(bad.code).toBe(4)
    expect(bad.stderr).toContain('rejected the management key from env CPA_MANAGEMENT_KEY')
    const badJson = await cpactl(['status', '--json'], {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: 'wrong-key-smoke-xyz'})
    expect(badJson.code).toBe(4)
    expect(JSON.parse(badJson.stdout).error.code).toBe('auth_failed')
    for (const r of [human, bad, badJson]) expect(r.stdout + r.stderr).not.toContain('wrong-key-smoke-xyz')
    sim.unban()
  })

  it('usage errors exit 2, unknown commands exit 2, with and without --json', async () => {
    expect((await cpactl(['status', '--bogus'])).code).toBe(2)
    expect((await cpactl(['status', '--bogus', '--json'])).code).toBe(2)
    expect((await cpactl(['no-such-command'])).code).toBe(2)
  })

  it('CPACTL_CONTENT_TYPE=json turns JSON on', async () => {
    const r = await cpactl(['profiles', 'list'], {CPACTL_CONTENT_TYPE: 'json'})
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
  })
})
