#!/usr/bin/env node
// Benchmark of `cpactl collect` (issue 4). Run after `npm run build`:  node bench/collect.js [records] [batch]
//
// A simulator in a separate process (bench/collect-sim.js) is filled with N realistic usage records (§6 shape,
// ~1.1 KB each). Then, on the same queue contents:
//   baseline  a bare ioredis client (the stack.md §4 options) pops them with LPOP usage <batch> and inserts each
//             payload as raw text into a one-column SQLite table (WAL, synchronous=FULL, one transaction per
//             batch: the same durability cpactl uses);
//   cpactl    the real `cpactl collect` process (bin/run.js → dist) drains them into a fresh store.
// Prints records/s for both and their ratio, the collect process's peak RSS, store bytes per event (database
// file after a WAL checkpoint: rows, indexes and rollups), and the pop→commit window per batch (what a kill -9
// can lose). Goals: ratio ≥ 0.5, peak RSS ≤ 300 MB, ≤ 1 KB per event.
import {fork, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs'
import {createRequire} from 'node:module'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
if (!existsSync(join(root, 'dist', 'lib', 'sim', 'index.js')) || !existsSync(join(root, 'dist', 'commands', 'collect', 'index.js'))) {
  console.error('bench/collect.js needs the compiled CLI: run `npm run build` first')
  process.exit(2)
}
const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')
const {Redis} = await import('ioredis')

const N = Number(process.argv[2] ?? 1_000_000)
const BATCH = Number(process.argv[3] ?? 500)
const KEY = `bench-${Math.random().toString(36).slice(2)}`
const dir = mkdtempSync(join(tmpdir(), 'cpactl-bench-collect-'))

const sim = fork(join(root, 'bench', 'collect-sim.js'), [], {env: {...process.env, BENCH_KEY: KEY}, execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
const next = (cmd) => new Promise((resolve) => sim.once('message', (m) => (m.cmd === cmd ? resolve(m) : resolve(next(cmd)))))
const ready = await next('ready')
const fill = async () => {
  const p = next('filled')
  sim.send({cmd: 'fill', n: N})
  const f = await p
  if (f.queued !== N) throw new Error(`simulator queued ${f.queued}, expected ${N}`)
  return f
}

console.log(`collect benchmark: ${N.toLocaleString('en-US')} records, batch ${BATCH}, node ${process.version}`)
const f1 = await fill()
console.log(`queue filled: avg record ${f1.avgBytes} B (built in ${(f1.buildMs / 1000).toFixed(1)} s)`)

// ---- baseline: bare ioredis + one-column raw table
{
  const db = new Database(join(dir, 'baseline.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.exec('CREATE TABLE raw (payload TEXT NOT NULL)')
  const insert = db.prepare('INSERT INTO raw (payload) VALUES (?)')
  const redis = new Redis({port: ready.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, disableClientInfo: true, maxRetriesPerRequest: 0, retryStrategy: () => null})
  await redis.connect()
  await redis.auth(KEY)
  const t = performance.now()
  let got = 0
  for (;;) {
    db.exec('BEGIN IMMEDIATE')
    const batch = (await redis.lpop('usage', BATCH)) ?? []
    for (const p of batch) insert.run(p)
    db.exec('COMMIT')
    got += batch.length
    if (batch.length < BATCH) break
  }
  const s = (performance.now() - t) / 1000
  redis.disconnect()
  db.close()
  globalThis.baseline = {rate: got / s, got, s}
  console.log(`baseline: ${got.toLocaleString('en-US')} records in ${s.toFixed(2)} s = ${Math.round(got / s).toLocaleString('en-US')} records/s`)
}

// ---- cpactl collect (the real process)
await fill()
const store = join(dir, 'cpactl.db')
const env = {...process.env, CPA_URL: ready.url, CPA_MANAGEMENT_KEY: KEY, CPACTL_CONFIG_DIR: join(dir, 'config'), CPACTL_DATA_DIR: join(dir, 'data'), CPACTL_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1'}
const t0 = performance.now()
// BENCH_COLLECT_NODE_ARGS, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof', profiles the collect process
const nodeArgs = (process.env.BENCH_COLLECT_NODE_ARGS ?? '').split(' ').filter(Boolean)
const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin', 'run.js'), 'collect', '--store', store, '--batch-size', String(BATCH), '--json'], {env, stdio: ['ignore', 'pipe', 'pipe']})
let out = ''
let err = ''
child.stdout.on('data', (d) => (out += d))
child.stderr.on('data', (d) => (err += d))
let peakKb = 0
const poll = setInterval(() => {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))
    if (m) peakKb = Math.max(peakKb, Number(m[1]))
  } catch {}
}, 25)
const code = await new Promise((resolve) => child.on('exit', resolve))
clearInterval(poll)
const wallS = (performance.now() - t0) / 1000
if (code !== 0) {
  console.error(`cpactl collect exited ${code}\n${err}`)
  process.exit(1)
}
const r = JSON.parse(out)
const driveS = r.durationMs / 1000
const rate = r.popped / driveS
console.log(`cpactl collect: ${r.popped.toLocaleString('en-US')} popped, ${r.inserted.toLocaleString('en-US')} stored in ${driveS.toFixed(2)} s = ${Math.round(rate).toLocaleString('en-US')} records/s (process wall ${wallS.toFixed(2)} s incl. start-up)`)
console.log(`ratio to baseline: ${(rate / globalThis.baseline.rate).toFixed(2)}x (goal >= 0.5)`)
console.log(`peak RSS of the collect process: ${(peakKb / 1024).toFixed(0)} MB (goal <= 300)`)
console.log(`pop->commit window per batch (kill -9 exposure): p50 ${r.popToCommitMs.p50} ms, p99 ${r.popToCommitMs.p99} ms, max ${r.popToCommitMs.max} ms`)

// ---- store size: checkpoint the WAL into the file, then measure
{
  const db = new Database(store)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const events = db.prepare('SELECT COUNT(*) AS n FROM usage_events').get().n
  let parts = ''
  try {
    const rows = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all()
    parts = rows.filter((x) => x.bytes / events >= 0.5).map((x) => `${x.name} ${(x.bytes / events).toFixed(0)}`).join(', ')
  } catch {}
  db.close()
  const bytes = statSync(store).size
  console.log(`store: ${(bytes / 1e6).toFixed(1)} MB for ${events.toLocaleString('en-US')} events = ${(bytes / events).toFixed(0)} B/event incl. indexes and rollups (goal <= 1024)`)
  if (parts) console.log(`  per event by table/index: ${parts}`)
}

sim.send({cmd: 'close'})
rmSync(dir, {recursive: true, force: true})
