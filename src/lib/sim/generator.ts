import {createHash} from 'node:crypto'

import type {AccountRegistry, SimAccount} from './types.js'
import {hasFeature} from './version.js'
import {formatGoTime} from './go-time.js'
import {providerProfile} from './provider-profiles.js'
import {drawV8Fields, formatUuidV7, traceStamp} from './record-v8-fields.js'
import {CLIENT_IPS, type CredentialLookup, failureFor, FALLBACK_ACCOUNT, FORWARDED, PLUGIN_ACCOUNT, PLUGIN_PROVIDER, type RecordValues, SCENARIO_FAILURE, successHeaders} from './record-values.js'
import {type Breakdown, legacyTokens, type Quality} from './token-totals.js'
import {Rng} from './traffic-rng.js'

/**
 * Seeded traffic generator: usage records that follow the gateway's record schema field for field, in its
 * struct field order, with per-provider token semantics (what each provider's legacy `tokens` counters mean),
 * failures carrying a `fail` object, some `response_headers`. Same seed + same clock ⇒ same records.
 *
 * - Gateways ≥ 7.2.97 send `accounting_version` and `token_breakdown` in every record (corrected 2026-12); older
 *   versions send a few records without them.
 * - All three breakdown qualities (corrected 2026-12): `complete` (most), `unclassified` (an unknown provider family,
 *   or an OpenAI-style usage with only a total), `inconsistent` (counts that contradict each other, including
 *   negative legacy counters: the breakdown then holds the reported total as unclassified).
 * - Unknown providers: a plugin provider served without a credential (`auth_index` "", `auth_type` unknown),
 *   whose `source` falls back to the client key, like every OAuth credential without email or project.
 * - v8 records: UUIDv7 `request_id` (its last 8 characters name the request log), `stream`,
 *   `resolved_client_ip`, `execution_id`, `trace_id`, session ids and `response_model` where they apply.
 * The extras draw from their own PRNG, so the base stream of a seed is the same as before they existed.
 */

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
  /** Credential error event (channel `errors`, only to its subscribers) for failed records. */
  errorEvent?: string
  /** Account id (auth ID) for the error event. */
  accountId: string
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

  /** The record in the gateway's field order (Go `encoding/json` of its struct) and its error event; no randomness here. */
  private serialize(values: RecordValues): GeneratedRecord {
    const {account, provider, profile, model, alias, endpoint, failure, failed, b, latency, ttft, startMs, nanos, requestId, apiKey, headers, legacy, effort, serviceTier, responseTier, clientIp, xff, userAgent, generate, executor, publishAt, lookup, plugin, quality, inconsistency, v8} = values
    const v = this.opts.version
    const breakdownAlways = hasFeature(v, 'accountingV2')
    // Field order = the gateway's struct order.
    const r: Record<string, unknown> = {}
    r.timestamp = formatGoTime(startMs, nanos, this.opts.tzOffsetMinutes)
    r.latency_ms = latency
    if (hasFeature(v, 'ttft')) r.ttft_ms = ttft
    // a credential without email/project/key (Kimi OAuth, plugins, no credential) falls back to the client key
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
      // v8 record fields (their exact order and omitempty rules are unknown: appended here)
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
      // Credential error event, field order as documented; empty optionals omitted.
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
