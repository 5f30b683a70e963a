/**
 * Usage data as it crosses the `Store` interface (types.ts), whatever the backend: what a batch write
 * reports, the filters and rows of report queries, rollup groups and histograms, event rows for drill-down
 * and export. Backend-neutral: no SQL here.
 */

// ------------------------------------------------------------------------------------------- ingest

export interface IngestContext {
  instance: string
  runId: number | null
  /** Time the payloads were received (dead letters), ms. */
  receivedAt: number
}

export interface BatchCounts {
  /** Payloads handed in. Always = inserted + duplicates + deadLettered + controlSkipped. */
  received: number
  inserted: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
  /** Oldest / newest record timestamp among valid records (UTC ms), null when none. */
  oldestTs: number | null
  newestTs: number | null
  /** Newly inserted events per auth_index: [success, failed] (coverage estimate). */
  byAuthIndex: Map<string, [number, number]>
}

export function emptyCounts(): BatchCounts {
  return {received: 0, inserted: 0, duplicates: 0, deadLettered: 0, controlSkipped: 0, oldestTs: null, newestTs: null, byAuthIndex: new Map()}
}

/** Add `b` into `a` (mutates and returns `a`). */
export function addCounts(a: BatchCounts, b: BatchCounts): BatchCounts {
  a.received += b.received
  a.inserted += b.inserted
  a.duplicates += b.duplicates
  a.deadLettered += b.deadLettered
  a.controlSkipped += b.controlSkipped
  if (b.oldestTs !== null && (a.oldestTs === null || b.oldestTs < a.oldestTs)) a.oldestTs = b.oldestTs
  if (b.newestTs !== null && (a.newestTs === null || b.newestTs > a.newestTs)) a.newestTs = b.newestTs
  for (const [k, [s, f]] of b.byAuthIndex) {
    const cur = a.byAuthIndex.get(k)
    if (cur) {
      cur[0] += s
      cur[1] += f
    } else a.byAuthIndex.set(k, [s, f])
  }
  return a
}

export interface IngestResult {
  received: number
  added: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
}

export interface SpoolRecovery {
  files: number
  counts: BatchCounts
}

// ------------------------------------------------------------------------------------------ queries

/** Filters every report query understands. Empty arrays / undefined mean "no filter". */
export interface RowFilters {
  instances?: string[]
  providers?: string[]
  models?: string[]
  /** Models to leave out (the engine reads models with non-standard context tiers from raw events). */
  excludeModels?: string[]
  authIndexes?: string[]
  apiKeyHashes?: string[]
  failed?: boolean
  statuses?: number[]
}

/** One row as the engine sees it, whether it came from a rollup (n ≥ 1 events) or a raw event (n = 1). */
export interface UsageRow {
  /** True for a raw event, false for a rollup group. */
  raw: boolean
  /** Event time (raw), 0 for rollup groups. */
  ts: number
  instance: string
  provider: string
  model: string
  apiKeyHash: string
  authIndex: string
  serviceTier: string
  responseServiceTier: string
  /** Rollup groups: the context band of their requests (usage/bands.ts); raw rows: null (their input is known). */
  band: number | null
  /** Raw rows and account-rollup groups: the status code (0 unknown); others: null. */
  status: number | null
  requests: number
  failed: number
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  outputTotal: number
  reasoning: number
  unclassified: number
  latencySum: number
  latencyCount: number
  ttftSum: number
  ttftCount: number
  lastTs: number
  /** Raw rows only. */
  latencyMs: number | null
  ttftMs: number | null
}

/** Raw events with ts in [since, until) matching the filters, delivered in pages. */
export interface ScanQuery {
  since: number
  until: number
  filters: RowFilters
}

/**
 * The rollups (one layer, maintained in the same transaction as the events):
 * - cube `model`: (period, instance, provider, model, service_tier, response_service_tier, band);
 *   `key` adds api_key_hash; `account` adds auth_index, failed flag and status code;
 * - grain `hourly` (period = UTC hour) and `daily` (period = UTC day);
 * - sums: requests, failed, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified,
 *   latency_sum/latency_count, ttft_sum/ttft_count (ttft > 0 only), newest event time.
 */
export type CubeName = 'model' | 'key' | 'account'
export type Grain = 'hourly' | 'daily'
/** Histogram dimensions: all requests, per provider+model, per API key, per account. */
export type HistDim = 'all' | 'model' | 'key' | 'account'

/** Index of the range holding t, for ranges sorted by start that do not overlap; −1 when none does. */
export function rangeIndex(ranges: ReadonlyArray<{start: number; end: number}>, t: number): number {
  let lo = 0
  let hi = ranges.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (t < ranges[mid].start) hi = mid - 1
    else if (t >= ranges[mid].end) lo = mid + 1
    else return mid
  }
  return -1
}

/** Period starts in [start, end) belong to `bucket`. Segments are sorted and do not overlap. */
export interface Segment {
  start: number
  end: number
  bucket: number
}

export interface CubeQuery {
  cube: CubeName
  grain: Grain
  /** Period starts in [from, to). */
  from: number
  to: number
  filters: RowFilters
  /**
   * Buckets of period starts; periods in no segment are left out. Omitted: every period in [from, to) is
   * bucket 0. Groups are summed per (bucket, every dimension but the period and the instance).
   */
  segments?: Segment[]
  /** When set, groups are also split by period start ≥ splitAt (CubeGroup.afterSplit). */
  splitAt?: number
}

/** A rollup group as the engine sees it: UsageRow plus its bucket. */
export interface CubeGroup extends UsageRow {
  bucket: number
  /** Periods starting at or after CubeQuery.splitAt (false when no split was asked for). */
  afterSplit: boolean
}

export interface HistQuery {
  grain: Grain
  from: number
  to: number
  dim: HistDim
  /** Only these values of the dimension ('' for dim all; provider U+001F model; api_key_hash; auth_index). */
  values?: string[]
  instances?: string[]
  segments?: Segment[]
  /** Also TTFT histograms (default true). */
  ttft?: boolean
}

export interface HistGroup {
  bucket: number
  /** '' (dim all), provider U+001F model, api_key_hash or auth_index. */
  value: string
  /** Encoded histograms (histogram.ts), merged over the group's periods. */
  latHist: Buffer | null
  ttftHist: Buffer | null
}

export interface RollupState {
  /** Raw events older than this (UTC midnight, ms) may have been pruned; 0 = never pruned. */
  rawCompleteFrom: number
  /**
   * The daily rollups hold every event before this instant (an hour start); later hours are in the hourly
   * rollups only, so a whole day is read from the daily grain only when it ends at or before this.
   */
  dailyThrough: number
}

export interface LatestFailure {
  ts: number
  summary: string | null
  requestId: string | null
}

/** Per-request rows for `report events`. */
export interface EventRow {
  id: number
  ts: number
  instance: string
  requestId: string | null
  provider: string | null
  model: string | null
  alias: string | null
  endpoint: string | null
  authIndex: string | null
  source: string | null
  apiKeyHash: string | null
  failed: boolean
  statusCode: number | null
  latencyMs: number | null
  ttftMs: number | null
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  outputTotal: number
  reasoning: number
  unclassified: number
  total: number
  serviceTier: string | null
  responseServiceTier: string | null
  reasoningEffort: string | null
  failSummary: string | null
}

export interface EventListQuery {
  since: number
  until: number
  filters: RowFilters
  /** Keyset position: events strictly before (ts, id), newest first. */
  before?: {ts: number; id: number} | null
  limit: number
}

/** A stored event with every column (usage export), named as in the schema (migrations/001-usage.ts). */
export interface StoredEvent {
  id: number
  instance: string
  ts: number
  tz_offset_min: number | null
  event_hash: Buffer
  run_id: number | null
  provider: string | null
  executor_type: string | null
  model: string | null
  alias: string | null
  endpoint: string | null
  auth_type: string | null
  auth_index: string | null
  source: string | null
  source_hash: string | null
  api_key_hash: string | null
  access_token_sha256: string | null
  request_id: string | null
  latency_ms: number | null
  ttft_ms: number | null
  failed: number
  fail_status_code: number | null
  fail_summary: string | null
  generate: number | null
  stream: number | null
  input_tokens: number | null
  output_tokens: number | null
  reasoning_tokens: number | null
  cached_tokens: number | null
  cache_read_tokens: number | null
  cache_creation_tokens: number | null
  total_tokens: number | null
  cache_creation_5m_tokens: number | null
  cache_creation_1h_tokens: number | null
  accounting_version: number | null
  token_quality: string | null
  input_total: number
  uncached_input: number
  cache_read: number
  cache_write: number
  output_total: number
  reasoning: number
  unclassified: number
  total: number
  reasoning_effort: string | null
  service_tier: string | null
  response_service_tier: string | null
  client_ip: string | null
  x_forwarded_for: string | null
  user_agent: string | null
  response_headers: string | null
  extra: string | null
}

export interface ExportQuery {
  since?: number
  until?: number
  instances?: string[]
  /** Rows per page (default 2000). */
  page?: number
}

export interface StoreTotals {
  events: number
  oldestTs: number | null
  newestTs: number | null
  instances: string[]
}

/** Requests and tokens (the `total` bucket) of a credential since an instant: quota windows. */
export interface UsageSince {
  requests: number
  tokens: number
}
