// `store copy` (issue 13): SQLite → PostgreSQL → SQLite keeps every report's answer, pruned history included;
// a second copy adds nothing; an interrupted copy resumes from its checkpoint.
import {describe, expect, it} from 'vitest'

import {openStore} from '../../../src/lib/store/index.js'
import {pgAvailable, pgDatabase} from '../../helpers/pg.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {storeQuery, storeRows} from '../../helpers/store-db.js'
import {makeRecords} from '../../lib/report/helpers.js'
import {exampleRecord} from '../../lib/usage/fixtures.js'
import {join} from 'node:path'

const FROM = Date.UTC(2026, 0, 1)
const TO = Date.UTC(2026, 2, 1)
const RANGE = ['--since', '2026-01-01T00:00:00Z', '--until', '2026-03-01T00:00:00Z', '--tz', 'UTC']

async function report(store: string, argv: string[]) {
  const r = await runCli([...argv, ...RANGE, '--store', store, '--json'])
  expect(r.exitCode, r.stderr).toBe(0)
  return r.json
}

describe.skipIf(!pgAvailable)('cpactl store copy', () => {
  it('SQLite → PostgreSQL → SQLite: every report equal, pruned history included; repeating adds nothing', {timeout: 180_000}, async () => {
    const lite = join(tempDir('cpactl-copy-'), 'a.db')
    const s = await openStore({path: lite})
    await s.events.ingest('gw-a', makeRecords({count: 4000, from: FROM, to: TO, seed: 3}))
    await s.events.ingest('gw-b', [...makeRecords({count: 1500, from: FROM, to: TO, seed: 4}), '{"not": "a record"}'])
    // v8 records: their new fields live in `extra`, their execution ids in the event hash; both must survive the copy
    const v8 = (executionId: string) => ({...exampleRecord(), timestamp: '2026-02-20T10:00:00Z', execution_id: executionId, session_id: 'sess-1', trace_id: 't-1'})
    expect((await s.events.ingest('gw-a', [v8('exec-1'), v8('exec-2')])).added).toBe(2)
    await s.prices.upsert({model: 'gpt-5', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: 1})
    const runId = await s.runs.start({instance: 'gw-a', mode: 'once', transport: 'resp', startedAt: FROM})
    await s.runs.finish(runId, {status: 'ok', endedAt: FROM + 1000})
    await s.maintenance.prune(TO - Date.UTC(2026, 1, 1), {now: TO}) // raw events before Feb 1 go; the rollups keep them
    await s.close()
    const kinds = [['report', 'summary'], ['report', 'models', '--all'], ['report', 'accounts', '--all'], ['report', 'api-keys', '--all'], ['report', 'timeline'], ['report', 'failures']]
    const before = []
    for (const k of kinds) before.push(await report(lite, k)) // one in-process command at a time

    const pg = await pgDatabase()
    const copied = await runCli(['store', 'copy', '--from', lite, '--to', pg, '--json'])
    expect(copied.exitCode, copied.stderr).toBe(0)
    const raw = (await storeQuery(lite, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n
    expect(copied.json.events).toMatchObject({read: raw, inserted: raw, duplicates: 0, resumedFrom: null})
    expect(copied.json.prunedRollups).toBeGreaterThan(0)
    expect(copied.json.rows).toMatchObject({prices: 1, collector_runs: 1, usage_dead_letters: 1})
    for (const [i, k] of kinds.entries()) expect(await report(pg, k), k.join(' ')).toEqual(before[i])
    const identity = "SELECT instance, ts, event_hash, extra FROM usage_events WHERE extra LIKE '%execution_id%' ORDER BY instance, ts, event_hash"
    const v8Rows = await storeRows(lite, identity)
    expect(v8Rows).toHaveLength(2)
    expect(await storeRows(pg, identity)).toEqual(v8Rows)

    const again = await runCli(['store', 'copy', '--from', lite, '--to', pg, '--json'])
    expect(again.json.events).toMatchObject({read: raw, inserted: 0, duplicates: raw})
    expect(again.json.rows).toMatchObject({collector_runs: 0, usage_dead_letters: 0})
    expect((await report(pg, ['report', 'summary'])).totals).toEqual(before[0].totals)

    const back = join(tempDir('cpactl-copy-'), 'b.db')
    expect((await runCli(['store', 'copy', '--from', pg, '--to', back, '--json'])).exitCode).toBe(0)
    for (const [i, k] of kinds.entries()) expect(await report(back, k), `back: ${k.join(' ')}`).toEqual(before[i])
    expect(await storeRows(back, identity)).toEqual(v8Rows)
    const info = await runCli(['store', 'info', '--store', back, '--json'])
    expect(info.json).toMatchObject({rawEvents: raw, totalEvents: 5502, rawCompleteFrom: '2026-02-01T00:00:00.000Z', prices: 1})
  })

  it('an interrupted copy resumes from its checkpoint', async () => {
    const lite = join(tempDir('cpactl-copy-'), 'a.db')
    const s = await openStore({path: lite})
    await s.events.ingest('gw', makeRecords({count: 5000, from: FROM, to: TO, seed: 9}))
    await s.close()
    const pg = await pgDatabase()
    // a copy that stopped after some pages: events up to a point, and its checkpoint
    expect((await runCli(['store', 'copy', '--from', lite, '--to', pg, '--json'])).exitCode).toBe(0)
    const mid = (await storeQuery<{ts: number}>(lite, 'SELECT ts FROM usage_events ORDER BY ts LIMIT 1 OFFSET 3000'))[0].ts
    const {storeExec} = await import('../../helpers/store-db.js')
    await storeExec(pg, `DELETE FROM usage_events WHERE ts >= ${mid}`)
    const key = (await storeQuery<{key: string}>(pg, "SELECT key FROM report_state WHERE key LIKE 'copy:%'")).length
    expect(key).toBe(0) // a finished copy leaves no checkpoint
    const mark = `copy:${(await import('node:crypto')).createHash('sha256').update(lite).digest('hex').slice(0, 16)}`
    await storeExec(pg, `INSERT INTO report_state (key, value) VALUES ('${mark}', ${mid})`)
    const resumed = await runCli(['store', 'copy', '--from', lite, '--to', pg, '--json'])
    expect(resumed.json.events.resumedFrom).toBe(new Date(mid).toISOString())
    expect(resumed.json.events.read).toBe(2000)
    expect(resumed.json.events.inserted).toBe(2000)
    expect((await storeQuery(pg, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n).toBe(5000)
  })
})
