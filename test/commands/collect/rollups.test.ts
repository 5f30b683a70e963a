// One rollup layer: the rollups move in the same transaction as the events, so after any run — one-shot or
// --follow, interrupted or not — they already hold every stored event and nothing is folded afterwards.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {sqlite} from '../../helpers/sqlite.js'
import {suiteGateway} from '../../helpers/sim.js'

const KEY = 'rollups-test-management-key-0123456789'
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY, seed: 3})
})
afterAll(async () => {
  await sim.close()
})

function rollupTotals(store: string) {
  const db = sqlite(store)
  const one = (sql: string) => (db.prepare(sql).get() as {n: number | null}).n ?? 0
  const through = one("SELECT value AS n FROM report_state WHERE key = 'daily_through'")
  // a daily table holds the hours before the watermark; the hourly one the rest
  const source = (c: string, g: string) =>
    g === 'hourly' ? `report_${c}_hourly` : `(SELECT * FROM report_${c}_daily WHERE start_ms < ${through} UNION ALL SELECT * FROM report_${c}_hourly WHERE start_ms >= ${through})`
  return {
    events: one('SELECT COUNT(*) AS n FROM usage_events'),
    tokens: one('SELECT SUM(total) AS n FROM usage_events'),
    cubes: ['model_hourly', 'key_hourly', 'account_hourly', 'model_daily', 'key_daily', 'account_daily'].map((table) => {
      const [c, g] = table.split('_')
      return {
        table,
        requests: one(`SELECT SUM(requests) AS n FROM ${source(c, g)}`),
        tokens: one(`SELECT SUM(uncached_input + cache_read + cache_write + output_total + unclassified) AS n FROM ${source(c, g)}`),
      }
    }),
  }
}

describe('collect maintains the one rollup layer', () => {
  it('after a one-shot run the rollups hold every stored event, and a read-only report agrees', async () => {
    const store = `${tempDir()}/rollups.db`
    sim.preload(750, {spreadMs: 2 * 86_400_000})
    const r = await runCli(['collect', '--json', '--store', store], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    expect(r.json.inserted).toBe(750)
    const t = rollupTotals(store)
    expect(t.events).toBe(750)
    // the collector folded the hours it left behind into the daily tables (all but the last two)
    expect(sqlite(store).prepare('SELECT SUM(requests) AS n FROM report_model_daily').get()).not.toEqual({n: null})
    for (const c of t.cubes) expect(c, c.table).toEqual({table: c.table, requests: 750, tokens: t.tokens})
    expect(sqlite(store).prepare("SELECT name FROM sqlite_master WHERE name = 'usage_hourly'").all()).toEqual([])
    const summary = await runCli(['report', 'summary', '--since', '3d', '--store', store, '--json'])
    expect(summary.json.totals.requests).toBe(sim.totals().requests)
  })
})
