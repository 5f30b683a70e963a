import {createHash} from 'node:crypto'

import type {AccountRegistry, SimAccount} from './types.js'
import {hasFeature} from './version.js'

/**
 * Seeded traffic generator: usage records that follow cpa-gateway.md §6 field for field, in the gateway's
 * field order, with per-provider token semantics (§6 table), failures carrying a `fail` object, some
 * `response_headers`. Same seed + same clock ⇒ same records.
 *
 * - Gateways ≥ 7.2.97 send `accounting_version` and `token_breakdown` in every record (§6 corrected); older
 *   versions send a few records without them.
 * - All three breakdown qualities (§6 corrected): `complete` (most), `unclassified` (an unknown provider family,
 *   or an OpenAI-style usage with only a total), `inconsistent` (counts that contradict each other, including
 *   negative legacy counters: the breakdown then holds the reported total as unclassified).
 * - Unknown providers: a plugin provider served without a credential (`auth_index` "", `auth_type` unknown),
 *   whose `source` falls back to the client key, like every OAuth credential without email or project (§6).
 * - v8 (cpa-gateway-v8.md §3.4): UUIDv7 `request_id` (its last 8 characters name the request log), `stream`,
 *   `resolved_client_ip`, `execution_id`, `trace_id`, session ids and `response_model` where they apply.
 * The extras draw from their own PRNG, so the base stream of a seed is the same as before they existed.
 */

// ------------------------------------------------------------------------------------------------ PRNG

/** sfc32 seeded through splitmix32: fast, deterministic, good enough for traffic. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor(seed: number) {
    let s = seed >>> 0
    const mix = (): number => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = mix()
    this.b = mix()
    this.c = mix()
    this.d = mix()
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t / 4294967296
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  /** Log-uniform integer in [min, max] (token counts and latencies are heavy-tailed). */
  logInt(min: number, max: number): number {
    return Math.round(Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min))))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  hex(chars: number): string {
    let out = ''
    while (out.length < chars) out += Math.floor(this.next() * 0x10000).toString(16).padStart(4, '0')
    return out.slice(0, chars)
  }
}

// ------------------------------------------------------------------------------------- provider table

/** How a provider's legacy `tokens` relate to the normalised buckets (§6). */
export type TokenSemantics = 'subset' | 'independent' | 'cache-in-input'

interface ProviderProfile {
  semantics: TokenSemantics
  executors: string[]
  endpoints: string[]
  models: string[]
  aliases: string[]
  userAgents: string[]
  efforts: string[]
  cacheWrites: boolean
  reasoning: number
}

const OPENAI_UA = ['codex_cli_rs/0.114.0 (Mac OS 14.2.0; x86_64) vscode/1.111.0', 'codex_cli_rs/0.115.2 (Ubuntu 24.04; x86_64)', 'OpenAI/Python 1.99.1']
const CLAUDE_UA = ['claude-cli/2.0.14 (external, cli)', 'claude-cli/2.0.20 (external, sdk-ts)']
const GEMINI_UA = ['GeminiCLI/0.9.0 (linux; x64)', 'google-genai-sdk/1.30.0 gl-python/3.12.3']

const PROFILES: Record<string, ProviderProfile> = {
  codex: {
    semantics: 'subset',
    executors: ['CodexExecutor', 'CodexExecutor', 'CodexWebsocketsExecutor'],
    endpoints: ['POST /v1/responses', 'POST /v1/responses', 'POST /v1/chat/completions'],
    models: ['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1'],
    aliases: ['codex-latest', 'gpt-5-high'],
    userAgents: OPENAI_UA,
    efforts: ['', 'low', 'medium', 'medium', 'high', 'xhigh'],
    cacheWrites: false,
    reasoning: 0.7,
  },
  claude: {
    semantics: 'independent',
    executors: ['ClaudeExecutor'],
    endpoints: ['POST /v1/messages', 'POST /v1/messages', 'POST /v1/chat/completions'],
    models: ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'],
    aliases: ['sonnet', 'opus'],
    userAgents: CLAUDE_UA,
    efforts: ['', '', 'medium', 'high'],
    cacheWrites: true,
    reasoning: 0.25,
  },
  gemini: {
    semantics: 'cache-in-input',
    executors: ['GeminiExecutor'],
    endpoints: ['POST /v1beta/models/*action', 'POST /v1/chat/completions'],
    models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'],
    aliases: ['gemini-pro-latest'],
    userAgents: GEMINI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  vertex: {
    semantics: 'cache-in-input',
    executors: ['GeminiVertexExecutor'],
    endpoints: ['POST /v1beta/models/*action', 'POST /v1/chat/completions'],
    models: ['gemini-2.5-pro', 'gemini-2.5-flash'],
    aliases: ['gemini-pro-latest'],
    userAgents: GEMINI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  aistudio: {
    semantics: 'cache-in-input',
    executors: ['AIStudioExecutor'],
    endpoints: ['POST /v1beta/models/*action'],
    models: ['gemini-2.5-flash'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: [''],
    cacheWrites: false,
    reasoning: 0.5,
  },
  antigravity: {
    semantics: 'cache-in-input',
    executors: ['AntigravityExecutor'],
    endpoints: ['POST /v1/chat/completions', 'POST /v1beta/models/*action'],
    models: ['gemini-3-pro-preview', 'gemini-2.5-flash', 'claude-sonnet-4-5-thinking'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: ['', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  interactions: {
    semantics: 'cache-in-input',
    executors: ['GeminiInteractionsExecutor'],
    endpoints: ['POST /v1beta/models/*action'],
    models: ['gemini-2.5-pro'],
    aliases: [],
    userAgents: GEMINI_UA,
    efforts: [''],
    cacheWrites: false,
    reasoning: 0.5,
  },
  xai: {
    semantics: 'subset',
    executors: ['XAIExecutor'],
    endpoints: ['POST /v1/chat/completions', 'POST /v1/responses'],
    models: ['grok-4', 'grok-code-fast-1', 'grok-4-fast-reasoning'],
    aliases: ['grok-latest'],
    userAgents: OPENAI_UA,
    efforts: ['', 'low', 'high'],
    cacheWrites: false,
    reasoning: 0.6,
  },
  kimi: {
    semantics: 'subset',
    executors: ['KimiExecutor'],
    endpoints: ['POST /v1/chat/completions'],
    models: ['kimi-k2-thinking'],
    aliases: [],
    userAgents: OPENAI_UA,
    efforts: ['', 'medium'],
    cacheWrites: false,
    reasoning: 0.5,
  },
}

/** openai-compatibility providers (any other provider name) behave like OpenAI (§6: subset). */
const OPENAI_COMPAT: ProviderProfile = {
  semantics: 'subset',
  executors: ['OpenAICompatExecutor'],
  endpoints: ['POST /v1/chat/completions'],
  models: ['deepseek/deepseek-chat-v3.1', 'qwen/qwen3-coder'],
  aliases: [],
  userAgents: OPENAI_UA,
  efforts: ['', 'medium'],
  cacheWrites: false,
  reasoning: 0.3,
}

export function providerProfile(provider: string): ProviderProfile {
  return PROFILES[provider] ?? OPENAI_COMPAT
}

export function tokenSemantics(provider: string): TokenSemantics {
  return providerProfile(provider).semantics
}

// -------------------------------------------------------------------------------------------- records

export interface Breakdown {
  uncached: number
  cacheRead: number
  cacheWrite: number
  nonReasoning: number
  reasoning: number
  /** Tokens the breakdown could not split (quality `unclassified` / `inconsistent`); 0 when complete. */
  unclassified?: number
}

export type Quality = 'complete' | 'unclassified' | 'inconsistent'

export interface Totals {
  requests: number
  failed: number
  inputTokens: number
  uncachedInputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  outputTokens: number
  reasoningTokens: number
  /** Tokens of unclassified / inconsistent breakdowns (in totalTokens, not in input or output). */
  unclassifiedTokens: number
  totalTokens: number
}

export function emptyTotals(): Totals {
  return {
    requests: 0,
    failed: 0,
    inputTokens: 0,
    uncachedInputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    unclassifiedTokens: 0,
    totalTokens: 0,
  }
}

export function addToTotals(t: Totals, b: Breakdown, failed: boolean): void {
  const input = b.uncached + b.cacheRead + b.cacheWrite
  const output = b.nonReasoning + b.reasoning
  const unclassified = b.unclassified ?? 0
  t.requests++
  if (failed) t.failed++
  t.inputTokens += input
  t.uncachedInputTokens += b.uncached
  t.cacheReadTokens += b.cacheRead
  t.cacheWriteTokens += b.cacheWrite
  t.outputTokens += output
  t.reasoningTokens += b.reasoning
  t.unclassifiedTokens += unclassified
  t.totalTokens += input + output + unclassified
}

/** The legacy `tokens` object for a breakdown under a provider's semantics (§6 table; claude corrected 2026-12). */
export function legacyTokens(semantics: TokenSemantics, b: Breakdown): Record<string, number | boolean> {
  let input: number
  let output: number
  switch (semantics) {
    case 'subset': // cache counts are part of input; reasoning is part of output
      input = b.uncached + b.cacheRead + b.cacheWrite
      output = b.nonReasoning + b.reasoning
      break
    case 'independent': // claude: cache read/creation not inside input; reasoning (thinking) inside output
      input = b.uncached
      output = b.nonReasoning + b.reasoning
      break
    case 'cache-in-input': // gemini family: cache inside input; reasoning separate
      input = b.uncached + b.cacheRead + b.cacheWrite
      output = b.nonReasoning
      break
  }
  const total = b.uncached + b.cacheRead + b.cacheWrite + b.nonReasoning + b.reasoning
  return {
    input_tokens: input,
    output_tokens: output,
    reasoning_tokens: b.reasoning,
    cached_tokens: b.cacheRead,
    cache_read_tokens: b.cacheRead,
    cache_read_tokens_present: true,
    cache_creation_tokens: b.cacheWrite,
    total_tokens: total,
  }
}

/** Go RFC 3339 with nanoseconds (trailing zeros trimmed) in a fixed offset; offset 0 ⇒ `Z` (§0, §6). */
export function formatGoTime(ms: number, nanosWithinMs: number, tzOffsetMinutes: number): string {
  const local = new Date(Math.floor(ms) + tzOffsetMinutes * 60_000)
  const iso = local.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  const nanos = (((Math.floor(ms) % 1000) + 1000) % 1000) * 1_000_000 + nanosWithinMs
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`
  let offset = 'Z'
  if (tzOffsetMinutes !== 0) {
    const abs = Math.abs(tzOffsetMinutes)
    offset = `${tzOffsetMinutes > 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  }
  return `${iso.slice(0, 19)}${frac}${offset}`
}

const CLIENT_IPS = ['127.0.0.1', '127.0.0.1', '10.0.3.17', '192.168.1.24', '172.18.0.5']
const FORWARDED = ['203.0.113.9', '198.51.100.23, 10.0.0.2']

interface FailureShape {
  status: number
  body: string
  code?: string
  retryable?: boolean
  headers?: Record<string, string[]>
}

function failureFor(status: number, rng: Rng, provider: string): FailureShape {
  switch (status) {
    case 401:
      return {
        status,
        body: JSON.stringify({error: {type: 'authentication_error', code: 'token_revoked', message: 'simulated: the access token was revoked'}}),
        code: 'token_revoked',
      }
    case 402:
      return {
        status,
        body: JSON.stringify({detail: {code: 'deactivated_workspace'}}),
        code: 'deactivated_workspace',
      }
    case 429: {
      const reset = rng.int(30, 18_000)
      return {
        status,
        body: JSON.stringify({error: {type: 'usage_limit_reached', message: 'simulated: usage limit reached', resets_in_seconds: reset}}),
        code: 'usage_limit_reached',
        retryable: true,
        headers: {'Retry-After': [String(reset)], ...(provider === 'codex' ? {'X-Codex-Primary-Used-Percent': ['100']} : {})},
      }
    }
    case 500:
      return {status, body: 'simulated: upstream internal error', retryable: true}
    default:
      return {
        status,
        body: JSON.stringify({error: {type: 'overloaded_error', message: 'simulated: upstream overloaded'}}),
        code: 'overloaded',
        retryable: true,
      }
  }
}

/** Success-path header snapshots (quota / rate-limit evidence, §6 `response_headers`). */
function successHeaders(provider: string, rng: Rng, requestId: string): Record<string, string[]> {
  switch (provider) {
    case 'codex':
      return {
        'X-Codex-Plan-Type': [rng.pick(['plus', 'pro', 'team'])],
        'X-Codex-Primary-Used-Percent': [String(rng.int(0, 99))],
        'X-Codex-Primary-Window-Minutes': ['300'],
        'X-Codex-Primary-Reset-After-Seconds': [String(rng.int(60, 18_000))],
        'X-Codex-Secondary-Used-Percent': [String(rng.int(0, 99))],
        'X-Codex-Secondary-Window-Minutes': ['10080'],
        'X-Request-Id': [`req_${requestId}${rng.hex(8)}`],
      }
    case 'claude':
      return {
        'Anthropic-Ratelimit-Unified-5h-Utilization': [(rng.int(0, 99) / 100).toFixed(2)],
        'Anthropic-Ratelimit-Unified-7d-Utilization': [(rng.int(0, 99) / 100).toFixed(2)],
        'Request-Id': [`req_${rng.hex(24)}`],
      }
    case 'xai':
      return {'X-Ratelimit-Remaining-Requests': [String(rng.int(0, 500))], 'X-Request-Id': [rng.hex(32)]}
    default:
      return {'X-Request-Id': [rng.hex(32)]}
  }
}

/** Scripted upstream scenarios (accounts.ts) that make a credential fail more often in traffic. */
const SCENARIO_FAILURE: Record<string, number> = {
  revoked: 401,
  invalid_token: 401,
  deactivated_workspace: 402,
  rate_limited: 429,
  long_exhausted: 429,
  short_exhausted: 429,
  server_error: 503,
}

export interface GeneratedRecord {
  /** The exact JSON text published. */
  payload: string
  /** What the record's token_breakdown says (what an exact client stores). */
  breakdown: Breakdown
  /** token_breakdown.quality; null for a record without one (older gateways). */
  quality: Quality | null
  failed: boolean
  provider: string
  model: string
  authIndex: string
  /** Raw client key ('' when none). */
  apiKey: string
  requestId: string
  /** Credential error event (§7) for failed records. */
  errorEvent?: string
  /** Account id (auth ID) for the error event. */
  accountId: string
}

export interface CredentialLookup {
  scenarioOf?: (authIndex: string) => string | undefined
  tokenOf?: (authIndex: string) => string | undefined
}

export interface GeneratorOptions {
  seed: number
  tzOffsetMinutes: number
  version: string
  /** Client keys (`api-keys` of the config). */
  apiKeys: () => string[]
  /** Share of records carrying `response_headers` (default 0.3). */
  headerShare?: number
  /** Share of older-gateway records without accounting_version/token_breakdown (default 0.02). */
  legacyShare?: number
  /** Base failure share before credential scenarios (default 0.06). */
  failureShare?: number
  /** Share of records from an unknown (plugin) provider served without a credential (default 0.02). */
  unknownProviderShare?: number
  /** Share of records whose upstream counts contradict each other (default 0.02). */
  inconsistentShare?: number
  /** Share of OpenAI-style records that report only a total (default 0.02). */
  totalOnlyShare?: number
}

/** An unknown provider (a plugin's own name): no token family, so everything is unclassified (§6). */
const PLUGIN_PROVIDER = {provider: 'acme-plugin', executor: 'AcmePluginExecutor', models: ['acme-large-2', 'acme-small-2']}

/** Requests of the unknown plugin provider are served without a credential (no auth_index, no source). */
const PLUGIN_ACCOUNT: SimAccount = {
  id: '',
  name: '',
  authIndex: '',
  provider: PLUGIN_PROVIDER.provider,
  authType: 'oauth',
  source: '',
  disabled: false,
  models: PLUGIN_PROVIDER.models,
  success: 0,
  failed: 0,
}

/** RFC 9562 UUIDv7: 48-bit unix ms, version 7, variant 10; the last 8 hex digits are `tail`. */
export function uuidV7(ms: number, rng: Rng, tail: string): string {
  return formatUuidV7(ms, {rand: `7${rng.hex(3)}`, variant: `${'89ab'[rng.int(0, 3)]}${rng.hex(3)}`, last: rng.hex(4)}, tail)
}

function formatUuidV7(ms: number, bits: V8Fields['uuidRand'], tail: string): string {
  const t = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12)
  return `${t.slice(0, 8)}-${t.slice(8)}-${bits.rand}-${bits.variant}-${bits.last}${tail.padStart(8, '0').slice(-8)}`
}

function uuidV4(rng: Rng): string {
  const h = rng.hex(32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** `<YYYYMMDDhhmmss>` of X-CPA-TRACE-ID (UTC here; the gateway's zone is not specified). */
function traceStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/** The v8 record fields drawn per record (cpa-gateway-v8.md §3.4). */
interface V8Fields {
  /** Random bits of the UUIDv7 request id (its last 8 characters are the record's short id). */
  uuidRand: {rand: string; variant: string; last: string}
  stream: boolean
  executionId: string
  sessionId?: string
  parentSessionId?: string
  responseModel?: string
}

function drawV8Fields(rng: Rng, r: {provider: string; endpoint: string; failed: boolean; model: string; startMs: number}): V8Fields {
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

/** A fallback credential when the registry has none (so traffic never stops). */
const FALLBACK_ACCOUNT: SimAccount = {
  id: 'openai-compatibility:local:0',
  name: '',
  authIndex: createHash('sha256').update('openai-compatibility:http://127.0.0.1:11434/v1+sim').digest('hex').slice(0, 16),
  provider: 'local',
  authType: 'apikey',
  label: 'local',
  source: 'sim-local-upstream-key',
  disabled: false,
  models: ['llama3.3:70b'],
  success: 0,
  failed: 0,
}

/** Every value of one record, chosen by `next()` (seeded) or `forRequest()` (a served client request). */
interface RecordValues {
  account: SimAccount
  provider: string
  profile: ProviderProfile
  model: string
  alias: string
  endpoint: string
  failure: FailureShape | undefined
  failed: boolean
  b: Breakdown
  latency: number
  ttft: number
  startMs: number
  nanos: number
  requestId: string
  apiKey: string
  headers: Record<string, string[]> | undefined
  legacy: boolean
  effort: string
  serviceTier: string
  responseTier: string
  clientIp: string
  xff: string
  userAgent: string
  generate: boolean
  executor: string
  publishAt: number
  lookup: CredentialLookup
  /** Served for an unknown (plugin) provider without a credential. */
  plugin: boolean
  quality: Quality
  /** How an inconsistent record contradicts itself: a negative input, or cache read above input. */
  inconsistency?: {negativeInput: number} | {cacheOver: number}
  /** v8 gateways only. */
  v8?: V8Fields
}

/** A client request the simulator served itself (`/v1/chat/completions`, `/v1/responses`). */
export interface ServedRequest {
  account: SimAccount
  /** Upstream model executed. */
  model: string
  /** Model name the client asked for. */
  alias: string
  /** `POST /v1/chat/completions` or `POST /v1/responses`. */
  endpoint: string
  /** The client key used ('' when client auth is off). */
  apiKey: string
  breakdown: Breakdown
  clientIp: string
  xff: string
  userAgent: string
  effort: string
  serviceTier: string
}

export class TrafficGenerator {
  private readonly rng: Rng
  /** Draws for the record kinds added later (qualities, unknown providers, v8 fields): the base stream stays put. */
  private readonly extra: Rng
  /** Timing and ids of served client requests: a stream of its own, so seeded traffic stays the same. */
  private readonly servedRng: Rng
  private readonly recentIds: string[] = []

  constructor(private readonly opts: GeneratorOptions) {
    this.rng = new Rng(opts.seed ^ 0x7a11c)
    this.extra = new Rng(opts.seed ^ 0x8e8a)
    this.servedRng = new Rng(opts.seed ^ 0x5e7ed)
  }

  /** The usage record of a client request the simulator served (a success with the given tokens). */
  forRequest(req: ServedRequest, publishAt: number, lookup: CredentialLookup = {}): GeneratedRecord {
    const rng = this.servedRng
    const provider = req.account.provider || 'unknown'
    const profile = providerProfile(provider)
    const latency = rng.logInt(250, 4000)
    const ttft = Math.min(latency, rng.logInt(80, 1500))
    return this.serialize({
      account: req.account,
      provider,
      profile,
      model: req.model,
      alias: req.alias,
      endpoint: req.endpoint,
      failure: undefined,
      failed: false,
      b: req.breakdown,
      latency,
      ttft,
      startMs: publishAt - latency,
      nanos: rng.int(0, 999_999),
      requestId: rng.hex(8),
      apiKey: req.apiKey,
      headers: undefined,
      legacy: false,
      effort: req.effort,
      serviceTier: req.serviceTier,
      responseTier: provider === 'codex' ? (req.serviceTier === 'priority' ? 'priority' : 'default') : '',
      clientIp: req.clientIp,
      xff: req.xff,
      userAgent: req.userAgent,
      generate: true,
      executor: profile.executors[0]!,
      publishAt,
      lookup,
      plugin: false,
      quality: 'complete',
      v8: hasFeature(this.opts.version, 'v8') ? drawV8Fields(rng, {provider, endpoint: req.endpoint, failed: false, model: req.model, startMs: publishAt - latency}) : undefined,
    })
  }

  /** Snapshot of usable credentials (refreshed by the caller once per batch). */
  usableAccounts(registry: AccountRegistry): SimAccount[] {
    const list = registry.list().filter(a => !a.disabled)
    return list.length > 0 ? list : [FALLBACK_ACCOUNT]
  }

  /**
   * Build one record. `publishAt` is the publish time (ms); the record's `timestamp` is the request start
   * (`publishAt − latency_ms`). `lookup.scenarioOf` gives the credential's scripted upstream scenario, if
   * any; `lookup.tokenOf` its access token (hashed into `access_token_sha256`).
   */
  next(accounts: SimAccount[], publishAt: number, lookup: CredentialLookup = {}): GeneratedRecord {
    const scenarioOf = lookup.scenarioOf
    const rng = this.rng
    const x = this.extra
    const v = this.opts.version
    const v8 = hasFeature(v, 'v8')
    const breakdownAlways = hasFeature(v, 'accountingV2')
    let account = rng.pick(accounts)
    const plugin = x.chance(this.opts.unknownProviderShare ?? 0.02)
    if (plugin) account = {...PLUGIN_ACCOUNT}
    const provider = account.provider || 'unknown'
    const profile = providerProfile(provider)
    const models = account.models.length > 0 ? account.models : profile.models
    let model = rng.pick(models)
    if (plugin) model = x.pick(PLUGIN_PROVIDER.models)
    const alias = profile.aliases.length > 0 && rng.chance(0.15) ? rng.pick(profile.aliases) : model
    const endpoint = rng.pick(profile.endpoints)
    const openaiPath = endpoint.includes('/chat/completions') || endpoint.includes('/responses')

    // Outcome: a base failure share, plus credential scenarios that fail on their own status.
    const scenarioStatus = SCENARIO_FAILURE[scenarioOf?.(account.authIndex) ?? ''] as number | undefined
    let failStatus = 0
    if (scenarioStatus && rng.chance(0.1)) failStatus = scenarioStatus
    else if (rng.chance(this.opts.failureShare ?? 0.06)) failStatus = rng.pick([401, 429, 429, 429, 500, 503, 503])
    const failed = failStatus !== 0

    // Tokens (failed attempts carry none).
    const b: Breakdown = {uncached: 0, cacheRead: 0, cacheWrite: 0, nonReasoning: 0, reasoning: 0}
    if (!failed) {
      b.uncached = rng.logInt(20, 30_000)
      if (rng.chance(0.55)) b.cacheRead = rng.logInt(500, 120_000)
      if (profile.cacheWrites && rng.chance(0.3)) b.cacheWrite = rng.logInt(200, 25_000)
      b.nonReasoning = rng.logInt(5, 6_000)
      if (rng.chance(profile.reasoning)) b.reasoning = rng.logInt(10, 8_000)
    }

    const latency = failed ? rng.logInt(40, 4_000) : rng.logInt(250, 60_000)
    const ttft = failed || rng.chance(0.05) ? 0 : Math.min(latency, rng.logInt(80, 4_000))
    const startMs = publishAt - latency
    const nanos = rng.int(0, 999_999)

    let requestId = rng.hex(8)
    if (this.recentIds.length > 0 && rng.chance(0.02)) requestId = rng.pick(this.recentIds)
    this.recentIds.push(requestId)
    if (this.recentIds.length > 64) this.recentIds.shift()

    const keys = this.opts.apiKeys()
    const apiKey = keys.length > 0 ? rng.pick(keys) : ''
    const failure = failed ? failureFor(failStatus, rng, provider) : undefined
    let headers: Record<string, string[]> | undefined
    if (failure?.headers) headers = failure.headers
    else if (!failed && rng.chance(this.opts.headerShare ?? 0.3)) headers = successHeaders(provider, rng, requestId)
    // older gateways send a few records without the breakdown; ≥ 7.2.97 always sends it (the draw stays)
    const legacy = rng.chance(this.opts.legacyShare ?? 0.02) && !breakdownAlways
    const effort = rng.pick(profile.efforts)
    const tierRoll = rng.next()
    const serviceTier = openaiPath ? (tierRoll < 0.8 ? 'auto' : tierRoll < 0.9 ? 'priority' : 'flex') : 'default'
    const responseTier = provider === 'codex' && !failed ? (serviceTier === 'priority' ? 'priority' : 'default') : ''
    const clientIp = rng.pick(CLIENT_IPS)
    const xff = clientIp.startsWith('127.') && rng.chance(0.2) ? rng.pick(FORWARDED) : ''
    const userAgent = rng.pick(profile.userAgents)
    const generate = !rng.chance(0.02)
    let executor = rng.pick(profile.executors)
    if (plugin) executor = PLUGIN_PROVIDER.executor
    // quality: an unknown family is unclassified; otherwise a few contradicting or total-only usages
    let quality: Quality = plugin ? 'unclassified' : 'complete'
    if (!plugin && !failed && breakdownAlways) {
      if (x.chance(this.opts.inconsistentShare ?? 0.02)) quality = 'inconsistent'
      else if (openaiPath && profile.semantics === 'subset' && x.chance(this.opts.totalOnlyShare ?? 0.02)) quality = 'unclassified'
    }

    let inconsistency: RecordValues['inconsistency']
    if (quality === 'inconsistent') inconsistency = x.chance(0.5) ? {negativeInput: x.int(1, 500)} : {cacheOver: x.int(1, 5000)}
    const v8Fields = v8 ? drawV8Fields(x, {provider, endpoint, failed, model, startMs}) : undefined
    return this.serialize({account, provider, profile, model, alias, endpoint, failure, failed, b, latency, ttft, startMs, nanos, requestId, apiKey, headers, legacy, effort, serviceTier, responseTier, clientIp, xff, userAgent, generate, executor, publishAt, lookup, plugin, quality, inconsistency, v8: v8Fields})
  }

  /** The record in the gateway's field order (§6) and its error event; no randomness here. */
  private serialize(values: RecordValues): GeneratedRecord {
    const {account, provider, profile, model, alias, endpoint, failure, failed, b, latency, ttft, startMs, nanos, requestId, apiKey, headers, legacy, effort, serviceTier, responseTier, clientIp, xff, userAgent, generate, executor, publishAt, lookup, plugin, quality, inconsistency, v8} = values
    const v = this.opts.version
    const breakdownAlways = hasFeature(v, 'accountingV2')
    // Field order = the gateway's struct order (§6).
    const r: Record<string, unknown> = {}
    r.timestamp = formatGoTime(startMs, nanos, this.opts.tzOffsetMinutes)
    r.latency_ms = latency
    if (hasFeature(v, 'ttft')) r.ttft_ms = ttft
    // a credential without email/project/key (Kimi OAuth, plugins, no credential) falls back to the client key (§6)
    r.source = account.source || apiKey
    r.auth_index = account.authIndex
    const token = account.authType === 'oauth' ? lookup.tokenOf?.(account.authIndex) : undefined
    if (token && hasFeature(v, 'accessTokenSha')) r.access_token_sha256 = createHash('sha256').update(token).digest('hex')
    if (hasFeature(v, 'clientIpFields')) {
      r.client_ip = clientIp
      r.x_forwarded_for = xff
      r.user_agent = userAgent
    }
    const tokens = legacyTokens(profile.semantics, b)
    if (!hasFeature(v, 'cacheReadPresent')) delete tokens.cache_read_tokens_present
    if (!hasFeature(v, 'cacheReadTokens')) {
      delete tokens.cache_read_tokens
      delete tokens.cache_creation_tokens
    }
    // what the record's breakdown says: the buckets, or the total it could not split
    const reported = b.uncached + b.cacheRead + b.cacheWrite + b.nonReasoning + b.reasoning
    let recorded: Breakdown = b
    if (quality === 'inconsistent') {
      // the upstream's own counts contradict each other: a negative counter, or cache above input
      if (inconsistency && 'negativeInput' in inconsistency) tokens.input_tokens = -inconsistency.negativeInput
      else tokens.cache_read_tokens = (tokens.input_tokens as number) + (inconsistency?.cacheOver ?? 1)
      recorded = {uncached: 0, cacheRead: 0, cacheWrite: 0, nonReasoning: 0, reasoning: 0, unclassified: reported}
    } else if (quality === 'unclassified') {
      if (!plugin) {
        // an OpenAI-style usage object with only total_tokens
        for (const k of ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'cache_read_tokens', 'cache_creation_tokens']) if (k in tokens) tokens[k] = 0
      }
      recorded = {uncached: 0, cacheRead: 0, cacheWrite: 0, nonReasoning: 0, reasoning: 0, unclassified: reported}
    }
    r.tokens = tokens
    r.failed = failed
    if (hasFeature(v, 'generateField')) r.generate = generate
    if (hasFeature(v, 'failObject')) r.fail = failure ? {status_code: failure.status, body: failure.body} : {status_code: 200, body: ''}
    if (headers && hasFeature(v, 'responseHeaders')) r.response_headers = headers
    const withBreakdown = !legacy && hasFeature(v, 'accountingV2')
    if (withBreakdown) {
      const d = recorded
      const input = d.uncached + d.cacheRead + d.cacheWrite
      const output = d.nonReasoning + d.reasoning
      const unclassified = d.unclassified ?? 0
      r.accounting_version = 2
      r.token_breakdown = {
        schema_version: 2,
        quality,
        total_tokens: input + output + unclassified,
        input: {total_tokens: input, uncached_tokens: d.uncached, cache_read_tokens: d.cacheRead, cache_write_tokens: d.cacheWrite},
        output: {total_tokens: output, non_reasoning_tokens: d.nonReasoning, reasoning_tokens: d.reasoning},
        unclassified_tokens: unclassified,
      }
    }
    r.provider = provider
    if (hasFeature(v, 'executorType')) r.executor_type = executor
    r.model = model
    if (hasFeature(v, 'aliasField')) r.alias = alias
    r.endpoint = endpoint
    r.auth_type = plugin ? 'unknown' : account.authType
    r.api_key = apiKey
    // v8: UUIDv7 request ids; the request log is named by the last 8 characters (the id drawn above)
    const fullRequestId = v8 ? formatUuidV7(publishAt - latency, v8.uuidRand, requestId) : requestId
    r.request_id = fullRequestId
    if (hasFeature(v, 'reasoningEffort')) r.reasoning_effort = effort
    if (hasFeature(v, 'serviceTier')) r.service_tier = serviceTier
    if (responseTier && hasFeature(v, 'responseServiceTier')) r.response_service_tier = responseTier
    if (v8) {
      // v8 record fields (cpa-gateway-v8.md §3.4; exact order and omitempty rules are unknown: appended here)
      r.stream = v8.stream
      r.resolved_client_ip = clientIp
      r.execution_id = v8.executionId
      r.trace_id = `${traceStamp(publishAt - latency)}-${account.authIndex}-${fullRequestId}`
      if (v8.sessionId) {
        r.session_id = v8.sessionId
        if (v8.parentSessionId) r.parent_session_id = v8.parentSessionId
      }
      if (v8.responseModel) r.response_model = v8.responseModel
    }

    let errorEvent: string | undefined
    if (failure) {
      // Credential error event (§7), field order as documented; empty optionals omitted.
      const ev: Record<string, unknown> = {timestamp: formatGoTime(publishAt, nanos, this.opts.tzOffsetMinutes)}
      ev.provider = provider
      ev.model = model
      ev.auth_id = account.id
      ev.auth_index = account.authIndex
      ev.status_code = failure.status
      ev.body = failure.body
      if (failure.code) ev.code = failure.code
      if (failure.retryable) ev.retryable = true
      const quotaHit = failure.status === 429
      ev.auth_status = {
        status: failure.status === 401 || failure.status === 402 ? 'error' : 'active',
        ...(failure.status === 401 ? {status_message: 'unauthorized'} : {}),
        disabled: false,
        unavailable: quotaHit,
        ...(quotaHit ? {next_retry_after: formatGoTime(publishAt + 60_000, 0, this.opts.tzOffsetMinutes)} : {}),
        ...(quotaHit ? {quota: {exceeded: true, reason: 'usage_limit_reached'}} : {}),
      }
      errorEvent = JSON.stringify(ev)
    }

    return {
      payload: JSON.stringify(r),
      // a record without a breakdown is counted by what its legacy counters imply (older gateways)
      breakdown: withBreakdown ? recorded : b,
      quality: withBreakdown ? quality : null,
      failed,
      provider,
      model,
      authIndex: account.authIndex,
      apiKey,
      requestId: fullRequestId,
      errorEvent,
      accountId: account.id,
    }
  }
}

/** Seeded client API keys for the initial config (`api-keys`). */
export function seededClientKeys(seed: number, count = 4): string[] {
  const rng = new Rng(seed ^ 0xc11e47)
  return Array.from({length: count}, (_, i) => `sk-sim-${['alpha', 'beta', 'gamma', 'delta', 'omega'][i % 5]}-${rng.hex(24)}`)
}

/** SHA-256 hex of the trimmed key (how the project stores client keys). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text.trim()).digest('hex')
}
