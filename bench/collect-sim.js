// Child process of bench/collect.js: a simulator (dist/lib/sim) whose FIFO is filled on request with N realistic
// gateway usage records, as a gateway serving N requests over the last `spreadMs` (default: the last hour, the
// longest retention; 20 days stands for a backlog after an outage or history being imported) leaves them: a pool of
// records comes from the simulator's own traffic generator; record i is a pool record with its own request id and a
// request start of (spread ago + i·spread/N − its latency), so timestamps arrive in publish order with the usual
// latency jitter. Filling twice gives the same records, so the baseline and cpactl drain identical queues.
import {formatGoTime} from '../dist/lib/sim/go-time.js'
import {startSimulator} from '../dist/lib/sim/index.js'

const POOL = 20_000
const sim = await startSimulator({managementKey: process.env.BENCH_KEY, port: 0, seed: 7, retentionSeconds: 3600})
let records = null

function build(n, spreadMs) {
  const t = performance.now()
  const pool = sim.generate(Math.min(POOL, n)).map((r) => r.payload)
  // {"timestamp":"<ts>", … "request_id":"<id>" …  →  [after ts, between ts and id, after id, latency]
  const parts = pool.map((p) => {
    const ts = /^\{"timestamp":"([^"]+)"/.exec(p)
    const id = /"request_id":"([0-9a-f]{8})"/.exec(p)
    const latency = Number(/"latency_ms":(\d+)/.exec(p)[1])
    return [p.slice(ts[0].length - 1, id.index + 14), p.slice(id.index + 22), latency]
  })
  const start = Date.now() - spreadMs
  const step = spreadMs / n
  const out = new Array(n)
  for (let i = 0; i < n; i++) {
    const [mid, tail, latency] = parts[i % parts.length]
    const ts = formatGoTime(Math.round(start + i * step) - latency, (i * 7919) % 1_000_000, 480)
    out[i] = `{"timestamp":"${ts}${mid}${(0x10000000 + i).toString(16).slice(-8)}${tail}`
  }
  return {out, ms: performance.now() - t}
}

process.on('message', (msg) => {
  if (msg.cmd === 'fill') {
    let ms = 0
    const spreadMs = msg.spreadMs ?? 3_600_000
    if (!records || records.length !== msg.n || records.spreadMs !== spreadMs) {
      sim.setConfig('usage-statistics-enabled', false) // the pool is generated without being queued
      const b = build(msg.n, spreadMs)
      sim.setConfig('usage-statistics-enabled', true)
      records = b.out
      records.spreadMs = spreadMs
      ms = b.ms
    }
    const t = performance.now()
    for (let i = 0; i < records.length; i++) sim.pushRaw(records[i])
    const bytes = records.reduce((a, p) => a + p.length, 0)
    process.send({cmd: 'filled', queued: sim.counters().queued, buildMs: ms, pushMs: performance.now() - t, avgBytes: Math.round(bytes / records.length)})
  } else if (msg.cmd === 'counters') {
    process.send({cmd: 'counters', counters: sim.counters()})
  } else if (msg.cmd === 'close') {
    sim.close().then(() => process.exit(0))
  }
})
process.send({cmd: 'ready', url: sim.url, port: sim.port})
