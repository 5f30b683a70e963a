/**
 * Codex probe: `GET https://chatgpt.com/backend-api/wham/usage` through
 * `/api-call` with `Authorization: Bearer $TOKEN$` and `Chatgpt-Account-Id` (the workspace: the auth-file
 * list gives the decoded id_token claims, `chatgpt_account_id` among them).
 *
 * 200 answer: `{plan_type, rate_limit: {allowed, limit_reached, primary_window, secondary_window},
 * code_review_rate_limit, additional_rate_limits, credits, …}`, each window
 * `{used_percent, limit_window_seconds, reset_after_seconds, reset_at (unix s)}`; primary is usually the
 * 5-hour window and secondary the weekly one, but plans differ, so roles come from the window lengths.
 * Errors: 401 with `token_revoked` / `token_invalidated` / `invalid_token` codes, 402
 * `{"detail":{"code":"deactivated_workspace"}}` (evidence.ts).
 */
import {classifyFailure, isRecord, parseJsonBody} from './evidence.js'
import {judgeWindows, type ProbeContext, type ProviderProbe} from './probes.js'
import {arrangeWindows, makeWindow, num, toEpochMs} from './windows.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindow} from '../store/index.js'

export const CODEX_USAGE_URL = 'https://chatgpt.com/backend-api/wham/usage'
export const CODEX_USER_AGENT = 'codex_cli_rs (cpactl inspect)'

function claims(ctx: ProbeContext): Record<string, unknown> {
  const c = ctx.entry.id_token
  return isRecord(c) ? c : {}
}

export function codexAccountId(entry: ProbeContext['entry']): string | null {
  const c = isRecord(entry.id_token) ? entry.id_token : {}
  const v = c.chatgpt_account_id ?? entry.account_id
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null
}

function readWindow(raw: unknown, id: string, nowMs: number): QuotaWindow | null {
  if (!isRecord(raw)) return null
  const used = num(raw.used_percent)
  const seconds = num(raw.limit_window_seconds)
  let reset = toEpochMs(raw.reset_at)
  if (reset === null) {
    const after = num(raw.reset_after_seconds)
    if (after !== null) reset = nowMs + after * 1000
  }
  if (used === null && reset === null) return null
  return makeWindow({id, usedPercent: used, resetsAtMs: reset, windowSeconds: seconds})
}

function readLimit(raw: unknown, prefix: string, nowMs: number, labelPrefix: string | null): QuotaWindow[] {
  if (!isRecord(raw)) return []
  const out: QuotaWindow[] = []
  for (const key of ['primary_window', 'secondary_window']) {
    const w = readWindow(raw[key], prefix ? `${prefix}.${key}` : key, nowMs)
    if (w) out.push(labelPrefix ? {...w, label: `${w.label} ${labelPrefix}`} : w)
  }
  return out
}

/** Parse a 200 wham/usage body into an outcome (exported for unit tests). */
export function interpretCodexUsage(body: string, status: number, threshold: number, nowMs: number, fallbackPlan: string | null): ProbeOutcome {
  const json = parseJsonBody(body)
  if (!isRecord(json) || !isRecord(json.rate_limit)) {
    return {
      classification: 'review',
      httpStatus: status,
      plan: fallbackPlan,
      windows: {short: null, long: null, extra: []},
      disableEvidence: false,
      reason: 'the usage answer has no rate_limit windows (has the protocol changed?); nothing is decided',
    }
  }
  const plan = typeof json.plan_type === 'string' && json.plan_type ? json.plan_type : fallbackPlan
  const main = readLimit(json.rate_limit, '', nowMs, null)
  const extra: QuotaWindow[] = [...readLimit(json.code_review_rate_limit, 'code_review_rate_limit', nowMs, 'code review')]
  if (Array.isArray(json.additional_rate_limits)) {
    json.additional_rate_limits.forEach((item, i) => {
      if (!isRecord(item)) return
      const name = typeof item.limit_name === 'string' ? item.limit_name : typeof item.metered_feature === 'string' ? item.metered_feature : `additional_${i}`
      extra.push(...readLimit(item.rate_limit ?? item, `additional_rate_limits.${name}`, nowMs, name))
    })
  }
  if (main.length === 0) {
    return {
      classification: 'review',
      httpStatus: status,
      plan,
      windows: {short: null, long: null, extra},
      disableEvidence: false,
      reason: 'the usage answer has no primary/secondary window; nothing is decided',
    }
  }
  return judgeWindows(arrangeWindows(main, extra), plan, status, threshold)
}

export const codexProbe: ProviderProbe = {
  provider: 'codex',
  describe: 'GET chatgpt.com/backend-api/wham/usage (Chatgpt-Account-Id from the id_token claims)',
  async probe(ctx) {
    const header: Record<string, string> = {
      Authorization: 'Bearer $TOKEN$',
      Accept: 'application/json',
      'User-Agent': CODEX_USER_AGENT,
    }
    const accountId = codexAccountId(ctx.entry)
    if (accountId) header['Chatgpt-Account-Id'] = accountId
    const c = claims(ctx)
    const plan = typeof c.plan_type === 'string' ? c.plan_type : typeof c.chatgpt_plan_type === 'string' ? c.chatgpt_plan_type : null
    const answer = await ctx.call({method: 'GET', url: CODEX_USAGE_URL, header})
    if (answer.status < 200 || answer.status >= 300) return {...classifyFailure(answer, ctx.nowMs), plan}
    return interpretCodexUsage(answer.body, answer.status, ctx.threshold, ctx.nowMs, plan)
  },
}
