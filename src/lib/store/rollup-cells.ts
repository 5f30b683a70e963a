/**
 * The rollup layer's arithmetic, backend-neutral: a batch of newly inserted events is summed in memory into
 * the cells of every rollup table, and a backend upserts each cell once (adding its sums to the stored row,
 * merging its histograms). Used by the collector's batch writer and by the bulk ingest in the same
 * transaction as the events, and by migrations that fold stored events.
 *
 * Tables (names as in the SQLite schema; a backend may name them differently, the cells are the same):
 *   report_{model,key,account}_{hourly,daily}  dims BASE_DIMS (+ CUBE_EXTRA), sums SUM_COLS, last_ts
 *   report_hist_{hourly,daily}                 (start_ms, instance, dim, value) → lat_hist, ttft_hist
 *   report_account_sources                     (instance, auth_index, source) → last_ts
 * Absent dimension values are '' (status 0), so keys stay unique and never NULL.
 *
 * Daily tables and the watermark `dailyThrough` (an hour start): every hourly row before it has been added to
 * the daily tables. A batch writes hourly cells for all its events, and daily cells only for events before the
 * watermark (late arrivals); the hours left behind (up to an hour before the newest event) are added from the
 * hourly tables to the daily ones and the watermark moves, in one transaction with a batch: after a bulk
 * ingest's events, before a collector batch's pop (rollup-write.ts).
 * So a live collector writes each day's daily rows about once an hour instead of in every batch, the layer is
 * consistent after every commit, and a reader takes whole days from the daily tables only before the
 * watermark (the hours after it from the hourly tables).
 *
 * This is the collector's hot path (it runs for every stored event): dimension values are numbered once,
 * cells are found through numeric keys, and nothing is allocated per event except a new cell.
 */
import {contextBand} from '../usage/bands.js'
import {HIST_BUCKETS, histBucket} from './histogram.js'
import type {CubeName, Grain, HistDim} from './rows.js'

export const HOUR_MS = 3_600_000
export const DAY_MS = 86_400_000

export const CUBES: readonly CubeName[] = ['model', 'key', 'account']
/** The dimensions of the histogram tables (their primary key leads with `dim`). */
export const HIST_DIMS: readonly HistDim[] = ['all', 'model', 'key', 'account']
export const GRAINS: readonly Grain[] = ['hourly', 'daily']
/** The cube tables each grain keeps. */
export const GRAIN_CUBES: Record<Grain, readonly CubeName[]> = {hourly: CUBES, daily: CUBES}

/** The table that answers a cube at a grain. */
export function cubeTable(cube: CubeName, grain: Grain): string {
  return `report_${cube}_${grain}`
}
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

/** What the rollups need of one event (a normalised UsageEvent has these fields; a stored row can be mapped). */
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

/** A histogram cell under construction: counts per bucket (histogram.ts) for latency and TTFT. */
export interface HistCell {
  start: number
  instance: string
  dim: HistDim
  value: string
  lat: Uint32Array
  ttft: Uint32Array
}

export interface SourceCell {
  instance: string
  authIndex: string
  source: string
  lastTs: number
}

/** Ids stay below this (so every key below is a small integer: no heap numbers on the hot path). */
const ID_BITS = 15
const ID_LIMIT = 1 << ID_BITS

/** Numbers values (strings, status codes, packed id pairs) densely: id(v) is stable until cleared. */
class Ids {
  private readonly map = new Map<string | number, number>()
  get size(): number {
    return this.map.size
  }
  id(v: string | number): number {
    let n = this.map.get(v)
    if (n === undefined) {
      n = this.map.size
      this.map.set(v, n)
    }
    return n
  }
  clear(): void {
    this.map.clear()
  }
}

/** Numbers pairs of ids densely (a pair packs into one small integer key). */
class PairIds extends Ids {
  pair(a: number, b: number): number {
    return this.id((a << ID_BITS) | b)
  }
}

/** The cells of one period (UTC hour or day) of one grain, per table, by combination id. */
export class PeriodCells {
  constructor(
    /** The period: UTC hours (or days) since the epoch. */
    readonly index: number,
  ) {}

  readonly model = new Map<number, SumCell>()
  readonly key = new Map<number, SumCell>()
  readonly account = new Map<number, SumCell>()
  /** By combination id × 4 + dimension. */
  readonly hist = new Map<number, HistCell>()
}

function newCell(dims: Array<string | number>, ts: number): SumCell {
  return {dims, sums: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], lastTs: ts}
}

function addTo(c: SumCell, e: RollupInput, ttft: number): void {
  const s = c.sums
  const b = e.buckets
  s[0]++
  if (e.failed) s[1]++
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
  if (ttft > 0) {
    s[10] += ttft
    s[11]++
  }
  if (e.ts > c.lastTs) c.lastTs = e.ts
}

/**
 * Cells of one batch. `add` is called once per newly inserted event; the backend then writes `periods(grain)`
 * and `sources`, and calls `clear`. When `full` turns true (a huge bulk batch with very many distinct values)
 * the backend writes and clears in the middle of its transaction: cells are additive, so that is exact.
 */
export class RollupCells {
  private readonly grains = [new Map<number, PeriodCells>(), new Map<number, PeriodCells>()]
  readonly sources = new Map<number, SourceCell>()
  private readonly strings = new Ids()
  private readonly pairs = new PairIds()
  private count = 0
  /** Events before this instant also go to the daily cells (set by the backend before each batch). */
  dailyThrough = Number.POSITIVE_INFINITY

  /** Events added since the last clear. */
  get size(): number {
    return this.count
  }

  /** The ids are close to their limit: write the cells and clear before adding more. */
  get full(): boolean {
    return this.strings.size > ID_LIMIT - 64 || this.pairs.size > ID_LIMIT - 64
  }

  /** Renumber now (the caller flushed): for a batch that filled the ids. */
  reset(): void {
    this.clear()
    this.strings.clear()
    this.pairs.clear()
  }

  /** The cells of a grain, per period. */
  periods(grain: Grain): Iterable<PeriodCells> {
    return this.grains[grain === 'hourly' ? 0 : 1].values()
  }

  clear(): void {
    this.grains[0].clear()
    this.grains[1].clear()
    this.sources.clear()
    this.count = 0
    // ids stay valid across batches (fewer lookups to redo) until they use half their range
    if (this.strings.size > ID_LIMIT / 2 || this.pairs.size > ID_LIMIT / 2) {
      this.strings.clear()
      this.pairs.clear()
    }
  }

  add(instance: string, e: RollupInput): void {
    this.count++
    const S = this.strings
    const P = this.pairs
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
    const ttft = e.ttftMs !== null && e.ttftMs > 0 ? e.ttftMs : 0
    const latB = e.latencyMs === null ? -1 : histBucket(e.latencyMs)
    const ttftB = ttft > 0 ? histBucket(ttft) : -1
    const inst = S.id(instance)
    const keyId = S.id(apiKey)
    const authId = S.id(auth)
    const hInstPm = P.pair(inst, P.pair(S.id(provider), S.id(model)))
    const base = P.pair(hInstPm, P.pair(P.pair(S.id(st), S.id(rst)), band))
    const k = P.pair(base, keyId)
    const a = P.pair(base, P.pair(P.pair(authId, S.id(status)), failed))
    const hInstKey = P.pair(inst, keyId)
    const hInstAuth = P.pair(inst, authId)
    const grains = e.ts < this.dailyThrough ? 2 : 1
    for (let g = 0; g < grains; g++) {
      const unit = g === 0 ? HOUR_MS : DAY_MS
      const index = Math.floor(e.ts / unit)
      const start = index * unit
      const grain = this.grains[g]
      let cells = grain.get(index)
      if (!cells) grain.set(index, (cells = new PeriodCells(index)))
      let c = cells.model.get(base)
      if (!c) cells.model.set(base, (c = newCell([start, instance, provider, model, st, rst, band], e.ts)))
      addTo(c, e, ttft)
      c = cells.key.get(k)
      if (!c) cells.key.set(k, (c = newCell([start, instance, provider, model, st, rst, band, apiKey], e.ts)))
      addTo(c, e, ttft)
      c = cells.account.get(a)
      if (!c) cells.account.set(a, (c = newCell([start, instance, provider, model, st, rst, band, auth, failed, status], e.ts)))
      addTo(c, e, ttft)
      if (latB < 0 && ttftB < 0) continue
      this.hist(cells, inst * 4, start, instance, 'all', '', '', latB, ttftB)
      this.hist(cells, hInstPm * 4 + 1, start, instance, 'model', provider, model, latB, ttftB)
      this.hist(cells, hInstKey * 4 + 2, start, instance, 'key', apiKey, '', latB, ttftB)
      this.hist(cells, hInstAuth * 4 + 3, start, instance, 'account', auth, '', latB, ttftB)
    }
    const source = e.source
    if (auth !== '' && source !== null && source !== '') {
      const sk = P.pair(hInstAuth, S.id(source))
      const cur = this.sources.get(sk)
      if (!cur) this.sources.set(sk, {instance, authIndex: auth, source, lastTs: e.ts})
      else if (cur.lastTs < e.ts) cur.lastTs = e.ts
    }
  }

  /** `value` is v1 (dim model: v1 U+001F v2), built only when the cell is new. */
  private hist(cells: PeriodCells, key: number, start: number, instance: string, dim: HistDim, v1: string, v2: string, latB: number, ttftB: number): void {
    let c = cells.hist.get(key)
    if (!c) {
      const value = dim === 'model' ? `${v1}\u001f${v2}` : v1
      cells.hist.set(key, (c = {start, instance, dim, value, lat: new Uint32Array(HIST_BUCKETS), ttft: new Uint32Array(HIST_BUCKETS)}))
    }
    if (latB >= 0) c.lat[latB]++
    if (ttftB >= 0) c.ttft[ttftB]++
  }
}
