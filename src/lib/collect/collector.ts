/**
 * One collection without --follow: the state of a run, the store and gateway it talks to, the batch (pop →
 * store → commit, spool on failure), the drain and the run's result. run.ts adds the --follow loop.
 */
import {formatDuration} from '../time/duration.js'
import {AuthError, BugError, CancelledError, ConfigError, type CpactlError, UpstreamError, UsageError} from '../cli/errors.js'
import {getCredentialCounters, getQueueSettings, type CredentialCounters, type QueueSettings} from '../gateway/usage-queue.js'
import {connectRespFor, openConsumer, RespSubscriber, type QueueConsumer} from '../queue/index.js'
import {maskLocation, openStore, type BatchCounts, type CollectorLock, type RunRecord, type Store} from '../store/index.js'
import {spoolSafe} from '../usage/redact.js'
import {addWarning, type Warning} from '../cli/warnings.js'
import {coverageWarning, estimateCoverage, unknownCoverage, type Coverage} from './coverage.js'
import {HeapTrim} from './heap.js'

import type {CollectOptions, CollectResult} from './types.js'

/** Wait `ms`, less when the signal fires or the caller's `wake` is called. */
export const sleep = (ms: number, signal: AbortSignal, onWake?: (wake: () => void) => void) =>
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
export function isTransient(error: unknown): boolean {
  // a store that went away is not the network to the gateway: the run stops (the unsaved batch is spooled)
  return error instanceof UpstreamError && !(error instanceof AuthError) && error.code !== 'bad_response' && !error.code.startsWith('store_')
}
export abstract class CollectorBase {
  protected store: Store | null = null
  protected lock: CollectorLock | null = null
  protected consumer: QueueConsumer | null = null
  protected subscriber: RespSubscriber | null = null
  protected runId = 0
  protected transportUsed: string
  protected readonly now: () => number
  protected readonly batchSize: number
  protected readonly maxRecords: number | null
  protected readonly startedAt: number
  protected readonly warnings: Warning[] = []
  protected settings: QueueSettings | null = null
  protected readonly totals = {popped: 0, inserted: 0, duplicates: 0, deadLettered: 0, controlSkipped: 0, batches: 0, recovered: 0}
  protected oldestAgeMs: number | null = null
  /** Inserted records per auth_index since the last coverage checkpoint. */
  protected collectedWindow = new Map<string, [number, number]>()
  /** Since the start of the run (coverage against the previous run). */
  protected readonly collectedRun = new Map<string, [number, number]>()
  protected stopReason = 'empty'
  protected finished = false
  /** pop→commit durations of non-empty batches (bounded sample). */
  protected readonly windows: number[] = []
  protected windowMax = 0
  protected readonly heap = new HeapTrim()
  protected lastBeat: number | null = null

  constructor(protected readonly o: CollectOptions) {
    this.now = o.now ?? Date.now
    this.batchSize = o.batchSize ?? 500
    this.maxRecords = o.maxRecords ?? null
    this.startedAt = this.now()
    this.transportUsed = o.transport
  }

  /** The store, once open (every caller runs after run() opened it). */
  protected get opened(): Store {
    if (!this.store) throw new BugError('the collector used the store before opening it')
    return this.store
  }

  protected warn(code: string, message: string): void {
    if (this.warnings.some((w) => w.message === message)) return
    // addWarning reports it to the command's collector; not inside `onWarning?.(…)`, whose argument is skipped when no callback is set
    const warning = addWarning(this.warnings, code, message)
    this.o.onWarning?.(warning)
  }

  protected note(message: string): void {
    this.o.onNote?.(message)
  }

  /**
   * The heartbeat (RunRepository.recordPoll, read by `check collector`, `metrics` and `collect status`): the queue
   * answered, so record when, with the gateway facts read at the start. At most every HEARTBEAT_MS; a store
   * that cannot take it now is not a reason to stop collecting (the next batch would say so).
   */
  protected async beat(): Promise<void> {
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

  protected async connect(): Promise<void> {
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

  protected async readGateway(): Promise<CredentialCounters | null> {
    try {
      this.settings = await getQueueSettings(this.o.gateway)
    } catch (error) {
      if (error instanceof AuthError || error instanceof ConfigError) throw error
      this.warn('gateway_config_unreadable', `could not read the gateway config (${(error as Error).message}); publishing and retention unchecked`)
    }
    return this.counters()
  }

  protected async counters(): Promise<CredentialCounters | null> {
    try {
      return await getCredentialCounters(this.o.gateway)
    } catch (error) {
      if (error instanceof AuthError) throw error
      return null
    }
  }

  /** With publishing off the gateway counts requests it never queues: a low coverage then accuses nobody. */
  protected publishingOff(): boolean {
    return this.settings?.publishing === false
  }

  protected retentionWarnings(previous: RunRecord | null): boolean {
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

  protected async collect(previous: RunRecord | null): Promise<CollectResult> {
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

  protected result(coverage: Coverage): CollectResult {
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

  protected windowStats(): CollectResult['popToCommitMs'] {
    if (this.windows.length === 0) return null
    const sorted = [...this.windows].sort((a, b) => a - b)
    const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10
    return {p50: q(0.5), p99: q(0.99), max: Math.round(this.windowMax * 10) / 10}
  }

  protected async finish(status: 'ok' | 'failed' | 'interrupted', error: unknown, coverage?: Coverage, counters?: CredentialCounters | null): Promise<void> {
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

  protected account(counts: BatchCounts, receivedAt: number): void {
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
  protected async batch(source: {pop: () => Promise<unknown[]>} | {payloads: unknown[]}): Promise<number> {
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

  protected async spill(payloads: unknown[], receivedAt: number, cause: unknown): Promise<void> {
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
  protected async drain(): Promise<'empty' | 'full-stop'> {
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

  /** --follow: keep draining until the signal (run.ts). */
  protected abstract followLoop(initialCounters: CredentialCounters | null, since: number): Promise<void>
}
