// `cpactl metrics` end to end: the simulator generates traffic, `collect` stores it, `inspect run` probes the
// accounts, and the exposition — read back with a real Prometheus text parser — must give the simulator's own
// totals exactly, cost equal to `report summary`, client keys only by alias, no e-mail or hash anywhere, bounded
// series, an atomic --output file and an unchanged store.
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {parseExposition, sampleCount, sum} from '../../helpers/prom.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const NOW = Date.UTC(2026, 2, 9, 12, 0)
const D = 86_400_000
const TOKEN_FIELDS: Array<[string, 'uncachedInputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'outputTokens' | 'reasoningTokens']> = [
  ['input', 'uncachedInputTokens'],
  ['cache_read', 'cacheReadTokens'],
  ['cache_write', 'cacheWriteTokens'],
  ['output', 'outputTokens'],
  ['reasoning', 'reasoningTokens'],
]

describe('cpactl metrics', () => {
  const ctx = useSimulator({seed: 31, now: () => NOW})
  const store = join(tempDir('cpactl-metrics-'), 'cpactl.db')
  const run = (argv: string[]) => runCli([...argv, '--store', store])
  let aliased: string

  beforeAll(async () => {
    ctx.sim.preload(2000, {spreadMs: 2 * D})
    const c = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(c.exitCode, c.stderr).toBe(0)
    for (const model of Object.keys(ctx.sim.totals().byModel)) {
      const p = await run(['prices', 'set', model, '--input', '2', '--cache-read', '0.5', '--cache-write', '2.5', '--output', '8'])
      expect(p.exitCode, p.stderr).toBe(0)
    }
    aliased = Object.keys(ctx.sim.totals().byApiKey).sort()[0]
    expect((await run(['aliases', 'set', aliased, 'team-a'])).exitCode).toBe(0)
    const i = await runCli(['inspect', 'run', '--store', store, '--json'], {env: ctx.env()})
    expect(i.exitCode, i.stderr).toBe(0)
  }, 120_000) // collect, a price per model and an inspection: slow on a busy machine

  it('parses with a real Prometheus text parser; the counters equal the simulator totals exactly', async () => {
    const r = await run(['metrics'])
    expect(r.exitCode, r.stderr).toBe(0)
    const fams = parseExposition(r.stdout)
    const t = ctx.sim.totals()
    expect(fams.get('cpactl_requests_total')!.type).toBe('COUNTER')
    expect(sum(fams, 'cpactl_requests_total')).toBe(t.requests)
    expect(sum(fams, 'cpactl_requests_total', {status_class: '2xx'})).toBe(t.requests - t.failed)
    for (const [type, field] of TOKEN_FIELDS) expect(sum(fams, 'cpactl_tokens_total', {type}), type).toBe(t[field])
    for (const [model, m] of Object.entries(t.byModel)) {
      expect(sum(fams, 'cpactl_requests_total', {model}), model).toBe(m.requests)
      expect(sum(fams, 'cpactl_tokens_total', {model, type: 'output'}), model).toBe(m.outputTokens)
    }
    const labels = new Set(fams.get('cpactl_requests_total')!.samples.map((s) => Object.keys(s.labels).sort().join(',')))
    expect([...labels]).toEqual(['gateway,model,provider,status_class'])
    expect(new Set(fams.get('cpactl_requests_total')!.samples.map((s) => s.labels.status_class))).toEqual(new Set(['2xx', '4xx', '5xx']))
    expect(sum(fams, 'cpactl_unpriced_models')).toBe(0)
    expect(sum(fams, 'cpactl_metrics_series')).toBe(sampleCount(fams))
  })

  it('cost is priced like the reports: the cost counters add up to report summary, per alias to report api-keys', async () => {
    const fams = parseExposition((await run(['metrics'])).stdout)
    const summary = await run(['report', 'summary', '--since', '2000-01-01', '--json'])
    expect(summary.json.totals.costUsd).toBeGreaterThan(0)
    expect(sum(fams, 'cpactl_cost_usd_total')).toBeCloseTo(summary.json.totals.costUsd, 6)
    const keys = await run(['report', 'api-keys', '--since', '2000-01-01', '--all', '--json'])
    const team = keys.json.rows.find((row: {key: string}) => row.key === aliased)
    expect(sum(fams, 'cpactl_api_key_requests_total', {api_key: 'team-a'})).toBe(ctx.sim.totals().byApiKey[aliased].requests)
    expect(sum(fams, 'cpactl_api_key_cost_usd_total', {api_key: 'team-a'})).toBeCloseTo(team.costUsd, 6)
    expect(sum(fams, 'cpactl_api_key_requests_total')).toBe(ctx.sim.totals().requests)
    expect(new Set(fams.get('cpactl_api_key_requests_total')!.samples.map((s) => s.labels.api_key))).toEqual(new Set(['team-a', '_unaliased']))
  })

  it('never exposes a client key, its hash, a source or an e-mail', async () => {
    const r = await run(['metrics'])
    expect(r.stdout).not.toMatch(/@/)
    expect(r.stdout).not.toMatch(/[0-9a-f]{64}|sha256:|sk-/)
    for (const hash of Object.keys(ctx.sim.totals().byApiKey)) expect(r.stdout).not.toContain(hash.slice(0, 12))
  })

  it('collector gauges per instance and quota, status and reset time per account from the latest inspection', async () => {
    const fams = parseExposition((await run(['metrics'])).stdout)
    const instance = new URL(ctx.sim.url).host
    const status = await run(['collect', 'status', '--json'])
    const me = status.json.instances.find((i: {instance: string}) => i.instance === instance)
    expect(sum(fams, 'cpactl_collector_last_success_timestamp_seconds', {gateway: instance})).toBe(Date.parse(me.lastSuccess.endedAt) / 1000)
    expect(sum(fams, 'cpactl_collector_last_success_age_seconds', {gateway: instance})).toBeGreaterThanOrEqual(0)
    expect(sum(fams, 'cpactl_queue_retention_seconds', {gateway: instance})).toBe(me.retentionSeconds)
    expect(sum(fams, 'cpactl_dead_letters_waiting', {gateway: instance})).toBe(0)
    expect(sum(fams, 'cpactl_collector_running', {gateway: instance})).toBe(0)
    const quota = await runCli(['quota', '--store', store, '--json'], {env: ctx.env()})
    expect(quota.json.length).toBeGreaterThan(3)
    for (const row of quota.json as Array<{authIndex: string; classification: string; disabled: boolean; windows: Record<string, {usedPercent: number | null; resetsAt: string | null} | null>}>) {
      const base = {gateway: instance, auth_index: row.authIndex}
      for (const w of ['short', 'long'] as const) {
        const win = row.windows[w]
        if (win?.usedPercent === null || win === null) continue
        expect(sum(fams, 'cpactl_account_quota_used_percent', {...base, window: w}), `${row.authIndex} ${w}`).toBe(win.usedPercent)
        if (win.resetsAt) expect(sum(fams, 'cpactl_account_quota_resets_at_timestamp_seconds', {...base, window: w})).toBe(Date.parse(win.resetsAt) / 1000)
      }
      expect(sum(fams, 'cpactl_account_status', {...base, status: row.classification})).toBe(1)
      expect(sum(fams, 'cpactl_account_status', base)).toBe(1)
      expect(sum(fams, 'cpactl_account_disabled', base)).toBe(row.disabled ? 1 : 0)
    }
  })

  it('--max-series folds the least used models into _other and keeps every total', async () => {
    const full = parseExposition((await run(['metrics'])).stdout)
    const cap = sampleCount(full) - 60
    const r = await run(['metrics', '--max-series', String(cap), '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.json.series).toBeLessThanOrEqual(cap)
    expect(r.json.foldedModels.length).toBeGreaterThan(0)
    const fams = parseExposition(r.json.text)
    expect(sampleCount(fams)).toBe(r.json.series)
    expect(sum(fams, 'cpactl_metrics_models_folded')).toBe(r.json.foldedModels.length)
    expect(sum(fams, 'cpactl_requests_total', {model: '_other'})).toBeGreaterThan(0)
    for (const m of r.json.foldedModels) expect(sum(fams, 'cpactl_requests_total', {model: m})).toBe(0)
    expect(sum(fams, 'cpactl_requests_total')).toBe(sum(full, 'cpactl_requests_total'))
    expect(sum(fams, 'cpactl_tokens_total')).toBe(sum(full, 'cpactl_tokens_total'))
    expect(sum(fams, 'cpactl_cost_usd_total')).toBeCloseTo(sum(full, 'cpactl_cost_usd_total'), 6)
    // kept models are the most requested ones
    const byModel = Object.entries(ctx.sim.totals().byModel).sort((a, b) => b[1].requests - a[1].requests)
    const kept = byModel.filter(([m]) => !r.json.foldedModels.includes(m)).map(([m]) => m)
    expect(kept).toEqual(byModel.slice(0, kept.length).map(([m]) => m))
    // a cap below the series that cannot fold: everything folds, and it says so
    const tiny = await run(['metrics', '--max-series', '5'])
    expect(tiny.exitCode).toBe(0)
    expect(tiny.stderr).toMatch(/exceed --max-series 5/)
    expect(new Set(parseExposition(tiny.stdout).get('cpactl_requests_total')!.samples.map((s) => s.labels.model))).toEqual(new Set(['_other']))
  })

  it('--format openmetrics ends with # EOF and carries the same samples', async () => {
    const om = await run(['metrics', '--format', 'openmetrics'])
    expect(om.exitCode).toBe(0)
    expect(om.stdout.endsWith('# EOF\n')).toBe(true)
    expect(om.stdout).toMatch(/^# TYPE cpactl_requests counter$/m)
    const fams = parseExposition(om.stdout)
    // OpenMetrics names a counter family without _total; its samples keep the suffix
    expect(fams.get('cpactl_requests')!.type).toBe('COUNTER')
    expect(sum(fams, 'cpactl_requests_total')).toBe(ctx.sim.totals().requests)
  })

  it('--output writes atomically (0644 by default, no temporary file left); an unwritable directory exits 3', async () => {
    const dir = tempDir('cpactl-textfile-')
    const file = join(dir, 'cpactl.prom')
    const r = await run(['metrics', '--output', file, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({output: file, text: null})
    expect(statSync(file).mode & 0o777).toBe(0o644)
    expect(readdirSync(dir)).toEqual(['cpactl.prom'])
    expect(sum(parseExposition(readFileSync(file, 'utf8')), 'cpactl_requests_total')).toBe(ctx.sim.totals().requests)
    expect((await run(['metrics', '--output', file, '--file-mode', '0640'])).stderr).toMatch(/wrote \d+ series to/)
    expect(statSync(file).mode & 0o777).toBe(0o640)
    const locked = join(dir, 'locked')
    mkdirSync(locked, {mode: 0o500})
    chmodSync(locked, 0o500)
    if (process.getuid?.() !== 0) {
      const bad = await run(['metrics', '--output', join(locked, 'x.prom'), '--json'])
      expect(bad.exitCode).toBe(3)
      expect(bad.json.error.code).toBe('output_unwritable')
    }
    const missing = await run(['metrics', '--output', join(dir, 'no', 'such', 'dir.prom')])
    expect(missing.exitCode).toBe(3)
    expect(existsSync(join(dir, 'no'))).toBe(false)
    expect((await run(['metrics', '--output', file, '--file-mode', '999'])).exitCode).toBe(2)
  })

  it('reads only: the store file is unchanged; a missing store exits 3', async () => {
    const sha = () => createHash('sha256').update(readFileSync(store)).digest('hex')
    const before = sha()
    expect((await run(['metrics'])).exitCode).toBe(0)
    expect(sha()).toBe(before)
    const none = await runCli(['metrics', '--store', join(tempDir(), 'none.db'), '--json'])
    expect(none.exitCode).toBe(3)
    expect(none.json.error.code).toBe('store_missing')
  })

  it('--listen binds to loopback only unless --listen-public', async () => {
    const r = await run(['metrics', '--listen', '0.0.0.0:0', '--json'])
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('listen_not_loopback')
    expect((await run(['metrics', '--listen', 'nonsense'])).exitCode).toBe(2)
  })
})
