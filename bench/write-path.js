#!/usr/bin/env node
// cpactl's write path without the queue (issue 12): how fast the collector's batches are written when popping
// costs nothing. Run after `npm run build`:
//   node bench/write-path.js [--records 300000] [--batch 500] [--spread 1h,20d] [--runs 3]
//
// Per spread, the simulator of bench/collect.js is filled with the same N records, drained once uncounted (its
// first drain of new records is slower), then per round:
//   baseline    the bare client of bench/collect.js: pop a batch, insert each payload as raw text, commit;
//   write path  the same records, first drained into memory as the RESP consumer receives them (raw bytes), then
//               written in this process through the collector's batches (store.events.batch → tx.write: the
//               normaliser thread, event rows, the rollups, dead letters, run counters, COMMIT) into a fresh
//               store: no pop, no process start, no gateway.
// It prints both per batch and their ratio: the collect ratio (bench/collect.js) if pops cost nothing and
// overlapped perfectly with the writing. Where that ceiling is below the goal, no change on the pop side
// (pipelining, popping ahead, a faster RESP client) can reach the goal; only a cheaper write path can.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {SPREAD_MS, startBenchQueue} from './collect-queue.js'
import {median, option} from './common.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const N = Number(option(args, 'records', 300_000))
const BATCH = Number(option(args, 'batch', 500))
const RUNS = Number(option(args, 'runs', 3))
const SPREADS = String(option(args, 'spread', '1h,20d')).split(',')
for (const s of SPREADS) if (!SPREAD_MS[s]) throw new Error(`unknown --spread ${s} (1h or 20d)`)

const {openStore} = await import(join(root, 'dist', 'lib', 'store', 'index.js')).catch(() => {
  console.error('bench/write-path.js needs the compiled CLI: run `npm run build` first')
  process.exit(2)
})

const dir = mkdtempSync(join(tmpdir(), 'cpactl-bench-write-path-'))
const queue = await startBenchQueue({n: N, batch: BATCH})

/** Write the batches through the collector's path into a fresh store: wall ms per batch, CPU µs per record. */
async function writePath(batches, label) {
  const path = join(dir, `store-${label}.db`)
  const store = await openStore({path})
  try {
    const runId = await store.runs.start({instance: 'bench', mode: 'once', transport: 'resp', startedAt: Date.now()})
    const cpu0 = process.cpuUsage()
    const t = performance.now()
    let stored = 0
    for (const payloads of batches) {
      // one turn of the event loop per batch, as the collector's pop gives it
      await new Promise((resolve) => setImmediate(resolve))
      const counts = await store.events.batch((tx) => tx.write(payloads, {instance: 'bench', runId, receivedAt: Date.now()}))
      stored += counts.inserted
    }
    const ms = performance.now() - t
    const cpu = process.cpuUsage(cpu0)
    if (stored !== N) throw new Error(`the write path stored ${stored} events, expected ${N}`)
    return {msPerBatch: ms / batches.length, cpuUsPerRecord: (cpu.user + cpu.system) / N}
  } finally {
    await store.close()
    for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, {force: true})
  }
}

console.log(`write-path benchmark: ${N.toLocaleString('en-US')} records, batch ${BATCH}, ${RUNS} round(s) per spread, node ${process.version}`)
const goal = {'1h': 0.6, '20d': 0.4}
const summary = []
for (const spread of SPREADS) {
  await queue.fill(spread)
  const warm = await queue.baseline('warmup', dir)
  console.log(`\n[${spread}] warm-up drain (not counted): baseline ${warm.s.toFixed(2)} s`)
  const rounds = []
  for (let i = 0; i < RUNS; i++) {
    await queue.fill(spread)
    const base = await queue.baseline(i, dir)
    await queue.fill(spread)
    const batches = await queue.popAll()
    const w = await writePath(batches, `${spread}-${i}`)
    const baseMs = (base.s * 1000) / base.batches
    rounds.push({baseMs, ...w, ceiling: baseMs / w.msPerBatch})
    console.log(
      `  round ${i + 1}: baseline ${baseMs.toFixed(2)} ms/batch; write path ${w.msPerBatch.toFixed(2)} ms/batch ` +
        `(${w.cpuUsPerRecord.toFixed(1)} µs CPU/record, both threads) → ceiling ${(baseMs / w.msPerBatch).toFixed(2)}×`,
    )
  }
  summary.push({spread, baseMs: median(rounds.map((r) => r.baseMs)), writeMs: median(rounds.map((r) => r.msPerBatch)), cpu: median(rounds.map((r) => r.cpuUsPerRecord)), ceiling: median(rounds.map((r) => r.ceiling))})
}

console.log(`\nmedians over ${RUNS} round(s), ${N.toLocaleString('en-US')} records, ${BATCH} per batch`)
console.log(`${'spread'.padEnd(7)} ${'baseline'.padStart(14)} ${'write path'.padStart(14)} ${'CPU/record'.padStart(11)} ${'ceiling'.padStart(8)} ${'goal'.padStart(5)}`)
for (const r of summary) {
  console.log(
    `${r.spread.padEnd(7)} ${`${r.baseMs.toFixed(2)} ms/batch`.padStart(14)} ${`${r.writeMs.toFixed(2)} ms/batch`.padStart(14)} ${`${r.cpu.toFixed(1)} µs`.padStart(11)} ${`${r.ceiling.toFixed(2)}×`.padStart(8)} ${`≥${goal[r.spread]}`.padStart(5)}`,
  )
}
console.log('ceiling = baseline / write path: the collect ratio of bench/collect.js if popping cost nothing and overlapped perfectly')

queue.close()
rmSync(dir, {recursive: true, force: true})
