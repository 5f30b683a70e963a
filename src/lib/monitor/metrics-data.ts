/**
 * What `cpactl metrics` exposes, read from the store (read-only) into plain data: all-time usage per instance ×
 * provider × model × status class (requests, token buckets, cost priced exactly as the reports price it: the
 * report engine's cells and costGroup), usage per client-key alias, the collector's facts per instance (the
 * run log, as `collect status` reads it), and the latest inspection of every account. No exposition format
 * here (exposition.ts), no labels chosen yet (folding happens there).
 */
import {collectorState, type CollectorState} from '../collect/status.js'
import type {PriceBook} from '../pricing/cost.js'
import {emptyTokens, type TokenCounts} from '../pricing/types.js'
import {runQuery} from '../report/engine.js'
import {costGroup, emptyGroup, type GroupAgg} from '../report/groups.js'
import type {Store, StoredResult} from '../store/index.js'

const DAY_MS = 86_400_000

export type StatusClass = '2xx' | '4xx' | '5xx' | 'error'

/** Succeeded requests are `2xx`; failed ones `4xx`/`5xx` by their status code, else `error` (no HTTP status). */
export function statusClass(status: number, failed: boolean): StatusClass {
  if (!failed) return '2xx'
  if (status >= 400 && status < 500) return '4xx'
  if (status >= 500 && status < 600) return '5xx'
  return 'error'
}

export interface UsageSeries {
  instance: string
  provider: string
  model: string
  statusClass: StatusClass
  requests: number
  tokens: TokenCounts
  costUsd: number
}

export interface KeySeries {
  instance: string
  /** The key's alias; null for keys without one; '' hash = requests without a client key. */
  alias: string | null
  hash: string
  requests: number
  costUsd: number
}

export interface AccountFacts {
  instance: string
  result: StoredResult
}

export interface MetricsData {
  /** When the data was read (UTC ms). */
  at: number
  instances: string[]
  usage: UsageSeries[]
  keys: KeySeries[]
  collectors: Array<{instance: string; state: CollectorState}>
  accounts: AccountFacts[]
  /** Inspection runs: the newest per instance (UTC ms of its start). */
  inspections: Array<{instance: string; startedAt: number; status: string}>
  /** Spilled batches waiting for the next collect. */
  spoolPending: number
  /** Models with usage but no price (their cost is a lower bound). */
  unpricedModels: string[]
}

/** All-time range: from the epoch to the end of tomorrow (UTC), so every stored event counts, clock skew included. */
function allTime(now: number) {
  return {since: 0, until: now - (now % DAY_MS) + 2 * DAY_MS, tz: 'UTC'}
}

/** Sum a group's pricing cells into one group per (provider, model) and price each with the report engine. */
function perProvider(g: GroupAgg, prices: PriceBook, unpriced: Set<string>): Array<{provider: string; requests: number; tokens: TokenCounts; costUsd: number}> {
  const byProvider = new Map<string, GroupAgg>()
  for (const [k, c] of g.cells) {
    let p = byProvider.get(c.provider)
    if (!p) {
      p = emptyGroup()
      byProvider.set(c.provider, p)
    }
    p.cells.set(k, c)
    p.requests += c.requests
  }
  return [...byProvider].map(([provider, p]) => {
    const tokens = emptyTokens()
    for (const c of p.cells.values()) {
      tokens.uncachedInput += c.tokens.uncachedInput
      tokens.cacheRead += c.tokens.cacheRead
      tokens.cacheWrite += c.tokens.cacheWrite
      tokens.output += c.tokens.output
      tokens.reasoning += c.tokens.reasoning
      tokens.unclassified += c.tokens.unclassified
    }
    const cost = costGroup(p, prices)
    for (const m of cost.unpricedModels) unpriced.add(m)
    return {provider, requests: p.requests, tokens, costUsd: cost.costUsd}
  })
}

async function usageOf(store: Store, instance: string, prices: PriceBook, now: number, unpriced: Set<string>): Promise<UsageSeries[]> {
  const res = await runQuery(store, {range: allTime(now), filters: {instances: [instance]}, groupBy: 'outcome', prices, percentiles: false})
  const out = new Map<string, UsageSeries>()
  for (const g of res.groups) {
    const [statusText, failedText, model] = g.key.split('\u001f')
    const cls = statusClass(Number(statusText), failedText === '1')
    for (const p of perProvider(g, prices, unpriced)) {
      const k = `${p.provider}\u001f${model}\u001f${cls}`
      const cur = out.get(k)
      if (!cur) {
        out.set(k, {instance, provider: p.provider, model, statusClass: cls, requests: p.requests, tokens: p.tokens, costUsd: p.costUsd})
        continue
      }
      cur.requests += p.requests
      cur.costUsd += p.costUsd
      for (const t of Object.keys(cur.tokens) as Array<keyof TokenCounts>) cur.tokens[t] += p.tokens[t]
    }
  }
  return [...out.values()]
}

async function keysOf(store: Store, instance: string, prices: PriceBook, now: number): Promise<KeySeries[]> {
  const res = await runQuery(store, {range: allTime(now), filters: {instances: [instance]}, groupBy: 'api-key', prices, percentiles: false})
  const names = await store.aliases.keyNames(res.groups.map((g) => g.key).filter((k) => k !== ''))
  return res.groups.map((g) => ({instance, alias: names.get(g.key)?.alias ?? null, hash: g.key, requests: g.requests, costUsd: costGroup(g, prices).costUsd}))
}

/** Everything the exposition needs, from a store opened read-only. */
export async function readMetricsData(store: Store, prices: PriceBook, now: number): Promise<MetricsData> {
  const known = await store.events.instances()
  const runs = await store.inspections.listRuns({limit: 500})
  const inspected = [...new Set(runs.map((r) => r.instance))]
  const instances = [...new Set([...known, ...inspected])].sort()
  const unpriced = new Set<string>()
  const data: MetricsData = {at: now, instances, usage: [], keys: [], collectors: [], accounts: [], inspections: [], spoolPending: await store.spool.pending(), unpricedModels: []}
  for (const instance of known) {
    data.usage.push(...(await usageOf(store, instance, prices, now, unpriced)))
    data.keys.push(...(await keysOf(store, instance, prices, now)))
    data.collectors.push({instance, state: await collectorState(store, instance, now)})
  }
  for (const instance of inspected.sort()) {
    const newest = runs.find((r) => r.instance === instance)!
    data.inspections.push({instance, startedAt: newest.startedAt, status: newest.status})
    for (const result of await store.inspections.latestResults(instance)) data.accounts.push({instance, result})
  }
  data.unpricedModels = [...unpriced].sort()
  return data
}
