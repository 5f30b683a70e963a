#!/usr/bin/env node
// PostgreSQL store benchmark (issue 13), against SQLite measured in the same run on the same data:
//   collect  the real `cpactl collect` process drains the same queue (bench/collect-sim.js: N records spread
//            over the last hour) into a fresh SQLite file and into a fresh PostgreSQL database, alternately;
//            rate = records / process wall time. Goal: PostgreSQL ≥ 0.5× SQLite.
//   reports  1,000,000 events over 90 days (bench/report-data.js) ingested into both stores through the
//            store's bulk path; each `cpactl report …` process timed (median wall time, process start
//            included). Goal: PostgreSQL ≤ 2× SQLite.
// PostgreSQL runs as a throwaway cluster with its default durability (fsync on, synchronous_commit on), as
// SQLite runs with synchronous=FULL.
//
//   npm run build && node bench/postgres.js [--records 200000] [--events 1000000] [--runs 5]
import {execFileSync, fork, spawn, spawnSync} from 'node:child_process'
import {chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {parseArgs} from 'node:util'

import {records} from './report-data.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const {values: flags} = parseArgs({options: {records: {type: 'string', default: '200000'}, events: {type: 'string', default: '1000000'}, runs: {type: 'string', default: process.env.BENCH_RUNS ?? '5'}}})
const [N, EVENTS, RUNS] = [Number(flags.records), Number(flags.events), Number(flags.runs)]
const cli = join(root, 'bin', 'run.js')
if (!existsSync(join(root, 'dist', 'commands', 'collect', 'index.js'))) {
  console.error('bench/postgres.js needs the compiled CLI: run `npm run build` first')
  process.exit(2)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const dir = mkdtempSync(join(tmpdir(), 'cpactl-bench-pg-'))
chmodSync(dir, 0o755)

// ---------------------------------------------------------------------------------------- the cluster
const pgRoot = '/usr/lib/postgresql'
const bin = existsSync(pgRoot) ? join(pgRoot, readdirSync(pgRoot).sort((a, b) => Number(b) - Number(a))[0], 'bin') : null
if (!bin) {
  console.error('no PostgreSQL server binaries (apt-get install -y postgresql)')
  process.exit(2)
}
const asRoot = process.getuid?.() === 0
const pg = (cmd, a) => execFileSync(asRoot ? 'runuser' : join(bin, cmd), asRoot ? ['-u', 'postgres', '--', join(bin, cmd), ...a] : a, {stdio: 'pipe'})
if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()))
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port
    s.close(() => resolve(p))
  })
})
pg('initdb', ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '-E', 'UTF8'])
pg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c shared_buffers=256MB`, 'start'])
const admin = (sql) => execFileSync('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-qAt', '-c', sql], {encoding: 'utf8'})
let dbs = 0
const database = () => {
  const name = `bench_${++dbs}`
  admin(`CREATE DATABASE ${name}`)
  return `postgres://postgres@127.0.0.1:${port}/${name}`
}
const env = {...process.env, CPACTL_CONFIG_DIR: join(dir, 'config'), CPACTL_DATA_DIR: join(dir, 'cpactl'), CPACTL_CACHE_DIR: join(dir, 'cache'), NO_COLOR: '1'}
const stop = () => {
  try {
    pg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', 'stop'])
  } catch {}
  rmSync(dir, {recursive: true, force: true})
}

try {
  // -------------------------------------------------------------------------------------- collect
  const KEY = `bench-${Math.random().toString(36).slice(2)}`
  const sim = fork(join(root, 'bench', 'collect-sim.js'), [], {env: {...process.env, BENCH_KEY: KEY}, execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  const next = (cmd) => new Promise((resolve) => sim.once('message', (m) => (m.cmd === cmd ? resolve(m) : resolve(next(cmd)))))
  const ready = await next('ready')
  const fill = async () => {
    const p = next('filled')
    sim.send({cmd: 'fill', n: N, spreadMs: 3_600_000})
    if ((await p).queued !== N) throw new Error('queue not filled')
  }
  const collect = async (store) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [cli, 'collect', '--store', store, '--json'], {env: {...env, CPA_URL: ready.url, CPA_MANAGEMENT_KEY: KEY}, stdio: ['ignore', 'pipe', 'pipe']})
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (err += d))
    const code = await new Promise((resolve) => child.on('exit', resolve))
    const s = (performance.now() - t0) / 1000
    if (code !== 0) throw new Error(`collect exited ${code}: ${err}`)
    const r = JSON.parse(out)
    if (r.popped !== N || r.inserted !== N) throw new Error(`collect popped ${r.popped}, inserted ${r.inserted}`)
    return s
  }
  console.log(`collect: ${N.toLocaleString('en-US')} records (last hour), ${RUNS} rounds, each backend into a fresh store, process wall time`)
  const lite = []
  const post = []
  for (let i = 0; i < RUNS; i++) {
    await fill()
    lite.push(await collect(join(dir, `c-${i}.db`)))
    await fill()
    post.push(await collect(database()))
    console.log(`  round ${i + 1}: SQLite ${(N / lite[i]).toFixed(0)} rec/s, PostgreSQL ${(N / post[i]).toFixed(0)} rec/s → ${(lite[i] / post[i]).toFixed(2)}×`)
  }
  sim.send({cmd: 'close'})
  const collectRatio = median(lite.map((l, i) => l / post[i]))
  console.log(`  median: SQLite ${(N / median(lite)).toFixed(0)} rec/s, PostgreSQL ${(N / median(post)).toFixed(0)} rec/s; ratio PostgreSQL/SQLite ${collectRatio.toFixed(2)}× (goal ≥ 0.5)`)

  // -------------------------------------------------------------------------------------- reports
  const {openStore} = await import(pathToFileURL(join(root, 'dist', 'lib', 'store', 'index.js')).href)
  const litePath = join(dir, 'report.db')
  const pgUrl = database()
  const endMs = Date.now()
  for (const [name, location] of [['SQLite', litePath], ['PostgreSQL', pgUrl]]) {
    const s = await openStore({path: location, synchronous: 'normal'})
    const t0 = performance.now()
    for (const batch of records({count: EVENTS, endMs, batch: 20_000})) await s.events.ingest('bench', batch)
    await s.close()
    console.log(`\nreports: ${name} store with ${EVENTS.toLocaleString('en-US')} events built in ${((performance.now() - t0) / 1000).toFixed(0)} s`)
    spawnSync(process.execPath, [cli, 'prices', 'import', '--bundled', '--store', location, '--json'], {env})
  }
  if (existsSync(join(root, 'dist', 'commands', 'store', 'vacuum.js'))) spawnSync(process.execPath, [cli, 'store', 'vacuum', '--store', pgUrl], {env})
  const time = (argv) => {
    const xs = []
    let out = ''
    for (let i = 0; i <= RUNS; i++) {
      const t0 = performance.now()
      const r = spawnSync(process.execPath, [cli, ...argv, '--tz', 'UTC', '--json'], {env, encoding: 'utf8', maxBuffer: 64 << 20})
      if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`)
      if (i > 0) xs.push(performance.now() - t0)
      out = r.stdout
    }
    return {ms: median(xs), out}
  }
  // absolute ranges ending at the newest event: both backends answer the same question, whenever each runs
  const until = Math.ceil(endMs / 3_600_000) * 3_600_000
  const span = (days) => ['--since', new Date(until - days * 86_400_000).toISOString(), '--until', new Date(until).toISOString()]
  const cases = [
    ['report', 'summary', ...span(30)],
    ['report', 'models', ...span(90)],
    ['report', 'accounts', ...span(90)],
    ['report', 'timeline', ...span(90), '--granularity', 'day'],
    ['report', 'api-keys', ...span(7)],
    ['report', 'failures', ...span(7)],
    ['report', 'summary', ...span(1)],
  ]
  console.log(`\nmedian of ${RUNS} runs after 1 warm-up, wall time including process start`)
  console.log(`${'command'.padEnd(52)} ${'SQLite'.padStart(8)} ${'Postgres'.padStart(9)}  ratio`)
  let worst = 0
  for (const c of cases) {
    const a = time([...c, '--store', litePath])
    const b = time([...c, '--store', pgUrl])
    if (JSON.stringify(JSON.parse(a.out).totals ?? null) !== JSON.stringify(JSON.parse(b.out).totals ?? null)) throw new Error(`${c.join(' ')}: totals differ between the backends`)
    const ratio = b.ms / a.ms
    worst = Math.max(worst, ratio)
    console.log(`${`${c[1]} ${c.includes('--granularity') ? 'by day ' : ''}${(until - Date.parse(c[3])) / 86_400_000}d`.padEnd(52)} ${`${a.ms.toFixed(0)} ms`.padStart(8)} ${`${b.ms.toFixed(0)} ms`.padStart(9)}  ${ratio.toFixed(2)}×`)
  }
  console.log(`\nsummary: collect PostgreSQL/SQLite rate ${collectRatio.toFixed(2)}× (goal ≥ 0.5: ${collectRatio >= 0.5 ? 'met' : 'NOT met'}); reports worst PostgreSQL/SQLite time ${worst.toFixed(2)}× (goal ≤ 2: ${worst <= 2 ? 'met' : 'NOT met'})`)
} finally {
  stop()
}
