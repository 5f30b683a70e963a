#!/usr/bin/env node
// Cold-start benchmark (issue 2): median wall time of `cpactl --version` and `cpactl status --help`
// against `node -e 0`, measured in the same run. Goal: at most 3 × node -e 0. Run after `npm run build`.
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const runs = Number(process.env.BENCH_RUNS ?? 21)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

function time(args) {
  const samples = []
  for (let i = 0; i < runs + 2; i++) {
    const t0 = process.hrtime.bigint()
    const r = spawnSync(process.execPath, args, {cwd: root, stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`)
    if (i >= 2) samples.push(ms) // 2 warm-up runs
  }
  return median(samples)
}

const base = time(['-e', '0'])
const rows = [
  ['node -e 0', base],
  ['cpactl --version', time(['bin/run.js', '--version'])],
  ['cpactl status --help', time(['bin/run.js', 'status', '--help'])],
  ['cpactl collect --help', time(['bin/run.js', 'collect', '--help'])],
]
console.log(`startup benchmark: median of ${runs} runs each`)
for (const [name, ms] of rows) console.log(`${name.padEnd(30)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / base).toFixed(2)} x node -e 0`)
const worst = Math.max(...rows.slice(1).map(([, ms]) => ms / base))
console.log(`goal <= 3.00 x node -e 0: ${worst <= 3 ? 'met' : 'NOT met'} (worst ${worst.toFixed(2)} x)`)
