/**
 * Writing usage into the store: events, the rollups (hourly and daily, every report dimension, histograms, account
 * sources), dead letters and run counters for one batch, inside the caller's transaction ("never pop what cannot be
 * stored": a pop is destructive and has no ack). Dedup goes through the unique event hash: `INSERT OR IGNORE`, and
 * only newly inserted events move the rollups (rollup-cells.ts sums them in memory, rollup-write.ts upserts each
 * cell once per batch).
 */
import {createNormalizer, eventHash, redactPayload, type Normalizer, type UsageEvent} from '../usage/index.js'
import type {Database} from './db.js'
import {RollupCells} from './rollup-cells.js'
import {RollupWriter} from './rollup-write.js'
import {emptyCounts, type BatchCounts, type IngestContext} from './rows.js'

/** Columns of usage_events a batch writes, in the order of fillEventRow (both backends). */
export const EVENT_COLUMNS = [
  'instance', 'ts', 'tz_offset_min', 'event_hash', 'run_id', 'provider', 'executor_type', 'model', 'alias', 'endpoint',
  'auth_type', 'auth_index', 'source', 'source_hash', 'api_key_hash', 'access_token_sha256', 'request_id', 'latency_ms',
  'ttft_ms', 'failed', 'fail_status_code', 'fail_summary', 'generate', 'stream', 'input_tokens', 'output_tokens',
  'reasoning_tokens', 'cached_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens',
  'cache_creation_5m_tokens', 'cache_creation_1h_tokens', 'accounting_version', 'token_quality', 'input_total',
  'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified', 'total',
  'reasoning_effort', 'service_tier', 'response_service_tier', 'client_ip', 'x_forwarded_for', 'user_agent',
  'response_headers', 'extra',
]

const b01 = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0)

/** Fill `row` (reused for every insert: better-sqlite3 binds synchronously) with the event's column values. */
export function fillEventRow(row: unknown[], instance: string, runId: number | null, hash: Buffer, e: UsageEvent): unknown[] {
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

/**
 * Prepared statements over one connection; `write()` must run inside a transaction the caller opened
 * (BEGIN IMMEDIATE before the pop, COMMIT after write()).
 */
export class BatchWriter {
  private readonly insertEvent
  private readonly insertDeadLetter
  private readonly bumpRun
  private readonly normalizer: Normalizer
  private readonly row: unknown[] = new Array(EVENT_COLUMNS.length)
  private readonly cells = new RollupCells()
  private readonly rollups: RollupWriter

  constructor(db: Database) {
    this.normalizer = createNormalizer()
    this.insertEvent = db.prepare(`INSERT OR IGNORE INTO usage_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`)
    this.rollups = new RollupWriter(db)
    this.insertDeadLetter = db.prepare('INSERT INTO usage_dead_letters (instance, received_at, run_id, reason, payload) VALUES (?, ?, ?, ?, ?)')
    this.bumpRun = db.prepare(
      `UPDATE collector_runs SET popped = popped + ?, inserted = inserted + ?, duplicates = duplicates + ?, dead_lettered = dead_lettered + ?,
       control_skipped = control_skipped + ?, recovered = recovered + ?, batches = batches + 1,
       oldest_record_ts = MIN(COALESCE(oldest_record_ts, ?), ?), newest_record_ts = MAX(COALESCE(newest_record_ts, ?), ?)
       WHERE id = ?`,
    )
  }

  /** Fold the hours earlier batches left behind into the daily rollups (inside the caller's transaction). */
  catchUp(): void {
    this.rollups.catchUp()
  }

  /**
   * Classify and store every payload (raw strings from RESP, strings or objects from the HTTP queue). Nothing
   * is dropped: a payload is inserted, counted as a duplicate, dead-lettered or counted as a control payload.
   * With a run id, the run's counters move in the same transaction (`recovered` marks spool re-ingests).
   * `advance: false` leaves the daily watermark to the next `catchUp` (the collector's batch, before its pop).
   */
  write(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean; advance?: boolean} = {}): BatchCounts {
    const counts = emptyCounts()
    const cells = this.cells
    cells.clear()
    this.rollups.begin(cells)
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
      cells.add(ctx.instance, e)
      if (cells.full) {
        this.rollups.flush(cells)
        cells.reset()
      }
    }
    this.rollups.flush(cells)
    if (options.advance !== false) this.rollups.advance(cells, counts.newestTs)
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
}
