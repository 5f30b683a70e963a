#!/usr/bin/env node
// Report benchmark (issue 5): a store with 5,000,000 events over 90 days (20 models, 50 accounts, 20 client
// keys) built through the store's bulk ingest path, then the real `cpactl report …` processes timed (median
// wall time of several runs, process start included) next to the same figures computed straight from the raw
// events (bench/report-raw.js, also a process). Goal: each report ≤ 300 ms. With a start-up bundle in the CLI under
// test (dist/cpactl.cjs), each case also runs with CPACTL_BUNDLE=0 (the compiled modules loaded one by one),
// interleaved with the bundled runs: the `modules` column.
//
//   npm run build && node bench/report.js [--events 5000000] [--runs 7] [--fresh] [--no-raw] [--cli path/to/bin/run.js]
//
// The store is cached in $TMPDIR/cpactl-bench-report/ (one file per schema generation of the CLI under test) and
// reused while younger than a day (reports are relative to now). The bulk ingest maintains the rollups in the
// same transactions as the events (since issue 12), so its time includes them; with an older CLI the first
// report after the ingest folded the events into its rollups, and that one-time cost is printed separately.
// --no-raw skips the raw-scan comparison (minutes per case at 5M events).
import {spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {option, timeNode, timeNodeInterleaved} from './common.js'
import {records} from './report-data.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const opt = (name, dflt) => option(args, name, dflt)
const EVENTS = Number(opt('events', 5_000_000))
const RUNS = Number(opt('runs', process.env.BENCH_RUNS ?? 7))
const cli = opt('cli', join(root, 'bin', 'run.js'))
const cliRoot = join(cli, '..', '..')
const dir = join(tmpdir(), 'cpactl-bench-report')
const schema = existsSync(join(cliRoot, 'dist', 'lib', 'store', 'types.js')) ? 'v4' : 'v3'
const store = join(dir, `store-${EVENTS}-${schema}.db`)
const withRaw = !args.includes('--no-raw')
const meta = `${store}.json`

if (!existsSync(join(cliRoot, 'dist', 'commands', 'report', 'summary.js'))) {
  console.error(`no built CLI at ${cliRoot}/dist: run npm run build first (or pass --cli path/to/bin/run.js)`)
  process.exit(1)
}
const lib = (p) => import(pathToFileURL(join(cliRoot, 'dist', 'lib', p)).href)
const fmt = (ms) => `${ms.toFixed(0).padStart(6)} ms`

async function buildStore() {
  mkdirSync(dir, {recursive: true})
  for (const p of [store, `${store}-wal`, `${store}-shm`, meta]) rmSync(p, {force: true})
  const {openStore} = await lib('store/index.js')
  const s = await openStore({path: store, synchronous: 'normal'})
  const endMs = Date.now()
  const t0 = performance.now()
  let n = 0
  const ingest = s.events ? (b) => s.events.ingest('bench', b) : (b) => s.ingestRecords('bench', b)
  for (const batch of records({count: EVENTS, endMs, batch: 20_000})) {
    const r = await ingest(batch)
    n += r.added
    if (n % 500_000 < 20_000) process.stderr.write(`\r  ingested ${n.toLocaleString('en-US')} events (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
  }
  const ingestS = (performance.now() - t0) / 1000
  process.stderr.write('\n')
  await s.close()
  writeFileSync(meta, JSON.stringify({events: n, endMs, ingestS}))
  return {events: n, endMs, ingestS}
}

const interleaved = (argv, envs) => timeNodeInterleaved(argv, envs, {runs: RUNS})
const time = (argv, env = {}) => timeNode(argv, {runs: RUNS, env})

let info
const fresh = args.includes('--fresh')
if (!fresh && existsSync(store) && existsSync(meta)) {
  info = JSON.parse(readFileSync(meta, 'utf8'))
  if (Date.now() - info.endMs > 86_400_000) info = null
}
console.log(`cpactl report benchmark — ${EVENTS.toLocaleString('en-US')} events over 90 days (20 models, 50 accounts, 20 client keys)`)
if (!info) {
  console.log(`building the store through the bulk ingest path (${store}) …`)
  info = await buildStore()
  console.log(`  ingest: ${info.ingestS.toFixed(0)} s (${Math.round(info.events / info.ingestS).toLocaleString('en-US')} events/s)`)
} else console.log(`reusing ${store} (built ${new Date(info.endMs).toISOString()})`)
console.log(`  store size: ${(statSync(store).size / 1024 / 1024).toFixed(0)} MiB`)

// prices from the offline catalogue, so the reports compute real costs
const storeArg = ['--store', store]
spawnSync(process.execPath, [cli, 'prices', 'import', '--bundled', ...storeArg, '--json'], {encoding: 'utf8'})

// older CLIs: one-time fold of the bulk-ingested events into their report rollups
{
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [cli, 'store', 'info', ...storeArg, '--json'], {encoding: 'utf8', maxBuffer: 64 << 20})
  if (r.status !== 0) throw new Error(r.stderr)
  const ms = performance.now() - t0
  if (ms > 2000) console.log(`  first run after the bulk ingest folded it into the report rollups: ${(ms / 1000).toFixed(1)} s (once)`)
  const info = JSON.parse(r.stdout)
  console.log(`  ${(info.sizeBytes / info.rawEvents).toFixed(0)} B/event on disk incl. indexes and rollups (schema ${info.schemaVersion})`)
}

const cases = [
  {name: 'report summary --since 30d', argv: ['report', 'summary', '--since', '30d'], raw: 'summary'},
  {name: 'report models --since 90d', argv: ['report', 'models', '--since', '90d'], raw: 'models'},
  {name: 'report timeline --since 90d --granularity day', argv: ['report', 'timeline', '--since', '90d', '--granularity', 'day'], raw: 'timeline'},
  {name: 'report api-keys --since 7d', argv: ['report', 'api-keys', '--since', '7d'], raw: 'api-keys'},
]
// the start-up bundle (dist/cpactl.cjs, since issue 12) against loading the compiled modules one by one
const hasBundle = existsSync(join(cliRoot, 'dist', 'cpactl.cjs'))
const variants = hasBundle ? [{}, {CPACTL_BUNDLE: '0'}] : [{}]
const rawScript = join(root, 'bench', 'report-raw.js')
const baseline = time(['-e', '0']).ms
console.log(`\nmedian of ${RUNS} runs (after 1 warm-up), wall time including process start; node -e 0 = ${baseline.toFixed(0)} ms; --tz UTC`)
if (hasBundle) console.log('modules: the same CLI with CPACTL_BUNDLE=0 (no start-up bundle), runs interleaved with the bundled ones')
console.log(`${'command'.padEnd(48)} ${'cpactl'.padStart(9)}${hasBundle ? ` ${'modules'.padStart(9)}` : ''} ${'raw scan'.padStart(9)}  ratio  events covered`)
let worst = 0
for (const c of cases) {
  const both = interleaved([cli, ...c.argv, '--tz', 'UTC', ...storeArg, '--json'], variants)
  const ours = {ms: both.ms[0], out: both.out}
  const modules = hasBundle ? ` ${fmt(both.ms[1])}` : ''
  const raw = withRaw ? time([rawScript, store, c.raw]) : {ms: NaN}
  const json = JSON.parse(ours.out)
  const covered = json.totals.requests
  worst = Math.max(worst, ours.ms)
  console.log(`${c.name.padEnd(48)} ${fmt(ours.ms)}${modules} ${fmt(raw.ms)}  ${(raw.ms / ours.ms).toFixed(1).padStart(4)}×  ${covered.toLocaleString('en-US')} (p95 ${json.percentiles})`)
}
{
  const berlin = interleaved([cli, 'report', 'timeline', '--since', '90d', '--granularity', 'day', '--tz', 'Europe/Berlin', ...storeArg, '--json'], variants)
  console.log(`${'  (timeline, --tz Europe/Berlin: hourly rollups)'.padEnd(48)} ${fmt(berlin.ms[0])}${hasBundle ? ` ${fmt(berlin.ms[1])}` : ''}`)
}
console.log(`\ngoal ≤ 300 ms each: ${worst <= 300 ? 'met' : 'NOT met'} (slowest ${worst.toFixed(0)} ms)`)
