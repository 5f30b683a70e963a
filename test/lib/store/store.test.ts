import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {LockError} from '../../../src/lib/cli/errors.js'
import {openDatabase} from '../../../src/lib/store/db.js'
import {exportRecord} from '../../../src/lib/usage-files/export.js'
import {openStore, type Store, type StoredEvent} from '../../../src/lib/store/index.js'
import {BACKENDS, pgAvailable} from '../../helpers/pg.js'
import {sqlite} from '../../helpers/sqlite.js'
import {poisonRequestId, storeQuery, storeRows} from '../../helpers/store-db.js'
import {contradictingTotal, exampleRecord, legacyOnly} from '../usage/fixtures.js'

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'cpactl-store-')), 'nested', 'dir', 'cpactl.db')
}

async function fresh(path = tempStorePath()): Promise<Store> {
  const s = await openStore({path})
  stores.push(s)
  return s
}

/** n distinct variations of the example record (different request ids and instants). */
function records(n: number, patch: (i: number, r: Record<string, unknown>) => void = () => {}): Record<string, unknown>[] {
  return Array.from({length: n}, (_, i) => {
    const r = exampleRecord()
    r.request_id = i.toString(16).padStart(8, '0')
    r.timestamp = new Date(Date.UTC(2026, 7, 22, 6, 0, 0) + i * 61_000).toISOString()
    patch(i, r)
    return r
  })
}

describe('openStore (SQLite)', () => {
  it('creates the directory 0700 and the database 0600, in WAL mode with the pragmas', async () => {
    const path = tempStorePath()
    const s = await fresh(path)
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await s.events.ingest('gw', records(1))
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600)
    expect(sqlite(path).pragma('journal_mode', {simple: true})).toBe('wal')
    expect(sqlite(path).prepare('SELECT id FROM schema_migrations ORDER BY id').all()).toEqual([{id: 1}, {id: 2}, {id: 3}, {id: 4}, {id: 5}, {id: 6}, {id: 7}])
    expect(sqlite(path).prepare("SELECT name FROM sqlite_master WHERE name = 'usage_hourly'").get()).toBeUndefined()
    // the connection the store runs on (db.ts)
    const db = await openDatabase(path)
    expect(db.pragma('synchronous', {simple: true})).toBe(2) // FULL
    expect(db.pragma('foreign_keys', {simple: true})).toBe(1)
    expect(db.pragma('busy_timeout', {simple: true})).toBe(5000)
    db.close()
  })

  it('refuses a file that is not a database and a path under a regular file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpactl-store-'))
    writeFileSync(join(dir, 'junk.db'), 'this is not sqlite'.repeat(100))
    await expect(openStore({path: join(dir, 'junk.db')})).rejects.toMatchObject({code: 'store_corrupt', exitCode: 3})
    writeFileSync(join(dir, 'file'), 'x')
    await expect(openStore({path: join(dir, 'file', 'cpactl.db')})).rejects.toMatchObject({exitCode: 3})
  })
})

describe.each(BACKENDS)('store on $name', (backend) => {
  const freshOn = async () => fresh(await backend.fresh())

describe('opening', () => {
  it('reopening does not migrate twice; read-only opens an existing store and refuses a missing one', async () => {
    const path = await backend.fresh()
    const s = await fresh(path)
    await s.events.ingest('gw', records(2))
    await s.close()
    await fresh(path)
    expect((await storeQuery(path, 'SELECT COUNT(*) AS n FROM schema_migrations'))[0].n).toBe(backend.name === 'sqlite' ? 7 : 2)
    const ro = await openStore({path, readonly: true})
    stores.push(ro)
    expect((await ro.events.totals()).events).toBe(2)
    await expect(ro.events.ingest('gw', records(1))).rejects.toMatchObject({code: 'store_readonly'})
    await expect(ro.prices.upsert({model: 'm', input: 1, cacheRead: null, cacheWrite: null, output: 1, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: 0})).rejects.toMatchObject({code: 'store_readonly'})
    const missing = backend.name === 'sqlite' ? join(path, '..', 'missing.db') : await backend.fresh()
    await expect(openStore({path: missing, readonly: true})).rejects.toMatchObject({code: 'store_missing', exitCode: 3})
  })

})

describe('events.ingest', () => {
  it('stores one typed row per record and counts duplicates on a second ingest', async () => {
    const s = await freshOn()
    const batch = records(50)
    expect(await s.events.ingest('gw', batch)).toEqual({received: 50, added: 50, duplicates: 0, deadLettered: 0, controlSkipped: 0})
    expect(await s.events.ingest('gw', batch.map((r) => JSON.stringify(r)))).toEqual({received: 50, added: 0, duplicates: 50, deadLettered: 0, controlSkipped: 0})
    // the same records under another instance are other events
    expect((await s.events.ingest('gw2', batch)).added).toBe(50)
    const [row] = await storeQuery(s.location, 'SELECT * FROM usage_events WHERE instance = ? ORDER BY ts LIMIT 1', ['gw'])
    expect(row).toMatchObject({
      ts: Date.UTC(2026, 7, 22, 6, 0, 0),
      tz_offset_min: 0,
      provider: 'codex',
      model: 'gpt-5-codex',
      alias: 'codex-latest',
      auth_index: '9f2c4e1a7b3d5c60',
      api_key_hash: createHash('sha256').update('sk-client-demo-1').digest('hex'),
      request_id: '00000000',
      failed: 0,
      fail_status_code: 200,
      input_total: 12000,
      uncached_input: 3000,
      cache_read: 9000,
      output_total: 800,
      reasoning: 300,
      total: 12800,
      token_quality: 'complete',
      accounting_version: 2,
    })
    expect((row.event_hash as Buffer).length).toBe(16)
  })

  it('v8 records: the new fields kept in extra (session ids only hashed), execution_id part of the identity, an export re-imports as duplicates', async () => {
    const s = await freshOn()
    const sha = (v: string) => createHash('sha256').update(v).digest('hex')
    // v8: a UUIDv7 request id and the v8 fields; a retried request has a second execution
    const v8 = (executionId: string): Record<string, unknown> => ({
      ...exampleRecord(),
      request_id: '0198d3c2-5b4a-7c01-9e2f-3a4b5c6d7e8f',
      stream: true,
      resolved_client_ip: '203.0.113.7',
      execution_id: executionId,
      trace_id: 'trace-0198d3c2',
      session_id: 'sess-raw-secret',
      parent_session_id: 'sess-parent-raw',
      response_model: 'gpt-5-codex-2026-08-01',
    })
    const first = v8('exec-1')
    const retry = v8('exec-2') // the same figures, another upstream execution: another event
    const none = exampleRecord() // a v7 record: no execution id
    none.request_id = first.request_id
    const n = (added: number, duplicates: number) => ({received: added + duplicates, added, duplicates, deadLettered: 0, controlSkipped: 0})
    expect(await s.events.ingest('gw', [first, retry, none])).toEqual(n(3, 0))
    expect(await s.events.ingest('gw', [JSON.stringify(retry), first, none])).toEqual(n(0, 3))

    const rows = await storeQuery(s.location, 'SELECT event_hash, stream, extra FROM usage_events ORDER BY id')
    // the event hash: the v7 tuple (the example record's figures), plus the execution id when there is one
    const v7Tuple = ['v1', 'gw', first.request_id, Date.UTC(2026, 7, 22, 6, 3, 11, 482), '9f2c4e1a7b3d5c60', 'gpt-5-codex', 'POST /v1/responses', 12000, 800, 300, 9000, 0, 12800, 0, 5312].join('\u001f')
    const hash = (tuple: string) => createHash('sha256').update(tuple).digest().subarray(0, 16).toString('hex')
    expect(rows.map((r) => Buffer.from(r.event_hash as Buffer).toString('hex'))).toEqual([
      hash(`${v7Tuple}\u001fx\u001fexec-1`),
      hash(`${v7Tuple}\u001fx\u001fexec-2`),
      hash(v7Tuple),
    ])
    expect(rows.map((r) => r.stream)).toEqual([1, 1, null])
    expect(JSON.parse(rows[0].extra as string)).toEqual({
      resolved_client_ip: '203.0.113.7',
      execution_id: 'exec-1',
      trace_id: 'trace-0198d3c2',
      response_model: 'gpt-5-codex-2026-08-01',
      session_id: `sha256:${sha('sess-raw-secret')}`,
      parent_session_id: `sha256:${sha('sess-parent-raw')}`,
    })
    expect(rows[2].extra).toBeNull()
    const everything = JSON.stringify(await storeQuery(s.location, 'SELECT * FROM usage_events'))
    expect(everything).not.toContain('sess-raw-secret')
    expect(everything).not.toContain('sess-parent-raw')

    // usage export → usage import: every exported record (v8 fields back at the top level) is a duplicate
    const exported: Record<string, unknown>[] = []
    for await (const page of s.events.exportPages({page: 2})) for (const e of page as StoredEvent[]) exported.push(exportRecord(e))
    expect(exported.map((r) => [r.execution_id, r.session_id, r.stream])).toEqual([
      ['exec-1', `sha256:${sha('sess-raw-secret')}`, true],
      ['exec-2', `sha256:${sha('sess-raw-secret')}`, true],
      [undefined, undefined, undefined],
    ])
    expect(await s.events.ingest('gw', exported.map(({instance: _i, event_hash: _h, ...r}) => r))).toEqual(n(0, 3))
    expect((await s.events.totals()).events).toBe(3)
  })

  it('dead-letters what does not parse, with the reason, redacted; skips control payloads; drops nothing', async () => {
    const s = await freshOn()
    const bad = '{"timestamp":"2026-08-22T14:03:11Z","api_key":"sk-live-client-key-123","tokens":'
    const res = await s.events.ingest('gw', [...records(3), bad, '{"refresh":true}', '{"support_refresh":true}', 'null'])
    expect(res).toEqual({received: 7, added: 3, duplicates: 0, deadLettered: 2, controlSkipped: 2})
    const letters = await storeQuery(s.location, 'SELECT instance, reason, payload, resolved_at FROM usage_dead_letters ORDER BY id')
    expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^not JSON/), 'not a JSON object (null)'])
    expect(letters[0].payload).toContain('"api_key":"sha256:' + createHash('sha256').update('sk-live-client-key-123').digest('hex'))
    expect((await s.deadLetters.summary('gw')).waiting).toBe(2)
    await s.close()
    if (backend.name !== 'sqlite') return
    // the raw client keys are nowhere in the database file
    const bytes = readFileSync(s.location).toString('latin1') + (existsSync(`${s.location}-wal`) ? readFileSync(`${s.location}-wal`).toString('latin1') : '')
    expect(bytes).not.toContain('sk-live-client-key-123')
    expect(bytes).not.toContain('sk-client-demo-1')
  })

  it('keeps the rollups (hourly and daily, every dimension, histograms) equal to the raw events, including after duplicates', async () => {
    const s = await freshOn()
    const providers = ['codex', 'claude', 'gemini']
    const batch = records(300, (i, r) => {
      r.provider = providers[i % 3]
      r.model = `m-${i % 4}`
      r.failed = i % 7 === 0
      r.latency_ms = 100 + i
      r.ttft_ms = i % 5 === 0 ? 0 : 10 + i
      r.api_key = `sk-client-${i % 3}`
      r.auth_index = `idx-${i % 5}`
      if (i % 11 === 0) Object.assign(r, legacyOnly(r))
    })
    await s.events.ingest('gw', batch.slice(0, 200))
    await s.events.ingest('gw', batch.slice(100)) // 100 duplicates
    const q = (sql: string) => storeRows(s.location, sql)
    const sums = 'COUNT(*), SUM(failed), SUM(uncached_input), SUM(cache_read), SUM(cache_write), SUM(output_total), SUM(reasoning), SUM(unclassified), SUM(latency_ms), MAX(ts)'
    const rolled = 'SUM(requests), SUM(failed), SUM(uncached_input), SUM(cache_read), SUM(cache_write), SUM(output_total), SUM(reasoning), SUM(unclassified), SUM(latency_sum), MAX(last_ts)'
    const size = backend.name === 'sqlite' ? 'length' : 'cardinality'
    const kept = 'requests, failed, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, latency_sum, last_ts'
    // the daily tables hold every hour before the watermark; the hours after it are read from the hourly ones
    const key = backend.name === 'sqlite' ? 'daily_through' : 'daily_through:gw'
    const through = (await storeQuery<{value: number}>(s.location, 'SELECT value FROM report_state WHERE key = ?', [key]))[0].value
    expect(through % 3_600_000).toBe(0)
    expect(through).toBeGreaterThan(Date.UTC(2026, 7, 22, 6))
    expect(through).toBeLessThan(Date.UTC(2026, 7, 22, 6) + 300 * 61_000)
    for (const [grain, unit] of [['hourly', 3_600_000], ['daily', 86_400_000]] as const) {
      const period = `(ts / ${unit}) * ${unit}`
      for (const [cube, dims, raw] of [
        ['model', 'provider, model', 'provider, model'],
        ['key', 'provider, model, api_key_hash', "provider, model, COALESCE(api_key_hash, '')"],
        ['account', 'auth_index, failed_flag, fail_status_code', 'auth_index, failed, fail_status_code'],
      ] as const) {
        const a = await q(`SELECT ${period}, ${raw}, ${sums} FROM usage_events GROUP BY 1, ${raw} ORDER BY 1, ${raw}`)
        const table =
          grain === 'hourly'
            ? `report_${cube}_hourly`
            : `(SELECT start_ms, ${dims}, ${kept} FROM report_${cube}_daily WHERE start_ms < ${through}
                UNION ALL SELECT (start_ms / ${unit}) * ${unit} AS start_ms, ${dims}, ${kept} FROM report_${cube}_hourly WHERE start_ms >= ${through}) t`
        const b = await q(`SELECT start_ms, ${dims}, ${rolled} FROM ${table} GROUP BY 1, ${dims} ORDER BY 1, ${dims}`)
        expect(b, `${cube} ${grain}`).toEqual(a)
      }
      const counts = await storeQuery(s.location, `SELECT dim, CASE WHEN SUM(${size}(lat_hist)) > 0 THEN 1 ELSE 0 END AS has FROM report_hist_${grain} GROUP BY dim ORDER BY dim`)
      expect(counts).toEqual(['account', 'all', 'key', 'model'].map((dim) => ({dim, has: 1})))
    }
    expect((await storeQuery(s.location, 'SELECT SUM(requests) AS n FROM report_model_hourly'))[0].n).toBe(300)
  })
})

// PostgreSQL's own SQL functions (SQLite merges the blobs in JavaScript: histogram.test.ts)
if (backend.name === 'postgres') describe('histogram rows', () => {
  it('PostgreSQL merges the sorted `bucket << 32 | count` arrays bucket by bucket, in the upsert and in the sum', async () => {
    const s = await freshOn()
    const e = (k: number, n: number) => k * 2 ** 32 + n
    const merged = await storeQuery<{m: number[] | null}>(
      s.location,
      `SELECT cpactl_hist_merge(a, b) AS m FROM (VALUES
         (ARRAY[${e(1, 2)}, ${e(5, 1)}, ${e(9, 4)}]::bigint[], ARRAY[${e(0, 1)}, ${e(5, 3)}, ${e(12, 7)}]::bigint[]),
         (NULL, ARRAY[${e(3, 1)}]::bigint[]), ('{}'::bigint[], ARRAY[${e(3, 1)}]::bigint[]), (ARRAY[${e(3, 1)}]::bigint[], NULL), (NULL, NULL)) v(a, b)`,
    )
    expect(merged.map((r) => r.m?.map(Number) ?? null)).toEqual([[e(0, 1), e(1, 2), e(5, 4), e(9, 4), e(12, 7)], [e(3, 1)], [e(3, 1)], [e(3, 1)], null])
    const summed = await storeQuery<{m: number[]}>(s.location, `SELECT cpactl_hist_sum(h) AS m FROM (VALUES (ARRAY[${e(2, 1)}]::bigint[]), (NULL), (ARRAY[${e(1, 1)}, ${e(2, 5)}]::bigint[])) v(h)`)
    expect(summed[0].m.map(Number)).toEqual([e(1, 1), e(2, 6)])
  })
})

describe('transactions and the spool', () => {
  it('rolls back a failed batch and ingests the spilled payloads on recovery, exactly once', async () => {
    const s = await freshOn()
    const runId = await s.runs.start({instance: 'gw', mode: 'once', transport: 'resp', startedAt: Date.now()})
    const payloads = records(10).map((r) => JSON.stringify(r))
    const cure = await poisonRequestId(s.location, '00000005')
    await expect(s.events.batch(async (tx) => tx.write(payloads, {instance: 'gw', runId, receivedAt: 1}))).rejects.toMatchObject({code: 'store_error'})
    expect((await s.events.totals()).events).toBe(0)
    expect((await storeQuery(s.location, 'SELECT COUNT(*) AS n FROM report_model_hourly'))[0].n).toBe(0)
    const spool = await s.spool.spill('gw', 1, payloads)
    expect(statSync(spool).mode & 0o777).toBe(0o600)
    await s.runs.recordSpooled(runId, payloads.length)
    await cure()
    const run2 = await s.runs.start({instance: 'gw', mode: 'once', transport: 'resp', startedAt: Date.now()})
    expect(await s.spool.pending()).toBe(1)
    const rec = await s.spool.recover(run2)
    expect(rec.files).toBe(1)
    expect(rec.counts.inserted).toBe(10)
    expect(await s.spool.pending()).toBe(0)
    expect(await s.runs.get(run2)).toMatchObject({recovered: 10, inserted: 10, popped: 0})
    expect(await s.runs.get(runId)).toMatchObject({popped: 10, spooled: 10, inserted: 0})
    expect((await s.spool.recover(run2)).files).toBe(0)
  })
})

describe('the collector batch and the daily watermark', () => {
  it('folds the hours earlier batches left behind before the pop, not inside the pop→commit window', async () => {
    const s = await freshOn()
    // the collector's protocol starts with its lock (PostgreSQL folds the hours of the instance it collects)
    const lock = await s.runs.lockCollector('collect', 'gw')
    const key = backend.name === 'sqlite' ? 'daily_through' : 'daily_through:gw'
    const through = async () => (await storeQuery<{value: number}>(s.location, 'SELECT value FROM report_state WHERE key = ?', [key]))[0]?.value ?? 0
    const dailyRequests = async () => (await storeQuery<{n: number}>(s.location, 'SELECT COALESCE(SUM(requests), 0) AS n FROM report_model_daily'))[0].n
    const rawBefore = async (t: number) => (await storeQuery<{n: number}>(s.location, 'SELECT COUNT(*) AS n FROM usage_events WHERE ts < ?', [t]))[0].n
    // 300 records a minute apart from 2026-08-22 06:00 UTC: hours 06:00 … 10:00
    const payloads = records(300).map((r) => JSON.stringify(r))
    const H = 3_600_000
    const first = Date.UTC(2026, 7, 22, 6)
    const newestHour = Math.floor((first + 299 * 61_000) / H) * H
    await s.events.batch(async (tx) => tx.write(payloads.slice(0, 150), {instance: 'gw', runId: null, receivedAt: 1}))
    // the first batch found nothing to fold and leaves its own hours for the next one
    expect(await through()).toBe(0)
    expect(await dailyRequests()).toBe(0)
    let atPop = -1
    await s.events.batch(async (tx) => {
      // the pop happens here: the store's own transaction has already folded the first batch's hours
      atPop = (await s.rollups.state()).dailyThrough
      return tx.write(payloads.slice(150), {instance: 'gw', runId: null, receivedAt: 2})
    })
    const firstNewestHour = Math.floor((first + 149 * 61_000) / H) * H
    expect(atPop).toBe(firstNewestHour - H)
    expect(await dailyRequests()).toBe(await rawBefore(firstNewestHour - H))
    // not moved by the second batch itself: its hours wait for the next batch (or the next run's first one)
    expect(await through()).toBe(firstNewestHour - H)
    await s.events.batch(async () => null) // an empty pop (end of a drain) still catches up
    expect(await through()).toBe(newestHour - H)
    // what the daily tables hold is exactly the raw events before the watermark
    const raw = await rawBefore(newestHour - H)
    expect(await dailyRequests()).toBe(raw)
    await lock.release()
  })

  it('an empty pop of a collector for a new instance leaves the watermark readers use where it was', async () => {
    const s = await freshOn()
    await s.events.ingest('other', records(300))
    const before = (await s.rollups.state()).dailyThrough
    expect(before).toBeGreaterThan(Date.UTC(2026, 7, 22, 6))
    const lock = await s.runs.lockCollector('collect', 'gw')
    await s.events.batch(async () => null)
    expect((await s.rollups.state()).dailyThrough).toBe(before)
    // its first stored batch; its hours are folded by the next batch's catch-up
    await s.events.batch(async (tx) => tx.write(records(10).map((r) => JSON.stringify(r)), {instance: 'gw', runId: null, receivedAt: 1}))
    await s.events.batch(async () => null)
    // (SQLite: one watermark for the file; PostgreSQL: the lowest of the instances', gw's now at the hour before its newest)
    expect((await s.rollups.state()).dailyThrough).toBe(backend.name === 'sqlite' ? before : Date.UTC(2026, 7, 22, 5))
    await lock.release()
  })
})

describe('events.instances and runs.recordPoll', () => {
  it('instances: every instance with runs or usage, folded into days or not, sorted by bytes', async () => {
    const s = await freshOn()
    // gw-old: days long folded into the daily tables; GW-new: one recent hour, still only in the hourly ones
    await s.events.ingest('gw-old', records(300))
    const recent = records(1, (_i, r) => (r.timestamp = new Date(Date.now() - 60_000).toISOString()))
    await s.events.ingest('GW-new', recent)
    await s.runs.start({instance: 'gw-idle', mode: 'once', transport: 'http', startedAt: Date.now()})
    const daily = await storeQuery<{instance: string}>(s.location, 'SELECT DISTINCT instance FROM report_model_daily')
    expect(daily.map((r) => r.instance)).toEqual(['gw-old'])
    expect(await s.events.instances()).toEqual(['GW-new', 'gw-idle', 'gw-old'])
    expect((await s.events.totals()).instances).toEqual(['GW-new', 'gw-idle', 'gw-old'])
  })

  it('recordPoll: the heartbeat only moves forward and keeps the gateway facts it was given', async () => {
    const s = await freshOn()
    const id = await s.runs.start({instance: 'gw', mode: 'follow', transport: 'http', startedAt: 1000})
    expect((await s.runs.get(id))!.polledAt).toBeNull()
    await s.runs.recordPoll(id, {at: 5000, transport: 'resp', retentionSeconds: 120, publishing: true})
    await s.runs.recordPoll(id, {at: 4000}) // late: the heartbeat does not go back, the facts stay
    expect(await s.runs.get(id)).toMatchObject({polledAt: 5000, transport: 'resp', retentionSeconds: 120, publishing: true, status: 'running'})
    await s.runs.recordPoll(id, {at: 9000, publishing: false})
    expect(await s.runs.get(id)).toMatchObject({polledAt: 9000, transport: 'resp', retentionSeconds: 120, publishing: false})
    expect((await s.runs.list({instance: 'gw'}))[0].polledAt).toBe(9000)
  })
})

describe('rollups.usageSince', () => {
  it('counts the same tokens before and after the first whole hour when a breakdown contradicts its own total', async () => {
    const s = await freshOn()
    // buckets sum to 155, the record's own total_tokens says 999 (an inconsistent breakdown)
    const rec = contradictingTotal
    await s.events.ingest('gw', [rec('2026-09-20T05:30:00Z', 1), rec('2026-09-20T06:30:00Z', 2)])
    // the partial hour (raw events) and the whole hours (rollups) agree: 155 each
    expect(await s.rollups.usageSince('gw', 'idx-c', Date.parse('2026-09-20T05:10:00Z'))).toEqual({requests: 2, tokens: 310})
    expect(await s.rollups.usageSince('gw', 'idx-c', Date.parse('2026-09-20T06:00:00Z'))).toEqual({requests: 1, tokens: 155})
    expect(await s.rollups.usageSince('gw', 'idx-c', Date.parse('2026-09-20T06:10:00Z'))).toEqual({requests: 1, tokens: 155})
    expect(await s.rollups.usageSince('other', 'idx-c', Date.parse('2026-09-20T05:10:00Z'))).toEqual({requests: 0, tokens: 0})
  })
})

})

describe.each(BACKENDS)('collector lock on $name', (backend) => {
  it('a second holder in the same process gets LockError naming the pid', async () => {
    const s = await fresh(await backend.fresh())
    const lock = await s.runs.lockCollector('collect', 'gw')
    const err = await s.runs.lockCollector('collect', 'gw').catch((e) => e)
    expect(err).toBeInstanceOf(LockError)
    expect(err.exitCode).toBe(7)
    expect(err.message).toContain(`pid ${process.pid}`)
    if (backend.name === 'postgres') {
      expect(err.message).toContain(`on ${hostname()}`)
      expect(err.details).toMatchObject({instance: 'gw', pid: process.pid, host: hostname()})
      // one collector per instance, not per store: another instance locks at the same time
      await (await s.runs.lockCollector('collect', 'gw2')).release()
    }
    await lock.release()
    await (await s.runs.lockCollector('collect', 'gw')).release()
  })

  it('works across processes and dies with the holder (kill -9)', async () => {
    const path = await backend.fresh()
    const s = await fresh(path)
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'hold-lock.ts'), path], {stdio: ['ignore', 'pipe', 'inherit']})
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d) => resolve(String(d)))
      child.once('exit', (code) => reject(new Error(`holder exited ${code}`)))
    })
    expect(line.trim()).toBe(`locked ${child.pid}`)
    const err = await s.runs.lockCollector('collect', 'gw').catch((e) => e)
    expect(err).toBeInstanceOf(LockError)
    expect(err.message).toContain(`pid ${child.pid}`)
    expect(err.details.pid).toBe(child.pid)
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })
    // PostgreSQL notices the dead session when the server sees its socket close: allow it a moment
    let lock = null
    for (let i = 0; i < 50 && !lock; i++) lock = await s.runs.lockCollector('collect', 'gw').catch(() => new Promise((r) => setTimeout(() => r(null), 100)))
    expect(lock).toBeTruthy()
    await (lock as {release(): Promise<void> | void}).release()
  })
})
