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
import {UpstreamError} from '../cli/errors.js'
import type {CredentialCounters} from '../gateway/usage-queue.js'
import {RespSubscriber} from '../queue/index.js'
import {coverageWarning, estimateCoverage} from './coverage.js'
import {CollectorBase, isTransient, sleep} from './collector.js'
import type {CollectOptions, CollectResult} from './types.js'

export type {CollectOptions, CollectProgress, CollectResult} from './types.js'

/** A collection, one-shot or --follow: the base drains once; this adds the --follow loop. */
class Collector extends CollectorBase {
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

  protected async followLoop(initialCounters: CredentialCounters | null, since: number): Promise<void> {
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
          // subscription took effect went to the FIFO (the gateway hands a record to subscribers only while one
          // is subscribed; otherwise it queues in the FIFO)
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
