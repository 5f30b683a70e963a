// End to end: the simulator generates traffic, `cpactl collect` stores it, `cpactl report …` must give back the
// simulator's own totals exactly — requests, failures, every token bucket — overall, per model, per account
// and per client key; CSV must parse back to the same rows.
import {join} from 'node:path'

import {parse} from 'csv-parse/sync'
import {beforeAll, describe, expect, it} from 'vitest'

import type {Totals} from '../../../src/lib/sim/index.js'
import {BACKENDS} from '../../helpers/pg.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {SUITE_IS_V8, useSimulator} from '../../helpers/sim.js'

const NOW = Date.UTC(2026, 2, 9, 12, 0)
const D = 86_400_000
const RANGE = ['--since', '2026-03-06T00:00:00Z', '--until', '2026-03-10T00:00:00Z', '--tz', 'UTC']

/** Our metric names for the simulator's Totals fields. */
function asTotals(m: Record<string, number>): Totals {
  return {
    requests: m.requests,
    failed: m.failed,
    inputTokens: m.inputTotalTokens,
    uncachedInputTokens: m.inputTokens,
    cacheReadTokens: m.cacheReadTokens,
    cacheWriteTokens: m.cacheWriteTokens,
    outputTokens: m.outputTokens,
    reasoningTokens: m.reasoningTokens,
    unclassifiedTokens: m.unclassifiedTokens,
    totalTokens: m.totalTokens,
  }
}

describe.each(BACKENDS)('report commands against collected simulator traffic, stored in $name', (backend) => {
  const ctx = useSimulator({seed: 21, now: () => NOW})
  let store = ''
  const run = (argv: string[], env: Record<string, string> = {}) => runCli([...argv, '--store', store], {env: {...env}})

  beforeAll(async () => {
    store = await backend.fresh()
    ctx.sim.preload(2500, {spreadMs: 2 * D})
    const r = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.inserted).toBe(2500)
  })

  it('summary: totals equal the generated totals exactly', async () => {
    const r = await run(['report', 'summary', ...RANGE, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const t = ctx.sim.totals()
    const {byModel: _m, byAccount: _a, byApiKey: _k, ...overall} = t
    expect(asTotals(r.json.totals)).toEqual(overall)
    expect(r.json.totals.succeeded).toBe(t.requests - t.failed)
    expect(r.json.range).toEqual({since: '2026-03-06T00:00:00.000Z', until: '2026-03-10T00:00:00.000Z', tz: 'UTC', sinceLocal: '2026-03-06T00:00:00Z', untilLocal: '2026-03-10T00:00:00Z'})
    expect(r.json.currency).toBe('USD')
    expect(r.json.previous).toBe(null)
    // no prices yet: every model is named, the cost is a lower bound, never a silent 0
    expect(r.json.totals.costIsLowerBound).toBe(true)
    expect(r.json.warnings.find((w: {code: string}) => w.code === 'unpriced_models').items.sort()).toEqual(Object.keys(t.byModel).sort())
    expect(r.stderr).toMatch(/Warning: no price for \d+ models/)
  })

  it('models, accounts and api-keys: one row per group, equal to the generated totals', async () => {
    const t = ctx.sim.totals()
    for (const [kind, expected] of [
      ['models', t.byModel],
      ['accounts', t.byAccount],
      ['api-keys', t.byApiKey],
    ] as const) {
      const r = await run(['report', kind, ...RANGE, '--all', '--json'])
      expect(r.exitCode, r.stderr).toBe(0)
      const got: Record<string, Totals> = {}
      for (const row of r.json.rows) got[row.key] = asTotals(row)
      expect(got, kind).toEqual(expected)
      expect(r.json.rows.reduce((s: number, x: {requests: number}) => s + x.requests, 0)).toBe(t.requests)
    }
  })

  it('accounts are named by email from usage, by auth-file name after --refresh-accounts', async () => {
    const before = await run(['report', 'accounts', ...RANGE, '--json'])
    const emails = new Set(ctx.sim.accounts.list().map((a) => a.email).filter(Boolean))
    expect(before.json.rows.some((r: {name: string}) => emails.has(r.name))).toBe(true)
    const after = await runCli(['report', 'accounts', ...RANGE, '--refresh-accounts', '--json', '--store', store], {env: ctx.env()})
    expect(after.exitCode, after.stderr).toBe(0)
    const files = new Map(ctx.sim.accounts.list().filter((a) => a.name !== '').map((a) => [a.authIndex, a.name]))
    const named = after.json.rows.filter((r: {key: string}) => files.has(r.key))
    expect(named.length).toBeGreaterThan(0)
    for (const r of named) expect([r.name, r.account.fileName]).toEqual([files.get(r.key), files.get(r.key)])
    // the flag needs the gateway; without one it fails as a config error
    const noGw = await run(['report', 'accounts', ...RANGE, '--refresh-accounts'])
    expect(noGw.exitCode).toBe(3)
  })

  it('providers and timeline add up to the same totals', async () => {
    const t = ctx.sim.totals()
    const p = await run(['report', 'providers', ...RANGE, '--json'])
    expect(p.json.rows.reduce((s: number, x: {totalTokens: number}) => s + x.totalTokens, 0)).toBe(t.totalTokens)
    const tl = await run(['report', 'timeline', ...RANGE, '--granularity', 'hour', '--json'])
    expect(tl.exitCode, tl.stderr).toBe(0)
    expect(tl.json.rows).toHaveLength(96)
    expect(tl.json.rows.reduce((s: number, x: {requests: number}) => s + x.requests, 0)).toBe(t.requests)
    expect(tl.json.rows.reduce((s: number, x: {cacheReadTokens: number}) => s + x.cacheReadTokens, 0)).toBe(t.cacheReadTokens)
  })

  it('--csv round-trips through a CSV parser', async () => {
    const json = await run(['report', 'models', ...RANGE, '--json'])
    const csv = await run(['report', 'models', ...RANGE, '--csv'])
    expect(csv.exitCode).toBe(0)
    const rows = parse(csv.stdout, {columns: true}) as Array<Record<string, string>>
    expect(rows.map((r) => r.MODEL)).toEqual(json.json.rows.map((r: {name: string}) => r.name))
    for (const [i, r] of rows.entries()) {
      const j = json.json.rows[i]
      expect([Number(r.REQUESTS), Number(r.FAILED), Number(r.INPUT_TOKENS), Number(r.CACHE_READ_TOKENS), Number(r.CACHE_WRITE_TOKENS), Number(r.OUTPUT_TOKENS), Number(r.REASONING_TOKENS), Number(r.TOTAL_TOKENS)]).toEqual([
        j.requests, j.failed, j.inputTokens, j.cacheReadTokens, j.cacheWriteTokens, j.outputTokens, j.reasoningTokens, j.totalTokens,
      ])
      expect(r.LAST_SEEN).toBe(j.lastSeen)
    }
  })

  it('prices make the cost exact: summary cost = Σ models cost, --explain shows the arithmetic', async () => {
    const t = ctx.sim.totals()
    for (const model of Object.keys(t.byModel)) {
      const r = await run(['prices', 'set', model, '--input', '2', '--cache-read', '0.5', '--cache-write', '2.5', '--output', '8', '--json'])
      expect(r.exitCode, r.stderr).toBe(0)
    }
    const s = await run(['report', 'summary', ...RANGE, '--explain', '--json'])
    expect(s.json.warnings.map((w: {code: string}) => w.code)).not.toContain('unpriced_models')
    // flex/priority requests bill at ×0.5/×2, so compare the engine with the explain arithmetic, line by line
    let explained = 0
    for (const m of s.json.explain) {
      for (const l of m.lines) {
        const x = l.rates.multiplier / 1e6
        const expected = (l.tokens.uncachedInput * 2 + l.tokens.cacheRead * 0.5 + l.tokens.cacheWrite * 2.5 + l.tokens.output * 8) * x
        expect(Math.abs(l.costs.total - expected)).toBeLessThan(1e-9)
        explained += l.costs.total
      }
    }
    expect(Math.abs(s.json.totals.costUsd - explained)).toBeLessThan(1e-6)
    const models = await run(['report', 'models', ...RANGE, '--all', '--json'])
    const sum = models.json.rows.reduce((a: number, r: {costUsd: number}) => a + r.costUsd, 0)
    expect(Math.abs(sum - s.json.totals.costUsd)).toBeLessThan(1e-6)
    expect(models.json.rows.reduce((a: number, r: {costShare: number}) => a + r.costShare, 0)).toBeCloseTo(1, 9)
    const human = await run(['report', 'summary', ...RANGE, '--explain'])
    expect(human.stdout).toMatch(/Cost arithmetic/)
  })

  it('--compare adds the previous period; an empty range gives empty rows and exit 0', async () => {
    // the newest record is at exactly NOW (--until is exclusive), the oldest at NOW − 2 days
    const c = await run(['report', 'summary', '--since', '2026-03-08T12:00:00.500Z', '--until', '2026-03-09T12:00:00.500Z', '--compare', '--json'])
    expect(c.exitCode).toBe(0)
    expect(c.json.previous.range).toMatchObject({since: '2026-03-07T12:00:00.500Z', until: '2026-03-08T12:00:00.500Z'})
    expect(c.json.previous.totals.requests + c.json.totals.requests).toBe(ctx.sim.totals().requests - 1)
    const empty = await run(['report', 'models', '--since', '2020-01-01', '--until', '2020-01-02', '--json'])
    expect(empty.exitCode).toBe(0)
    expect(empty.json.rows).toEqual([])
    expect(empty.json.totals.requests).toBe(0)
  })

  it('failures: grouped by status × account × model with the credential class of the latest error', async () => {
    const r = await run(['report', 'failures', ...RANGE, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.totals.failures).toBe(ctx.sim.totals().failed)
    for (const row of r.json.rows) {
      if (row.statusCode === 401) expect(row.credentialClass, JSON.stringify(row)).toBe('reauth')
      if (row.statusCode === 402) expect(row.credentialClass).toBe('workspace_deactivated')
      if (row.statusCode === 429) expect(row.credentialClass).toBe('quota')
      if (row.statusCode >= 500) expect(row.credentialClass).toBe(null)
      expect(row.latestRequestId).toMatch(SUITE_IS_V8 ? /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/ : /^[0-9a-f]{8}$/)
    }
  })

  it('events: newest first, pages via nextCursor, request ids for `logs request`', async () => {
    const first = await run(['report', 'events', ...RANGE, '--limit', '5', '--failed', '--json'])
    expect(first.exitCode).toBe(0)
    expect(first.json.rows).toHaveLength(5)
    expect(first.json.rows.every((e: {failed: boolean}) => e.failed)).toBe(true)
    const second = await run(['report', 'events', ...RANGE, '--limit', '5', '--failed', '--before', first.json.nextCursor, '--json'])
    expect(Date.parse(second.json.rows[0].time)).toBeLessThanOrEqual(Date.parse(first.json.rows[4].time))
    expect(second.json.rows.map((e: {id: number}) => e.id)).not.toContain(first.json.rows[4].id)
  })

  it('flag errors are usage errors (exit 2); a missing store is a config error (exit 3)', async () => {
    expect((await run(['report', 'summary', '--since', 'soon'])).exitCode).toBe(2)
    expect((await run(['report', 'summary', '--tz', 'Nowhere/Land'])).exitCode).toBe(2)
    const missing = await runCli(['report', 'summary', '--store', join(tempDir(), 'none.db'), '--json'])
    expect(missing.exitCode).toBe(3)
    expect(missing.json.error.code).toBe('store_missing')
  })
})
