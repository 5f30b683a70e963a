/**
 * Event identity for dedup (cpa-gateway.md §13.16, cpamp-anchor.md §4). Neither the timestamp nor the
 * request id is a key on its own: the hash covers a canonical tuple of normalised values
 *
 *   instance, request_id, ts (UTC ms), auth_index, model, endpoint, input/output/reasoning/cache-read/
 *   cache-write/total tokens, failed, latency_ms
 *
 * joined with U+001F. It is computed from the values the store keeps, so an export of the store re-imports as
 * duplicates, and collecting or importing the same record twice is a no-op. Stored as the first 16 bytes
 * (128 bits) of SHA-256 to keep the row and its unique index small.
 */
import {createHash} from 'node:crypto'

import type {UsageEvent} from './types.js'

export const EVENT_HASH_BYTES = 16
const SEP = '\u001f'

export function canonicalTuple(instance: string, e: UsageEvent): string {
  const b = e.buckets
  return [
    'v1',
    instance,
    e.requestId ?? '',
    e.ts,
    e.authIndex ?? '',
    e.model ?? '',
    e.endpoint ?? '',
    b.inputTotal,
    b.outputTotal,
    b.reasoning,
    b.cacheRead,
    b.cacheWrite,
    b.total,
    e.failed ? 1 : 0,
    e.latencyMs ?? '',
  ].join(SEP)
}

export function eventHash(instance: string, e: UsageEvent): Buffer {
  return createHash('sha256').update(canonicalTuple(instance, e)).digest().subarray(0, EVENT_HASH_BYTES)
}
