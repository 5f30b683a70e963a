/**
 * More scripted upstream hosts for `/api-call` (the per-provider quota and profile probes, the
 * calls the official management UI makes), in the answer shapes those upstreams send:
 *
 * - Claude `GET https://api.anthropic.com/api/oauth/profile` → `{account: {uuid, full_name, display_name,
 *   email, has_claude_max, has_claude_pro, created_at}, organization: {uuid, name, organization_type,
 *   billing_type, rate_limit_tier, has_extra_usage_enabled, subscription_status, subscription_created_at}}`.
 * - Codex rate-limit reset credits: `GET https://chatgpt.com/backend-api/wham/rate-limit-reset-credits` →
 *   `{available_count, applicable_available_count, credits: [{id, reset_type: "codex_rate_limits", status:
 *   "available", granted_at, expires_at}]}`; `POST …/consume` spends one (0–2 seeded per account) and
 *   resets the account's 5-hour and weekly windows until they roll over; none left ⇒ 409. The consume
 *   answer's body is the simulator's own (clients only check the status).
 * - Kimi `GET https://api.kimi.com/coding/v1/usages` → `{usage: {limit, used, remaining, resetTime},
 *   limits: [{window: {duration, timeUnit}, detail: {…}}]}` (int64 values as strings, protobuf style).
 * - Antigravity (Google Cloud Code, hosts `daily-cloudcode-pa.googleapis.com`,
 *   `daily-cloudcode-pa.sandbox.googleapis.com`, `cloudcode-pa.googleapis.com`):
 *   `POST /v1internal:retrieveUserQuotaSummary` → `{groups: [{displayName, description, buckets: [{bucketId,
 *   displayName, window, resetTime, remainingFraction}]}]}`; `POST /v1internal:loadCodeAssist` →
 *   `{currentTier, paidTier: {id, name, availableCredits}, cloudaicompanionProject}`; `POST
 *   /v1internal:fetchAvailableModels` → `{models: {<id>: {displayName, maxTokens, maxOutputTokens,
 *   quotaInfo: {remainingFraction, resetTime}}}, webSearchModelIds}`.
 *
 * Error scenarios (accounts.ts) answer like the provider: Claude and Codex reuse their error bodies; Kimi
 * and Antigravity answer in their own error formats.
 */
import type {SimAccountRegistry} from './account-types.js'
import {PROVIDER_MODELS} from './provider-models.js'
import {hash32} from './seeded-random.js'
import type {SimAccount} from './types.js'
import {claudeError, codexError, commonError, FIVE_HOURS, isoUtc, jsonAnswer, type UpstreamAnswer, WEEK, windowAt, type Windows, windowsFor} from './upstream-answers.js'

export const CLAUDE_PROFILE_URL = 'https://api.anthropic.com/api/oauth/profile'
export const CODEX_RESET_CREDITS_URL = 'https://chatgpt.com/backend-api/wham/rate-limit-reset-credits'
export const CODEX_RESET_CREDITS_CONSUME_URL = `${CODEX_RESET_CREDITS_URL}/consume`
export const KIMI_USAGE_URL = 'https://api.kimi.com/coding/v1/usages'
export const ANTIGRAVITY_HOSTS = ['https://daily-cloudcode-pa.googleapis.com', 'https://daily-cloudcode-pa.sandbox.googleapis.com', 'https://cloudcode-pa.googleapis.com']
const ANTIGRAVITY_METHODS = ['retrieveUserQuotaSummary', 'loadCodeAssist', 'fetchAvailableModels']

/** Which credential provider a probe target belongs to; undefined when the target is not scripted here. */
export function probeProvider(target: string): string | undefined {
  if (target === CLAUDE_PROFILE_URL) return 'claude'
  if (target === CODEX_RESET_CREDITS_URL || target === CODEX_RESET_CREDITS_CONSUME_URL) return 'codex'
  if (target === KIMI_USAGE_URL) return 'kimi'
  for (const host of ANTIGRAVITY_HOSTS) for (const m of ANTIGRAVITY_METHODS) if (target === `${host}/v1internal:${m}`) return 'antigravity'
  return undefined
}

// ------------------------------------------------------------------------------ codex reset credits

interface ResetState {
  consumed: number
  /** When the last credit was spent (unix s). */
  resetAt: number
}

const resets = new WeakMap<SimAccountRegistry, Map<string, ResetState>>()

function resetState(reg: SimAccountRegistry, authIndex: string): ResetState {
  let byAccount = resets.get(reg)
  if (!byAccount) {
    byAccount = new Map()
    resets.set(reg, byAccount)
  }
  let s = byAccount.get(authIndex)
  if (!s) {
    s = {consumed: 0, resetAt: 0}
    byAccount.set(authIndex, s)
  }
  return s
}

function grantedCredits(authIndex: string): number {
  return hash32(`${authIndex}:reset-credits`) % 3
}

/** A spent reset credit zeroes the Codex windows until each rolls over (used by wham/usage). */
export function applyCodexReset(reg: SimAccountRegistry, authIndex: string, w: Windows, nowS: number): void {
  const s = resets.get(reg)?.get(authIndex)
  if (!s || s.resetAt === 0) return
  for (const x of [w.short, w.long]) if (s.resetAt >= x.resetAt - x.length && s.resetAt <= nowS) x.used = 0
}

/** `rate_limit_reset_credits` of the wham/usage answer. */
export function codexResetCreditsSummary(reg: SimAccountRegistry, authIndex: string): {available_count: number; applicable_available_count: number} {
  const left = Math.max(0, grantedCredits(authIndex) - resetState(reg, authIndex).consumed)
  return {available_count: left, applicable_available_count: left}
}

function creditList(account: SimAccount, left: number, nowS: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (let i = 0; i < left; i++) {
    const granted = windowAt(`${account.authIndex}:credit:${i}`, 30 * 86_400, nowS).resetAt - 30 * 86_400
    out.push({
      id: `rlrc_${hash32(`${account.authIndex}:credit-id:${i}`).toString(16).padStart(8, '0')}`,
      reset_type: 'codex_rate_limits',
      status: 'available',
      granted_at: isoUtc(granted),
      expires_at: isoUtc(granted + 60 * 86_400),
    })
  }
  return out
}

// ---------------------------------------------------------------------------------------- answers

export interface ProbeContext {
  reg: SimAccountRegistry
  account: SimAccount
  md: Record<string, unknown>
  scenario: string
  target: string
  method: string
  body: string
  now: number
}

function claudeProfile(c: ProbeContext, w: Windows): UpstreamAnswer {
  const max = hash32(`${c.account.authIndex}:plan`) % 2 === 0
  const email = c.account.email ?? ''
  const local = email.split('@')[0] ?? ''
  const name = local.charAt(0).toUpperCase() + local.slice(1)
  const created = isoUtc(windowAt(`${c.account.authIndex}:created`, 365 * 86_400, Math.floor(c.now / 1000)).resetAt - 400 * 86_400)
  return (
    claudeError(c.scenario, w, c.now) ??
    jsonAnswer(
      200,
      {
        account: {uuid: String(c.md.account_uuid ?? ''), full_name: name, display_name: name, email, has_claude_max: max, has_claude_pro: !max, created_at: created},
        organization: {
          uuid: String(c.md.organization_uuid ?? ''),
          name: String(c.md.organization_name ?? `${name}'s Organization`),
          organization_type: max ? 'claude_max' : 'claude_pro',
          billing_type: 'stripe_subscription',
          rate_limit_tier: max ? 'default_claude_max_5x' : 'default_claude_pro',
          has_extra_usage_enabled: false,
          subscription_status: 'active',
          subscription_created_at: created,
        },
      },
      c.now,
    )
  )
}

function codexCredits(c: ProbeContext, w: Windows): UpstreamAnswer {
  const error = codexError(c.scenario, 'plus', w, c.now)
  if (error) return error
  const nowS = Math.floor(c.now / 1000)
  const state = resetState(c.reg, c.account.authIndex)
  const left = Math.max(0, grantedCredits(c.account.authIndex) - state.consumed)
  if (c.target === CODEX_RESET_CREDITS_CONSUME_URL) {
    if (left === 0) return jsonAnswer(409, {detail: {code: 'no_rate_limit_reset_credits', message: 'No rate limit reset credits available'}}, c.now)
    const credit = creditList(c.account, left, nowS)[left - 1]!
    state.consumed++
    state.resetAt = nowS
    return jsonAnswer(200, {redeemed: true, credit: {...credit, status: 'consumed', consumed_at: isoUtc(nowS)}}, c.now)
  }
  return jsonAnswer(200, {available_count: left, applicable_available_count: left, credits: creditList(c.account, left, nowS)}, c.now)
}

/** A failing scenario answered from a provider's table of `[status, body]`, else the common errors. */
function scenarioError(scenario: string, now: number, table: Partial<Record<string, [number, unknown]>>): UpstreamAnswer | undefined {
  const hit = table[scenario]
  return hit ? jsonAnswer(hit[0], hit[1], now) : commonError(scenario, now)
}

const kimiAuthError: [number, unknown] = [401, {error: {message: 'Invalid Authentication', type: 'invalid_authentication_error'}}]
const KIMI_ERRORS: Partial<Record<string, [number, unknown]>> = {
  revoked: kimiAuthError,
  invalid_token: kimiAuthError,
  deactivated_workspace: [403, {error: {message: 'The account has been suspended', type: 'permission_denied_error'}}],
  rate_limited: [429, {error: {message: 'Your account reached its rate limit, please try again later', type: 'rate_limit_reached_error'}}],
}

const googleAuthError: [number, unknown] = [
  401,
  {error: {code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', status: 'UNAUTHENTICATED'}},
]
const GOOGLE_ERRORS: Partial<Record<string, [number, unknown]>> = {
  revoked: googleAuthError,
  invalid_token: googleAuthError,
  deactivated_workspace: [403, {error: {code: 403, message: 'The caller does not have permission', status: 'PERMISSION_DENIED'}}],
  rate_limited: [429, {error: {code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED'}}],
}

function kimiUsage(c: ProbeContext, w: Windows): UpstreamAnswer {
  const error = scenarioError(c.scenario, c.now, KIMI_ERRORS)
  if (error) return error
  const detail = (limit: number, used: number, resetAt: number) => ({limit: String(limit), used: String(used), remaining: String(limit - used), resetTime: isoUtc(resetAt)})
  const weekUsed = Math.round(w.long.used * 20)
  const shortUsed = Math.round(w.short.used)
  return jsonAnswer(
    200,
    {
      usage: detail(2000, weekUsed, w.long.resetAt),
      limits: [{window: {duration: 300, timeUnit: 'TIME_UNIT_MINUTE'}, detail: detail(100, shortUsed, w.short.resetAt)}],
    },
    c.now,
  )
}

function antigravity(c: ProbeContext, w: Windows): UpstreamAnswer {
  const error = scenarioError(c.scenario, c.now, GOOGLE_ERRORS)
  if (error) return error
  const project = String(c.md.project_id ?? '')
  const remaining = (used: number) => Math.round((1 - Math.min(100, used) / 100) * 1000) / 1000
  if (c.target.endsWith(':loadCodeAssist')) {
    return jsonAnswer(
      200,
      {
        currentTier: {id: 'standard-tier', name: 'Gemini Code Assist', description: 'Unlimited coding assistant with the most powerful Gemini models'},
        paidTier: {id: 'g1-pro-tier', name: 'Google AI Pro', availableCredits: [{creditType: 'GOOGLE_ONE_AI', creditAmount: '1000', minimumCreditAmountForUsage: '50'}]},
        cloudaicompanionProject: project,
      },
      c.now,
    )
  }
  if (c.target.endsWith(':fetchAvailableModels')) {
    const models: Record<string, unknown> = {}
    for (const id of PROVIDER_MODELS.antigravity ?? []) {
      const claude = id.startsWith('claude')
      const x = claude ? w.long : w.short
      models[id] = {displayName: id, maxTokens: claude ? 200_000 : 1_048_576, maxOutputTokens: claude ? 64_000 : 65_536, quotaInfo: {remainingFraction: remaining(x.used), resetTime: isoUtc(x.resetAt).replace('+00:00', 'Z')}}
    }
    return jsonAnswer(200, {models, webSearchModelIds: (PROVIDER_MODELS.antigravity ?? []).filter(id => id.startsWith('gemini'))}, c.now)
  }
  const bucket = (id: string, label: string, window: string, x: Windows['short']) => ({bucketId: id, displayName: label, window, resetTime: isoUtc(x.resetAt).replace('+00:00', 'Z'), remainingFraction: remaining(x.used)})
  return jsonAnswer(
    200,
    {
      groups: [
        {displayName: 'Gemini models', description: 'Gemini Pro and Flash', buckets: [bucket('gemini-5h', '5-hour limit', '5h', w.short), bucket('gemini-weekly', 'Weekly limit', 'weekly', w.long)]},
        {displayName: 'Claude models', description: 'Claude Sonnet and Opus', buckets: [bucket('claude-weekly', 'Weekly limit', 'weekly', w.long)]},
      ],
    },
    c.now,
  )
}

/** Answer a probe target of this module for a credential of the matching provider. */
export function answerProbe(c: ProbeContext): UpstreamAnswer {
  const nowS = Math.floor(c.now / 1000)
  const w = windowsFor(c.account.authIndex, c.scenario as Parameters<typeof windowsFor>[1], nowS, [FIVE_HOURS, WEEK])
  const provider = probeProvider(c.target)
  if (provider === 'claude') return claudeProfile(c, w)
  if (provider === 'codex') return codexCredits(c, w)
  if (provider === 'kimi') return kimiUsage(c, w)
  return antigravity(c, w)
}
