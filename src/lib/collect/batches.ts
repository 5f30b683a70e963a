/**
 * One collector batch, the unit of durability: events.batch opens the write transaction (BEGIN IMMEDIATE, so a
 * store that cannot take it fails before anything is popped) → pop → write events, rollups, dead letters and
 * run counters → COMMIT. If the write or the commit fails after the pop, the popped payloads go to a 0600 spool
 * file beside the store (the next run stores them) and the error is rethrown. Between batches: the run's
 * totals and coverage counts, the pop→commit window (what a kill -9 can lose), the heartbeat, the heap trim.
 */
import {ConfigError} from '../cli/errors.js'
import type {QueueSettings} from '../gateway/usage-queue.js'
import type {BatchCounts, Store} from '../store/index.js'
import {spoolSafe} from '../usage/redact.js'
import type {Warn} from './gateway-facts.js'
import {HeapTrim} from './heap.js'
import type {CollectProgress, CollectResult} from './types.js'

/** The heartbeat's period: a running collector records its last poll of the queue at most this often. */
const HEARTBEAT_MS = 5000

/** pop→commit windows kept for the percentiles (a bounded sample). */
const WINDOW_SAMPLE = 20_000

export interface BatchRunnerOptions {
  store: Store
  runId: number
  instance: string
  now: () => number
  startedAt: number
  maxRecords: number | null
  warn: Warn
  note: (message: string) => void
  onProgress?: (p: CollectProgress) => void
  /** What the heartbeat records with the time: the transport in use and the gateway facts read at the start. */
  heartbeat: () => {transport: string; settings: QueueSettings | null}
}

/** Inserted records per auth_index: [success, failed]. */
export type CollectedCounts = Map<string, [number, number]>

export class BatchRunner {
  readonly totals = {popped: 0, inserted: 0, duplicates: 0, deadLettered: 0, controlSkipped: 0, batches: 0, recovered: 0}
  /** Largest age of a popped record when it was popped. */
  oldestAgeMs: number | null = null
  /** Since the last coverage checkpoint (--follow). */
  collectedWindow: CollectedCounts = new Map()
  /** Since the start of the run (coverage against the previous run). */
  readonly collectedRun: CollectedCounts = new Map()
  private readonly windows: number[] = []
  private windowMax = 0
  private readonly heap = new HeapTrim()
  private lastBeat: number | null = null

  constructor(private readonly o: BatchRunnerOptions) {}

  /**
   * Write payloads in one transaction; `pop` (when given) runs inside it, after BEGIN IMMEDIATE. Returns how
   * many payloads the batch had.
   */
  async batch(source: {pop: () => Promise<unknown[]>} | {payloads: unknown[]}): Promise<number> {
    const o = this.o
    let payloads: unknown[] = 'payloads' in source ? source.payloads : []
    let popFailed = false
    let receivedAt = o.now()
    let popStarted = 0
    try {
      const counts = await o.store.events.batch(async (tx) => {
        popStarted = performance.now()
        if ('pop' in source) {
          try {
            payloads = await source.pop()
          } catch (error) {
            popFailed = true
            throw error
          }
        }
        receivedAt = o.now()
        if (payloads.length === 0) return null
        return tx.write(payloads, {instance: o.instance, runId: o.runId, receivedAt})
      })
      if (counts) {
        const window = performance.now() - popStarted
        if (this.windows.length < WINDOW_SAMPLE) this.windows.push(window)
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

  /**
   * The heartbeat (RunRepository.recordPoll, read by `check collector`, `metrics` and `collect status`): the queue
   * answered, so record when, with the gateway facts read at the start. At most every HEARTBEAT_MS; a store
   * that cannot take it now is not a reason to stop collecting (the next batch would say so).
   */
  async beat(): Promise<void> {
    const o = this.o
    const t = o.now()
    if (this.lastBeat !== null && t - this.lastBeat < HEARTBEAT_MS) return
    this.lastBeat = t
    const {transport, settings: s} = o.heartbeat()
    try {
      await o.store.runs.recordPoll(o.runId, {at: t, transport, retentionSeconds: s?.retentionSeconds ?? null, publishing: s ? s.publishing : null})
    } catch (error) {
      o.note(`could not record the collector heartbeat: ${(error as Error).message}`)
    }
  }

  /** p50/p99/max of the pop→commit windows (ms, one decimal); null when nothing was popped. */
  windowStats(): CollectResult['popToCommitMs'] {
    if (this.windows.length === 0) return null
    const sorted = [...this.windows].sort((a, b) => a - b)
    const q = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10
    return {p50: q(0.5), p99: q(0.99), max: Math.round(this.windowMax * 10) / 10}
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
    const o = this.o
    o.onProgress?.({popped: t.popped, inserted: t.inserted, batches: t.batches, elapsedMs: o.now() - o.startedAt, maxRecords: o.maxRecords})
  }

  private async spill(payloads: unknown[], receivedAt: number, cause: unknown): Promise<void> {
    const o = this.o
    try {
      // client keys leave the spool hashed (the store keeps nothing more of them either)
      const path = await o.store.spool.spill(o.instance, receivedAt, payloads.map(spoolSafe))
      o.warn('records_spooled', `${payloads.length} popped records could not be stored (${(cause as Error).message}); they were saved to ${path} and will be stored by the next run`)
      await o.store.runs.recordSpooled(o.runId, payloads.length).catch(() => {})
    } catch (spillError) {
      throw new ConfigError(
        `${payloads.length} popped records could neither be stored (${(cause as Error).message}) nor spooled (${(spillError as Error).message}); they are lost`,
        {code: 'records_lost'},
      )
    }
  }
}
