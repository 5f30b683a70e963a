import {spawn} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, mkdtempSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {LockError} from '../../../src/lib/cli/errors.js'
import {acquireCollectorLock, listSpools, openStore, type SqliteStore} from '../../../src/lib/store/index.js'
import {exampleRecord, legacyOnly} from '../usage/fixtures.js'

const stores: SqliteStore[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

function tempStorePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'cpactl-store-')), 'nested', 'dir', 'cpactl.db')
}

async function fresh(path = tempStorePath()): Promise<SqliteStore> {
  const s = await openStore({path})
  stores.push(s)
  return s
}

/** n distinct variations of the §6 example (different request ids and instants). */
function records(n: number, patch: (i: number, r: Record<string, unknown>) => void = () => {}): Record<string, unknown>[] {
  return Array.from({length: n}, (_, i) => {
    const r = exampleRecord()
    r.request_id = i.toString(16).padStart(8, '0')
    r.timestamp = new Date(Date.UTC(2026, 7, 22, 6, 0, 0) + i * 61_000).toISOString()
    patch(i, r)
    return r
  })
}

describe('openStore', () => {
  it('creates the directory 0700 and the database 0600, in WAL mode with the pragmas', async () => {
    const path = tempStorePath()
    const s = await fresh(path)
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700)
    expect(statSync(path).mode & 0o777).toBe(0o600)
    await s.ingestRecords('gw', records(1))
    expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600)
    expect(s.db.pragma('journal_mode', {simple: true})).toBe('wal')
    expect(s.db.pragma('synchronous', {simple: true})).toBe(2) // FULL
    expect(s.db.pragma('foreign_keys', {simple: true})).toBe(1)
    expect(s.db.pragma('busy_timeout', {simple: true})).toBe(5000)
    expect(s.db.prepare('SELECT id FROM schema_migrations ORDER BY id').all()).toEqual([{id: 1}, {id: 2}, {id: 3}])
  })

  it('reopening does not migrate twice; read-only opens an existing store and refuses a missing one', async () => {
    const path = tempStorePath()
    const s = await fresh(path)
    await s.ingestRecords('gw', records(2))
    await s.close()
    const again = await fresh(path)
    expect((again.db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as {n: number}).n).toBe(3)
    const ro = await openStore({path, readonly: true})
    stores.push(ro)
    expect((await ro.totals()).events).toBe(2)
    await expect(openStore({path: join(path, '..', 'missing.db'), readonly: true})).rejects.toMatchObject({code: 'store_missing', exitCode: 3})
  })

  it('refuses a file that is not a database and a path under a regular file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpactl-store-'))
    writeFileSync(join(dir, 'junk.db'), 'this is not sqlite'.repeat(100))
    await expect(openStore({path: join(dir, 'junk.db')})).rejects.toMatchObject({code: 'store_corrupt', exitCode: 3})
    writeFileSync(join(dir, 'file'), 'x')
    await expect(openStore({path: join(dir, 'file', 'cpactl.db')})).rejects.toMatchObject({exitCode: 3})
  })
})

describe('ingestRecords', () => {
  it('stores one typed row per record and counts duplicates on a second ingest', async () => {
    const s = await fresh()
    const batch = records(50)
    expect(await s.ingestRecords('gw', batch)).toEqual({received: 50, added: 50, duplicates: 0, deadLettered: 0, controlSkipped: 0})
    expect(await s.ingestRecords('gw', batch.map((r) => JSON.stringify(r)))).toEqual({received: 50, added: 0, duplicates: 50, deadLettered: 0, controlSkipped: 0})
    // the same records under another instance are other events
    expect((await s.ingestRecords('gw2', batch)).added).toBe(50)
    const row = s.db.prepare('SELECT * FROM usage_events WHERE instance = ? ORDER BY ts LIMIT 1').get('gw') as Record<string, unknown>
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

  it('dead-letters what does not parse, with the reason, redacted; skips control payloads; drops nothing', async () => {
    const s = await fresh()
    const bad = '{"timestamp":"2026-08-22T14:03:11Z","api_key":"sk-live-client-key-123","tokens":'
    const res = await s.ingestRecords('gw', [...records(3), bad, '{"refresh":true}', '{"support_refresh":true}', 'null'])
    expect(res).toEqual({received: 7, added: 3, duplicates: 0, deadLettered: 2, controlSkipped: 2})
    const letters = s.db.prepare('SELECT instance, reason, payload, resolved_at FROM usage_dead_letters ORDER BY id').all() as Array<Record<string, unknown>>
    expect(letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^not JSON/), 'not a JSON object (null)'])
    expect(letters[0].payload).toContain('"api_key":"sha256:' + createHash('sha256').update('sk-live-client-key-123').digest('hex'))
    expect((await s.deadLetters('gw')).waiting).toBe(2)
    await s.close()
    // the raw client keys are nowhere in the database file
    const bytes = readFileSync(s.location).toString('latin1') + (existsSync(`${s.location}-wal`) ? readFileSync(`${s.location}-wal`).toString('latin1') : '')
    expect(bytes).not.toContain('sk-live-client-key-123')
    expect(bytes).not.toContain('sk-client-demo-1')
  })

  it('keeps hourly rollups equal to the raw events, including after duplicates', async () => {
    const s = await fresh()
    const providers = ['codex', 'claude', 'gemini']
    const batch = records(300, (i, r) => {
      r.provider = providers[i % 3]
      r.model = `m-${i % 4}`
      r.failed = i % 7 === 0
      r.latency_ms = 100 + i
      r.ttft_ms = i % 5 === 0 ? 0 : 10 + i
      if (i % 11 === 0) Object.assign(r, legacyOnly(r))
    })
    await s.ingestRecords('gw', batch.slice(0, 200))
    await s.ingestRecords('gw', batch.slice(100)) // 100 duplicates
    const sums = 'COUNT(*) AS requests, SUM(input_total) AS input_total, SUM(cache_read) AS cache_read, SUM(output_total) AS output_total, SUM(reasoning) AS reasoning, SUM(total) AS total, SUM(latency_ms) AS latency_sum'
    const raw = s.db.prepare(`SELECT (ts / 3600000) * 3600000 AS hour_ms, provider, model, failed, ${sums}, MAX(latency_ms) AS latency_max, SUM(CASE WHEN ttft_ms > 0 THEN ttft_ms ELSE 0 END) AS ttft_sum FROM usage_events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`).all()
    const rolled = s.db
      .prepare(
        `SELECT hour_ms, provider, model, failed, SUM(requests) AS requests, SUM(input_total) AS input_total, SUM(cache_read) AS cache_read, SUM(output_total) AS output_total, SUM(reasoning) AS reasoning, SUM(total) AS total, SUM(latency_sum) AS latency_sum, MAX(latency_max) AS latency_max, SUM(ttft_sum) AS ttft_sum FROM usage_hourly GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
      )
      .all()
    expect(rolled).toEqual(raw)
    expect((s.db.prepare('SELECT SUM(requests) AS n FROM usage_hourly').get() as {n: number}).n).toBe(300)
  })
})

describe('transactions and the spool', () => {
  it('rolls back a failed batch and ingests the spilled payloads on recovery, exactly once', async () => {
    const s = await fresh()
    const runId = await s.startRun({instance: 'gw', mode: 'once', transport: 'resp', startedAt: Date.now()})
    const payloads = records(10).map((r) => JSON.stringify(r))
    s.db.exec("CREATE TEMP TRIGGER poison BEFORE INSERT ON usage_events WHEN NEW.request_id = '00000005' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
    await expect(s.transaction(async (tx) => tx.write(payloads, {instance: 'gw', runId, receivedAt: 1}))).rejects.toMatchObject({code: 'store_error'})
    expect((await s.totals()).events).toBe(0)
    const spool = await s.spill('gw', 1, payloads)
    expect(statSync(spool).mode & 0o777).toBe(0o600)
    await s.recordSpooled(runId, payloads.length)
    s.db.exec('DROP TRIGGER poison')
    const run2 = await s.startRun({instance: 'gw', mode: 'once', transport: 'resp', startedAt: Date.now()})
    const rec = await s.recoverSpools(run2)
    expect(rec.files).toBe(1)
    expect(rec.counts.inserted).toBe(10)
    expect(listSpools(s.location)).toEqual([])
    expect(await s.getRun(run2)).toMatchObject({recovered: 10, inserted: 10, popped: 0})
    expect(await s.getRun(runId)).toMatchObject({popped: 10, spooled: 10, inserted: 0})
    expect((await s.recoverSpools(run2)).files).toBe(0)
  })
})

describe('collector lock', () => {
  it('a second holder in the same process gets LockError naming the pid', async () => {
    const path = tempStorePath()
    await fresh(path)
    const lock = await acquireCollectorLock(path)
    const err = await acquireCollectorLock(path).catch((e) => e)
    expect(err).toBeInstanceOf(LockError)
    expect(err.exitCode).toBe(7)
    expect(err.message).toContain(`pid ${process.pid}`)
    lock.release()
    ;(await acquireCollectorLock(path)).release()
  })

  it('works across processes and dies with the holder (kill -9)', async () => {
    const path = tempStorePath()
    await fresh(path)
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'hold-lock.ts'), path], {stdio: ['ignore', 'pipe', 'inherit']})
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (d) => resolve(String(d)))
      child.once('exit', (code) => reject(new Error(`holder exited ${code}`)))
    })
    expect(line.trim()).toBe(`locked ${child.pid}`)
    const err = await acquireCollectorLock(path).catch((e) => e)
    expect(err).toBeInstanceOf(LockError)
    expect(err.message).toContain(`pid ${child.pid}`)
    expect(err.details.pid).toBe(child.pid)
    await new Promise((resolve) => {
      child.once('exit', resolve)
      child.kill('SIGKILL')
    })
    const lock = await acquireCollectorLock(path)
    lock.release()
  })
})
