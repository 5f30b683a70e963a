#!/usr/bin/env node
// Monitoring benchmark (issue 15): a store of N events over 90 days (bench/report-data.js: 20 models, 50
// accounts, 20 client keys, ~4 % failures) built through the store's bulk ingest, then the real processes timed
// (median wall time, process start included): `cpactl metrics` (all-time counters, every gauge) and the four
// checks, next to `cpactl report summary --since 90d` measured in the same run as the baseline (same process
// start, same store, one 90-day engine query). A scraper polls `metrics` every 15–60 s, so it must stay well
// under a second; the checks run from cron.
//
//   npm run build && node bench/metrics.js [--events 1000000] [--runs 7] [--fresh]
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {option, timeNode} from './common.js'
import {PROVIDERS, records} from './report-data.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const argv = process.argv.slice(2)
const EVENTS = Number(option(argv, 'events', 1_000_000))
const RUNS = Number(option(argv, 'runs', process.env.BENCH_RUNS ?? 7))
const dir = join(tmpdir(), 'cpactl-bench-metrics')
const store = join(dir, `store-${EVENTS}.db`)
const meta = `${store}.json`
if (!existsSync(join(root, 'dist', 'commands', 'metrics.js'))) {
  console.error('no built CLI: run npm run build first')
  process.exit(1)
}

async function buildStore() {
  mkdirSync(dir, {recursive: true})
  for (const p of [store, `${store}-wal`, `${store}-shm`, meta]) rmSync(p, {force: true})
  const {openStore} = await import(pathToFileURL(join(root, 'dist', 'lib', 'store', 'index.js')).href)
  const s = await openStore({path: store, synchronous: 'normal'})
  const endMs = Date.now()
  const t0 = performance.now()
  let n = 0
  for (const batch of records({count: EVENTS, endMs, batch: 20_000})) {
    n += (await s.events.ingest('bench', batch)).added
    if (n % 200_000 < 20_000) process.stderr.write(`\r  ingested ${n.toLocaleString('en-US')} events (${((performance.now() - t0) / 1000).toFixed(0)} s)`)
  }
  process.stderr.write('\n')
  // a finished collector run (the collector gauges and check) and prices for every model (cost is computed)
  const run = await s.runs.start({instance: 'bench', mode: 'once', transport: 'resp', startedAt: endMs - 5000})
  await s.runs.finish(run, {status: 'ok', endedAt: endMs, retentionSeconds: 60})
  for (const p of PROVIDERS) {
    for (const model of p.models) {
      await s.prices.upsert({model, input: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 8, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: endMs})
    }
  }
  await s.close()
  writeFileSync(meta, JSON.stringify({events: n, endMs}))
  return {events: n, endMs}
}

const time = (args) => timeNode([join(root, 'bin', 'run.js'), ...args, '--store', store], {runs: RUNS, okCodes: [0, 1]})

let info = !argv.includes('--fresh') && existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')) : null
if (info && Date.now() - info.endMs > 86_400_000) info = null
if (!info) {
  console.log(`building a ${EVENTS.toLocaleString('en-US')}-event store in ${dir} …`)
  info = await buildStore()
}
console.log(`store: ${info.events.toLocaleString('en-US')} events over 90 days; median of ${RUNS} runs, process start included`)
const base = time(['report', 'summary', '--since', '90d', '--json'])
console.log(`  baseline  report summary --since 90d   ${base.ms.toFixed(0).padStart(6)} ms`)
const cases = [
  ['metrics', ['metrics']],
  ['metrics --format openmetrics', ['metrics', '--format', 'openmetrics']],
  ['check collector', ['check', 'collector', '--max-age', '1d', '--nagios']],
  ['check failures --since 15m', ['check', 'failures', '--since', '15m', '--nagios']],
  ['check failures --since 24h', ['check', 'failures', '--since', '24h', '--nagios']],
  ['check budget --since this-month', ['check', 'budget', '--since', 'this-month', '--budget', '1000000', '--nagios']],
]
for (const [name, argv] of cases) {
  const t = time(argv)
  const extra = name === 'metrics' ? `  (${t.out.split('\n').filter((l) => l && !l.startsWith('#')).length} samples)` : ''
  console.log(`  ${name.padEnd(34)} ${t.ms.toFixed(0).padStart(6)} ms  ×${(t.ms / base.ms).toFixed(2)} of baseline${extra}`)
}
