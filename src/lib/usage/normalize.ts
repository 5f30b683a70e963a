/**
 * One payload from the usage queue → a normalised event, a control payload, or a reason to dead-letter it.
 * Pure apart from small memo caches owned by the normaliser.
 *
 * Rules:
 * - A record is a JSON object with a parseable `timestamp` and a `tokens` or `token_breakdown` object
 *   (records always have both; control payloads have only `refresh`/`support_refresh`).
 * - Missing fields are tolerated (older gateways omit newer ones) and stored as NULL; a known field with the
 *   wrong type (e.g. `latency_ms: "fast"`) makes the record invalid ⇒ dead letter. A missing timestamp is never
 *   replaced by "now".
 * - Contradicting or negative legacy `tokens.*` are the upstream's own figures, not a broken record (the
 *   gateway publishes them with an `inconsistent` breakdown): the record is stored with that quality; without
 *   a breakdown the derived buckets are clamped and the quality is `inconsistent` too. Only payloads that are
 *   not usage records at all are dead letters.
 * - Unknown fields are kept, redacted, as compact JSON in `extra`.
 * - `token_breakdown` is used when present; otherwise buckets are derived from the legacy counters with the
 *   provider's semantics (tokens.ts) and the quality is `derived`.
 * - `api_key` is replaced by its SHA-256 (never kept raw); an already-hashed `api_key_hash`/`api_key_sha256`
 *   (imports of our own exports) is accepted. `source` is a secret (masked, hashed) unless `auth_type` is
 *   `oauth` and it differs from the record's client key and from every client key this normaliser has seen
 *   (credentials without email, e.g. every Kimi OAuth file, fall back to the client key); secret-looking values
 *   are masked too.
 * - v8 fields (`execution_id`, `session_id`, `resolved_client_ip`, …) are kept in `extra`; the session ids as
 *   `sha256:<hex>` (never raw). `execution_id` joins the event identity when present (event hash), so dedup stays exact.
 */
import {hashApiKey, isSha256Hex, maskSource, type MaskedSource, sha256Hex} from './mask.js'
import {redactDeep, redactFailBody, truncateUtf8} from './redact.js'
import {parseTimestamp} from './timestamp.js'
import {deriveBuckets, tokenFamily} from './tokens.js'
import type {Classified, LegacyTokens, TokenBuckets, UsageEvent} from './types.js'

class Invalid extends Error {}

const KNOWN = new Set([
  'timestamp', 'latency_ms', 'ttft_ms', 'source', 'auth_index', 'access_token_sha256', 'client_ip', 'x_forwarded_for',
  'user_agent', 'tokens', 'failed', 'generate', 'fail', 'response_headers', 'accounting_version', 'token_breakdown',
  'provider', 'executor_type', 'model', 'alias', 'endpoint', 'auth_type', 'api_key', 'request_id', 'reasoning_effort',
  'service_tier', 'response_service_tier', 'stream', 'session_id', 'parent_session_id',
  // accepted from imports of our own exports
  'api_key_hash', 'api_key_sha256', 'source_hash',
])
const KNOWN_TOKENS = new Set([
  'input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'cache_read_tokens', 'cache_read_tokens_present',
  'cache_creation_tokens', 'total_tokens', 'cache_creation_5m_tokens', 'cache_creation_1h_tokens',
])
const CONTROL_KEYS = new Set(['refresh', 'support_refresh'])
/** v8 session ids: kept in `extra`, hashed. */
const SESSION_KEYS = ['session_id', 'parent_session_id'] as const
/** Headers never kept from `response_headers`. */
const SENSITIVE_HEADERS = /^(set-cookie|cookie|authorization|proxy-authorization|x-api-key|api-key|www-authenticate|proxy-authenticate)$/i
export const RESPONSE_HEADERS_MAX_BYTES = 2048

function int(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') {
    if (Number.isFinite(v) && v >= 0) return Math.trunc(v)
    throw new Invalid(`${field}: expected a non-negative integer, got ${v}`)
  }
  if (typeof v === 'string' && /^\d{1,15}$/.test(v.trim())) return Number(v.trim())
  throw new Invalid(`${field}: expected a non-negative integer, got ${typeof v}`)
}

function str(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  throw new Invalid(`${field}: expected a string, got ${Array.isArray(v) ? 'array' : typeof v}`)
}

function bool(v: unknown, field: string): boolean | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'boolean') return v
  if (v === 0 || v === 1) return v === 1
  if (v === 'true' || v === 'false') return v === 'true'
  throw new Invalid(`${field}: expected a boolean, got ${typeof v}`)
}

function obj(v: unknown, field: string): Record<string, unknown> | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>
  throw new Invalid(`${field}: expected an object, got ${Array.isArray(v) ? 'array' : typeof v}`)
}

/** Limit strings that come from the downstream client (ip ≤ 64, xff ≤ 2048, UA ≤ 1024 bytes). */
function capped(v: string | null, maxBytes: number): string | null {
  if (v === null || v === '') return v
  return truncateUtf8(v, maxBytes)
}

/** A legacy counter: an integer as the upstream reported it, negative values included (the gateway passes them on unvalidated). */
function signedInt(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null
  if (typeof v === 'number') {
    if (Number.isFinite(v)) return Math.trunc(v)
    throw new Invalid(`${field}: expected an integer, got ${v}`)
  }
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number(v.trim())
  throw new Invalid(`${field}: expected an integer, got ${typeof v}`)
}

function legacyTokens(t: Record<string, unknown> | null): LegacyTokens {
  return {
    inputTokens: signedInt(t?.input_tokens, 'tokens.input_tokens'),
    outputTokens: signedInt(t?.output_tokens, 'tokens.output_tokens'),
    reasoningTokens: signedInt(t?.reasoning_tokens, 'tokens.reasoning_tokens'),
    cachedTokens: signedInt(t?.cached_tokens, 'tokens.cached_tokens'),
    cacheReadTokens: signedInt(t?.cache_read_tokens, 'tokens.cache_read_tokens'),
    cacheCreationTokens: signedInt(t?.cache_creation_tokens, 'tokens.cache_creation_tokens'),
    totalTokens: signedInt(t?.total_tokens, 'tokens.total_tokens'),
    cacheCreation5mTokens: signedInt(t?.cache_creation_5m_tokens, 'tokens.cache_creation_5m_tokens'),
    cacheCreation1hTokens: signedInt(t?.cache_creation_1h_tokens, 'tokens.cache_creation_1h_tokens'),
  }
}

/** Any legacy counter below zero (the gateway's own accounting calls such a record `inconsistent`). */
function hasNegative(t: LegacyTokens): boolean {
  return Object.values(t).some((v) => typeof v === 'number' && v < 0)
}

function breakdownBuckets(tb: Record<string, unknown>): TokenBuckets {
  const input = obj(tb.input, 'token_breakdown.input') ?? {}
  const output = obj(tb.output, 'token_breakdown.output') ?? {}
  const uncached = int(input.uncached_tokens, 'token_breakdown.input.uncached_tokens') ?? 0
  const cacheRead = int(input.cache_read_tokens, 'token_breakdown.input.cache_read_tokens') ?? 0
  const cacheWrite = int(input.cache_write_tokens, 'token_breakdown.input.cache_write_tokens') ?? 0
  const inputTotal = int(input.total_tokens, 'token_breakdown.input.total_tokens') ?? uncached + cacheRead + cacheWrite
  const reasoning = int(output.reasoning_tokens, 'token_breakdown.output.reasoning_tokens') ?? 0
  const nonReasoning = int(output.non_reasoning_tokens, 'token_breakdown.output.non_reasoning_tokens')
  const outputTotal = int(output.total_tokens, 'token_breakdown.output.total_tokens') ?? (nonReasoning ?? 0) + reasoning
  const unclassified = int(tb.unclassified_tokens, 'token_breakdown.unclassified_tokens') ?? 0
  const total = int(tb.total_tokens, 'token_breakdown.total_tokens') ?? inputTotal + outputTotal + unclassified
  return {inputTotal, uncachedInput: uncached, cacheRead, cacheWrite, outputTotal, reasoning, unclassified, total}
}

function responseHeadersJson(v: unknown): string | null {
  const h = obj(v, 'response_headers')
  if (!h) return null
  let sensitive = false
  let any = false
  for (const name in h) {
    any = true
    if (SENSITIVE_HEADERS.test(name)) sensitive = true
  }
  if (!any) return null
  if (!sensitive) {
    // the common case: one stringify, kept when it fits
    const whole = JSON.stringify(h)
    if (whole.length <= RESPONSE_HEADERS_MAX_BYTES && Buffer.byteLength(whole) <= RESPONSE_HEADERS_MAX_BYTES) return whole
  }
  const kept: Record<string, unknown> = {}
  let size = 2
  let keptAny = false
  for (const [name, value] of Object.entries(h)) {
    if (SENSITIVE_HEADERS.test(name)) continue
    const piece = Buffer.byteLength(JSON.stringify(name)) + Buffer.byteLength(JSON.stringify(value)) + 2
    if (size + piece > RESPONSE_HEADERS_MAX_BYTES) continue
    kept[name] = value
    size += piece
    keptAny = true
  }
  return keptAny ? JSON.stringify(kept) : null
}

/** The text of a payload that arrived as raw bytes. */
export function utf8Text(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

/** A payload as text (what a dead letter keeps): strings as they are, raw bytes decoded, parsed objects as JSON. */
export function payloadText(payload: unknown): string {
  if (typeof payload === 'string') return payload
  if (payload instanceof Uint8Array) return utf8Text(payload)
  return JSON.stringify(payload) ?? String(payload)
}

export interface Normalizer {
  /** Classify one payload: raw bytes (RESP) or a string (HTTP, spool), or an object the HTTP queue already parsed. */
  classify(payload: unknown): Classified
  /**
   * SHA-256 of the client keys this normaliser knows (given or seen), in the order it learned them, from the
   * `from`-th on: a normaliser that continues the work of another (the collector's normaliser thread, and the
   * writing thread after it) learns them, so a `source` equal to one stays masked.
   */
  clientKeyHashes(from?: number): string[]
  /** How many client keys this normaliser knows. */
  clientKeyCount(): number
  learnClientKeyHashes(hashes: Iterable<string>): void
}

export interface NormalizerOptions {
  /** Client keys known beforehand (e.g. the gateway's api-keys list): a `source` equal to one is a secret. */
  knownClientKeys?: Iterable<string>
}

/** A normaliser with its own memo of client-key hashes and masked sources (few distinct values per gateway). */
export function createNormalizer(options: NormalizerOptions = {}): Normalizer {
  /** hashApiKey of each value seen as an `api_key` or a `source` (one memo: the same text hashes the same). */
  const keyHashes = new Map<string, string | null>()
  /** SHA-256 of every client key given or seen in a record's `api_key`: a source equal to one is that key. */
  const clientKeyHashes = new Set<string>()
  for (const k of options.knownClientKeys ?? []) {
    const h = hashApiKey(k)
    if (h) clientKeyHashes.add(h)
  }
  const sources = new Map<string, MaskedSource>()
  const apiKeySources = new Map<string, MaskedSource>()
  const MEMO_MAX = 10_000

  const keyHash = (raw: string): string | null => {
    let h = keyHashes.get(raw)
    if (h === undefined) {
      h = hashApiKey(raw)
      if (keyHashes.size >= MEMO_MAX) keyHashes.clear()
      keyHashes.set(raw, h)
    }
    return h
  }

  /** A record's client key: its hash, now a known client key (a source equal to it is masked from here on). */
  const apiKeyHash = (raw: string): string | null => {
    const h = keyHash(raw)
    if (h && clientKeyHashes.size < MEMO_MAX) clientKeyHashes.add(h)
    return h
  }

  const masked = (raw: string, authType: string | null): MaskedSource => {
    // the auth type only matters for `apikey` (always masked): keep two memo tables instead of building keys
    const table = authType === 'apikey' ? apiKeySources : sources
    let m = table.get(raw)
    if (!m) {
      m = maskSource(raw, authType === 'apikey' ? 'apikey' : null)
      if (table.size >= MEMO_MAX) table.clear()
      table.set(raw, m)
    }
    return m
  }

  function normalize(r: Record<string, unknown>): Classified {
    const when = parseTimestamp(r.timestamp)
    if (!when) {
      return {kind: 'invalid', reason: r.timestamp === undefined ? 'missing timestamp' : 'timestamp: not an RFC 3339 instant'}
    }
    const tokens = obj(r.tokens, 'tokens')
    const tb = obj(r.token_breakdown, 'token_breakdown')
    if (!tokens && !tb) return {kind: 'invalid', reason: 'missing tokens and token_breakdown'}

    const provider = str(r.provider, 'provider')
    const executorType = str(r.executor_type, 'executor_type')
    const authType = str(r.auth_type, 'auth_type')
    const legacy = legacyTokens(tokens)
    let buckets: TokenBuckets
    let tokenQuality: string
    if (tb) {
      buckets = breakdownBuckets(tb)
      tokenQuality = str(tb.quality, 'token_breakdown.quality') ?? 'unknown'
    } else {
      const family = tokenFamily(provider, executorType)
      buckets = deriveBuckets(legacy, family)
      tokenQuality = hasNegative(legacy) ? 'inconsistent' : family === 'unknown' ? 'unclassified' : 'derived'
    }

    const fail = obj(r.fail, 'fail')
    const failStatusCode = int(fail?.status_code, 'fail.status_code')
    let failed = bool(r.failed, 'failed')
    if (failed === null) failed = failStatusCode !== null && failStatusCode >= 400
    const failSummary = failed ? redactFailBody(fail?.body) : null

    let apiKeyHashValue: string | null = null
    const apiKey = str(r.api_key, 'api_key')
    if (apiKey !== null) apiKeyHashValue = apiKeyHash(apiKey)
    else {
      const pre = str(r.api_key_hash ?? r.api_key_sha256, 'api_key_hash')
      if (pre !== null && pre !== '') {
        if (!isSha256Hex(pre)) throw new Invalid('api_key_hash: expected 64 hex characters')
        apiKeyHashValue = pre.toLowerCase()
      }
    }

    let source = str(r.source, 'source')
    let sourceHash: string | null = null
    const givenSourceHash = str(r.source_hash, 'source_hash')
    if (source !== null && source !== '') {
      if (givenSourceHash && isSha256Hex(givenSourceHash)) sourceHash = givenSourceHash.toLowerCase()
      else {
        // a client key in `source` (credentials without email, requests without a credential) is a secret
        const sourceHashed = keyHash(source)
        const isClientKey = (apiKey !== null && source.trim() === apiKey.trim()) || (sourceHashed !== null && clientKeyHashes.has(sourceHashed))
        const m = masked(source, isClientKey ? 'apikey' : authType)
        source = m.source
        sourceHash = m.sourceHash
      }
    }

    let extra: Record<string, unknown> | null = null
    for (const k in r) {
      if (!KNOWN.has(k)) (extra ??= {})[k] = r[k]
    }
    // v8 session ids identify a user's conversation: kept only as hashes
    for (const k of SESSION_KEYS) {
      const v = str(r[k], k)
      if (v !== null && v !== '') (extra ??= {})[k] = v.startsWith('sha256:') ? v : `sha256:${sha256Hex(v)}`
    }
    if (extra && typeof extra.resolved_client_ip === 'string') extra.resolved_client_ip = capped(extra.resolved_client_ip, 64)
    if (tokens) {
      for (const k in tokens) {
        if (!KNOWN_TOKENS.has(k)) {
          extra ??= {}
          ;((extra.tokens ??= {}) as Record<string, unknown>)[k] = tokens[k]
        }
      }
    }

    const event: UsageEvent = {
      ts: when.ms,
      tzOffsetMin: when.offsetMin,
      provider,
      executorType,
      model: str(r.model, 'model'),
      alias: str(r.alias, 'alias'),
      endpoint: str(r.endpoint, 'endpoint'),
      authType,
      authIndex: str(r.auth_index, 'auth_index'),
      source,
      sourceHash,
      apiKeyHash: apiKeyHashValue,
      accessTokenSha256: str(r.access_token_sha256, 'access_token_sha256'),
      requestId: str(r.request_id, 'request_id'),
      executionId: str(r.execution_id, 'execution_id'),
      latencyMs: int(r.latency_ms, 'latency_ms'),
      ttftMs: int(r.ttft_ms, 'ttft_ms'),
      failed,
      failStatusCode,
      failSummary,
      generate: bool(r.generate, 'generate'),
      stream: bool(r.stream, 'stream'),
      legacy,
      accountingVersion: int(r.accounting_version, 'accounting_version'),
      tokenQuality,
      buckets,
      reasoningEffort: str(r.reasoning_effort, 'reasoning_effort'),
      serviceTier: str(r.service_tier, 'service_tier'),
      responseServiceTier: str(r.response_service_tier, 'response_service_tier'),
      clientIp: capped(str(r.client_ip, 'client_ip'), 64),
      xForwardedFor: capped(str(r.x_forwarded_for, 'x_forwarded_for'), 2048),
      userAgent: capped(str(r.user_agent, 'user_agent'), 1024),
      responseHeaders: responseHeadersJson(r.response_headers),
      extra: extra ? JSON.stringify(redactDeep(extra)) : null,
    }
    return {kind: 'record', event}
  }

  function classifyValue(value: unknown, depth: number): Classified {
    // raw bytes from RESP (queue/resp.ts): UTF-8 JSON text
    if (value instanceof Uint8Array && depth === 0) return classifyValue(utf8Text(value), 0)
    if (typeof value === 'string') {
      if (depth > 0) return {kind: 'invalid', reason: 'not a JSON object (a JSON string)'}
      const text = value.trim()
      if (text === '') return {kind: 'invalid', reason: 'empty payload'}
      let parsed: unknown
      try {
        parsed = JSON.parse(text)
      } catch (error) {
        return {kind: 'invalid', reason: `not JSON: ${(error as Error).message}`.slice(0, 200)}
      }
      return classifyValue(parsed, depth + 1)
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return {kind: 'invalid', reason: `not a JSON object (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`}
    }
    const r = value as Record<string, unknown>
    if (r.timestamp === undefined && r.tokens === undefined) {
      const keys = Object.keys(r)
      if (keys.length > 0 && keys.every((k) => CONTROL_KEYS.has(k))) return {kind: 'control'}
    }
    try {
      return normalize(r)
    } catch (error) {
      if (error instanceof Invalid) return {kind: 'invalid', reason: error.message}
      throw error
    }
  }

  return {
    classify: (payload) => classifyValue(payload, 0),
    clientKeyHashes: (from = 0) => (from === 0 ? [...clientKeyHashes] : [...clientKeyHashes].slice(from)),
    clientKeyCount: () => clientKeyHashes.size,
    learnClientKeyHashes: (hashes) => {
      for (const h of hashes) if (isSha256Hex(h) && clientKeyHashes.size < MEMO_MAX) clientKeyHashes.add(h.toLowerCase())
    },
  }
}
