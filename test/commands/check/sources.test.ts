// The checks against what the other commands stored: `collect` runs (collector), `inspect run` results and live
// probes through the simulator's /api-call (quota, which must not write a byte), and priced usage (budget).
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {parseExposition, sum} from '../../helpers/prom.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {sqlite} from '../../helpers/sqlite.js'
import {SUITE_IS_V8, useSimulator} from '../../helpers/sim.js'
import {spawnCli, waitFor} from '../collect/helpers.js'
import {priceModel, tempStore, usage} from '../../lib/monitor/fixtures.js'

interface Win {
  usedPercent: number | null
  label: string
}

describe('check collector and check quota against a collected and inspected simulator', () => {
  const ctx = useSimulator({seed: 44})
  const store = join(tempDir('cpactl-check-src-'), 'cpactl.db')
  const instance = () => new URL(ctx.sim.url).host

  beforeAll(async () => {
    ctx.sim.preload(300)
    expect((await runCli(['collect', '--store', store], {env: ctx.env()})).exitCode).toBe(0)
    expect((await runCli(['inspect', 'run', '--store', store], {env: ctx.env()})).exitCode).toBe(0)
  })

  it('collector: OK right after a collect, CRITICAL once --max-age is exceeded', async () => {
    const ok = await runCli(['check', 'collector', '--max-age', '10m', '--store', store, '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    // on a v8 gateway the collector reads the HTTP queue, on v7 RESP; both read publishing and retention from the config
    expect(ok.json.items).toEqual([
      expect.objectContaining({target: instance(), state: 'ok', running: false, lastRunStatus: 'ok', transport: SUITE_IS_V8 ? 'http' : 'resp', deadLettersWaiting: 0, retentionSeconds: 60, publishing: true}),
    ])
    const late = await runCli(['check', 'collector', '--max-age', '1ms', '--store', store, '--nagios'])
    expect(late.exitCode).toBe(2)
    expect(late.stdout).toMatch(new RegExp(`^COLLECTOR CRITICAL - 1 of 1 instance not OK: ${instance().replaceAll('.', '\\.')}: last collected \\S+ ago \\(max 1ms\\) \\| '${instance().replaceAll('.', '\\.')} age'=[0-9.]+s;;0\\.001;0 '\\S+ dead_letters'=0;0;;0\\n$`))
  })

  it('quota: every inspected, enabled account judged on its highest window, as `quota` shows it', async () => {
    const q = await runCli(['quota', '--store', store, '--json'], {env: ctx.env()})
    const rows = q.json as Array<{name: string; disabled: boolean; classification: string; windows: {short: Win | null; long: Win | null; extra: Win[]}}>
    const r = await runCli(['check', 'quota', '--store', store, '--json'])
    expect([0, 1]).toContain(r.exitCode)
    const expected = rows
      .filter((row) => !row.disabled)
      .map((row) => {
        const used = [row.windows.short, row.windows.long, ...row.windows.extra].filter((w): w is Win => w !== null && w.usedPercent !== null).map((w) => w.usedPercent!)
        const max = used.length > 0 ? Math.max(...used) : null
        const unreadable = ['reauth', 'workspace_deactivated', 'review', 'probe_failed'].includes(row.classification)
        const state = unreadable ? 'unknown' : max === null ? (row.classification === 'quota_exhausted' ? 'critical' : 'ok') : max >= 95 ? 'critical' : max >= 80 ? 'warning' : 'ok'
        return {target: `${instance()}/${row.name}`, state, usedPercent: max}
      })
      .sort((a, b) => a.target.localeCompare(b.target))
    const got = r.json.items.map((i: {target: string; state: string; usedPercent: number | null}) => ({target: i.target, state: i.state, usedPercent: i.usedPercent})).sort((a: {target: string}, b: {target: string}) => a.target.localeCompare(b.target))
    expect(got).toEqual(expected)
    expect(new Set(expected.map((e) => e.state)).size).toBeGreaterThan(1)
    expect(r.exitCode).toBe(expected.every((e) => e.state === 'ok') ? 0 : 1)
  })

  it('quota --live probes through the gateway, agrees with the stored inspection and writes nothing', async () => {
    const sha = () => createHash('sha256').update(readFileSync(store)).digest('hex')
    const runs = () => (sqlite(store).prepare('SELECT COUNT(*) AS n FROM inspection_runs').get() as {n: number}).n
    const before = {sha: sha(), runs: runs()}
    const stored = await runCli(['check', 'quota', '--store', store, '--json'])
    const live = await runCli(['check', 'quota', '--live', '--store', store, '--json'], {env: ctx.env()})
    expect(live.exitCode, live.stderr).toBe(stored.exitCode)
    const view = (j: {items: Array<{target: string; state: string; usedPercent: number | null}>}) => j.items.map((i) => [i.target, i.state, i.usedPercent]).sort()
    expect(view(live.json)).toEqual(view(stored.json))
    expect(live.json.thresholds.maxInspectionAgeSeconds).toBe(null)
    expect({sha: sha(), runs: runs()}).toEqual(before)
    // --live needs a gateway
    const none = await runCli(['check', 'quota', '--live', '--store', store, '--nagios'])
    expect(none.exitCode).toBe(3)
    expect(none.stdout).toMatch(/^QUOTA UNKNOWN - no gateway URL/)
  })

  it('quota with nothing inspected is UNKNOWN', async () => {
    const t = await tempStore()
    await t.store.close()
    const r = await runCli(['check', 'quota', '--store', t.path, '--nagios'])
    expect(r.exitCode).toBe(3)
    expect(r.stdout).toBe('QUOTA UNKNOWN - no inspected account matches: run cpactl inspect run, or pass --live\n')
  })
})

describe('check collector against a live collector and the gateway it reads', () => {
  const ctx = useSimulator({seed: 46})
  const store = join(tempDir('cpactl-check-live-'), 'cpactl.db')
  const instance = () => new URL(ctx.sim.url).host
  const collector = (maxAge: string) => runCli(['check', 'collector', '--max-age', maxAge, '--store', store, '--json'])

  it('WARNING while the gateway does not publish usage, OK again once it does', async () => {
    ctx.sim.preload(20)
    expect((await runCli(['collect', '--store', store], {env: ctx.env()})).exitCode).toBe(0)
    expect((await runCli(['usage', 'disable', '--yes'], {env: ctx.env()})).exitCode).toBe(0)
    const c = await runCli(['collect', '--store', store], {env: ctx.env()})
    expect(c.exitCode, c.stderr).toBe(0)
    const off = await collector('10m')
    expect(off.exitCode).toBe(1)
    expect(off.json).toMatchObject({state: 'warning', summary: `1 of 1 instance not OK: ${instance()}: usage publishing is off on the gateway: nothing is queued (cpactl usage enable)`})
    expect(off.json.items[0]).toMatchObject({publishing: false, lastRunStatus: 'ok'})
    expect(sum(parseExposition((await runCli(['metrics', '--store', store])).stdout), 'cpactl_gateway_usage_publishing', {gateway: instance()})).toBe(0)
    expect((await runCli(['usage', 'enable'], {env: ctx.env()})).exitCode).toBe(0)
    expect((await runCli(['collect', '--store', store], {env: ctx.env()})).exitCode).toBe(0)
    const on = await collector('10m')
    expect([on.exitCode, on.json.state, on.json.items[0].publishing]).toEqual([0, 'ok', true])
  })

  it('a --follow collector is current by its heartbeat, and CRITICAL once it can no longer reach the gateway', async () => {
    const p = await spawnCli(['collect', '--follow', '--interval', '100ms', '--store', store], ctx.env())
    try {
      const polled = () => (sqlite(store).prepare("SELECT polled_at FROM collector_runs WHERE status = 'running' ORDER BY id DESC LIMIT 1").get() as {polled_at: number | null} | undefined)?.polled_at ?? null
      await waitFor(() => polled() !== null, 90_000, 'the first heartbeat') // process start included
      const live = await collector('10m')
      expect(live.exitCode, live.stderr).toBe(0)
      expect(live.json.items[0]).toMatchObject({state: 'ok', running: true, lastRunStatus: 'running', transport: SUITE_IS_V8 ? 'http' : 'resp', publishing: true, retentionSeconds: 60})
      expect(live.json.items[0].summary).toMatch(new RegExp(`^${instance().replaceAll('.', '\\.')}: collecting now \\(pid ${p.child.pid}, queue polled \\S+ ago\\)$`))
      // the exposition dates the last drain by the heartbeat, not by the last finished run
      const fams = parseExposition((await runCli(['metrics', '--store', store])).stdout)
      expect(sum(fams, 'cpactl_collector_running', {gateway: instance()})).toBe(1)
      expect(sum(fams, 'cpactl_collector_last_success_timestamp_seconds', {gateway: instance()}) * 1000).toBeGreaterThanOrEqual(polled()! - 10_000)
      expect(sum(fams, 'cpactl_gateway_usage_publishing', {gateway: instance()})).toBe(1)
      // the gateway goes away for good: the process keeps retrying, alive, but the queue is no longer polled
      await ctx.sim.close()
      let late: Awaited<ReturnType<typeof runCli>> | null = null
      await waitFor(
        async () => {
          late = await runCli(['check', 'collector', '--max-age', '2s', '--store', store, '--nagios'])
          return late.exitCode !== 0
        },
        90_000,
        'check collector to notice the stuck collector',
      )
      expect(p.child.exitCode).toBe(null) // still running
      expect(late!.exitCode).toBe(2)
      expect(late!.stdout).toMatch(new RegExp(`^COLLECTOR CRITICAL - 1 of 1 instance not OK: ${instance().replaceAll('.', '\\.')}: collector running \\(pid ${p.child.pid}\\) but last reached the usage queue \\S+ ago \\(max 2s\\) \\|`))
    } finally {
      p.child.kill('SIGTERM')
      await p.exited
    }
  }, 240_000)
})

describe('check budget against priced usage', () => {
  it('the spend of a closed period against the budget, per client key or overall', async () => {
    const t = await tempStore()
    await priceModel(t.store)
    // January 2026: team key 3 × $2, another key 1 × $2 (1M input at $1/M + 100k output at $10/M each)
    await t.store.events.ingest('prod', [
      ...[2, 9, 16].map((d) => usage(Date.UTC(2026, 0, d, 12), {input: 1_000_000, output: 100_000, apiKey: 'sk-team-a-000000001'})),
      usage(Date.UTC(2026, 0, 20, 12), {input: 1_000_000, output: 100_000, apiKey: 'sk-other-0000000002'}),
      usage(Date.UTC(2026, 1, 2, 12), {input: 1_000_000, output: 100_000, apiKey: 'sk-team-a-000000001'}),
    ])
    await t.store.aliases.upsert(createHash('sha256').update('sk-team-a-000000001').digest('hex'), 'team-a')
    await t.store.close()
    const period = ['--since', '2026-01-01', '--until', '2026-02-01', '--tz', 'UTC', '--store', t.path]
    const all = await runCli(['check', 'budget', '--budget', '10', ...period, '--nagios'])
    expect([all.exitCode, all.stdout]).toEqual([
      1,
      'BUDGET WARNING - all keys: $8.00 of $10.00 (80%) since 2026-01-01T00:00:00.000Z, projected $8.00 by 2026-02-01T00:00:00.000Z | spent=8;8;10;0 projected=8;10;;0 budget=10;;;0\n',
    ])
    const team = await runCli(['check', 'budget', '--budget', '6', '--api-key', 'team-a', ...period, '--json'])
    expect(team.exitCode).toBe(1)
    expect(team.json).toMatchObject({state: 'critical', items: [{target: 'since=2026-01-01,api-key=team-a', spentUsd: 6, budgetUsd: 6, spentPercent: 100, projectedUsd: 6, elapsed: 1, periodEnd: '2026-02-01T00:00:00.000Z'}]})
    expect(team.json.summary).toMatch(/^team-a: \$6\.00 of \$6\.00 \(100%\)/)
    const fine = await runCli(['check', 'budget', '--budget', '100', ...period])
    expect([fine.exitCode, fine.stdout.split('\n')[0]]).toEqual([0, 'OK: all keys: $8.00 of $100.00 (8%) since 2026-01-01T00:00:00.000Z, projected $8.00 by 2026-02-01T00:00:00.000Z'])
    expect((await runCli(['check', 'budget', '--budget', '-5', ...period])).exitCode).toBe(2)
    expect((await runCli(['check', 'budget', ...period])).exitCode).toBe(2) // --budget is required
  })
})
