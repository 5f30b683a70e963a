#!/usr/bin/env node
// Runs every benchmark in sequence (npm run bench, after npm run build). Each prints its own medians and
// ratios against a baseline measured in the same run. Not part of the test suite: minutes, not seconds.
//   BENCH_COLLECT_RECORDS (default 1000000), BENCH_REPORT_EVENTS (default 5000000)
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const steps = [
  ['startup', ['bench/startup.js']],
  ['collect', ['bench/collect.js', process.env.BENCH_COLLECT_RECORDS ?? '1000000']],
  ['write path', ['bench/write-path.js']],
  ['report', ['bench/report.js', '--events', process.env.BENCH_REPORT_EVENTS ?? '5000000']],
  ['simulator queue', ['--import', 'tsx', 'bench/sim-queue.ts', '200000']],
  ['inspect', ['--import', 'tsx', 'bench/inspect.ts', '200', '20']],
]
let failed = 0
for (const [name, args] of steps) {
  console.log(`\n=== ${name} ===`)
  const r = spawnSync(process.execPath, args, {cwd: root, stdio: 'inherit'})
  if (r.status !== 0) {
    failed++
    console.log(`${name} benchmark exited ${r.status}`)
  }
}
process.exitCode = failed ? 1 : 0
