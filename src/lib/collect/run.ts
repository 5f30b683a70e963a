/**
 * `cpactl collect`: drain the gateway's usage queue into the store, losing nothing that reached us
 * (issue 4; cpa-gateway.md §5, §13; cpamp-anchor.md §2).
 *
 * Order of a run — nothing is popped before the store has proven it can keep what is popped:
 *   1. open + migrate the store (the Store interface, src/lib/store/types.ts);
 *   2. collector lock (second collector ⇒ LockError, exit 7, naming the holder's pid); insert the run row and
 *      commit it (the write probe);
 *   3. re-ingest spool files a failed run left behind;
 *   4. connect the consumer (RESP: exactly one AUTH; a rejected key stops everything, never retried);
 *   5. read the gateway's publishing flag and retention (warnings) and the per-credential counters;
 *   6. drain: for each batch, events.batch: take the write lock → pop → write events, rollups, dead letters
 *      and run counters → commit, then the next pop. If the write or commit fails after a pop, the popped
 *      payloads go to a 0600 spool file beside the store and the run fails (non-zero exit); the next run
 *      ingests the spool;
 *   7. close the run row with counters, warnings, coverage and the counter snapshot for the next run.
 *      Nothing is left to do after the drain: the rollups moved with every batch.
 * SIGINT/SIGTERM never interrupt a pop: the batch in flight is committed, then the run stops
 * (one-shot: CancelledError, exit 130; --follow: normal result, exit 0).
 */
import {formatDuration} from '../time/duration.js'
import {AuthError, BugError, CancelledError, ConfigError, type CpactlError, UpstreamError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {getCredentialCounters, getQueueSettings, type CredentialCounters, type QueueSettings} from '../gateway/usage-queue.js'
import {connectRespFor, openConsumer, RespSubscriber, type QueueConsumer, type RespEndpoint, type TransportChoice} from '../queue/index.js'
import {maskLocation, openStore, type BatchCounts, type CollectorLock, type RunRecord, type Store} from '../store/index.js'
import {spoolSafe} from '../usage/redact.js'
import {addWarning, type Warning} from '../cli/warnings.js'
import {coverageWarning, estimateCoverage, unknownCoverage, type Coverage} from './coverage.js'
import {HeapTrim} from './heap.js'

export interface CollectOptions {
  /** Client for /config and /auth-files (may be tied to the command's abort signal). */
  gateway: GatewayClient
  /** Client for HTTP pops: must NOT abort on SIGINT/SIGTERM (an aborted pop may already have removed records). */
  popClient: GatewayClient
  resp: RespEndpoint
  storePath: string
  instance: string
  transport: TransportChoice
  follow: boolean
  /** --follow: wait after an empty or short batch (default 1 s). */
  intervalMs?: number
  batchSize?: number
  maxRecords?: number | null
  /** How often cron runs this (warn when it exceeds the retention). */
  expectedIntervalMs?: number | null
  signal: AbortSignal
  now?: () => number
  /** Reconnect backoff for --follow (default 1 s doubling to 30 s). */
  backoff?: {initialMs: number; maxMs: number}
  /** --follow: coverage checkpoint period (default 60 s). */
  coverageEveryMs?: number
  onProgress?: (p: CollectProgress) => void
  /** Warnings as they arise (also returned in `warnings`, and reported to the command's collector). */
  onWarning?: (warning: Warning) => void
  /** Informational notes (reconnects, fallbacks) for stderr. */
  onNote?: (message: string) => void
}

export interface CollectProgress {
  popped: number
  inserted: number
  batches: number
  elapsedMs: number
  maxRecords: number | null
}

export interface CollectResult {
  instance: string
  /** Transport actually used: resp, http, or subscribe (resp pops + SUBSCRIBE). */
  transport: string
  runId: number
  store: string
  popped: number
  inserted: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
  /** Records re-ingested from spool files of an earlier failed run (not part of `popped`). */
  recovered: number
  batches: number
  durationMs: number
  recordsPerSecond: number
  /** Largest age of a popped record at the time it was popped (ms), null when nothing was popped. */
  oldestRecordAgeMs: number | null
  coverage: Coverage
  /**
   * Per batch, time from sending the pop to the commit of its records (ms): the window in which a kill -9 or
   * power loss can lose that batch. null when nothing was popped.
   */
  popToCommitMs: {p50: number; p99: number; max: number} | null
  /** empty | max-records | signal */
  stopReason: string
  warnings: Warning[]
}

/** Wait `ms`, less when the signal fires or the caller's `wake` is called. */
const sleep = (ms: number, signal: AbortSignal, onWake?: (wake: () => void) => void) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, {once: true})
    onWake?.(done)
  })

/** The heartbeat's period: a running collector records its last poll of the queue at most this often. */
const HEARTBEAT_MS = 5000

/** Spill reserve per record of a batch (records average ~1.2 KB; failure bodies make some larger). */
const SPILL_BYTES_PER_RECORD = 4096

/** Errors after which --follow reconnects: the network, not the key or the store. */
function isTransient(error: unknown): boolean {
  // a store that went away is not the network to the gateway: the run stops (the unsaved batch is spooled)
  return error instanceof UpstreamError && !(error instanceof AuthError) && error.code !== 'bad_response' && !error.code.startsWith('store_')
}

class Collector {
  private store: Store | null = null
  private lock: CollectorLock | null = null
  private consumer: QueueConsumer | null = null
  private subscriber: RespSubscriber | null = null
  private runId = 0
  private transportUsed: string
  private readonly now: () => number
  private readonly batchSize: number
  private readonly maxRecords: number | null
  private readonly startedAt: number
  private readonly warnings: Warning[] = []
  private settings: QueueSettings | null = null
  private readonly totals = {popped: 0, inserted: 0, duplicates: 0, deadLettered: 0, controlSkipped: 0, batches: 0, recovered: 0}
  private oldestAgeMs: number | null = null
  /** Inserted records per auth_index since the last coverage checkpoint. */
  private collectedWindow = new Map<string, [number, number]>()
  /** Since the start of the run (coverage against the previous run). */
  private readonly collectedRun = new Map<string, [number, number]>()
  private stopReason = 'empty'
  private finished = false
  /** pop→commit durations of non-empty batches (bounded sample). */
  private readonly windows: number[] = []
  private windowMax = 0
  private readonly heap = new HeapTrim()
  private lastBeat: number | null = null

  constructor(private readonly o: CollectOptions) {
    this.now = o.now ?? Date.now
    this.batchSize = o.batchSize ?? 500
    this.maxRecords = o.maxRecords ?? null
    this.startedAt = this.now()
    this.transportUsed = o.transport
  }

  /** The store, once open (every caller runs after run() opened it). */
  private get opened(): Store {
    if (!this.store) throw new BugError('the collector used the store before opening it')
    return this.store
  }

  private warn(code: string, message: string): void {
    if (this.warnings.some((w) => w.message === message)) return
    // addWarning reports it to the command's collector; not inside `onWarning?.(…)`, whose argument is skipped when no callback is set
    const warning = addWarning(this.warnings, code, message)
    this.o.onWarning?.(warning)
  }

  private note(message: string): void {
    this.o.onNote?.(message)
  }

  /**
   * The heartbeat (RunRepository.recordPoll, read by `check collector`, `metrics` and `collect status`): the queue
   * answered, so record when, with the gateway facts read at the start. At most every HEARTBEAT_MS; a store
   * that cannot take it now is not a reason to stop collecting (the next batch would say so).
   */
  private async beat(): Promise<void> {
    const t = this.now()
    if (this.lastBeat !== null && t - this.lastBeat < HEARTBEAT_MS) return
    this.lastBeat = t
    const s = this.settings
    try {
      await this.opened.runs.recordPoll(this.runId, {at: t, transport: this.transportUsed, retentionSeconds: s?.retentionSeconds ?? null, publishing: s ? s.publishing : null})
    } catch (error) {
      this.note(`could not record the collector heartbeat: ${(error as Error).message}`)
    }
  }

  async run(): Promise<CollectResult> {
    const o = this.o
    if (o.transport === 'subscribe' && !o.follow) {
      throw new UsageError('--transport subscribe needs --follow (a one-shot run never subscribes)')
    }
    try {
      const store = await openStore({path: o.storePath})
      this.store = store
      this.lock = await store.runs.lockCollector(o.follow ? 'collect --follow' : 'collect', o.instance)
      this.runId = await store.runs.start({instance: o.instance, mode: o.follow ? 'follow' : 'once', transport: o.transport, startedAt: this.startedAt})
      let previous: RunRecord | null = null
      try {
        // room for one spilled batch, so a disk that fills up mid-drain still keeps what was popped
        await store.spool.reserve(this.batchSize * SPILL_BYTES_PER_RECORD)
        const recovery = await store.spool.recover(this.runId)
        this.totals.recovered = recovery.counts.received
        if (recovery.files > 0) this.note(`re-ingested ${recovery.counts.received} records from ${recovery.files} spool file(s) left by a failed run`)
        previous = (await store.runs.list({instance: o.instance, excludeId: this.runId, collectorOnly: true, limit: 1}))[0] ?? null
        return await this.collect(previous)
      } catch (error) {
        await this.finish(error instanceof CancelledError ? 'interrupted' : 'failed', error)
        throw error
      }
    } finally {
      await this.consumer?.close().catch(() => {})
      this.subscriber?.close()
      if (this.store) {
        if (this.lock) await this.store.spool.release().catch(() => {})
        await this.lock?.release()
        await this.store.close().catch(() => {})
      }
    }
  }

  private async connect(): Promise<void> {
    const o = this.o
    if (o.transport === 'subscribe') {
      this.consumer = await connectRespFor(o.gateway, o.resp)
      this.transportUsed = 'subscribe'
      return
    }
    const opened = await openConsumer({transport: o.transport, popClient: o.popClient, resp: o.resp})
    this.consumer = opened.consumer
    this.transportUsed = opened.consumer.transport
    if (opened.fallbackReason) this.warn('resp_fallback', `RESP could not be established (${opened.fallbackReason}); collecting over the HTTP usage queue`)
    // on v8 `auto` chooses HTTP without trying RESP: the result's transport says so (no stderr noise for cron)
  }

  private async readGateway(): Promise<CredentialCounters | null> {
    try {
      this.settings = await getQueueSettings(this.o.gateway)
    } catch (error) {
      if (error instanceof AuthError || error instanceof ConfigError) throw error
      this.warn('gateway_config_unreadable', `could not read the gateway config (${(error as Error).message}); publishing and retention unchecked`)
    }
    return this.counters()
  }

  private async counters(): Promise<CredentialCounters | null> {
    try {
      return await getCredentialCounters(this.o.gateway)
    } catch (error) {
      if (error instanceof AuthError) throw error
      return null
    }
  }

  /** With publishing off the gateway counts requests it never queues: a low coverage then accuses nobody. */
  private publishingOff(): boolean {
    return this.settings?.publishing === false
  }

  private retentionWarnings(previous: RunRecord | null): boolean {
    const o = this.o
    const s = this.settings
    if (!s) return false
    if (!s.publishing) {
      this.warn('publishing_off', 'usage publishing is off on the gateway (usage-statistics-enabled: false): nothing is queued; turn it on with `cpactl usage enable`')
    }
    const retentionMs = s.retentionSeconds * 1000
    if (o.expectedIntervalMs && o.expectedIntervalMs > retentionMs) {
      this.warn('interval_exceeds_retention', `--expected-interval ${formatDuration(o.expectedIntervalMs)} exceeds the gateway's queue retention (${s.retentionSeconds}s): records expire before the next run collects them`)
    }
    if (previous) {
      const gap = this.startedAt - (previous.endedAt ?? previous.startedAt)
      if (gap > retentionMs) {
        this.warn('gap_exceeds_retention', `${formatDuration(gap)} passed since the previous run ended, more than the gateway's queue retention (${s.retentionSeconds}s): records produced in between may have expired unseen`)
        return true
      }
    }
    return false
  }

  private async collect(previous: RunRecord | null): Promise<CollectResult> {
    const o = this.o
    await this.connect()
    const windowStart = this.now()
    const windowCounters = await this.readGateway()
    const expiredPossible = this.retentionWarnings(previous)

    if (o.follow) await this.followLoop(windowCounters, windowStart)
    else await this.drain()

    // closing snapshot: coverage since the previous run, and the baseline of the next one
    const end = await this.counters()
    let coverage: Coverage = unknownCoverage(end ? 'no previous run with gateway counters to compare with' : 'could not read the gateway counters')
    if (end && previous?.authCounters && previous.authCountersAt) {
      coverage = estimateCoverage(previous.authCounters, end, this.collectedRun, {basis: 'previous-run', since: previous.authCountersAt, until: this.now()})
      const w = this.publishingOff() ? null : coverageWarning(coverage, expiredPossible)
      if (w) this.warn('low_coverage', w)
    } else if (end && windowCounters && o.follow) {
      coverage = estimateCoverage(windowCounters, end, this.collectedWindow, {basis: 'window', since: windowStart, until: this.now()})
    }
    if (this.maxRecords !== null && this.stopReason === 'max-records') {
      this.warn('max_records_reached', `stopped after --max-records ${this.maxRecords}; the queue may still hold records`)
    }
    if (this.totals.deadLettered > 0) {
      this.warn('dead_letters', `${this.totals.deadLettered} payload(s) did not parse and were kept as dead letters (see cpactl collect status)`)
    }
    const result = this.result(coverage)
    await this.finish(this.o.signal.aborted && !o.follow ? 'interrupted' : 'ok', null, coverage, end)
    if (this.o.signal.aborted && !o.follow) {
      throw new CancelledError(`interrupted: the batch in flight was committed; ${result.popped} records popped, ${result.inserted} stored`, {
        details: {result},
      })
    }
    return result
  }

  private result(coverage: Coverage): CollectResult {
    const durationMs = Math.max(0, this.now() - this.startedAt)
    return {
      instance: this.o.instance,
      transport: this.transportUsed,
      runId: this.runId,
      store: this.store?.location ?? maskLocation(this.o.storePath),
      popped: this.totals.popped,
      inserted: this.totals.inserted,
      duplicates: this.totals.duplicates,
      deadLettered: this.totals.deadLettered,
      controlSkipped: this.totals.controlSkipped,
      recovered: this.totals.recovered,
      batches: this.totals.batches,
      durationMs,
      recordsPerSecond: durationMs > 0 ? Math.round((this.totals.popped / durationMs) * 1000) : 0,
      oldestRecordAgeMs: this.oldestAgeMs,
      popToCommitMs: this.windowStats(),
      coverage,
      stopReason: this.stopReason,
      warnings: [...this.warnings],
    }
  }

  private windowStats(): CollectResult['popToCommitMs'] {
    if (this.windows.length === 0) return null
    const sorted = [...this.windows].sort((a, b) => a - b)
    const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10
    return {p50: q(0.5), p99: q(0.99), max: Math.round(this.windowMax * 10) / 10}
  }

  private async finish(status: 'ok' | 'failed' | 'interrupted', error: unknown, coverage?: Coverage, counters?: CredentialCounters | null): Promise<void> {
    if (!this.store || !this.runId || this.finished) return
    this.finished = true
    const e = error as CpactlError | null
    try {
      await this.store.runs.finish(this.runId, {
        status,
        endedAt: this.now(),
        transport: this.transportUsed,
        retentionSeconds: this.settings?.retentionSeconds ?? null,
        publishing: this.settings?.publishing ?? null,
        errorCode: e ? (typeof e.code === 'string' ? e.code : 'error') : null,
        errorMessage: e ? String(e.message ?? e) : null,
        warnings: this.warnings,
        coverage: coverage ?? null,
        authCounters: counters ?? null,
        authCountersAt: counters ? this.now() : null,
      })
    } catch {
      // the run row stays 'running'; status shows it as abandoned
    }
  }

  private account(counts: BatchCounts, receivedAt: number): void {
    const t = this.totals
    t.popped += counts.received
    t.inserted += counts.inserted
    t.duplicates += counts.duplicates
    t.deadLettered += counts.deadLettered
    t.controlSkipped += counts.controlSkipped
    t.batches++
    if (counts.oldestTs !== null) {
      const age = receivedAt - counts.oldestTs
      if (this.oldestAgeMs === null || age > this.oldestAgeMs) this.oldestAgeMs = age
    }
    for (const map of [this.collectedWindow, this.collectedRun]) {
      for (const [k, [s, f]] of counts.byAuthIndex) {
        const cur = map.get(k)
        if (cur) {
          cur[0] += s
          cur[1] += f
        } else map.set(k, [s, f])
      }
    }
    this.o.onProgress?.({popped: t.popped, inserted: t.inserted, batches: t.batches, elapsedMs: this.now() - this.startedAt, maxRecords: this.maxRecords})
  }

  /**
   * Write payloads in one transaction; `pop` (when given) runs inside it, after BEGIN IMMEDIATE. On a store
   * failure after the pop, the payloads are spilled to a spool file and the error is rethrown.
   */
  private async batch(source: {pop: () => Promise<unknown[]>} | {payloads: unknown[]}): Promise<number> {
    let payloads: unknown[] = 'payloads' in source ? source.payloads : []
    let popFailed = false
    let receivedAt = this.now()
    let popStarted = 0
    try {
      const counts = await this.opened.events.batch(async (tx) => {
        popStarted = performance.now()
        if ('pop' in source) {
          try {
            payloads = await source.pop()
          } catch (error) {
            popFailed = true
            throw error
          }
        }
        receivedAt = this.now()
        if (payloads.length === 0) return null
        return tx.write(payloads, {instance: this.o.instance, runId: this.runId, receivedAt})
      })
      if (counts) {
        const window = performance.now() - popStarted
        if (this.windows.length < 20_000) this.windows.push(window)
        if (window > this.windowMax) this.windowMax = window
        this.account(counts, receivedAt)
      }
      await this.beat()
      this.heap.maybe()
      return payloads.length
    } catch (error) {
      if (!popFailed && payloads.length > 0) await this.spill(payloads, receivedAt, error)
      throw error
    }
  }

  private async spill(payloads: unknown[], receivedAt: number, cause: unknown): Promise<void> {
    try {
      // client keys leave the spool hashed (the store keeps nothing more of them either)
      const path = await this.opened.spool.spill(this.o.instance, receivedAt, payloads.map(spoolSafe))
      this.warn('records_spooled', `${payloads.length} popped records could not be stored (${(cause as Error).message}); they were saved to ${path} and will be stored by the next run`)
      await this.opened.runs.recordSpooled(this.runId, payloads.length).catch(() => {})
    } catch (spillError) {
      throw new ConfigError(
        `${payloads.length} popped records could neither be stored (${(cause as Error).message}) nor spooled (${(spillError as Error).message}); they are lost`,
        {code: 'records_lost'},
      )
    }
  }

  /** Pop until the queue answers a short batch (or empty), --max-records, or a signal. */
  private async drain(): Promise<'empty' | 'full-stop'> {
    const consumer = this.consumer!
    while (!this.o.signal.aborted) {
      let want = this.batchSize
      if (this.maxRecords !== null) {
        const left = this.maxRecords - this.totals.popped
        if (left <= 0) {
          this.stopReason = 'max-records'
          return 'full-stop'
        }
        want = Math.min(want, left)
      }
      const got = await this.batch({pop: () => consumer.pop(want)})
      if (got < want) {
        this.stopReason = 'empty'
        return 'empty'
      }
    }
    this.stopReason = 'signal'
    return 'full-stop'
  }

  private async reconnect(error: unknown, attempt: number): Promise<void> {
    const b = this.o.backoff ?? {initialMs: 1000, maxMs: 30_000}
    const delay = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 16))
    this.note(`lost the gateway (${(error as Error).message}); reconnecting in ${formatDuration(delay)}`)
    await this.consumer?.close().catch(() => {})
    this.consumer = null
    this.subscriber?.close()
    this.subscriber = null
    await sleep(delay, this.o.signal)
  }

  private async checkpoint(state: {counters: CredentialCounters | null; since: number; lastAt: number}): Promise<void> {
    const every = this.o.coverageEveryMs ?? 60_000
    const t = this.now()
    if (t - state.lastAt < every) return
    state.lastAt = t
    const now = await this.counters()
    if (now && state.counters) {
      const c = estimateCoverage(state.counters, now, this.collectedWindow, {basis: 'window', since: state.since, until: t})
      const w = this.publishingOff() ? null : coverageWarning(c, false)
      if (w) this.warn('low_coverage', w)
    }
    state.counters = now
    state.since = t
    this.collectedWindow = new Map()
  }

  private async followLoop(initialCounters: CredentialCounters | null, since: number): Promise<void> {
    const o = this.o
    const interval = o.intervalMs ?? 1000
    const state = {counters: initialCounters, since, lastAt: since}
    this.collectedWindow = new Map()
    let failures = 0
    let buffer: string[] = []
    let wake: (() => void) | null = null
    let subscriberClosed: Error | null | undefined
    const subscribeMode = o.transport === 'subscribe'

    const startSubscriber = async () => {
      subscriberClosed = undefined
      const sub = new RespSubscriber(o.resp)
      await sub.start({
        message: (p) => {
          buffer.push(p)
          if (buffer.length >= this.batchSize) wake?.()
        },
        closed: (err) => {
          subscriberClosed = err ?? new UpstreamError('the subscription connection closed', {code: 'resp_disconnected'})
          wake?.()
        },
      })
      this.subscriber = sub
    }
    const flush = async () => {
      while (buffer.length > 0) {
        const chunk = buffer.slice(0, this.batchSize)
        buffer = buffer.slice(chunk.length)
        await this.batch({payloads: chunk})
      }
    }

    while (!o.signal.aborted) {
      try {
        if (!this.consumer) await this.connect()
        if (subscribeMode && !this.subscriber) {
          // drain what waited in the FIFO, subscribe, then drain again: records produced before the
          // subscription took effect went to the FIFO (§5.4)
          await this.drain()
          await startSubscriber()
          await this.drain()
        }
        if (subscribeMode) {
          if (subscriberClosed !== undefined) throw subscriberClosed ?? new UpstreamError('subscription lost', {code: 'resp_disconnected'})
          if (buffer.length < this.batchSize) {
            await sleep(interval, o.signal, (w) => (wake = w))
            wake = null
          }
          await flush()
        } else {
          const r = await this.drain()
          if (r === 'full-stop') break
          await sleep(interval, o.signal)
        }
        failures = 0
        await this.beat()
        await this.checkpoint(state)
      } catch (error) {
        if (!isTransient(error) || o.signal.aborted) {
          if (subscribeMode) {
            this.subscriber?.close()
            await flush().catch(() => {})
          }
          if (o.signal.aborted && isTransient(error)) break
          throw error
        }
        if (subscribeMode) await flush() // what the lost subscription delivered is stored before the backoff
        await this.reconnect(error, failures++)
      }
    }
    if (subscribeMode) {
      this.subscriber?.close()
      this.subscriber = null
      await flush()
    }
    this.stopReason = o.signal.aborted ? 'signal' : this.stopReason
  }
}

/** Run one collection (one-shot or --follow). */
export async function runCollect(options: CollectOptions): Promise<CollectResult> {
  return new Collector(options).run()
}
