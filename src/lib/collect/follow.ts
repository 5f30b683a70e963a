/**
 * `cpactl collect --follow`: drain, wait, drain again until SIGINT/SIGTERM; or, with `--transport subscribe`,
 * drain the FIFO, subscribe, drain again (records produced before the subscription took effect went to the
 * FIFO) and store what the subscription delivers in batches. A lost gateway is reconnected with a doubling
 * backoff (a rejected key or a failing store stops the run); every coverage period the records collected
 * are compared with the gateway's per-credential counters.
 */
import {AuthError, UpstreamError} from '../cli/errors.js'
import type {CredentialCounters} from '../gateway/usage-queue.js'
import {RespSubscriber} from '../queue/index.js'
import {formatDuration} from '../time/duration.js'
import type {BatchRunner} from './batches.js'
import {coverageWarning, estimateCoverage} from './coverage.js'
import type {GatewayFacts, Warn} from './gateway-facts.js'
import type {CollectOptions} from './types.js'

/** What the follow loop needs of the collector (run.ts). */
export interface FollowHost {
  options: CollectOptions
  now: () => number
  batchSize: number
  runner: BatchRunner
  facts: GatewayFacts
  warn: Warn
  note: (message: string) => void
  /** Open the queue consumer unless it is open. */
  connect(): Promise<void>
  /** Close the consumer (the next `connect` opens a new one). */
  disconnect(): Promise<void>
  /** Pop until the queue answers a short batch; 'full-stop' on --max-records or a signal. */
  drain(): Promise<'empty' | 'full-stop'>
}

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

/** Errors after which --follow reconnects: the network, not the key or the store. */
function isTransient(error: unknown): boolean {
  // a store that went away is not the network to the gateway: the run stops (the unsaved batch is spooled)
  return error instanceof UpstreamError && !(error instanceof AuthError) && error.code !== 'bad_response' && !error.code.startsWith('store_')
}

interface CoverageState {
  counters: CredentialCounters | null
  since: number
  lastAt: number
}

/** Every coverage period: compare the records collected since the last checkpoint with the gateway's counters. */
async function checkpoint(host: FollowHost, state: CoverageState): Promise<void> {
  const every = host.options.coverageEveryMs ?? 60_000
  const t = host.now()
  if (t - state.lastAt < every) return
  state.lastAt = t
  const now = await host.facts.counters()
  if (now && state.counters) {
    const c = estimateCoverage(state.counters, now, host.runner.collectedWindow, {basis: 'window', since: state.since, until: t})
    const w = host.facts.publishingOff ? null : coverageWarning(c, false)
    if (w) host.warn('low_coverage', w)
  }
  state.counters = now
  state.since = t
  host.runner.collectedWindow = new Map()
}

/** Follow the queue until a signal (or --max-records): see the module comment. */
export async function followLoop(host: FollowHost, initialCounters: CredentialCounters | null, since: number): Promise<void> {
  const o = host.options
  const interval = o.intervalMs ?? 1000
  const state: CoverageState = {counters: initialCounters, since, lastAt: since}
  host.runner.collectedWindow = new Map()
  let failures = 0
  let buffer: string[] = []
  let wake: (() => void) | null = null
  let subscriber: RespSubscriber | null = null
  let subscriberClosed: Error | null | undefined
  const subscribeMode = o.transport === 'subscribe'

  const startSubscriber = async () => {
    subscriberClosed = undefined
    const sub = new RespSubscriber(o.resp)
    await sub.start({
      message: (p) => {
        buffer.push(p)
        if (buffer.length >= host.batchSize) wake?.()
      },
      closed: (err) => {
        subscriberClosed = err ?? new UpstreamError('the subscription connection closed', {code: 'resp_disconnected'})
        wake?.()
      },
    })
    subscriber = sub
  }
  const closeSubscriber = () => {
    subscriber?.close()
    subscriber = null
  }
  const flush = async () => {
    while (buffer.length > 0) {
      const chunk = buffer.slice(0, host.batchSize)
      buffer = buffer.slice(chunk.length)
      await host.runner.batch({payloads: chunk})
    }
  }
  const reconnect = async (error: unknown, attempt: number) => {
    const b = o.backoff ?? {initialMs: 1000, maxMs: 30_000}
    const delay = Math.min(b.maxMs, b.initialMs * 2 ** Math.min(attempt, 16))
    host.note(`lost the gateway (${(error as Error).message}); reconnecting in ${formatDuration(delay)}`)
    await host.disconnect()
    closeSubscriber()
    await sleep(delay, o.signal)
  }

  try {
    while (!o.signal.aborted) {
      try {
        await host.connect()
        if (subscribeMode && !subscriber) {
          // drain what waited in the FIFO, subscribe, then drain again: records produced before the
          // subscription took effect went to the FIFO
          await host.drain()
          await startSubscriber()
          await host.drain()
        }
        if (subscribeMode) {
          if (subscriberClosed !== undefined) throw subscriberClosed ?? new UpstreamError('subscription lost', {code: 'resp_disconnected'})
          if (buffer.length < host.batchSize) {
            await sleep(interval, o.signal, (w) => (wake = w))
            wake = null
          }
          await flush()
        } else {
          const r = await host.drain()
          if (r === 'full-stop') break
          await sleep(interval, o.signal)
        }
        failures = 0
        await host.runner.beat()
        await checkpoint(host, state)
      } catch (error) {
        if (!isTransient(error) || o.signal.aborted) {
          if (subscribeMode) {
            closeSubscriber()
            await flush().catch(() => {})
          }
          if (o.signal.aborted && isTransient(error)) break
          throw error
        }
        if (subscribeMode) await flush() // what the lost subscription delivered is stored before the backoff
        await reconnect(error, failures++)
      }
    }
    if (subscribeMode) {
      closeSubscriber()
      await flush()
    }
  } finally {
    closeSubscriber()
  }
}
