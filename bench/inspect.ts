// Inspection throughput against the simulator: N codex credentials probed through /api-call, with the
// simulated upstream answering after a fixed delay, at several --concurrency values; plus the cost of the
// `quota` view (latest results + usage since each window start) over the stored results.
// Prints numbers only; run with: node --import tsx bench/inspect.ts [accounts] [upstreamDelayMs]
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GatewayClient} from '../src/lib/gateway/client.js'
import {DEFAULTS} from '../src/lib/inspect/policy.js'
import {quotaView} from '../src/lib/inspect/quota.js'
import {runInspection} from '../src/lib/inspect/run.js'
import {startSimulator} from '../src/lib/sim/index.js'
import {InspectionStore} from '../src/lib/store/inspections.js'

const n = Number(process.argv[2] ?? 200)
const delayMs = Number(process.argv[3] ?? 20)
const key = 'bench-key'
const sim = await startSimulator({managementKey: key, port: 0, seed: 1})
const template = sim.accounts.files().find((f) => f.type === 'codex')!
sim.accounts.removeAll()
const names: string[] = []
for (let i = 0; i < n; i++) {
  const name = `codex-bench-${String(i).padStart(5, '0')}.json`
  sim.accounts.upload(name, Buffer.from(JSON.stringify(template.metadata)))
  sim.accounts.setScenario(name, {scenario: 'timeout', delayMs})
  names.push(name)
}

const store = await InspectionStore.open({path: join(mkdtempSync(join(tmpdir(), 'cpactl-bench-inspect-')), 'cpactl.db')})
const client = new GatewayClient({baseUrl: sim.url, timeoutMs: 30_000, getKey: async () => ({key, source: 'bench'})})
console.log(`accounts: ${n}, upstream delay: ${delayMs} ms`)
for (const concurrency of [1, 4, 16, 64]) {
  const t = performance.now()
  const result = await runInspection({
    client,
    store,
    instance: 'bench',
    settings: {threshold: DEFAULTS.threshold, providers: ['codex'], concurrency, timeoutMs: 30_000, apply: 'none', policySource: null},
  })
  const ms = performance.now() - t
  const ok = result.summary.classifications.ok
  console.log(`inspect --concurrency ${String(concurrency).padStart(2)}: ${ms.toFixed(0)} ms = ${(n / (ms / 1000)).toFixed(1)} accounts/s (${ok}/${n} ok)`)
}
const t = performance.now()
const rows = await quotaView({store, instance: 'bench', tz: 'UTC'})
console.log(`quota view: ${rows.length} rows in ${(performance.now() - t).toFixed(0)} ms`)
await client.close()
await store.close()
await sim.close()
