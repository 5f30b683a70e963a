/**
 * The rollup layer's arithmetic, backend-neutral: a batch of newly inserted events is summed in memory into
 * the cells of every rollup table, and a backend upserts each cell once (adding its sums to the stored row,
 * merging its histograms). Used by the collector's batch writer and by the bulk ingest in the same
 * transaction as the events, and by migrations that rebuild rollups from stored events.
 *
 * Tables (names as in the SQLite schema; a backend may name them differently, the cells are the same):
 *   report_{model,key,account}_{hourly,daily}  dims BASE_DIMS (+ CUBE_EXTRA), sums SUM_COLS, last_ts
 *   report_hist_{hourly,daily}                 (start_ms, instance, dim, value) → lat_hist, ttft_hist
 *   report_account_sources                     (instance, auth_index, source) → last_ts
 * Absent dimension values are '' (status 0), so keys stay unique and never NULL.
 */
import {contextBand} from './bands.js'
import {histBucket} from './histogram.js'
import type {CubeName, Grain, HistDim} from './rows.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

export const CUBES: readonly CubeName[] = ['model', 'key', 'account']
export const GRAINS: readonly Grain[] = ['hourly', 'daily']
export const BASE_DIMS = ['start_ms', 'instance', 'provider', 'model', 'service_tier', 'response_service_tier', 'band'] as const
export const CUBE_EXTRA: Record<CubeName, readonly string[]> = {
  model: [],
  key: ['api_key_hash'],
  account: ['auth_index', 'failed_flag', 'fail_status_code'],
}
export const SUM_COLS = [
  'requests', 'failed', 'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified',
  'latency_sum', 'latency_count', 'ttft_sum', 'ttft_count',
] as const

export const floorTo = (t: number, unit: number) => t - (((t % unit) + unit) % unit)

/** What the rollups need of one event (a normalised UsageEvent has these fields; so does a stored row). */
export interface RollupInput {
  ts: number
  provider: string | null
  model: string | null
  apiKeyHash: string | null
  authIndex: string | null
  serviceTier: string | null
  responseServiceTier: string | null
  failed: boolean
  failStatusCode: number | null
  buckets: {uncachedInput: number; cacheRead: number; cacheWrite: number; outputTotal: number; reasoning: number; unclassified: number}
  latencyMs: number | null
  ttftMs: number | null
  source: string | null
}

export interface SumCell {
  /** Values of the table's dimension columns, in order (BASE_DIMS + CUBE_EXTRA). */
  dims: Array<string | number>
  /** SUM_COLS, in order. */
  sums: number[]
  lastTs: number
}

/** A histogram cell under construction: bucket → count for latency and TTFT. */
export interface HistCell {
  start: number
  instance: string
  dim: HistDim
  value: string
  lat: Map<number, number>
  ttft: Map<number, number>
}

export interface SourceCell {
  instance: string
  authIndex: string
  source: string
  lastTs: number
}

function addHist(h: Map<number, number>, bucket: number): void {
  h.set(bucket, (h.get(bucket) ?? 0) + 1)
}

/**
 * Cells of one batch. `add` is called once per newly inserted event; the backend then writes `cubes`,
 * `hists` and `sources`, and calls `clear` before the next batch. Dimension strings are numbered once per
 * instance of this class, so the per-event cell keys are short.
 */
export class RollupCells {
  /** `${cube}_${grain}` → cells by key. */
  readonly cubes = new Map<string, Map<string, SumCell>>()
  readonly hists = new Map<Grain, Map<string, HistCell>>()
  readonly sources = new Map<string, SourceCell>()
  private readonly ids = new Map<string, number>()
  private count = 0

  constructor() {
    for (const c of CUBES) for (const g of GRAINS) this.cubes.set(`${c}_${g}`, new Map())
    for (const g of GRAINS) this.hists.set(g, new Map())
  }

  /** Events added since the last clear. */
  get size(): number {
    return this.count
  }

  clear(): void {
    for (const m of this.cubes.values()) m.clear()
    for (const m of this.hists.values()) m.clear()
    this.sources.clear()
    this.count = 0
    if (this.ids.size > 50_000) this.ids.clear()
  }

  private id(value: string): number {
    let n = this.ids.get(value)
    if (n === undefined) {
      n = this.ids.size
      this.ids.set(value, n)
    }
    return n
  }

  add(instance: string, e: RollupInput): void {
    this.count++
    const provider = e.provider ?? ''
    const model = e.model ?? ''
    const st = e.serviceTier ?? ''
    const rst = e.responseServiceTier ?? ''
    const apiKey = e.apiKeyHash ?? ''
    const auth = e.authIndex ?? ''
    const failed = e.failed ? 1 : 0
    const status = e.failStatusCode ?? 0
    const b = e.buckets
    const band = contextBand(b.uncachedInput + b.cacheRead + b.cacheWrite)
    const lat = e.latencyMs
    const ttft = e.ttftMs !== null && e.ttftMs > 0 ? e.ttftMs : null
    const latB = lat === null ? -1 : histBucket(lat)
    const ttftB = ttft === null ? -1 : histBucket(ttft)
    const inst = this.id(instance)
    const pm = `${this.id(provider)}.${this.id(model)}`
    const base = `${inst}.${pm}.${this.id(st)}.${this.id(rst)}.${band}`
    const k = this.id(apiKey)
    const a = `${this.id(auth)}.${failed}.${status}`
    for (let g = 0; g < 2; g++) {
      const grain = GRAINS[g]
      const start = floorTo(e.ts, g === 0 ? HOUR_MS : DAY_MS)
      const prefix = `${start}.${base}`
      this.sum(this.cubes.get(`model_${grain}`)!, prefix, e, () => [start, instance, provider, model, st, rst, band])
      this.sum(this.cubes.get(`key_${grain}`)!, `${prefix}.${k}`, e, () => [start, instance, provider, model, st, rst, band, apiKey])
      this.sum(this.cubes.get(`account_${grain}`)!, `${prefix}.${a}`, e, () => [start, instance, provider, model, st, rst, band, auth, failed, status])
      if (latB < 0 && ttftB < 0) continue
      const h = this.hists.get(grain)!
      const at = `${start}.${inst}`
      this.hist(h, `${at}`, start, instance, 'all', '', latB, ttftB)
      this.hist(h, `${at}.m${pm}`, start, instance, 'model', `${provider}\u001f${model}`, latB, ttftB)
      this.hist(h, `${at}.k${k}`, start, instance, 'key', apiKey, latB, ttftB)
      this.hist(h, `${at}.a${this.id(auth)}`, start, instance, 'account', auth, latB, ttftB)
    }
    const source = e.source
    if (auth !== '' && source !== null && source !== '') {
      const sk = `${inst}.${this.id(auth)}.${this.id(source)}`
      const cur = this.sources.get(sk)
      if (!cur) this.sources.set(sk, {instance, authIndex: auth, source, lastTs: e.ts})
      else if (cur.lastTs < e.ts) cur.lastTs = e.ts
    }
  }

  private sum(map: Map<string, SumCell>, key: string, e: RollupInput, dims: () => Array<string | number>): void {
    let c = map.get(key)
    if (!c) {
      c = {dims: dims(), sums: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], lastTs: e.ts}
      map.set(key, c)
    }
    const s = c.sums
    s[0]++
    if (e.failed) s[1]++
    const b = e.buckets
    s[2] += b.uncachedInput
    s[3] += b.cacheRead
    s[4] += b.cacheWrite
    s[5] += b.outputTotal
    s[6] += b.reasoning
    s[7] += b.unclassified
    if (e.latencyMs !== null) {
      s[8] += e.latencyMs
      s[9]++
    }
    if (e.ttftMs !== null && e.ttftMs > 0) {
      s[10] += e.ttftMs
      s[11]++
    }
    if (e.ts > c.lastTs) c.lastTs = e.ts
  }

  private hist(map: Map<string, HistCell>, key: string, start: number, instance: string, dim: HistDim, value: string, latB: number, ttftB: number): void {
    let c = map.get(key)
    if (!c) {
      c = {start, instance, dim, value, lat: new Map(), ttft: new Map()}
      map.set(key, c)
    }
    if (latB >= 0) addHist(c.lat, latB)
    if (ttftB >= 0) addHist(c.ttft, ttftB)
  }
}
