/**
 * `cpactl collect`: drain the gateway's usage queue into the store, losing nothing that reached us
 * (issue 4).
 *
 * Order of a run — nothing is popped before the store has proven it can keep what is popped:
 *   1. open + migrate the store (the Store interface, src/lib/store/types.ts);
 *   2. collector lock (second collector ⇒ LockError, exit 7, naming the holder's pid); insert the run row and
 *      commit it (the write probe);
 *   3. re-ingest spool files a failed run left behind;
 *   4. connect the consumer (RESP: exactly one AUTH; a rejected key stops everything, never retried);
 *   5. read the gateway's publishing flag and retention (warnings) and the per-credential counters
 *      (gateway-facts.ts);
 *   6. drain, batch by batch (batches.ts: take the write lock → pop → write → commit, then the next pop; what
 *      cannot be stored after a pop is spooled), or follow the queue (follow.ts);
 *   7. close the run row with counters, warnings, coverage and the counter snapshot for the next run.
 *      Nothing is left to do after the drain: the rollups moved with every batch.
 * SIGINT/SIGTERM never interrupt a pop: the batch in flight is committed, then the run stops
 * (one-shot: CancelledError, exit 130; --follow: normal result, exit 0).
 */
import {BugError, CancelledError, type CpactlError, UsageError} from '../cli/errors.js'
import {addWarning, type Warning} from '../cli/warnings.js'
import type {CredentialCounters} from '../gateway/usage-queue.js'
import {connectRespFor, openConsumer, type QueueConsumer} from '../queue/index.js'
import {maskLocation, openStore, type CollectorLock, type RunRecord, type Store} from '../store/index.js'
import {BatchRunner} from './batches.js'
import {coverageWarning, estimateCoverage, unknownCoverage, type Coverage} from './coverage.js'
import {followLoop} from './follow.js'
import {GatewayFacts} from './gateway-facts.js'
import type {CollectOptions, CollectResult} from './types.js'

/** Spill reserve per record of a batch (records average ~1.2 KB; failure bodies make some larger). */
const SPILL_BYTES_PER_RECORD = 4096

class Collector {
  private store: Store | null = null
  private lock: CollectorLock | null = null
  private consumer: QueueConsumer | null = null
  private runner: BatchRunner | null = null
  private runId = 0
  private transportUsed: string
  private readonly now: () => number
  private readonly batchSize: number
  private readonly maxRecords: number | null
  private readonly startedAt: number
  private readonly warnings: Warning[] = []
  private readonly facts: GatewayFacts
  private stopReason = 'empty'
  private finished = false

  constructor(private readonly o: CollectOptions) {
    this.now = o.now ?? Date.now
    this.batchSize = o.batchSize ?? 500
    this.maxRecords = o.maxRecords ?? null
    this.startedAt = this.now()
    this.transportUsed = o.transport
    this.facts = new GatewayFacts(o.gateway, (code, message) => this.warn(code, message))
  }

  /** The batch runner, once the store is open (every caller runs after run() opened it). */
  private get batches(): BatchRunner {
    if (!this.runner) throw new BugError('the collector used the store before opening it')
    return this.runner
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
      // the store gets ready for batches (a thread that boots) while the gateway is connected and probed
      store.events.prepareBatches()
      this.runner = new BatchRunner({
        store,
        runId: this.runId,
        instance: o.instance,
        now: this.now,
        startedAt: this.startedAt,
        maxRecords: this.maxRecords,
        warn: (code, message) => this.warn(code, message),
        note: (message) => this.note(message),
        onProgress: o.onProgress,
        heartbeat: () => ({transport: this.transportUsed, settings: this.facts.settings}),
      })
      let previous: RunRecord | null = null
      try {
        // room for one spilled batch, so a disk that fills up mid-drain still keeps what was popped
        await store.spool.reserve(this.batchSize * SPILL_BYTES_PER_RECORD)
        const recovery = await store.spool.recover(this.runId)
        this.runner.totals.recovered = recovery.counts.received
        if (recovery.files > 0) this.note(`re-ingested ${recovery.counts.received} records from ${recovery.files} spool file(s) left by a failed run`)
        previous = (await store.runs.list({instance: o.instance, excludeId: this.runId, collectorOnly: true, limit: 1}))[0] ?? null
        return await this.collect(previous)
      } catch (error) {
        await this.finish(error instanceof CancelledError ? 'interrupted' : 'failed', error)
        throw error
      }
    } finally {
      await this.consumer?.close().catch(() => {})
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

  private async collect(previous: RunRecord | null): Promise<CollectResult> {
    const o = this.o
    await this.connect()
    const windowStart = this.now()
    const windowCounters = await this.facts.read()
    const expiredPossible = this.facts.retentionWarnings(previous, this.startedAt, o.expectedIntervalMs)

    if (o.follow) {
      await followLoop(
        {
          options: o,
          now: this.now,
          batchSize: this.batchSize,
          runner: this.batches,
          facts: this.facts,
          warn: (code, message) => this.warn(code, message),
          note: (message) => this.note(message),
          connect: async () => {
            if (!this.consumer) await this.connect()
          },
          disconnect: async () => {
            await this.consumer?.close().catch(() => {})
            this.consumer = null
          },
          drain: () => this.drain(),
        },
        windowCounters,
        windowStart,
      )
      if (o.signal.aborted) this.stopReason = 'signal'
    } else await this.drain()

    // closing snapshot: coverage since the previous run, and the baseline of the next one
    const batches = this.batches
    const end = await this.facts.counters()
    let coverage: Coverage = unknownCoverage(end ? 'no previous run with gateway counters to compare with' : 'could not read the gateway counters')
    if (end && previous?.authCounters && previous.authCountersAt) {
      coverage = estimateCoverage(previous.authCounters, end, batches.collectedRun, {basis: 'previous-run', since: previous.authCountersAt, until: this.now()})
      const w = this.facts.publishingOff ? null : coverageWarning(coverage, expiredPossible)
      if (w) this.warn('low_coverage', w)
    } else if (end && windowCounters && o.follow) {
      coverage = estimateCoverage(windowCounters, end, batches.collectedWindow, {basis: 'window', since: windowStart, until: this.now()})
    }
    if (this.maxRecords !== null && this.stopReason === 'max-records') {
      this.warn('max_records_reached', `stopped after --max-records ${this.maxRecords}; the queue may still hold records`)
    }
    if (batches.totals.deadLettered > 0) {
      this.warn('dead_letters', `${batches.totals.deadLettered} payload(s) did not parse and were kept as dead letters (see cpactl collect status)`)
    }
    const result = this.result(coverage)
    await this.finish(o.signal.aborted && !o.follow ? 'interrupted' : 'ok', null, coverage, end)
    if (o.signal.aborted && !o.follow) {
      throw new CancelledError(`interrupted: the batch in flight was committed; ${result.popped} records popped, ${result.inserted} stored`, {
        details: {result},
      })
    }
    return result
  }

  private result(coverage: Coverage): CollectResult {
    const durationMs = Math.max(0, this.now() - this.startedAt)
    const b = this.batches
    const t = b.totals
    return {
      instance: this.o.instance,
      transport: this.transportUsed,
      runId: this.runId,
      store: this.store?.location ?? maskLocation(this.o.storePath),
      popped: t.popped,
      inserted: t.inserted,
      duplicates: t.duplicates,
      deadLettered: t.deadLettered,
      controlSkipped: t.controlSkipped,
      recovered: t.recovered,
      batches: t.batches,
      durationMs,
      recordsPerSecond: durationMs > 0 ? Math.round((t.popped / durationMs) * 1000) : 0,
      oldestRecordAgeMs: b.oldestAgeMs,
      popToCommitMs: b.windowStats(),
      coverage,
      stopReason: this.stopReason,
      warnings: [...this.warnings],
    }
  }

  private async finish(status: 'ok' | 'failed' | 'interrupted', error: unknown, coverage?: Coverage, counters?: CredentialCounters | null): Promise<void> {
    if (!this.store || !this.runId || this.finished) return
    this.finished = true
    const e = error as CpactlError | null
    const s = this.facts.settings
    try {
      await this.store.runs.finish(this.runId, {
        status,
        endedAt: this.now(),
        transport: this.transportUsed,
        retentionSeconds: s?.retentionSeconds ?? null,
        publishing: s?.publishing ?? null,
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

  /** Pop until the queue answers a short batch (or empty), --max-records, or a signal. */
  private async drain(): Promise<'empty' | 'full-stop'> {
    const consumer = this.consumer!
    while (!this.o.signal.aborted) {
      let want = this.batchSize
      if (this.maxRecords !== null) {
        const left = this.maxRecords - this.batches.totals.popped
        if (left <= 0) {
          this.stopReason = 'max-records'
          return 'full-stop'
        }
        want = Math.min(want, left)
      }
      const got = await this.batches.batch({pop: () => consumer.pop(want)})
      if (got < want) {
        this.stopReason = 'empty'
        return 'empty'
      }
    }
    this.stopReason = 'signal'
    return 'full-stop'
  }
}

/** Run one collection (one-shot or --follow). */
export async function runCollect(options: CollectOptions): Promise<CollectResult> {
  return new Collector(options).run()
}
