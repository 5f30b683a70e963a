// The collector's normaliser thread (src/lib/store/ingest-thread.ts, ingest-worker.ts): batches written through
// it must leave exactly the store the writing thread alone leaves — every event column, every rollup row, dead
// letters, counts — also when the thread stops mid-batch, when a batch fails and is rolled back, and for a
// source equal to a client key seen by the other normaliser (before the thread took over, or before the
// writing thread took a batch over).
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {openStore, type BatchCounts, type Store} from '../../../src/lib/store/index.js'
import {sqlite, sqliteWritable} from '../../helpers/sqlite.js'

interface ThreadView {
  available: boolean
  worker: {terminate(): Promise<number>}
  receive(): unknown
  wait(): boolean
}
interface WriterView {
  thread: ThreadView | null
}
const writerOf = (s: Store) => (s.events as unknown as {writer: WriterView}).writer

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  delete process.env.CPACTL_INGEST_THREAD
})

let sim: Simulator
let payloads: string[]
beforeAll(async () => {
  sim = await startSimulator({managementKey: 'thread-test-key-0123456789', port: 0, seed: 23})
  sim.setConfig('usage-statistics-enabled', false)
  payloads = sim.generate(1500).map((g) => g.payload)
  // what else a queue can hold: junk (dead letters), control payloads, duplicates, a failure with headers
  payloads.splice(70, 0, 'not json', '{"refresh":true}', '[1,2]', payloads[3], payloads[4], '{"timestamp":"2026-13-01T00:00:00Z","tokens":{}}')
})
afterAll(async () => {
  await sim?.close()
})

/**
 * A store and its first batch, written in this thread: the writer decides at its first batch whether it starts
 * the normaliser thread (CPACTL_INGEST_THREAD=1 from the TypeScript sources), and waits here until it is ready.
 */
async function open(thread: boolean, first: string[]): Promise<{store: Store; counts: BatchCounts}> {
  process.env.CPACTL_INGEST_THREAD = thread ? '1' : '0'
  const store = await openStore({path: join(mkdtempSync(join(tmpdir(), 'cpactl-thread-')), 'cpactl.db')})
  stores.push(store)
  const counts = await store.events.batch((tx) => tx.write(first, {instance: 'gw', runId: null, receivedAt: 1}))
  if (thread) await threadReady(store)
  return {store, counts}
}

async function threadReady(s: Store): Promise<void> {
  const until = Date.now() + 60_000
  while (!writerOf(s).thread?.available) {
    if (Date.now() > until) throw new Error('the normaliser thread did not start')
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** After the first chunk of the next batch nothing more comes from the thread, and waiting for it times out. */
function stallAfterFirstChunk(thread: ThreadView): {delivered: number} {
  const receive = thread.receive.bind(thread)
  const wait = thread.wait.bind(thread)
  const stalled = {delivered: 0}
  thread.receive = () => {
    if (stalled.delivered > 0) return null
    const c = receive()
    if (c) stalled.delivered++
    return c
  }
  thread.wait = () => (stalled.delivered > 0 ? false : wait())
  return stalled
}

const flat = (c: BatchCounts) => ({...c, byAuthIndex: [...c.byAuthIndex].sort()})

async function writeAll(s: Store, list: readonly unknown[], size = 500): Promise<unknown[]> {
  const out = []
  for (let i = 0; i < list.length; i += size) out.push(flat(await s.events.batch((tx) => tx.write(list.slice(i, i + size), {instance: 'gw', runId: null, receivedAt: 1}))))
  return out
}

/** Every table's rows, in a stable order (the migration log's timestamps left out). */
function dump(s: Store): Record<string, unknown[]> {
  const db = sqlite(s)
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'schema_migrations' ORDER BY name").pluck().all() as string[]
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all()]))
}

describe('the normaliser thread', () => {
  it('writes exactly what the writing thread alone writes: events, rollups, dead letters, counts (from strings or raw bytes)', async () => {
    const {store: plain, counts: firstA} = await open(false, payloads.slice(0, 10))
    const {store: threaded, counts: firstB} = await open(true, payloads.slice(0, 10))
    const a: unknown[] = [flat(firstA)]
    const b: unknown[] = [flat(firstB)]
    a.push(...(await writeAll(plain, payloads.slice(10))))
    // RESP delivers raw bytes (queue/resp.ts): packed into one transferred buffer for the thread
    b.push(...(await writeAll(threaded, payloads.slice(10).map((p) => Buffer.from(p)))))
    expect(writerOf(plain).thread).toBeNull()
    expect(writerOf(threaded).thread?.available).toBe(true)
    expect(b).toEqual(a)
    const [da, db] = [dump(plain), dump(threaded)]
    expect(da.usage_events).toHaveLength(1500)
    expect(da.usage_dead_letters).toHaveLength(3)
    expect(db).toEqual(da)
  })

  it('prepareBatches starts the thread before any batch (the collector calls it while connecting): the first batch goes through it', async () => {
    process.env.CPACTL_INGEST_THREAD = '1'
    const store = await openStore({path: join(mkdtempSync(join(tmpdir(), 'cpactl-thread-')), 'cpactl.db')})
    stores.push(store)
    store.events.prepareBatches()
    await threadReady(store)
    const thread = writerOf(store).thread!
    const receive = thread.receive.bind(thread)
    let chunks = 0
    thread.receive = () => {
      const c = receive()
      if (c) chunks++
      return c
    }
    const counts = await store.events.batch((tx) => tx.write(payloads.slice(0, 500), {instance: 'gw', runId: null, receivedAt: 1}))
    expect(chunks).toBe(Math.ceil(500 / 64))
    expect(counts.received).toBe(500)
    expect(sqlite(store).prepare('SELECT COUNT(*) AS n FROM usage_events').get()).toEqual({n: counts.inserted})
  })

  it('finishes a batch in the writing thread when the normaliser thread stops in the middle of it, and goes on without it', async () => {
    const {store: plain} = await open(false, payloads.slice(0, 10))
    const {store: threaded} = await open(true, payloads.slice(0, 10))
    const thread = writerOf(threaded).thread!
    // after the batch's first chunk nothing more comes from the thread, and waiting for it times out
    const stalled = stallAfterFirstChunk(thread)
    const a = await writeAll(plain, payloads.slice(10, 1010), 1000)
    const b = await writeAll(threaded, payloads.slice(10, 1010), 1000)
    expect(stalled.delivered).toBe(1)
    expect(b).toEqual(a)
    // the thread dies: the next batches are the writing thread's alone
    await thread.worker.terminate()
    const until = Date.now() + 10_000
    while (thread.available && Date.now() < until) await new Promise((r) => setTimeout(r, 20))
    expect(thread.available).toBe(false)
    expect(await writeAll(threaded, payloads.slice(1010))).toEqual(await writeAll(plain, payloads.slice(1010)))
    expect(dump(threaded)).toEqual(dump(plain))
  })

  it('a batch that fails after the thread delivered rows is rolled back; the next batches are exact', async () => {
    const {store: plain} = await open(false, payloads.slice(0, 10))
    const {store: threaded} = await open(true, payloads.slice(0, 10))
    const poisoned = JSON.parse(payloads[700]) as Record<string, unknown>
    poisoned.request_id = 'deadbeef'
    const batch = [...payloads.slice(600, 700), JSON.stringify(poisoned), ...payloads.slice(701, 900)]
    for (const s of [plain, threaded]) {
      const w = sqliteWritable(s)
      w.exec("CREATE TRIGGER poison BEFORE INSERT ON usage_events WHEN NEW.request_id = 'deadbeef' BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END")
      w.close()
      await expect(s.events.batch((tx) => tx.write(batch, {instance: 'gw', runId: null, receivedAt: 1}))).rejects.toMatchObject({code: 'store_error'})
      const fix = sqliteWritable(s)
      fix.exec('DROP TRIGGER poison')
      fix.close()
    }
    expect(writerOf(threaded).thread?.available).toBe(true)
    expect(await writeAll(threaded, payloads.slice(10))).toEqual(await writeAll(plain, payloads.slice(10)))
    expect(dump(threaded)).toEqual(dump(plain))
  })

  // a client key that does not look like a secret: only knowing it as a client key masks a source equal to it
  const key = 'plainkey-1234'
  const masked = `****${key.slice(-4)}`
  const base = () => JSON.parse(payloads[0]) as Record<string, unknown>
  /** A record without a credential carries the client key as its source (the gateway's record, corrected). */
  const keyAsSource = (i: number) => JSON.stringify({...base(), api_key: 'another-client', auth_type: 'oauth', source: key, request_id: `b${String(i).padStart(7, '0')}`})

  it('a source equal to a client key seen before the thread took over stays masked', async () => {
    const {store: threaded} = await open(true, [JSON.stringify({...base(), api_key: key, request_id: 'aaaaaaaa'})])
    const counts = await threaded.events.batch((tx) => tx.write(Array.from({length: 100}, (_, i) => keyAsSource(i)), {instance: 'gw', runId: null, receivedAt: 1}))
    expect(counts.inserted).toBe(100)
    expect(sqlite(threaded).prepare("SELECT DISTINCT source FROM usage_events WHERE request_id LIKE 'b%'").pluck().all()).toEqual([masked])
  })

  it('a source equal to a client key the thread saw stays masked in the chunks the writing thread takes over', async () => {
    const {store: plain} = await open(false, payloads.slice(0, 10))
    const {store: threaded} = await open(true, payloads.slice(0, 10))
    const thread = writerOf(threaded).thread!
    // the key is in the first chunk (the thread's); the records using it as their source come after it
    const batch = [JSON.stringify({...base(), api_key: key, request_id: 'cccccccc'}), ...Array.from({length: 400}, (_, i) => keyAsSource(i))]
    const stalled = stallAfterFirstChunk(thread)
    for (const s of [plain, threaded]) {
      await s.events.batch((tx) => tx.write(batch, {instance: 'gw', runId: null, receivedAt: 1}))
      expect(sqlite(s).prepare("SELECT DISTINCT source FROM usage_events WHERE request_id LIKE 'b%'").pluck().all()).toEqual([masked])
    }
    expect(stalled.delivered).toBe(1)
    expect(dump(threaded)).toEqual(dump(plain))
  })
})
