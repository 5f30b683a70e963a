/**
 * Event identity for dedup. Neither the timestamp nor the request id is a key on its own (the gateway's
 * `request_id` is not unique enough, and timestamps collide): the hash covers a canonical tuple of normalised
 * values:
 *
 *   instance, request_id, ts (UTC ms), auth_index, model, endpoint, input/output/reasoning/cache-read/
 *   cache-write/total tokens, failed, latency_ms [, execution_id when the record has one (v8)]
 *
 * joined with U+001F. It is computed from the values the store keeps, so an export of the store re-imports as
 * duplicates, and collecting or importing the same record twice is a no-op. Stored as the first 16 bytes
 * (128 bits) of SHA-256 to keep the row and its unique index small.
 */
import * as crypto from 'node:crypto'

import type {UsageEvent} from './types.js'

export const EVENT_HASH_BYTES = 16
const SEP = '\u001f'

export function canonicalTuple(instance: string, e: UsageEvent): string {
  const b = e.buckets
  const S = SEP
  return (
    `v1${S}${instance}${S}${e.requestId ?? ''}${S}${e.ts}${S}${e.authIndex ?? ''}${S}${e.model ?? ''}${S}${e.endpoint ?? ''}` +
    `${S}${b.inputTotal}${S}${b.outputTotal}${S}${b.reasoning}${S}${b.cacheRead}${S}${b.cacheWrite}${S}${b.total}` +
    `${S}${e.failed ? 1 : 0}${S}${e.latencyMs ?? ''}` +
    // v8 records carry one execution id per upstream execution: part of the identity when present (so v7
    // hashes are unchanged, and two executions with the same figures stay two events)
    (e.executionId ? `${S}x${S}${e.executionId}` : '')
  )
}

/** One-shot `crypto.hash` (Node ≥ 20.12) is cheaper than a Hash object per record; same digest. */
const sha256 =
  typeof (crypto as {hash?: unknown}).hash === 'function'
    ? (text: string): Buffer => (crypto as unknown as {hash(a: string, d: string, o: 'buffer'): Buffer}).hash('sha256', text, 'buffer')
    : (text: string): Buffer => crypto.createHash('sha256').update(text).digest()

export function eventHash(instance: string, e: UsageEvent): Buffer {
  return sha256(canonicalTuple(instance, e)).subarray(0, EVENT_HASH_BYTES)
}
