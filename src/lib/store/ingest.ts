/**
 * Writing usage into the store: events, the rollups (hourly and daily, every report dimension, histograms, account
 * sources), dead letters and run counters for one batch, inside the caller's transaction ("never pop what cannot be
 * stored": a pop is destructive and has no ack). Dedup goes through the unique event hash: `INSERT OR IGNORE`, and
 * only newly inserted events move the rollups (rollup-cells.ts sums them in memory, rollup-write.ts upserts each
 * cell once per batch).
 */
import {BugError} from '../cli/errors.js'
import {createNormalizer, eventHash, payloadText, redactPayload, type Normalizer} from '../usage/index.js'
import type {Database} from './db.js'
import {COL, EVENT_COLUMNS, fillEventRow, RowDecoder} from './event-columns.js'
import {CHUNK_ROWS, KIND, type ReceivedChunk} from './ingest-protocol.js'
import {IngestThread} from './ingest-thread.js'
import {RollupCells, type RollupInput} from './rollup-cells.js'
import {RollupWriter} from './rollup-write.js'
import {emptyCounts, type BatchCounts, type IngestContext} from './rows.js'

/** A stored row as the rollups read it (rollup-cells.ts RollupInput); one instance, refilled per row. */
class RowInput implements RollupInput {
  ts = 0
  provider: string | null = null
  model: string | null = null
  apiKeyHash: string | null = null
  authIndex: string | null = null
  serviceTier: string | null = null
  responseServiceTier: string | null = null
  failed = false
  failStatusCode: number | null = null
  readonly buckets = {uncachedInput: 0, cacheRead: 0, cacheWrite: 0, outputTotal: 0, reasoning: 0, unclassified: 0}
  latencyMs: number | null = null
  ttftMs: number | null = null
  source: string | null = null

  of(row: readonly unknown[]): this {
    this.ts = row[COL.ts] as number
    this.provider = row[COL.provider] as string | null
    this.model = row[COL.model] as string | null
    this.apiKeyHash = row[COL.api_key_hash] as string | null
    this.authIndex = row[COL.auth_index] as string | null
    this.serviceTier = row[COL.service_tier] as string | null
    this.responseServiceTier = row[COL.response_service_tier] as string | null
    this.failed = row[COL.failed] === 1
    this.failStatusCode = row[COL.fail_status_code] as number | null
    const b = this.buckets
    b.uncachedInput = row[COL.uncached_input] as number
    b.cacheRead = row[COL.cache_read] as number
    b.cacheWrite = row[COL.cache_write] as number
    b.outputTotal = row[COL.output_total] as number
    b.reasoning = row[COL.reasoning] as number
    b.unclassified = row[COL.unclassified] as number
    this.latencyMs = row[COL.latency_ms] as number | null
    this.ttftMs = row[COL.ttft_ms] as number | null
    this.source = row[COL.source] as string | null
    return this
  }
}

/** Batches smaller than this are normalised in the writing thread (a round trip to the thread costs more). */
const THREAD_MIN_PAYLOADS = 64

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
  private readonly input = new RowInput()
  private readonly cells = new RollupCells()
  private readonly rollups: RollupWriter
  private thread: IngestThread | null = null
  private threadStarted = false
  /** Client keys of this thread's normaliser the normaliser thread knows too. */
  private keysShared = 0

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
    const counts = this.begin()
    this.classifyFrom(payloads, 0, ctx, counts)
    return this.end(counts, ctx, options)
  }

  /**
   * `write()` for the collector's batches: the normaliser thread (ingest-thread.ts) parses, normalises and
   * hashes the batch chunk by chunk while this thread inserts the chunks it finished, in order; if the thread
   * stalls, this thread normalises the rest itself. Same rows, counts and rollups as `write()`, which small
   * batches, parsed objects (HTTP), or no thread (yet) go through.
   */
  async writeBatch(payloads: readonly unknown[], ctx: IngestContext, options: {advance?: boolean} = {}): Promise<BatchCounts> {
    this.startThread()
    const thread = this.thread
    if (!thread?.available || payloads.length < THREAD_MIN_PAYLOADS || !IngestThread.accepts(payloads)) {
      return this.write(payloads, ctx, options)
    }
    // client keys this thread's normaliser learned on its own (earlier batches, taken-over chunks)
    const known = this.normalizer.clientKeyCount()
    if (known > this.keysShared) thread.learn(this.normalizer.clientKeyHashes(this.keysShared))
    this.keysShared = known
    const counts = this.begin()
    const chunks = Math.ceil(payloads.length / CHUNK_ROWS)
    thread.begin(payloads, ctx.instance, ctx.runId, chunks)
    try {
      let next = 0
      while (next < chunks) {
        const done = thread.receive()
        if (done) {
          if (done.chunk !== next) throw new BugError(`the normaliser thread sent chunk ${done.chunk} where ${next} was due`)
          this.storeChunk(done, payloads, ctx, counts)
          next++
          continue
        }
        if (!thread.wait()) {
          // the thread stopped or stalls: this thread normalises the rest (its normaliser learned the keys of
          // the chunks before `next` from the thread)
          thread.end()
          this.classifyFrom(payloads, next * CHUNK_ROWS, ctx, counts)
          break
        }
      }
    } finally {
      thread.end()
    }
    return this.end(counts, ctx, options)
  }

  /** Start the normaliser thread (once; writeBatch does it at the latest), where it can help (ingest-thread.ts). */
  startThread(): void {
    if (this.threadStarted) return
    this.threadStarted = true
    this.thread = IngestThread.start((keys) => this.learnFromThread(keys))
  }

  /** Client keys the thread's normaliser learned: this thread's learns them too (without sending them back). */
  private learnFromThread(keys: string[]): void {
    const shared = this.normalizer.clientKeyCount() === this.keysShared
    this.normalizer.learnClientKeyHashes(keys)
    if (shared) this.keysShared = this.normalizer.clientKeyCount()
  }

  /** Store a chunk the thread normalised, in payload order. */
  private storeChunk(chunk: ReceivedChunk, payloads: readonly unknown[], ctx: IngestContext, counts: BatchCounts): void {
    const start = chunk.chunk * CHUNK_ROWS
    let r = 0
    let reason = 0
    for (let j = 0; j < chunk.kinds.length; j++) {
      const kind = chunk.kinds[j]
      counts.received++
      if (kind === KIND.record) this.store(RowDecoder.fill(this.row, chunk.rows, r++, chunk.dict), ctx.instance, counts)
      else if (kind === KIND.control) counts.controlSkipped++
      else this.deadLetter(payloads[start + j], chunk.reasons[reason++], ctx, counts)
    }
  }

  /** Stop the normaliser thread (the store is closing). */
  async close(): Promise<void> {
    await this.thread?.close()
    this.thread = null
  }

  private begin(): BatchCounts {
    this.cells.clear()
    this.rollups.begin(this.cells)
    return emptyCounts()
  }

  /** Classify and store payloads[from…] in this thread. */
  private classifyFrom(payloads: readonly unknown[], from: number, ctx: IngestContext, counts: BatchCounts): void {
    for (let i = from; i < payloads.length; i++) {
      const payload = payloads[i]
      counts.received++
      const c = this.normalizer.classify(payload)
      if (c.kind === 'control') counts.controlSkipped++
      else if (c.kind === 'invalid') this.deadLetter(payload, c.reason, ctx, counts)
      else {
        const e = c.event
        this.store(fillEventRow(this.row, ctx.instance, ctx.runId, eventHash(ctx.instance, e), e), ctx.instance, counts)
      }
    }
  }

  private deadLetter(payload: unknown, reason: string, ctx: IngestContext, counts: BatchCounts): void {
    this.insertDeadLetter.run(ctx.instance, ctx.receivedAt, ctx.runId, reason, redactPayload(payloadText(payload)))
    counts.deadLettered++
  }

  /** Insert one event row; a new event moves the counters and the batch's rollup cells. */
  private store(row: unknown[], instance: string, counts: BatchCounts): void {
    const ts = row[COL.ts] as number
    if (counts.oldestTs === null || ts < counts.oldestTs) counts.oldestTs = ts
    if (counts.newestTs === null || ts > counts.newestTs) counts.newestTs = ts
    // spread: better-sqlite3 reads positional arguments faster than the elements of one array argument
    if (this.insertEvent.run(...row).changes === 0) {
      counts.duplicates++
      return
    }
    counts.inserted++
    const authIndex = row[COL.auth_index] as string | null
    if (authIndex) {
      const failed = row[COL.failed] === 1
      const cur = counts.byAuthIndex.get(authIndex)
      if (cur) cur[failed ? 1 : 0]++
      else counts.byAuthIndex.set(authIndex, failed ? [0, 1] : [1, 0])
    }
    const cells = this.cells
    cells.add(instance, this.input.of(row))
    if (cells.full) {
      this.rollups.flush(cells)
      cells.reset()
    }
  }

  /** Write the batch's rollup cells, move the watermark (unless `advance: false`) and the run's counters. */
  private end(counts: BatchCounts, ctx: IngestContext, options: {recovered?: boolean; advance?: boolean}): BatchCounts {
    const cells = this.cells
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
