#!/usr/bin/env node
// The comparison side of bench/report.js: the same figures as the cpactl reports, computed straight from the
// raw usage_events rows (SQL GROUP BY for sums; latencies fetched and sorted for exact p95; cost from the
// price table). Run as its own process so the timing includes process start, like the cpactl runs.
//   node bench/report-raw.js STORE summary|models|timeline|api-keys
import {createRequire} from 'node:module'

const require = createRequire(import.meta.url)
const Database = require('better-sqlite3')

const [store, which] = process.argv.slice(2)
const db = new Database(store, {readonly: true})
const now = Date.now()
const D = 86_400_000
const since = now - {summary: 30, models: 90, timeline: 90, 'api-keys': 7}[which] * D

const prices = new Map(db.prepare('SELECT model, input, cache_read, cache_write, output FROM prices').all().map((p) => [p.model, p]))
const costOf = (model, r) => {
  const p = prices.get(model)
  if (!p) return 0
  const input = p.input ?? 0
  return (r.ui * input + r.cr * (p.cache_read ?? input) + r.cw * (p.cache_write ?? input) + r.o * (p.output ?? 0)) / 1e6
}
const p95 = (values) => {
  if (values.length === 0) return null
  values.sort((a, b) => a - b)
  return values[Math.max(1, Math.ceil(0.95 * values.length)) - 1]
}
const SUMS = 'COUNT(*) AS n, SUM(failed) AS f, SUM(uncached_input) AS ui, SUM(cache_read) AS cr, SUM(cache_write) AS cw, SUM(output_total) AS o, SUM(reasoning) AS r, SUM(total) AS t, SUM(latency_ms) AS ls'

function grouped(col) {
  const rows = db.prepare(`SELECT ${col} AS g, model, ${SUMS} FROM usage_events WHERE ts >= ? AND ts < ? GROUP BY ${col}, model`).all(since, now)
  const out = new Map()
  for (const r of rows) {
    const g = out.get(r.g) ?? {n: 0, f: 0, ui: 0, cr: 0, cw: 0, o: 0, r: 0, t: 0, ls: 0, cost: 0, lat: []}
    for (const k of ['n', 'f', 'ui', 'cr', 'cw', 'o', 'r', 't', 'ls']) g[k] += r[k] ?? 0
    g.cost += costOf(r.model, r)
    out.set(r.g, g)
  }
  for (const r of db.prepare(`SELECT ${col} AS g, latency_ms AS l FROM usage_events WHERE ts >= ? AND ts < ? AND latency_ms IS NOT NULL`).raw(false).iterate(since, now)) {
    out.get(r.g)?.lat.push(r.l)
  }
  return [...out.entries()].map(([g, x]) => ({group: g, requests: x.n, failed: x.f, tokens: x.t, costUsd: x.cost, avgLatencyMs: x.ls / x.n, p95LatencyMs: p95(x.lat)}))
}

let result
if (which === 'summary') {
  const groups = grouped("'all'")
  const ttft = db.prepare('SELECT ttft_ms FROM usage_events WHERE ts >= ? AND ts < ? AND ttft_ms > 0').pluck().all(since, now)
  const busiest = db.prepare('SELECT model, COUNT(*) AS n FROM usage_events WHERE ts >= ? AND ts < ? GROUP BY model ORDER BY n DESC LIMIT 1').get(since, now)
  result = {...groups[0], p95TtftMs: p95(ttft), busiestModel: busiest}
} else if (which === 'models') result = grouped('model')
else if (which === 'api-keys') result = grouped('api_key_hash')
else if (which === 'timeline') result = grouped('(ts / 86400000)')
process.stdout.write(JSON.stringify(result).slice(0, 200) + '\n')
db.close()
