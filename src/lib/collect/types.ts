/** What `cpactl collect` takes and returns (collector.ts runs it; run.ts adds --follow). */

import type {Warning} from '../cli/warnings.js'
import type {GatewayClient} from '../gateway/client.js'
import type {RespEndpoint, TransportChoice} from '../queue/index.js'
import type {Coverage} from './coverage.js'

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
