#!/usr/bin/env node
// A/B of the report commands of two builds on the same data, interleaved run by run (so machine load hits both
// alike): node bench/report-ab.js --a path/to/old/bin/run.js --a-store old.db --b bin/run.js --b-store new.db [--runs 7]
// The stores are bench/report.js's (e.g. the old build's cached store and a `store migrate`d copy of it).
import {spawnSync} from 'node:child_process'

const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  return i === -1 ? dflt : args[i + 1]
}
const RUNS = Number(opt('runs', 7))
const sides = [
  {name: 'A', cli: opt('a'), store: opt('a-store')},
  {name: 'B', cli: opt('b'), store: opt('b-store')},
]
if (sides.some((s) => !s.cli || !s.store)) {
  console.error('usage: node bench/report-ab.js --a CLI --a-store STORE --b CLI --b-store STORE [--runs 7]')
  process.exit(2)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const once = (argv) => {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, argv, {encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}, maxBuffer: 64 << 20})
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
  return {ms: Number(process.hrtime.bigint() - t0) / 1e6, out: r.stdout}
}
const cases = [
  ['report', 'summary', '--since', '30d', '--tz', 'UTC'],
  ['report', 'models', '--since', '90d', '--tz', 'UTC'],
  ['report', 'timeline', '--since', '90d', '--granularity', 'day', '--tz', 'UTC'],
  ['report', 'api-keys', '--since', '7d', '--tz', 'UTC'],
  ['report', 'timeline', '--since', '90d', '--granularity', 'day', '--tz', 'Europe/Berlin'],
]
const node = []
console.log(`A = ${sides[0].cli}\nB = ${sides[1].cli}\nmedian of ${RUNS} interleaved runs each, wall time incl. process start`)
console.log(`${'command'.padEnd(56)} ${'A'.padStart(8)} ${'B'.padStart(8)}  B/A`)
for (const c of cases) {
  const t = {A: [], B: []}
  const outs = {}
  for (let i = 0; i <= RUNS; i++) {
    node.push(once(['-e', '0']).ms)
    for (const s of sides) {
      const r = once([s.cli, ...c, '--store', s.store, '--json'])
      if (i > 0) t[s.name].push(r.ms) // the first round warms the page cache
      outs[s.name] = JSON.parse(r.out)
    }
  }
  const a = median(t.A)
  const b = median(t.B)
  const same = outs.A.totals.requests === outs.B.totals.requests
  console.log(`${c.slice(0, -2).join(' ').concat(c.at(-1) === 'UTC' ? '' : ` --tz ${c.at(-1)}`).padEnd(56)} ${`${a.toFixed(0)} ms`.padStart(8)} ${`${b.toFixed(0)} ms`.padStart(8)}  ${(b / a).toFixed(2)}${same ? '' : '  (different totals!)'}`)
}
console.log(`node -e 0: median ${median(node).toFixed(0)} ms over the same period`)
