/**
 * Scripted upstream answers for `/api-call` (cpa-gateway.md §3.7; probes of cpamp-anchor.md §10, §12).
 *
 * The simulator never leaves the machine: `answerUpstream()` recognises the provider quota URLs and
 * answers from the credential's scenario (accounts.ts `registry.scenario()`), deterministically given the
 * simulated clock. Any other URL is "unreachable" (the caller turns that into 502 `request failed`).
 *
 * Scripted endpoints
 * - Codex `GET https://chatgpt.com/backend-api/wham/usage`: needs `Authorization: Bearer <access_token of
 *   the credential>` and `Chatgpt-Account-Id: <its account id>` (401 / 403 otherwise). 200 body:
 *   `{user_id, account_id, email, plan_type, rate_limit: {allowed, limit_reached, primary_window,
 *   secondary_window}, code_review_rate_limit, additional_rate_limits: null, credits: {...}, promo: null}`,
 *   each window `{used_percent, limit_window_seconds, reset_after_seconds, reset_at}` (primary = 5 h,
 *   18000 s; secondary = weekly, 604800 s; `reset_at` unix seconds).
 * - Claude `GET https://api.anthropic.com/api/oauth/usage` (Bearer token): `{five_hour, seven_day,
 *   seven_day_oauth_apps: null, seven_day_opus, extra_usage}`, windows `{utilization, resets_at}` (ISO 8601).
 * - xAI: the Grok CLI billing endpoints, in the shapes the real `cli-chat-proxy.grok.com` sends (and
 *   src/lib/inspect/probe-xai.ts reads); timestamps ISO 8601, amounts US cents as `{"val": "<cents>"}`:
 *   - `GET https://cli-chat-proxy.grok.com/v1/billing?format=credits` (the weekly credit pool) →
 *     `{"config": {"creditUsagePercent": int, "currentPeriod": {"type": "USAGE_PERIOD_TYPE_WEEKLY",
 *     "start", "end"}, "productUsage": [{"product": "GrokBuild", "usagePercent": int}]}}`;
 *   - `GET https://cli-chat-proxy.grok.com/v1/billing` (the monthly allowance, a 30-day period here) →
 *     `{"config": {"monthlyLimit": {"val": "5000"}, "used": {"val": "<cents>"}, "onDemandCap": {"val": "0"},
 *     "billingPeriodStart", "billingPeriodEnd"}}`;
 *   - `GET https://api.x.ai/v1/me` → `{"sub","email","team_id"}`.
 *   Unlike the real (protobuf JSON) answers, zero values are sent rather than omitted.
 *
 * Scenarios (per credential; defaults seeded in accounts.ts)
 * | scenario | answer |
 * | ok | 200, windows at seeded used % below 90 |
 * | long_exhausted | 200, weekly window at 100 %, `limit_reached: true` (xAI: monthly allowance `used` = `monthlyLimit` and weekly credits at 100 %) |
 * | short_exhausted | 200, 5-hour window at 100 %, weekly fine (xAI: weekly credits at 100 %, monthly allowance fine) |
 * | revoked | 401, token revoked/invalidated message (codex code `token_revoked`) |
 * | invalid_token | 401, `invalid_token`, token expired |
 * | deactivated_workspace | 402 `{"detail":{"code":"deactivated_workspace"}}` |
 * | rate_limited | 429 `usage_limit_reached` with `resets_at` / `resets_in_seconds` and `Retry-After` |
 * | forbidden_plain | 403, body `Forbidden` (no explanation: not enough to disable) |
 * | timeout | waits `delayMs` (default 65 000); ≥ `registry.apiCallTimeoutMs` (60 000, the gateway's upstream timeout) ⇒ 502 `request failed` at the deadline, else the `ok` answer, late |
 * | server_error | 500 |
 */
import type {ScenarioSetting, SimAccountRegistry} from './accounts.js'
import {codexIdTokenClaims, hash32} from './accounts.js'
import type {SimAccount} from './types.js'

/** The gateway's `/api-call` upstream timeout (§3.7). */
export const API_CALL_UPSTREAM_TIMEOUT_MS = 60_000
export const DEFAULT_TIMEOUT_DELAY_MS = 65_000

export const CODEX_USAGE_URL = 'https://chatgpt.com/backend-api/wham/usage'
export const CLAUDE_USAGE_URL = 'https://api.anthropic.com/api/oauth/usage'
export const XAI_BILLING_URL = 'https://cli-chat-proxy.grok.com/v1/billing'
export const XAI_ME_URL = 'https://api.x.ai/v1/me'

export interface UpstreamRequest {
  method: string
  url: string
  /** Header names as sent (case preserved); lookups are case-insensitive. */
  headers: Record<string, string>
  body: string
}

export interface UpstreamAnswer {
  status: number
  /** Go `http.Header` style: canonical names → values. */
  header: Record<string, string[]>
  body: string
}

/** `unreachable`: no scripted host (502 `request failed`); `timeout`: exceeded the 60 s upstream deadline. */
export type UpstreamOutcome = {kind: 'answer'; answer: UpstreamAnswer} | {kind: 'unreachable'} | {kind: 'timeout'}

const FIVE_HOURS = 18_000
const WEEK = 604_800
const MONTH = 2_592_000

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v
  return undefined
}

function httpDate(ms: number): string {
  return new Date(ms).toUTCString()
}

function jsonAnswer(status: number, body: unknown, nowMs: number, extra: Record<string, string[]> = {}): UpstreamAnswer {
  return {
    status,
    header: {
      'Content-Type': ['application/json'],
      Date: [httpDate(nowMs)],
      'X-Request-Id': [`req_${hash32(`${nowMs}:${JSON.stringify(body)}`).toString(16).padStart(8, '0')}`],
      ...extra,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }
}

function textAnswer(status: number, text: string, nowMs: number): UpstreamAnswer {
  return {status, header: {'Content-Type': ['text/plain; charset=utf-8'], Date: [httpDate(nowMs)]}, body: text}
}

/** A rolling window anchored per credential: deterministic reset time for a given clock. */
export function windowAt(seedText: string, lengthS: number, nowS: number): {resetAt: number; resetAfter: number} {
  const offset = hash32(`${seedText}:anchor:${lengthS}`) % lengthS
  const n = Math.floor((nowS - offset) / lengthS)
  const resetAt = offset + (n + 1) * lengthS
  return {resetAt, resetAfter: resetAt - nowS}
}

/** Seeded used percentage in [lo, hi) for one window instance. */
function usedPercent(seedText: string, lengthS: number, nowS: number, lo: number, hi: number): number {
  const {resetAt} = windowAt(seedText, lengthS, nowS)
  return lo + (hash32(`${seedText}:used:${lengthS}:${resetAt}`) % (hi - lo))
}

interface Windows {
  short: {used: number; resetAt: number; resetAfter: number; length: number}
  long: {used: number; resetAt: number; resetAfter: number; length: number}
}

function windowsFor(seedText: string, scenario: ScenarioSetting['scenario'], nowS: number, lengths: [number, number]): Windows {
  const [shortLen, longLen] = lengths
  const s = windowAt(seedText, shortLen, nowS)
  const l = windowAt(seedText, longLen, nowS)
  let shortUsed = usedPercent(seedText, shortLen, nowS, 0, 90)
  let longUsed = usedPercent(seedText, longLen, nowS, 0, 80)
  if (scenario === 'short_exhausted') shortUsed = 100
  if (scenario === 'long_exhausted') {
    longUsed = 100
    shortUsed = Math.max(shortUsed, usedPercent(seedText, shortLen, nowS, 40, 100))
  }
  return {
    short: {used: shortUsed, resetAt: s.resetAt, resetAfter: s.resetAfter, length: shortLen},
    long: {used: longUsed, resetAt: l.resetAt, resetAfter: l.resetAfter, length: longLen},
  }
}

function isoUtc(unixS: number): string {
  return new Date(unixS * 1000).toISOString().replace('Z', '+00:00')
}

// ---------------------------------------------------------------------------------------------------------
// Provider error bodies per scenario
// ---------------------------------------------------------------------------------------------------------

function codexError(scenario: string, plan: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
  switch (scenario) {
    case 'revoked':
      return jsonAnswer(
        401,
        {error: {message: 'Encountered invalidated oauth token for user, failing request', type: 'invalid_request_error', param: null, code: 'token_revoked'}},
        nowMs,
      )
    case 'invalid_token':
      return jsonAnswer(
        401,
        {error: {message: 'Provided authentication token is expired. Please try signing in again.', type: 'invalid_request_error', param: null, code: 'invalid_token'}},
        nowMs,
        {'Www-Authenticate': ['Bearer error="invalid_token"']},
      )
    case 'deactivated_workspace':
      return jsonAnswer(402, {detail: {code: 'deactivated_workspace'}}, nowMs)
    case 'rate_limited':
      return jsonAnswer(
        429,
        {
          error: {
            type: 'usage_limit_reached',
            message: 'The usage limit has been reached',
            plan_type: plan,
            resets_at: w.short.resetAt,
            resets_in_seconds: w.short.resetAfter,
          },
        },
        nowMs,
        {'Retry-After': [String(w.short.resetAfter)]},
      )
    default:
      return commonError(scenario, nowMs)
  }
}

function claudeError(scenario: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
  const err = (status: number, type: string, message: string, extra: Record<string, string[]> = {}) =>
    jsonAnswer(status, {type: 'error', error: {type, message}}, nowMs, extra)
  switch (scenario) {
    case 'revoked':
      return err(401, 'authentication_error', 'OAuth token has been revoked. Please obtain a new token.')
    case 'invalid_token':
      return err(401, 'authentication_error', 'invalid_token: OAuth token has expired. Please obtain a new token or refresh your existing token.')
    case 'deactivated_workspace':
      return err(402, 'deactivated_workspace', 'This organization has been deactivated (deactivated_workspace).')
    case 'rate_limited':
      return err(429, 'rate_limit_error', `usage_limit_reached: the 5-hour usage limit has been reached; resets at ${isoUtc(w.short.resetAt)}`, {
        'Retry-After': [String(w.short.resetAfter)],
        'Anthropic-Ratelimit-Unified-Reset': [String(w.short.resetAt)],
      })
    default:
      return commonError(scenario, nowMs)
  }
}

function xaiError(scenario: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
  const err = (status: number, code: string, message: string, extra: Record<string, string[]> = {}) =>
    jsonAnswer(status, {code, error: message}, nowMs, extra)
  switch (scenario) {
    case 'revoked':
      return err(401, 'auth_invalid', 'The OAuth token has been revoked.')
    case 'invalid_token':
      return err(401, 'invalid_token', 'The OAuth token is invalid or expired.')
    case 'deactivated_workspace':
      return err(402, 'deactivated_workspace', 'The team has been deactivated.')
    case 'rate_limited':
      return err(429, 'usage_limit_reached', `Rate limited; resets at ${isoUtc(w.short.resetAt)}`, {
        'Retry-After': [String(w.short.resetAfter)],
      })
    default:
      return commonError(scenario, nowMs)
  }
}

function commonError(scenario: string, nowMs: number): UpstreamAnswer | undefined {
  switch (scenario) {
    case 'forbidden_plain':
      return textAnswer(403, 'Forbidden', nowMs)
    case 'server_error':
      return jsonAnswer(500, {error: {message: 'An error occurred while processing your request.', type: 'server_error'}}, nowMs)
    default:
      return undefined
  }
}

// ---------------------------------------------------------------------------------------------------------
// Success bodies
// ---------------------------------------------------------------------------------------------------------

function codexOk(account: SimAccount, md: Record<string, unknown>, plan: string, w: Windows, nowMs: number): UpstreamAnswer {
  const nowS = Math.floor(nowMs / 1000)
  const win = (x: Windows['short']) => ({
    used_percent: x.used,
    limit_window_seconds: x.length,
    reset_after_seconds: x.resetAfter,
    reset_at: x.resetAt,
  })
  const reached = w.short.used >= 100 || w.long.used >= 100
  const review = windowAt(`${account.authIndex}:review`, WEEK, nowS)
  return jsonAnswer(
    200,
    {
      user_id: `user-${hash32(account.authIndex).toString(36)}`,
      account_id: String(md.account_id ?? ''),
      email: account.email ?? '',
      plan_type: plan,
      rate_limit: {allowed: !reached, limit_reached: reached, primary_window: win(w.short), secondary_window: win(w.long)},
      code_review_rate_limit: {
        allowed: true,
        limit_reached: false,
        primary_window: {used_percent: 0, limit_window_seconds: WEEK, reset_after_seconds: review.resetAfter, reset_at: review.resetAt},
        secondary_window: null,
      },
      additional_rate_limits: null,
      credits: {has_credits: false, unlimited: false, balance: null, approx_local_messages: null, approx_cloud_messages: null},
      promo: null,
    },
    nowMs,
  )
}

function claudeOk(w: Windows, nowMs: number): UpstreamAnswer {
  return jsonAnswer(
    200,
    {
      five_hour: {utilization: w.short.used, resets_at: isoUtc(w.short.resetAt)},
      seven_day: {utilization: w.long.used, resets_at: isoUtc(w.long.resetAt)},
      seven_day_oauth_apps: null,
      seven_day_opus: {utilization: Math.floor(w.long.used / 2), resets_at: isoUtc(w.long.resetAt)},
      extra_usage: {is_enabled: false, monthly_limit: null, used_credits: null, utilization: null},
    },
    nowMs,
  )
}

/** Monthly allowance of the simulated Grok subscription, in US cents. */
export const XAI_MONTHLY_LIMIT_CENTS = 5000

function xaiBilling(url: URL, w: Windows, nowMs: number): UpstreamAnswer {
  if (url.searchParams.get('format') === 'credits') {
    const x = w.short
    return jsonAnswer(
      200,
      {
        config: {
          creditUsagePercent: x.used,
          currentPeriod: {type: 'USAGE_PERIOD_TYPE_WEEKLY', start: isoUtc(x.resetAt - x.length), end: isoUtc(x.resetAt)},
          productUsage: [{product: 'GrokBuild', usagePercent: x.used}],
        },
      },
      nowMs,
    )
  }
  const x = w.long
  const used = Math.min(XAI_MONTHLY_LIMIT_CENTS, Math.round((XAI_MONTHLY_LIMIT_CENTS * x.used) / 100))
  return jsonAnswer(
    200,
    {
      config: {
        monthlyLimit: {val: String(XAI_MONTHLY_LIMIT_CENTS)},
        used: {val: String(used)},
        onDemandCap: {val: '0'},
        billingPeriodStart: isoUtc(x.resetAt - x.length),
        billingPeriodEnd: isoUtc(x.resetAt),
      },
    },
    nowMs,
  )
}

// ---------------------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms)
    t.unref?.()
  })
}

function bearer(headers: Record<string, string>): string | undefined {
  const v = headerValue(headers, 'authorization')
  const m = v ? /^\s*bearer\s+(.+?)\s*$/i.exec(v) : null
  return m ? m[1] : undefined
}

/**
 * Answer an `/api-call` upstream request for the credential `authIndex` (may be '' when the caller sent
 * none). Waits for the `timeout` scenario.
 */
export async function answerUpstream(reg: SimAccountRegistry, authIndex: string, req: UpstreamRequest, nowMs: () => number): Promise<UpstreamOutcome> {
  let url: URL
  try {
    url = new URL(req.url)
  } catch {
    return {kind: 'unreachable'}
  }
  const target = `${url.origin}${url.pathname.replace(/\/+$/, '')}`
  const known = [CODEX_USAGE_URL, CLAUDE_USAGE_URL, XAI_BILLING_URL, XAI_ME_URL]
  if (!known.includes(target)) return {kind: 'unreachable'}

  const account = authIndex ? reg.byIndex(authIndex) : undefined
  const setting: ScenarioSetting = account ? reg.scenario(account.authIndex) : {scenario: 'ok'}
  if (setting.scenario === 'timeout') {
    const delay = setting.delayMs ?? DEFAULT_TIMEOUT_DELAY_MS
    const deadline = reg.apiCallTimeoutMs ?? API_CALL_UPSTREAM_TIMEOUT_MS
    if (delay >= deadline) {
      await sleep(deadline)
      return {kind: 'timeout'}
    }
    await sleep(delay)
  }
  const scenario = setting.scenario === 'timeout' ? 'ok' : setting.scenario
  const now = nowMs()
  const nowS = Math.floor(now / 1000)

  // Every scripted upstream authenticates the bearer token first.
  const token = account ? reg.tokenFor(account.authIndex) : undefined
  const sent = bearer(req.headers)
  const unauthorized = () =>
    jsonAnswer(401, {error: {message: 'Missing or invalid bearer token', type: 'invalid_request_error', code: 'invalid_api_key'}}, now)
  if (!account || !token || sent !== token) return {kind: 'answer', answer: unauthorized()}

  const md = reg.file(account.name)?.metadata ?? {}
  if (target === CODEX_USAGE_URL) {
    if (account.provider !== 'codex') return {kind: 'answer', answer: unauthorized()}
    const claims = codexIdTokenClaims(md.id_token) ?? {}
    const accountId = String(md.account_id ?? claims.chatgpt_account_id ?? '')
    const sentAccount = headerValue(req.headers, 'chatgpt-account-id')
    if (!sentAccount || sentAccount.trim() !== accountId) {
      return {kind: 'answer', answer: jsonAnswer(403, {detail: 'ChatGPT-Account-Id header is missing or does not match the token'}, now)}
    }
    const plan = String(claims.plan_type ?? 'plus')
    const w = windowsFor(account.authIndex, scenario, nowS, [FIVE_HOURS, WEEK])
    return {kind: 'answer', answer: codexError(scenario, plan, w, now) ?? codexOk(account, md, plan, w, now)}
  }
  if (target === CLAUDE_USAGE_URL) {
    if (account.provider !== 'claude') return {kind: 'answer', answer: unauthorized()}
    const w = windowsFor(account.authIndex, scenario, nowS, [FIVE_HOURS, WEEK])
    return {kind: 'answer', answer: claudeError(scenario, w, now) ?? claudeOk(w, now)}
  }
  if (account.provider !== 'xai') return {kind: 'answer', answer: unauthorized()}
  // xAI: the "short" window is the weekly credit window, the "long" one the monthly spend
  const w = windowsFor(account.authIndex, scenario, nowS, [WEEK, MONTH])
  if (scenario === 'long_exhausted') w.short.used = 100
  const error = xaiError(scenario, w, now)
  if (error) return {kind: 'answer', answer: error}
  if (target === XAI_ME_URL) {
    return {kind: 'answer', answer: jsonAnswer(200, {sub: String(md.sub ?? ''), email: account.email ?? '', team_id: `team-${hash32(account.authIndex).toString(16)}`}, now)}
  }
  return {kind: 'answer', answer: xaiBilling(url, w, now)}
}
