import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {openStore} from '../../../src/lib/store/index.js'
import {reportState} from '../../../src/lib/store/reports.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {suiteGateway} from '../../helpers/sim.js'

const KEY = 'rollups-test-management-key-0123456789'
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY, seed: 3})
})
afterAll(async () => {
  await sim.close()
})

describe('collect keeps the report rollups current', () => {
  it('after a one-shot run every stored event is folded into the report rollups', async () => {
    const store = `${tempDir()}/rollups.db`
    sim.preload(750, {spreadMs: 2 * 86_400_000})
    const r = await runCli(['collect', '--json', '--store', store], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    expect(r.json.inserted).toBe(750)
    const s = await openStore({path: store})
    try {
      const newest = (s.db.prepare('SELECT MAX(id) AS m FROM usage_events').get() as {m: number}).m
      expect(reportState(s.db).derivedUptoId).toBe(newest)
      const folded = (s.db.prepare('SELECT COUNT(*) AS n FROM usage_events').get() as {n: number}).n
      expect(folded).toBe(750)
    } finally {
      await s.close()
    }
    const summary = await runCli(['report', 'summary', '--since', '3d', '--store', store, '--json'])
    expect(summary.json.totals.requests).toBe(sim.totals().requests)
  })
})
