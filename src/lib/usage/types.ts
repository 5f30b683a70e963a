/**
 * Types of the usage pipeline: the gateway's record as it arrives, and the normalised
 * event that the store keeps (one typed column per field, see src/lib/store/migrations/001-usage.ts).
 */

/** Normalised, non-overlapping token buckets (token_breakdown v2 semantics). */
export interface TokenBuckets {
  /** input.total = uncached + cacheRead + cacheWrite */
  inputTotal: number
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  /** output.total = non-reasoning + reasoning */
  outputTotal: number
  reasoning: number
  unclassified: number
  /** = inputTotal + outputTotal + unclassified */
  total: number
}

/**
 * Where the buckets came from: the record's own token_breakdown quality (`complete`, `inconsistent`,
 * `unclassified`, or whatever a newer gateway sends), or `derived` when the record had no breakdown and the
 * buckets were computed from the legacy counters with the provider's token semantics (tokens.ts).
 */
export type TokenQuality = string

/** The legacy `tokens` object, as sent (null = field absent). */
export interface LegacyTokens {
  inputTokens: number | null
  outputTokens: number | null
  reasoningTokens: number | null
  cachedTokens: number | null
  cacheReadTokens: number | null
  cacheCreationTokens: number | null
  totalTokens: number | null
  /** Newer gateways (after v7.2.140): split of cache creation by TTL. */
  cacheCreation5mTokens: number | null
  cacheCreation1hTokens: number | null
}

/** One usage record after normalisation. Strings the gateway may omit are null when absent. */
export interface UsageEvent {
  /** Request start, UTC milliseconds. */
  ts: number
  /** The server-local UTC offset the record carried, in minutes (null when the timestamp had none). */
  tzOffsetMin: number | null
  provider: string | null
  executorType: string | null
  model: string | null
  /** Model name the client requested (`alias`). */
  alias: string | null
  endpoint: string | null
  authType: string | null
  authIndex: string | null
  /** `source` as stored: verbatim, or masked (`****wxyz`) when it is a secret (API-key credentials). */
  source: string | null
  /** Lowercase hex SHA-256 of the raw trimmed source, only when `source` was masked. */
  sourceHash: string | null
  /** Lowercase hex SHA-256 of the trimmed client API key; null when the record had none. */
  apiKeyHash: string | null
  accessTokenSha256: string | null
  requestId: string | null
  /** v8: one id per upstream execution (a UUID); part of the event identity when present. Kept in `extra`. */
  executionId: string | null
  latencyMs: number | null
  ttftMs: number | null
  failed: boolean
  /** `fail.status_code` (200 on success). */
  failStatusCode: number | null
  /** Redacted `fail.body`, at most 4096 bytes; null when empty. */
  failSummary: string | null
  generate: boolean | null
  stream: boolean | null
  legacy: LegacyTokens
  accountingVersion: number | null
  tokenQuality: TokenQuality
  buckets: TokenBuckets
  reasoningEffort: string | null
  serviceTier: string | null
  responseServiceTier: string | null
  clientIp: string | null
  xForwardedFor: string | null
  userAgent: string | null
  /** Compact JSON of the response-header snapshot, sensitive headers removed, at most 2048 bytes. */
  responseHeaders: string | null
  /** Compact JSON of fields this version does not know (secret-looking values redacted), or null. */
  extra: string | null
}

/** What one payload from the queue turned out to be. */
export type Classified =
  | {kind: 'record'; event: UsageEvent}
  | {kind: 'control'}
  | {kind: 'invalid'; reason: string}
