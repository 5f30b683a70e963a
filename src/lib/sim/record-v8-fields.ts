/** The v8 record fields: UUIDv7 request ids, trace stamps, stream flag, execution and session ids. */
import type {Rng} from './traffic-rng.js'

/** RFC 9562 UUIDv7: 48-bit unix ms, version 7, variant 10; the last 8 hex digits are `tail`. */
export function formatUuidV7(ms: number, bits: V8Fields['uuidRand'], tail: string): string {
  const t = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12)
  return `${t.slice(0, 8)}-${t.slice(8)}-${bits.rand}-${bits.variant}-${bits.last}${tail.padStart(8, '0').slice(-8)}`
}

export function uuidV4(rng: Rng): string {
  const h = rng.hex(32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** `<YYYYMMDDhhmmss>` of X-CPA-TRACE-ID (UTC here; the gateway's zone is not specified). */
export function traceStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/** The v8 record fields drawn per record (UUIDv7 `request_id`, `stream`, `resolved_client_ip`, `execution_id`, …). */
export interface V8Fields {
  /** Random bits of the UUIDv7 request id (its last 8 characters are the record's short id). */
  uuidRand: {rand: string; variant: string; last: string}
  stream: boolean
  executionId: string
  sessionId?: string
  parentSessionId?: string
  responseModel?: string
}

export function drawV8Fields(rng: Rng, r: {provider: string; endpoint: string; failed: boolean; model: string; startMs: number}): V8Fields {
  const uuidRand = {rand: `7${rng.hex(3)}`, variant: `${'89ab'[rng.int(0, 3)]}${rng.hex(3)}`, last: rng.hex(4)}
  const out: V8Fields = {
    uuidRand,
    stream: r.endpoint.includes('/responses') || r.endpoint.includes('/messages') ? rng.chance(0.8) : rng.chance(0.3),
    executionId: uuidV4(rng),
  }
  if (rng.chance(0.6)) {
    out.sessionId = r.provider === 'claude' ? `claude:${uuidV4(rng)}` : `header:${rng.hex(16)}`
    if (rng.chance(0.2)) out.parentSessionId = r.provider === 'claude' ? `claude:${uuidV4(rng)}` : `header:${rng.hex(16)}`
  }
  if (!r.failed && rng.chance(0.1)) out.responseModel = `${r.model}-${rng.pick(['2025-10-01', 'latest'])}`
  return out
}
