/**
 * Writing usage into the store: events, hourly rollups, dead letters and run counters for one batch, inside
 * the caller's transaction (cpa-gateway.md §13.5 "never pop what cannot be stored"). Dedup goes through the
 * unique event hash: `INSERT OR IGNORE`, and only newly inserted events move the rollups.
 */
import {createNormalizer, eventHash, redactPayload, type Normalizer, type UsageEvent} from '../usage/index.js'
import type {Database} from './db.js'

export const HOUR_MS = 3_600_000

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

const EVENT_COLUMNS = [
  'instance', 'ts', 'tz_offset_min', 'event_hash', 'run_id', 'provider', 'executor_type', 'model', 'alias', 'endpoint',
  'auth_type', 'auth_index', 'source', 'source_hash', 'api_key_hash', 'access_token_sha256', 'request_id', 'latency_ms',
  'ttft_ms', 'failed', 'fail_status_code', 'fail_summary', 'generate', 'stream', 'input_tokens', 'output_tokens',
  'reasoning_tokens', 'cached_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'cache_creation_5m_tokens', 'cache_creation_1h_tokens', 'accounting_version', 'token_quality', 'input_total',
  'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified', 'total',
  'reasoning_effort', 'service_tier', 'response_service_tier', 'client_ip', 'x_forwarded_for', 'user_agent',
  'response_headers', 'extra',
]

const ROLLUP_SUMS = ['requests', 'input_total', 'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified', 'total', 'latency_sum', 'latency_count', 'ttft_sum', 'ttft_count']

const b01 = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0)

/** Fill `row` (reused for every insert: better-sqlite3 binds synchronously) with the event's column values. */
function fillEventRow(row: unknown[], instance: string, runId: number | null, hash: Buffer, e: UsageEvent): unknown[] {
  const t = e.legacy
  const b = e.buckets
  let i = 0
  row[i++] = instance
  row[i++] = e.ts
  row[i++] = e.tzOffsetMin
  row[i++] = hash
  row[i++] = runId
  row[i++] = e.provider
  row[i++] = e.executorType
  row[i++] = e.model
  row[i++] = e.alias
  row[i++] = e.endpoint
  row[i++] = e.authType
  row[i++] = e.authIndex
  row[i++] = e.source
  row[i++] = e.sourceHash
  row[i++] = e.apiKeyHash
  row[i++] = e.accessTokenSha256
  row[i++] = e.requestId
  row[i++] = e.latencyMs
  row[i++] = e.ttftMs
  row[i++] = e.failed ? 1 : 0
  row[i++] = e.failStatusCode
  row[i++] = e.failSummary
  row[i++] = b01(e.generate)
  row[i++] = b01(e.stream)
  row[i++] = t.inputTokens
  row[i++] = t.outputTokens
  row[i++] = t.reasoningTokens
  row[i++] = t.cachedTokens
  row[i++] = t.cacheReadTokens
  row[i++] = t.cacheCreationTokens
  row[i++] = t.totalTokens
  row[i++] = t.cacheCreation5mTokens
  row[i++] = t.cacheCreation1hTokens
  row[i++] = e.accountingVersion
  row[i++] = e.tokenQuality
  row[i++] = b.inputTotal
  row[i++] = b.uncachedInput
  row[i++] = b.cacheRead
  row[i++] = b.cacheWrite
  row[i++] = b.outputTotal
  row[i++] = b.reasoning
  row[i++] = b.unclassified
  row[i++] = b.total
  row[i++] = e.reasoningEffort
  row[i++] = e.serviceTier
  row[i++] = e.responseServiceTier
  row[i++] = e.clientIp
  row[i++] = e.xForwardedFor
  row[i++] = e.userAgent
  row[i++] = e.responseHeaders
  row[i++] = e.extra
  return row
}

interface RollupCell {
  dims: unknown[]
  /** requests, 8 buckets, latency_sum, latency_count, ttft_sum, ttft_count */
  sums: number[]
  latencyMax: number
}

export interface IngestContext {
  instance: string
  runId: number | null
  /** Time the payloads were received (dead letters), ms. */
  receivedAt: number
}

/**
 * Prepared statements over one connection; `write()` must run inside a transaction the caller opened
 * (BEGIN IMMEDIATE before the pop, COMMIT after write()).
 */
export class BatchWriter {
  private readonly insertEvent
  private readonly bumpRollup
  private readonly insertRollup
  private readonly insertDeadLetter
  private readonly bumpRun
  private readonly normalizer: Normalizer
  private readonly row: unknown[] = new Array(EVENT_COLUMNS.length)

  constructor(db: Database) {
    this.normalizer = createNormalizer()
    this.insertEvent = db.prepare(`INSERT OR IGNORE INTO usage_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`)
    const dims = ['instance', 'hour_ms', 'provider', 'model', 'auth_index', 'api_key_hash', 'failed', 'fail_status_code']
    // most batches only add to existing hour groups: UPDATE first (one B-tree visit), INSERT the new ones
    this.bumpRollup = db.prepare(
      `UPDATE usage_hourly SET ${ROLLUP_SUMS.map((c) => `${c} = ${c} + ?`).join(', ')}, latency_max = MAX(latency_max, ?)
       WHERE ${dims.map((d) => `${d} = ?`).join(' AND ')}`,
    )
    this.insertRollup = db.prepare(`INSERT INTO usage_hourly (${[...dims, ...ROLLUP_SUMS, 'latency_max'].join(', ')}) VALUES (${[...dims, ...ROLLUP_SUMS, 'latency_max'].map(() => '?').join(', ')})`)
    this.insertDeadLetter = db.prepare('INSERT INTO usage_dead_letters (instance, received_at, run_id, reason, payload) VALUES (?, ?, ?, ?, ?)')
    this.bumpRun = db.prepare(
      `UPDATE collector_runs SET popped = popped + ?, inserted = inserted + ?, duplicates = duplicates + ?, dead_lettered = dead_lettered + ?,
       control_skipped = control_skipped + ?, recovered = recovered + ?, batches = batches + 1,
       oldest_record_ts = MIN(COALESCE(oldest_record_ts, ?), ?), newest_record_ts = MAX(COALESCE(newest_record_ts, ?), ?)
       WHERE id = ?`,
    )
  }

  /**
   * Classify and store every payload (raw strings from RESP, strings or objects from the HTTP queue). Nothing
   * is dropped: a payload is inserted, counted as a duplicate, dead-lettered or counted as a control payload.
   * With a run id, the run's counters move in the same transaction (`recovered` marks spool re-ingests).
   */
  write(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean} = {}): BatchCounts {
    const counts = emptyCounts()
    const rollups = new Map<string, RollupCell>()
    if (this.ids.size > 100_000) this.ids.clear()
    for (const payload of payloads) {
      counts.received++
      const c = this.normalizer.classify(payload)
      if (c.kind === 'control') {
        counts.controlSkipped++
        continue
      }
      if (c.kind === 'invalid') {
        const raw = typeof payload === 'string' ? payload : JSON.stringify(payload) ?? String(payload)
        this.insertDeadLetter.run(ctx.instance, ctx.receivedAt, ctx.runId, c.reason, redactPayload(raw))
        counts.deadLettered++
        continue
      }
      const e = c.event
      if (counts.oldestTs === null || e.ts < counts.oldestTs) counts.oldestTs = e.ts
      if (counts.newestTs === null || e.ts > counts.newestTs) counts.newestTs = e.ts
      const info = this.insertEvent.run(fillEventRow(this.row, ctx.instance, ctx.runId, eventHash(ctx.instance, e), e))
      if (info.changes === 0) {
        counts.duplicates++
        continue
      }
      counts.inserted++
      if (e.authIndex) {
        const cur = counts.byAuthIndex.get(e.authIndex)
        if (cur) cur[e.failed ? 1 : 0]++
        else counts.byAuthIndex.set(e.authIndex, e.failed ? [0, 1] : [1, 0])
      }
      this.accumulate(rollups, ctx.instance, e)
    }
    for (const cell of rollups.values()) {
      if (this.bumpRollup.run([...cell.sums, cell.latencyMax, ...cell.dims]).changes === 0) this.insertRollup.run([...cell.dims, ...cell.sums, cell.latencyMax])
    }
    if (ctx.runId !== null) {
      const o = counts.oldestTs
      const nw = counts.newestTs
      this.bumpRun.run(
        options.recovered ? 0 : counts.received, counts.inserted, counts.duplicates, counts.deadLettered, counts.controlSkipped,
        options.recovered ? counts.received : 0, o, o, nw, nw, ctx.runId,
      )
    }
    return counts
  }

  private readonly ids = new Map<string | null, number>()

  /** A small number standing for a dimension value within one write() (the map is only reset between batches). */
  private id(value: string | null): number {
    let n = this.ids.get(value)
    if (n === undefined) {
      n = this.ids.size
      this.ids.set(value, n)
    }
    return n
  }

  private accumulate(rollups: Map<string, RollupCell>, instance: string, e: UsageEvent): void {
    const hour = e.ts - (((e.ts % HOUR_MS) + HOUR_MS) % HOUR_MS)
    const failed = e.failed ? 1 : 0
    const status = e.failStatusCode ?? 0
    // short numeric key: the dimension strings repeat, so they are numbered once per writer
    const key = `${hour}.${this.id(e.provider)}.${this.id(e.model)}.${this.id(e.authIndex)}.${this.id(e.apiKeyHash)}.${failed}.${status}`
    let cell = rollups.get(key)
    if (!cell) {
      const dims = [instance, hour, e.provider ?? '', e.model ?? '', e.authIndex ?? '', e.apiKeyHash ?? '', failed, status]
      cell = {dims, sums: new Array(ROLLUP_SUMS.length).fill(0), latencyMax: 0}
      rollups.set(key, cell)
    }
    const s = cell.sums
    const b = e.buckets
    s[0]++
    s[1] += b.inputTotal
    s[2] += b.uncachedInput
    s[3] += b.cacheRead
    s[4] += b.cacheWrite
    s[5] += b.outputTotal
    s[6] += b.reasoning
    s[7] += b.unclassified
    s[8] += b.total
    if (e.latencyMs !== null) {
      s[9] += e.latencyMs
      s[10]++
      if (e.latencyMs > cell.latencyMax) cell.latencyMax = e.latencyMs
    }
    if (e.ttftMs !== null && e.ttftMs > 0) {
      s[11] += e.ttftMs
      s[12]++
    }
  }
}
