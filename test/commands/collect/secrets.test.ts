// End to end: after collecting the simulator's traffic, neither the management key, nor any client API key,
// nor any upstream provider key appears anywhere in the store files, which are 0600.
import {existsSync, readFileSync, statSync} from 'node:fs'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {defaultProviderConfig} from '../../../src/lib/sim/accounts.js'
import {seededClientKeys} from '../../../src/lib/sim/generator.js'
import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {suiteGateway} from '../../helpers/sim.js'

const KEY = 'secrets-test-management-key-0123456789'
const SEED = 11
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY, seed: SEED})
})
afterAll(async () => {
  await sim.close()
})

describe('secrets stay out of the store', () => {
  it('stores only hashes of client keys and masks upstream keys', async () => {
    const store = `${tempDir()}/secrets.db`
    sim.preload(600)
    const r = await runCli(['collect', '--json', '--store', store], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    expect(r.json.inserted).toBe(600)
    const secrets = [KEY, ...seededClientKeys(SEED)]
    for (const m of JSON.stringify(defaultProviderConfig(SEED)).matchAll(/"api-key":"([^"]+)"/g)) secrets.push(m[1])
    expect(secrets.length).toBeGreaterThan(5)
    const files = [store, `${store}-wal`].filter((f) => existsSync(f))
    for (const f of files) {
      expect(statSync(f).mode & 0o777).toBe(0o600)
      const bytes = readFileSync(f)
      for (const s of secrets) expect(bytes.includes(s), `${s.slice(0, 6)}… found in ${f}`).toBe(false)
    }
    expect(r.stdout + r.stderr).not.toContain(KEY)
  })
})
