import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../helpers/run.js'

describe('cpactl demo', () => {
  it('generates, collects, prices and reports; the store totals equal the simulator totals', async () => {
    const store = `${tempDir()}/demo.db`
    const r = await runCli(['demo', '--records', '1200', '--days', '3', '--seed', '9', '--store', store, '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.store).toBe(store)
    // by default a v8 gateway: /v8/management, the HTTP usage queue
    expect(r.json.simulator).toMatchObject({version: '8.0.23', managementApi: 'v8'})
    expect(r.json.collect).toMatchObject({transport: 'http', popped: 1200, inserted: 1200, duplicates: 0, deadLettered: 0})
    expect(r.json.check.exact).toBe(true)
    const requests = r.json.check.figures.find((f: {name: string}) => f.name === 'requests')
    expect(requests).toEqual({name: 'requests', simulator: 1200, store: 1200})
    expect(r.json.summary.totals.requests).toBe(1200)
    expect(r.json.models.rows.length).toBeGreaterThan(0)
    expect(r.json.prices.added).toBeGreaterThan(100)
    // the bundled catalogue (snapshot + cpactl's supplement) prices every model the simulator serves except
    // gpt-5-codex-mini, for which no published price was found, and the unknown plugin provider's models
    const unpriced = r.json.summary.warnings.find((w: {code: string}) => w.code === 'unpriced_models')
    expect(unpriced.items.sort()).toEqual(['acme-large-2', 'acme-small-2', 'gpt-5-codex-mini'])
  })

  it('the human view prints the reports on stdout and the notes on stderr', async () => {
    const r = await runCli(['demo', '--records', '300', '--days', '1', '--store', `${tempDir()}/demo.db`])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain("== store totals vs the simulator's generated totals: EXACT ==")
    expect(r.stdout).toMatch(/^requests\t300\t300$/m)
    expect(r.stderr).toMatch(/Simulator \(gateway 8\.0\.23, \/v8\/management\)/)
    expect(r.stderr).toMatch(/Collected 300 records via http: 300 stored/)
  })

  it('--gateway-version 7.2.140 shows the v7 path: /v0/management and RESP, totals still exact', async () => {
    const r = await runCli(['demo', '--records', '300', '--days', '1', '--gateway-version', '7.2.140', '--store', `${tempDir()}/demo7.db`, '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.simulator).toMatchObject({version: '7.2.140', managementApi: 'v0'})
    expect(r.json.collect).toMatchObject({transport: 'resp', popped: 300, inserted: 300})
    expect(r.json.check.exact).toBe(true)
  })
})
