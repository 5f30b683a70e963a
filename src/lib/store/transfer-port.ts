/**
 * What `store copy` needs of a backend (issue 14 split it from transfer.ts so the PostgreSQL port can use it
 * without a cycle): the port interface, and a stored event as the rollups and the event insert see it.
 */
import {EVENT_COLUMNS} from './event-columns.js'
import type {RollupInput} from './rollup-cells.js'
import type {StoredEvent} from './rows.js'

export interface TransferPort {
  kind: string
  all(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  run(sql: string, params?: unknown[]): Promise<number>
  tx<T>(fn: () => Promise<T>): Promise<T>
  /** Insert stored events (their `run_id` already mapped); returns how many were new. New ones move the hourly rollups when `rollups`. */
  insertEvents(rows: readonly StoredEvent[], rollups: boolean): Promise<number>
  /** Recompute the daily rollups from the hourly ones and move the daily watermark(s) (rollup-write.ts) to the newest data. */
  rebuildDaily(): Promise<void>
}

/** What the rollups need of a stored event (the arithmetic of rollup-cells.ts, as at ingest). */
export function storedInput(e: StoredEvent): RollupInput {
  return {
    ts: e.ts,
    provider: e.provider,
    model: e.model,
    apiKeyHash: e.api_key_hash,
    authIndex: e.auth_index,
    serviceTier: e.service_tier,
    responseServiceTier: e.response_service_tier,
    failed: e.failed === 1,
    failStatusCode: e.fail_status_code,
    buckets: {uncachedInput: e.uncached_input, cacheRead: e.cache_read, cacheWrite: e.cache_write, outputTotal: e.output_total, reasoning: e.reasoning, unclassified: e.unclassified},
    latencyMs: e.latency_ms,
    ttftMs: e.ttft_ms,
    source: e.source,
  }
}

/** The row of a stored event in EVENT_COLUMNS order. */
export const storedRow = (e: StoredEvent): unknown[] => EVENT_COLUMNS.map((c) => (e as unknown as Record<string, unknown>)[c] ?? null)
