// The queue side of the collect benchmarks (bench/collect.js, bench/write-path.js): a simulator in a child process
// (bench/collect-sim.js) filled on request with N realistic usage records, and the bare client the collector is
// measured against: pop a batch with LPOP usage <batch> inside a write transaction, insert each payload as raw
// text into a one-column SQLite table (WAL, synchronous=FULL, one transaction per batch: the durability cpactl
// uses), commit.
import {fork} from 'node:child_process'
import {rmSync} from 'node:fs'
import {createRequire} from 'node:module'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')
const {Redis} = await import('ioredis')

/** The record spreads: the last hour (the longest retention) and 20 days (a backlog, an import). */
export const SPREAD_MS = {'1h': 3_600_000, '20d': 20 * 86_400_000}

/**
 * Start the simulator. `fill(spread)` queues the N records (the same ones on every fill of a spread),
 * `baseline(label, dir)` drains them as the bare client does (seconds, CPU seconds), `popAll()` drains them
 * into memory as RESP hands them over (raw bytes, in batches), `close()` stops the simulator.
 */
export async function startBenchQueue({n, batch}) {
  const key = `bench-${Math.random().toString(36).slice(2)}`
  const sim = fork(join(root, 'bench', 'collect-sim.js'), [], {env: {...process.env, BENCH_KEY: key}, execArgv: ['--max-old-space-size=8192'], stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
  // the simulator never outlives the benchmark, whatever ends it
  process.on('exit', () => sim.kill())
  const next = (cmd) => new Promise((resolve) => sim.once('message', (m) => (m.cmd === cmd ? resolve(m) : resolve(next(cmd)))))
  const ready = await next('ready')

  const connect = async () => {
    const redis = new Redis({port: ready.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: false, disableClientInfo: true, maxRetriesPerRequest: 0, retryStrategy: () => null})
    await redis.connect()
    await redis.auth(key)
    return redis
  }

  return {
    url: ready.url,
    key,
    async fill(spread) {
      const p = next('filled')
      sim.send({cmd: 'fill', n, spreadMs: SPREAD_MS[spread]})
      const f = await p
      if (f.queued !== n) throw new Error(`simulator queued ${f.queued}, expected ${n}`)
      return f
    },
    /** The bare client: pop a batch inside a write transaction, insert each payload as text, commit. */
    async baseline(label, dir) {
      const path = join(dir, `baseline-${label}.db`)
      const db = new Database(path)
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
      db.exec('CREATE TABLE raw (payload TEXT NOT NULL)')
      const insert = db.prepare('INSERT INTO raw (payload) VALUES (?)')
      const t = performance.now()
      const cpu0 = process.cpuUsage()
      const redis = await connect()
      let got = 0
      let batches = 0
      for (;;) {
        db.exec('BEGIN IMMEDIATE')
        const popped = (await redis.lpop('usage', batch)) ?? []
        for (const p of popped) insert.run(p)
        db.exec('COMMIT')
        got += popped.length
        if (popped.length > 0) batches++
        if (popped.length < batch) break
      }
      const s = (performance.now() - t) / 1000
      const cpu = process.cpuUsage(cpu0)
      redis.disconnect()
      db.close()
      for (const p of [path, `${path}-wal`, `${path}-shm`]) rmSync(p, {force: true})
      if (got !== n) throw new Error(`baseline popped ${got}, expected ${n}`)
      return {s, cpuS: (cpu.user + cpu.system) / 1e6, batches}
    },
    /** Drain the queue into memory: batches of raw payloads, as the collector's RESP consumer receives them. */
    async popAll() {
      const redis = await connect()
      const out = []
      for (;;) {
        const popped = (await redis.lpopBuffer('usage', batch)) ?? []
        if (popped.length > 0) out.push(popped)
        if (popped.length < batch) break
      }
      redis.disconnect()
      return out
    },
    close() {
      sim.send({cmd: 'close'})
    },
  }
}
