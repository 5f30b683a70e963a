// Simulator throughput: how fast `sim.preload` produces usage records and how fast clients drain them over RESP
// (ioredis 5.11.1 with the recommended options, LPOP usage 500) and HTTP (/usage-queue?count=1000).
// Prints numbers only; run with: node --import tsx bench/sim-queue.ts [records]
import {Redis} from 'ioredis'

import {startSimulator} from '../src/lib/sim/index.js'

const n = Number(process.argv[2] ?? 200_000)
const key = 'bench-key'
const sim = await startSimulator({managementKey: key, port: 0, seed: 1})

let t = performance.now()
sim.preload(n)
const genMs = performance.now() - t
console.log(`preload: ${n} records in ${genMs.toFixed(0)} ms = ${Math.round(n / (genMs / 1000))} records/s`)

const redis = new Redis({host: '127.0.0.1', port: sim.port, password: key, lazyConnect: true, enableReadyCheck: false, disableClientInfo: true, maxRetriesPerRequest: 0, retryStrategy: () => null})
await redis.connect()
t = performance.now()
let got = 0
let bytes = 0
for (;;) {
  const batch = await redis.lpop('usage', 500)
  if (!batch || batch.length === 0) break
  for (const p of batch) {
    JSON.parse(p)
    bytes += p.length
  }
  got += batch.length
}
const respMs = performance.now() - t
console.log(`RESP drain (LPOP 500, JSON.parse): ${got} records (avg ${Math.round(bytes / got)} B) in ${respMs.toFixed(0)} ms = ${Math.round(got / (respMs / 1000))} records/s`)
redis.disconnect()

sim.preload(n)
t = performance.now()
got = 0
for (;;) {
  const r = await fetch(`${sim.url}/v0/management/usage-queue?count=1000`, {headers: {authorization: `Bearer ${key}`}})
  const items = (await r.json()) as unknown[]
  if (items.length === 0) break
  got += items.length
}
const httpMs = performance.now() - t
console.log(`HTTP drain (count=1000): ${got} records in ${httpMs.toFixed(0)} ms = ${Math.round(got / (httpMs / 1000))} records/s`)
await sim.close()
