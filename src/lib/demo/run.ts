/**
 * `cpactl demo` (the README's main job): start the bundled simulator, let it produce N records of seeded
 * traffic spread over the past days, collect them into a store exactly as `cpactl collect` does (a v8 gateway:
 * the HTTP usage queue; a v7 one: RESP; one transaction per batch), load the bundled price catalogue, report,
 * and check that the store's totals equal what the simulator generated.
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {CollectResult} from '../collect/index.js'
import type {ImportResult} from '../pricing/manage.js'
import type {BreakdownResult, SummaryResult} from '../report/index.js'

export interface DemoOptions {
  records: number
  days: number
  seed: number
  storePath?: string
  /** X-CPA-VERSION of the simulated gateway (default 8.0.23: the v8 management API). */
  gatewayVersion?: string
  signal: AbortSignal
  onNote?: (message: string) => void
}

export interface DemoCheck {
  /** True when every compared figure is equal. */
  exact: boolean
  figures: Array<{name: string; simulator: number; store: number}>
}

export interface DemoResult {
  simulator: {url: string; version: string; managementApi: 'v8' | 'v0'; seed: number; records: number; days: number}
  store: string
  collect: CollectResult
  prices: Pick<ImportResult, 'format' | 'added' | 'updated' | 'unchanged'>
  summary: SummaryResult
  models: BreakdownResult
  check: DemoCheck
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const note = o.onNote ?? (() => {})
  const {startSimulator} = await import('../sim/index.js')
  const {GatewayClient} = await import('../gateway/client.js')
  const {runCollect, createPopClient, respEndpointFor} = await import('../collect/index.js')
  const {importPriceCatalogue} = await import('../pricing/manage.js')
  const {summaryReport, breakdownReport} = await import('../report/index.js')
  const {resolveRange} = await import('../report/range.js')

  const key = randomBytes(24).toString('base64url')
  const storePath = o.storePath ?? join(mkdtempSync(join(tmpdir(), 'cpactl-demo-')), 'cpactl.db')
  const sim = await startSimulator({managementKey: key, seed: o.seed, retentionSeconds: 3600, version: o.gatewayVersion ?? '8.0.23'})
  const gateway = new GatewayClient({baseUrl: sim.url, getKey: async () => ({key, source: 'demo simulator'}), signal: o.signal, userAgent: 'cpactl-demo'})
  const popClient = createPopClient(gateway)
  try {
    const {api} = await gateway.managementApi()
    note(`Simulator (gateway ${sim.version}, /${api}/management) listening on ${sim.url}; generating ${o.records} records over the past ${o.days} day(s) …`)
    sim.preload(o.records, {spreadMs: o.days * 86_400_000})
    note(`Collecting into ${storePath} …`)
    const collect = await runCollect({
      gateway,
      popClient,
      resp: respEndpointFor(gateway),
      storePath,
      instance: 'demo',
      transport: 'auto',
      follow: false,
      batchSize: 500,
      signal: o.signal,
      onWarning: (m) => note(`warning: ${m}`),
    })
    const prices = await importPriceCatalogue(storePath, {bundled: true})
    const range = resolveRange({since: `${o.days + 1}d`, tz: 'UTC', defaultSince: '24h'})
    const summary = await summaryReport(storePath, {range, filters: {}})
    const models = await breakdownReport(storePath, {kind: 'models', range, filters: {}, sort: 'cost', limit: 10})
    const t = sim.totals()
    const s = summary.totals
    const figures = [
      {name: 'requests', simulator: t.requests, store: s.requests},
      {name: 'failed', simulator: t.failed, store: s.failed},
      {name: 'uncached input tokens', simulator: t.uncachedInputTokens, store: s.inputTokens},
      {name: 'cache read tokens', simulator: t.cacheReadTokens, store: s.cacheReadTokens},
      {name: 'cache write tokens', simulator: t.cacheWriteTokens, store: s.cacheWriteTokens},
      {name: 'output tokens', simulator: t.outputTokens, store: s.outputTokens},
      {name: 'reasoning tokens', simulator: t.reasoningTokens, store: s.reasoningTokens},
      {name: 'unclassified tokens', simulator: t.unclassifiedTokens, store: s.unclassifiedTokens},
      {name: 'total tokens', simulator: t.totalTokens, store: s.totalTokens},
    ]
    return {
      simulator: {url: sim.url, version: sim.version, managementApi: api, seed: o.seed, records: o.records, days: o.days},
      store: storePath,
      collect,
      prices: {format: prices.format, added: prices.added, updated: prices.updated, unchanged: prices.unchanged},
      summary,
      models,
      check: {exact: figures.every((f) => f.simulator === f.store), figures},
    }
  } finally {
    await popClient.close()
    await gateway.close()
    await sim.close()
  }
}
