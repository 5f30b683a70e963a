import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../helpers/run.js'

describe('cpactl demo', () => {
  it('generates, collects, prices and reports; the store totals equal the simulator totals', async () => {
    const store = `${tempDir()}/demo.db`
    const r = await runCli(['demo', '--records', '1200', '--days', '3', '--seed', '9', '--store', store, '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.store).toBe(store)
    expect(r.json.collect).toMatchObject({popped: 1200, inserted: 1200, duplicates: 0, deadLettered: 0})
    expect(r.json.check.exact).toBe(true)
    const requests = r.json.check.figures.find((f: {name: string}) => f.name === 'requests')
    expect(requests).toEqual({name: 'requests', simulator: 1200, store: 1200})
    expect(r.json.summary.totals.requests).toBe(1200)
    expect(r.json.models.rows.length).toBeGreaterThan(0)
    expect(r.json.prices.added).toBeGreaterThan(100)
    // the bundled catalogue (snapshot + cpactl's supplement) prices every model the simulator serves except
    // gpt-5-codex-mini, for which no published price was found
    const unpriced = r.json.summary.warnings.find((w: {code: string}) => w.code === 'unpriced_models')
    expect(unpriced.items).toEqual(['gpt-5-codex-mini'])
  })

  it('the human view prints the reports on stdout and the notes on stderr', async () => {
    const r = await runCli(['demo', '--records', '300', '--days', '1', '--store', `${tempDir()}/demo.db`])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("== store totals vs the simulator's generated totals: EXACT ==")
    expect(r.stdout).toMatch(/^requests\t300\t300$/m)
    expect(r.stderr).toMatch(/Collected 300 records via resp: 300 stored/)
  })
})
