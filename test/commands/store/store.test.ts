// store info | prune | vacuum | backup and dead-letters list | retry, on real store files.
import {statSync} from 'node:fs'
import {join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {sqlite, sqliteWritable} from '../../helpers/sqlite.js'
import {makeRecords, storeWith} from '../../lib/report/helpers.js'

const D = 86_400_000
// events from 40 days ago up to now (prune works relative to the real clock)
const NOW = Date.now()
const ALL = ['--since', new Date(NOW - 45 * D).toISOString(), '--until', new Date(NOW + D).toISOString(), '--tz', 'UTC', '--json']

describe('cpactl store', () => {
  let store: string

  beforeAll(async () => {
    const s = await storeWith(makeRecords({count: 2000, from: NOW - 40 * D, to: NOW - 60_000, seed: 3}), 'main')
    store = s.path
    await s.store.close()
  })

  it('info: path, size, events, range, instances, dead letters', async () => {
    const r = await runCli(['store', 'info', '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({path: store, rawEvents: 2000, totalEvents: 2000, rawCompleteFrom: null, deadLetters: {waiting: 0, resolved: 0}, prices: 0, aliases: 0})
    expect(r.json.instances).toEqual([expect.objectContaining({instance: 'main', events: 2000})])
    expect(r.json.sizeBytes).toBeGreaterThan(0)
    expect(r.json.schemaVersion).toBeGreaterThanOrEqual(2)
  })

  it('backup: an online copy with mode 0600 that reports the same', async () => {
    const dest = join(tempDir('cpactl-backup-'), 'copy.db')
    const r = await runCli(['store', 'backup', dest, '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(statSync(dest).mode & 0o777).toBe(0o600)
    expect(r.json.path).toBe(dest)
    const a = await runCli(['report', 'models', ...ALL, '--store', store])
    const b = await runCli(['report', 'models', ...ALL, '--store', dest])
    expect(b.json.rows).toEqual(a.json.rows)
    expect((await runCli(['store', 'backup', dest, '--store', store])).exitCode).toBe(2)
    expect((await runCli(['store', 'backup', dest, '--force', '--store', store])).exitCode).toBe(0)
  })

  it('prune: needs --yes without a terminal; --dry-run counts; raw events go, the rollups keep every report total', async () => {
    const before = await runCli(['report', 'summary', ...ALL, '--store', store])
    const noYes = await runCli(['store', 'prune', '--older-than', '10d', '--store', store, '--json'])
    expect(noYes.exitCode).toBe(2)
    expect(noYes.json.error.code).toBe('confirmation_required')
    const dry = await runCli(['store', 'prune', '--older-than', '10d', '--dry-run', '--store', store, '--json'])
    expect(dry.json.dryRun).toBe(true)
    const cutoff = Date.parse(dry.json.cutoff)
    expect(cutoff % D).toBe(0)
    const older = (sqlite(store).prepare('SELECT COUNT(*) n FROM usage_events WHERE ts < ?').get(cutoff) as {n: number}).n
    expect(dry.json.deleted).toBe(older)
    const r = await runCli(['store', 'prune', '--older-than', '10d', '--yes', '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({deleted: older, remaining: 2000 - older, dryRun: false})
    const after = await runCli(['report', 'summary', ...ALL, '--store', store])
    const strip = ({p95LatencyMs: _a, p95TtftMs: _b, ...t}: Record<string, unknown>) => t
    expect(strip(after.json.totals)).toEqual(strip(before.json.totals))
    expect(after.json.warnings.map((w: {code: string}) => w.code)).toContain('raw_events_pruned')
    const info = await runCli(['store', 'info', '--store', store, '--json'])
    expect(info.json).toMatchObject({rawEvents: 2000 - older, totalEvents: 2000, rawCompleteFrom: dry.json.cutoff})
    const v = await runCli(['store', 'vacuum', '--store', store, '--json'])
    expect(v.exitCode, v.stderr).toBe(0)
    expect(v.json.sizeAfter).toBeLessThanOrEqual(v.json.sizeBefore)
  })

  it('dead-letters: list (redacted), retry re-parses with this version and resolves what now parses', async () => {
    const s = sqliteWritable(store)
    const valid = JSON.stringify({...makeRecords({count: 1, from: NOW - 3_600_000, to: NOW - 3_600_000, seed: 99})[0], api_key: undefined})
    const ins = s.prepare('INSERT INTO usage_dead_letters (instance, received_at, run_id, reason, payload) VALUES (?, ?, NULL, ?, ?)')
    ins.run('main', NOW, 'unknown field (older cpactl)', valid)
    ins.run('main', NOW, 'not JSON', 'garbage')
    s.close()
    const list = await runCli(['store', 'dead-letters', 'list', '--store', store, '--json'])
    expect(list.json.map((d: {reason: string}) => d.reason)).toEqual(['not JSON', 'unknown field (older cpactl)'])
    // a list is an array; --limit cuts it and says so on stderr
    const cut = await runCli(['store', 'dead-letters', 'list', '--limit', '1', '--store', store, '--json'])
    expect(cut.json).toHaveLength(1)
    expect(cut.stderr).toContain('showing 1 of 2 dead letters (--limit)')
    const r = await runCli(['store', 'dead-letters', 'retry', '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({tried: 2, recovered: 1, duplicates: 0, stillFailing: 1})
    expect(r.json.reasons[0].reason).toMatch(/not JSON/)
    const again = await runCli(['store', 'dead-letters', 'list', '--store', store, '--json'])
    expect(again.json).toHaveLength(1)
    expect((await runCli(['store', 'dead-letters', 'list', '--all', '--store', store, '--json'])).json).toHaveLength(2)
  })

  it('a missing store is a config error (exit 3)', async () => {
    expect((await runCli(['store', 'info', '--store', join(tempDir(), 'none.db')])).exitCode).toBe(3)
  })
})
