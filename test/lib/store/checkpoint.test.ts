// The collector's batches checkpoint the SQLite WAL between batches, never inside a batch's transaction or its
// COMMIT (src/lib/store/connection.ts checkpointBetweenBatches): a checkpoint copies up to 32 MiB of pages into
// the database file and syncs it, which must not lengthen the pop→commit window (what a kill -9 can lose). In WAL
// mode only a checkpoint writes the database file, so its size shows when checkpoints ran.
import {mkdtempSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {openStore} from '../../../src/lib/store/index.js'
import {sqlite} from '../../helpers/sqlite.js'

const BATCH = 500
const BATCHES = 120
/** A WAL frame: a page (4096 bytes) and its 24-byte header. */
const FRAME = 4096 + 24

let sim: Simulator
let payloads: string[]
beforeAll(async () => {
  sim = await startSimulator({managementKey: 'checkpoint-test-key-0123456789', port: 0, seed: 31})
  sim.setConfig('usage-statistics-enabled', false)
  payloads = sim.generate(BATCH * BATCHES).map((g) => g.payload)
}, 60_000)
afterAll(async () => {
  await sim?.close()
})

describe('WAL checkpoints of the collector batches', () => {
  it('run between batches, never inside one, and keep the WAL about as small as the automatic checkpoint does', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cpactl-checkpoint-')), 'cpactl.db')
    const store = await openStore({path})
    try {
      const runId = await store.runs.start({instance: 'gw', mode: 'once', transport: 'resp', startedAt: 1})
      let last = statSync(path).size
      let checkpointsBetween = 0
      let writesInside = 0
      let maxWal = 0
      let inserted = 0
      for (let i = 0; i < BATCHES; i++) {
        let atBegin = 0
        const counts = await store.events.batch(async (tx) => {
          atBegin = statSync(path).size
          if (atBegin !== last) checkpointsBetween++
          return tx.write(payloads.slice(i * BATCH, (i + 1) * BATCH), {instance: 'gw', runId, receivedAt: 2})
        })
        inserted += counts.inserted
        last = statSync(path).size
        if (last !== atBegin) writesInside++
        maxWal = Math.max(maxWal, statSync(`${path}-wal`).size)
      }
      expect(inserted).toBe(BATCH * BATCHES)
      // checkpoints ran (the database file grew), always between two batches
      expect(checkpointsBetween).toBeGreaterThanOrEqual(2)
      expect(writesInside).toBe(0)
      // the WAL grew to about the automatic checkpoint's 8192 frames (not checkpointed after every batch), and
      // not much past it
      const frames = maxWal / FRAME
      expect(frames).toBeGreaterThan(4096)
      expect(frames).toBeLessThan(8192 + 1024)
      expect(sqlite(path).prepare('SELECT COUNT(*) AS n FROM usage_events').get()).toEqual({n: BATCH * BATCHES})
    } finally {
      await store.close()
    }
  }, 60_000)
})
