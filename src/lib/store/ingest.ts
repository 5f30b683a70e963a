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

function eventRow(instance: string, runId: number | null, hash: Buffer, e: UsageEvent): unknown[] {
  const t = e.legacy
  const b = e.buckets
  return [
    instance, e.ts, e.tzOffsetMin, hash, runId, e.provider, e.executorType, e.model, e.alias, e.endpoint,
    e.authType, e.authIndex, e.source, e.sourceHash, e.apiKeyHash, e.accessTokenSha256, e.requestId, e.latencyMs,
    e.ttftMs, e.failed ? 1 : 0, e.failStatusCode, e.failSummary, b01(e.generate), b01(e.stream), t.inputTokens, t.outputTokens,
    t.reasoningTokens, t.cachedTokens, t.cacheReadTokens, t.cacheCreationTokens, t.totalTokens,
    t.cacheCreation5mTokens, t.cacheCreation1hTokens, e.accountingVersion, e.tokenQuality, b.inputTotal,
    b.uncachedInput, b.cacheRead, b.cacheWrite, b.outputTotal, b.reasoning, b.unclassified, b.total,
    e.reasoningEffort, e.serviceTier, e.responseServiceTier, e.clientIp, e.xForwardedFor, e.userAgent,
    e.responseHeaders, e.extra,
  ]
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
  private readonly upsertRollup
  private readonly insertDeadLetter
  private readonly bumpRun
  private readonly normalizer: Normalizer

  constructor(db: Database) {
    this.normalizer = createNormalizer()
    this.insertEvent = db.prepare(`INSERT OR IGNORE INTO usage_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`)
    const dims = ['instance', 'hour_ms', 'provider', 'model', 'auth_index', 'api_key_hash', 'service_tier', 'response_service_tier', 'failed', 'fail_status_code']
    this.upsertRollup = db.prepare(
      `INSERT INTO usage_hourly (${[...dims, ...ROLLUP_SUMS, 'latency_max'].join(', ')}) VALUES (${[...dims, ...ROLLUP_SUMS, 'latency_max'].map(() => '?').join(', ')})
       ON CONFLICT (${dims.join(', ')}) DO UPDATE SET ${ROLLUP_SUMS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')},
       latency_max = MAX(latency_max, excluded.latency_max)`,
    )
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
      const info = this.insertEvent.run(eventRow(ctx.instance, ctx.runId, eventHash(ctx.instance, e), e))
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
    for (const cell of rollups.values()) this.upsertRollup.run([...cell.dims, ...cell.sums, cell.latencyMax])
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

  private accumulate(rollups: Map<string, RollupCell>, instance: string, e: UsageEvent): void {
    const hour = e.ts - (((e.ts % HOUR_MS) + HOUR_MS) % HOUR_MS)
    const dims = [
      instance, hour, e.provider ?? '', e.model ?? '', e.authIndex ?? '', e.apiKeyHash ?? '', e.serviceTier ?? '',
      e.responseServiceTier ?? '', e.failed ? 1 : 0, e.failStatusCode ?? 0,
    ]
    const key = dims.join('\u001f')
    let cell = rollups.get(key)
    if (!cell) {
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
