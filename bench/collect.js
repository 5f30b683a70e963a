#!/usr/bin/env node
// Benchmark of `cpactl collect` (issues 4 and 12). Run after `npm run build`:
//   node bench/collect.js [--records 300000] [--batch 500] [--spread 1h,20d] [--runs 3] [--cli path/to/bin/run.js]
//                         [--compare path/to/other/bin/run.js]   (a second build, interleaved in every round)
//
// A simulator in a separate process (bench/collect-sim.js) is filled with N realistic usage records (the gateway's
// record shape, ~1.1 KB each) whose timestamps span the last hour (what a queue with the longest retention holds)
// or 20 days (a backlog after an outage, or history being imported). Then, on the same queue contents:
//   baseline  a bare ioredis client (no ready check, no client info, no retries) pops them with LPOP usage <batch>
//             and inserts each payload as raw text into a one-column SQLite table (WAL, synchronous=FULL, one
//             transaction per batch: the same durability cpactl uses); one uncounted baseline drain per spread comes
//             first, since the simulator answers its first drain of freshly built records more slowly;
//   cpactl    the real `cpactl collect` process (bin/run.js → dist) drains them into a fresh store; its whole
//             process wall time counts: start-up, the drain and everything after it.
// Per spread it prints the median baseline time, the median cpactl wall time and the median of the per-round
// ratios baseline/cpactl (goal: ≥ 0.6 over the last hour, ≥ 0.4 over 20 days), the collect process's peak RSS
// (goal ≤ 200 MB), store bytes per event (database file after a WAL checkpoint: rows, indexes and rollups; goal
// ≤ 700) and the pop→commit window per batch (what a kill -9 can lose). It also prints the CPU seconds (user +
// system) of both sides and their ratio: on a machine other jobs share, wall times stretch unevenly, CPU time much less.
import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

import {SPREAD_MS, startBenchQueue} from './collect-queue.js'
import {median, option} from './common.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const opt = (name, dflt) => option(args, name, dflt)
// positional form of the first version: node bench/collect.js [records] [batch]
const positional = /^\d+$/.test(args[0] ?? '')
const N = Number(opt('records', positional ? args[0] : 300_000))
const BATCH = Number(opt('batch', positional && /^\d+$/.test(args[1] ?? '') ? args[1] : 500))
const RUNS = Number(opt('runs', process.env.BENCH_RUNS ?? 3))
const SPREADS = String(opt('spread', '1h,20d')).split(',')
const cli = opt('cli', join(root, 'bin', 'run.js'))
const cliRoot = join(cli, '..', '..')
const compare = opt('compare', null)
for (const s of SPREADS) if (!SPREAD_MS[s]) throw new Error(`unknown --spread ${s} (1h or 20d)`)

if (!existsSync(join(root, 'dist', 'lib', 'sim', 'index.js')) || !existsSync(join(cliRoot, 'dist', 'commands', 'collect', 'index.js'))) {
  console.error('bench/collect.js needs the compiled CLI: run `npm run build` first')
  process.exit(2)
}
const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')

const dir = mkdtempSync(join(tmpdir(), 'cpactl-bench-collect-'))
// clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux)
const CLK_TCK = 100

const queue = await startBenchQueue({n: N, batch: BATCH})
const fill = (spread) => queue.fill(spread)
const baseline = (label) => queue.baseline(label, dir)

/** The real `cpactl collect` process: wall time from spawn to exit, peak RSS, its JSON result, the store. */
async function collect(round, bin = cli) {
  const store = join(dir, `cpactl-${round}-${bin === cli ? 'a' : 'b'}.db`)
  const env = {...process.env, CPA_URL: queue.url, CPA_MANAGEMENT_KEY: queue.key, CPACTL_CONFIG_DIR: join(dir, 'config'), CPACTL_DATA_DIR: join(dir, 'data'), CPACTL_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1'}
  // BENCH_COLLECT_NODE_ARGS, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof', profiles the collect process
  const nodeArgs = (process.env.BENCH_COLLECT_NODE_ARGS ?? '').split(' ').filter(Boolean)
  const t0 = performance.now()
  const child = spawn(process.execPath, [...nodeArgs, bin, 'collect', '--store', store, '--batch-size', String(BATCH), '--json'], {env, stdio: ['ignore', 'pipe', 'pipe']})
  let out = ''
  let err = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (err += d))
  let peakKb = 0
  let ticks = 0
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
      if (m) peakKb = Math.max(peakKb, Number(m[1]))
      // utime + stime (fields 14 and 15, clock ticks): the CPU the process used, whatever else runs on the machine
      const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
      ticks = Math.max(ticks, Number(f[11]) + Number(f[12]))
    } catch {}
  }, 20)
  const code = await new Promise((resolve) => child.on('exit', resolve))
  clearInterval(poll)
  const wallS = (performance.now() - t0) / 1000
  if (code !== 0) throw new Error(`cpactl collect exited ${code}\n${err}`)
  const r = JSON.parse(out)
  if (r.popped !== N) throw new Error(`cpactl popped ${r.popped}, expected ${N}`)
  return {wallS, cpuS: ticks / CLK_TCK, peakMb: peakKb / 1024, result: r, store}
}

/** Database bytes per event after a checkpoint, and the largest tables/indexes per event. */
function storeSize(store) {
  const db = new Database(store)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const events = db.prepare('SELECT COUNT(*) AS n FROM usage_events').get().n
  let parts = ''
  try {
    const rows = db.prepare('SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC').all()
    parts = rows
      .filter((x) => x.bytes / events >= 0.5)
      .map((x) => `${x.name} ${(x.bytes / events).toFixed(0)}`)
      .join(', ')
  } catch {}
  db.close()
  const bytes = statSync(store).size
  for (const p of [store, `${store}-wal`, `${store}-shm`]) rmSync(p, {force: true})
  return {bytes, events, perEvent: bytes / events, parts}
}

console.log(`collect benchmark: ${N.toLocaleString('en-US')} records, batch ${BATCH}, ${RUNS} round(s) per spread, node ${process.version}, cli ${cli}${compare ? `, compared with ${compare}` : ''}`)
const summary = []
const summarize = (spread, label, rounds) => ({
  spread,
  label,
  baseline: median(rounds.map((r) => r.base)),
  cpactl: median(rounds.map((r) => r.wallS)),
  ratio: median(rounds.map((r) => r.base / r.wallS)),
  cpuRatio: median(rounds.map((r) => r.baseCpu / r.cpuS)),
  rss: Math.max(...rounds.map((r) => r.peakMb)),
  perEvent: median(rounds.map((r) => r.size.perEvent)),
  p50: median(rounds.map((r) => r.result.popToCommitMs.p50)),
  p99: median(rounds.map((r) => r.result.popToCommitMs.p99)),
  max: Math.max(...rounds.map((r) => r.result.popToCommitMs.max)),
})
for (const spread of SPREADS) {
  const rounds = {a: [], b: []}
  // The simulator answers the pops of its first drain of freshly built records 2–3× slower than any later drain
  // of the same records (measured: ~6–8 ms per LPOP of 500 against ~2.5–3 ms). Whoever drained first was
  // penalised: the first round's baseline, which inflated that round's ratio. One uncounted drain first.
  const w = await fill(spread)
  console.log(`\n[${spread}] queue filled: avg record ${w.avgBytes} B`)
  const warm = await baseline('warmup')
  console.log(`  warm-up drain (not counted): baseline ${warm.s.toFixed(2)} s`)
  for (let i = 0; i < RUNS; i++) {
    await fill(spread)
    const {s: base, cpuS: baseCpu} = await baseline(i)
    for (const [side, bin] of compare ? [['a', cli], ['b', compare]] : [['a', cli]]) {
      await fill(spread)
      const c = await collect(i, bin)
      const size = storeSize(c.store)
      const w = c.result.popToCommitMs
      rounds[side].push({base, baseCpu, ...c, size})
      console.log(
        `  round ${i + 1}${compare ? ` ${side === 'a' ? 'cli' : 'compare'}` : ''}: baseline ${base.toFixed(2)} s, cpactl ${c.wallS.toFixed(2)} s wall (drain ${(c.result.durationMs / 1000).toFixed(2)} s) → ${(base / c.wallS).toFixed(2)}×; ` +
          `CPU baseline ${baseCpu.toFixed(2)} s, cpactl ${c.cpuS.toFixed(2)} s → ${(baseCpu / c.cpuS).toFixed(2)}×; peak RSS ${c.peakMb.toFixed(0)} MB; ${size.perEvent.toFixed(0)} B/event; pop→commit p50 ${w.p50} / p99 ${w.p99} / max ${w.max} ms`,
      )
    }
  }
  summary.push(summarize(spread, 'cli', rounds.a))
  if (compare) summary.push(summarize(spread, 'compare', rounds.b))
  console.log(`  store by table/index, B/event: ${rounds.a.at(-1).size.parts}`)
}

const goal = {'1h': 0.6, '20d': 0.4}
console.log(`\nmedians over ${RUNS} round(s), ${N.toLocaleString('en-US')} records (ratio = bare baseline time / cpactl process wall time)`)
console.log(`${'spread'.padEnd(7)} ${compare ? 'build   ' : ''}${'baseline'.padStart(9)} ${'cpactl'.padStart(9)} ${'ratio'.padStart(6)} ${'goal'.padStart(5)} ${'CPU ratio'.padStart(9)} ${'peak RSS'.padStart(9)} ${'B/event'.padStart(8)}  pop→commit p50/p99/max`)
for (const r of summary) {
  console.log(
    `${r.spread.padEnd(7)} ${compare ? r.label.padEnd(8) : ''}${`${r.baseline.toFixed(2)} s`.padStart(9)} ${`${r.cpactl.toFixed(2)} s`.padStart(9)} ${`${r.ratio.toFixed(2)}×`.padStart(6)} ${`≥${goal[r.spread]}`.padStart(5)} ${`${r.cpuRatio.toFixed(2)}×`.padStart(9)} ${`${r.rss.toFixed(0)} MB`.padStart(9)} ${r.perEvent.toFixed(0).padStart(8)}  ${r.p50}/${r.p99}/${r.max} ms`,
  )
}
console.log('CPU ratio = baseline CPU seconds / cpactl CPU seconds (user + system): steadier than wall time on a busy machine')
console.log('goals: ratio ≥ 0.6 (1h) and ≥ 0.4 (20d); peak RSS ≤ 200 MB at 1,000,000 records (--records 1000000); ≤ 700 B/event')

queue.close()
rmSync(dir, {recursive: true, force: true})
