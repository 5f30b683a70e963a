/**
 * Scripted upstream answers for `/api-call` (the account inspection and quota probes panels send through it;
 * `$TOKEN$` in a header is the credential's token).
 *
 * The simulator never leaves the machine: `answerUpstream()` recognises the provider quota URLs and
 * answers from the credential's scenario (accounts.ts `registry.scenario()`), deterministically given the
 * simulated clock. Any other URL is "unreachable" (the caller turns that into 502 `request failed`).
 *
 * Scripted endpoints (here; Claude profile, Codex reset credits, Kimi and Antigravity in upstream-probes.ts)
 * - Codex `GET https://chatgpt.com/backend-api/wham/usage`: needs `Authorization: Bearer <access_token of
 *   the credential>` and `Chatgpt-Account-Id: <its account id>` (401 / 403 otherwise). 200 body:
 *   `{user_id, account_id, email, plan_type, rate_limit: {allowed, limit_reached, primary_window,
 *   secondary_window}, code_review_rate_limit, additional_rate_limits: null, credits: {...},
 *   rate_limit_reset_credits: {available_count, applicable_available_count}, promo: null}`,
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
import type {ScenarioSetting, SimAccountRegistry} from './account-types.js'
import {codexIdTokenClaims} from './jwt.js'
import {hash32} from './seeded-random.js'
import type {SimAccount} from './types.js'
import {
  claudeError,
  codexError,
  FIVE_HOURS,
  headerValue,
  isoUtc,
  jsonAnswer,
  MONTH,
  type UpstreamAnswer,
  type UpstreamOutcome,
  type UpstreamRequest,
  WEEK,
  windowAt,
  type Windows,
  windowsFor,
  xaiError,
} from './upstream-answers.js'

import {answerProbe, applyCodexReset, codexResetCreditsSummary, probeProvider} from './upstream-probes.js'

export type {UpstreamOutcome, UpstreamRequest} from './upstream-answers.js'
export {windowAt} from './upstream-answers.js'

/** The gateway's `/api-call` upstream timeout (60 s). */
export const API_CALL_UPSTREAM_TIMEOUT_MS = 60_000
export const DEFAULT_TIMEOUT_DELAY_MS = 65_000

export const CODEX_USAGE_URL = 'https://chatgpt.com/backend-api/wham/usage'
export const CLAUDE_USAGE_URL = 'https://api.anthropic.com/api/oauth/usage'
export const XAI_BILLING_URL = 'https://cli-chat-proxy.grok.com/v1/billing'
export const XAI_ME_URL = 'https://api.x.ai/v1/me'

// ---------------------------------------------------------------------------------------------------------
// Success bodies
// ---------------------------------------------------------------------------------------------------------

function codexOk(account: SimAccount, md: Record<string, unknown>, plan: string, w: Windows, nowMs: number, resetCredits: Record<string, number>): UpstreamAnswer {
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
      rate_limit_reset_credits: resetCredits,
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
  const probe = probeProvider(target)
  if (!known.includes(target) && !probe) return {kind: 'unreachable'}

  const account = authIndex ? reg.byIndex(authIndex) : undefined
  const setting: ScenarioSetting = account ? reg.scenario(account.authIndex) : {scenario: 'ok'}
  if (setting.hold) await setting.hold()
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
  const claims = codexIdTokenClaims(md.id_token) ?? {}
  if (target === CODEX_USAGE_URL || probe === 'codex') {
    if (account.provider !== 'codex') return {kind: 'answer', answer: unauthorized()}
    const accountId = String(md.account_id ?? claims.chatgpt_account_id ?? '')
    const sentAccount = headerValue(req.headers, 'chatgpt-account-id')
    if (!sentAccount || sentAccount.trim() !== accountId) {
      return {kind: 'answer', answer: jsonAnswer(403, {detail: 'ChatGPT-Account-Id header is missing or does not match the token'}, now)}
    }
  }
  if (probe) {
    if (account.provider !== probe) return {kind: 'answer', answer: unauthorized()}
    return {kind: 'answer', answer: answerProbe({reg, account, md, scenario, target, method: req.method, body: req.body, now})}
  }
  if (target === CODEX_USAGE_URL) {
    const plan = String(claims.plan_type ?? 'plus')
    const w = windowsFor(account.authIndex, scenario, nowS, [FIVE_HOURS, WEEK])
    applyCodexReset(reg, account.authIndex, w, nowS)
    return {kind: 'answer', answer: codexError(scenario, plan, w, now) ?? codexOk(account, md, plan, w, now, codexResetCreditsSummary(reg, account.authIndex))}
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
