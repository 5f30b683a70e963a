/**
 * The inspection repository (store/inspections.ts, schema migrations/003-inspect.ts) on a real temp SQLite file:
 * runs, results round-trip, ownership rows (one open row per credential), latest results per account,
 * and usage since a window start across the raw-event / hourly-rollup boundary.
 */
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {emptySummary} from '../../../src/lib/inspect/run.js'
import type {InspectResult} from '../../../src/lib/store/index.js'
import {openStore} from '../../../src/lib/store/index.js'
import {tempDir} from '../../helpers/run.js'
import {contradictingTotal} from '../usage/fixtures.js'
import {tempStore, type TestInspections} from './harness.js'

const open: TestInspections[] = []
afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
})

async function fresh(path = join(tempDir('cpactl-inspect-store-'), 'cpactl.db')): Promise<TestInspections> {
  const s = await tempStore(path)
  open.push(s)
  return s
}

function result(name: string, over: Partial<InspectResult> = {}): InspectResult {
  return {
    name,
    provider: 'codex',
    authIndex: `idx-${name}`,
    email: `${name}@example.com`,
    label: null,
    plan: 'plus',
    disabled: false,
    windows: {
      short: {id: 'primary_window', label: '5h', usedPercent: 10, resetsAt: '2026-09-20T10:00:00.000Z', windowSeconds: 18000, startedAt: '2026-09-20T05:00:00.000Z'},
      long: null,
      extra: [],
    },
    httpStatus: 200,
    classification: 'ok',
    action: 'keep',
    actionTaken: null,
    reason: 'quota ok',
    attempts: 1,
    checkedAt: '2026-09-20T06:00:00.000Z',
    ...over,
  }
}

const start = (instance = 'gw') => ({instance, trigger: 'inspect' as const, startedAt: 1000, apply: 'none' as const, threshold: 100, providers: null, settings: {concurrency: 4}})

describe('inspection repository', () => {
  it('round-trips runs and results', async () => {
    const s = await fresh()
    const id = await s.startRun(start())
    expect(await s.getRun(id)).toMatchObject({id, status: 'running', finishedAt: null, summary: null, settings: {concurrency: 4}})
    const rows = [result('a'), result('b', {classification: 'probe_failed', windows: {short: null, long: null, extra: []}, httpStatus: null})]
    await s.saveResults(id, 'gw', rows)
    const summary = {...emptySummary(), total: 2}
    await s.finishRun(id, {finishedAt: 2000, status: 'completed', summary})
    expect(await s.getRun(id)).toMatchObject({status: 'completed', finishedAt: 2000, summary, errorCode: null})
    expect((await s.runResults(id)).map(({runId, ...r}) => [runId, r])).toEqual(rows.map((r) => [id, r]))
    expect(await s.getRun(id + 1)).toBeNull()
  })

  it('keeps one open ownership row per credential and releases it', async () => {
    const s = await fresh()
    const d = {instance: 'gw', name: 'a.json', authIndex: 'idx-a', provider: 'codex', at: 10, runId: 1, classification: 'reauth' as const, reason: 'revoked', modtime: 'm1'}
    await s.recordDisable(d)
    await s.recordDisable({...d, at: 20, modtime: 'm2'})
    const openRows = await s.listOpenOwnership('gw')
    expect(openRows.map((o) => [o.name, o.disabledAt, o.modtime])).toEqual([['a.json', 20, 'm2']])
    expect(await s.openOwnership('gw', 'a.json', 'idx-a')).toMatchObject({disabledAt: 20})
    expect(await s.openOwnership('gw', 'a.json', 'idx-other')).toBeNull()
    expect(await s.openOwnership('other', 'a.json', 'idx-a')).toBeNull()
    await s.releaseOwnership(openRows[0].id, {at: 30, by: 'cpactl', runId: 2})
    expect(await s.listOpenOwnership('gw')).toEqual([])
  })

  it('returns the latest probed result per account of an instance, newest run winning', async () => {
    const s = await fresh()
    const r1 = await s.startRun(start())
    await s.saveResults(r1, 'gw', [result('a', {reason: 'old'}), result('b')])
    const r2 = await s.startRun(start())
    await s.saveResults(r2, 'gw', [result('a', {reason: 'new'}), result('b', {classification: 'skipped'})])
    const r3 = await s.startRun(start('elsewhere'))
    await s.saveResults(r3, 'elsewhere', [result('c')])
    const latest = await s.latestResults('gw')
    expect(latest.map((r) => [r.name, r.runId, r.reason])).toEqual([
      ['a', r2, 'new'],
      ['b', r1, 'quota ok'],
    ])
    expect((await s.listRuns({instance: 'elsewhere'})).map((r) => r.id)).toEqual([r3])
    expect((await s.listRuns({limit: 2})).map((r) => r.id)).toEqual([r3, r2])
  })

  it('counts usage since a window start from raw events (partial hour) and the hourly account rollup', async () => {
    const path = join(tempDir('cpactl-inspect-store-'), 'cpactl.db')
    const since = Date.parse('2026-09-20T05:17:30Z')
    const usage = await openStore({path})
    const rec = (at: string, i: number, total: number, authIndex = 'idx-a') => ({
      timestamp: at,
      provider: 'codex',
      model: 'gpt-5-codex',
      auth_type: 'oauth',
      auth_index: authIndex,
      request_id: `r${i}`,
      failed: false,
      tokens: {input_tokens: total - 10, output_tokens: 10, total_tokens: total},
    })
    await usage.events.ingest('gw', [
      rec('2026-09-20T05:17:29Z', 1, 1000), // just before the start
      rec('2026-09-20T05:17:30Z', 2, 100), // the start itself counts
      rec('2026-09-20T05:59:59Z', 3, 200), // end of the partial hour
      rec('2026-09-20T06:00:00Z', 4, 300), // first whole hour
      rec('2026-09-21T13:00:00+08:00', 5, 400), // later, with an offset
      rec('2026-09-20T06:30:00Z', 6, 5000, 'idx-b'), // another credential
    ])
    await usage.close()
    const s = await fresh(path)
    expect(await s.usageSince('gw', 'idx-a', since)).toEqual({requests: 4, tokens: 1000})
    expect(await s.usageSince('gw', 'idx-a', Date.parse('2026-09-20T06:00:00Z'))).toEqual({requests: 2, tokens: 700})
    expect(await s.usageSince('other', 'idx-a', since)).toEqual({requests: 0, tokens: 0})
  })

  it('counts the same tokens before and after the first whole hour when a breakdown contradicts its own total', async () => {
    const path = join(tempDir('cpactl-inspect-store-'), 'cpactl.db')
    const usage = await openStore({path})
    // buckets sum to 155, the record's own total_tokens says 999 (an inconsistent breakdown)
    const rec = contradictingTotal
    await usage.events.ingest('gw', [rec('2026-09-20T05:30:00Z', 1), rec('2026-09-20T06:30:00Z', 2)])
    await usage.close()
    const s = await fresh(path)
    // the partial hour (raw events) and the whole hours (rollups) agree: 155 each
    expect(await s.usageSince('gw', 'idx-c', Date.parse('2026-09-20T05:10:00Z'))).toEqual({requests: 2, tokens: 310})
    expect(await s.usageSince('gw', 'idx-c', Date.parse('2026-09-20T06:00:00Z'))).toEqual({requests: 1, tokens: 155})
    expect(await s.usageSince('gw', 'idx-c', Date.parse('2026-09-20T06:10:00Z'))).toEqual({requests: 1, tokens: 155})
  })
})
