/**
 * Provider answer parsing and error evidence, on answers shaped like the real providers' (Codex wham/usage,
 * Anthropic OAuth usage, Grok CLI billing), independent of the simulator.
 */
import {describe, expect, it} from 'vitest'

import {classifyFailure, errorSnippet, type UpstreamAnswer} from '../../../src/lib/inspect/evidence.js'
import {findEvidence} from '../../../src/lib/usage/failure-evidence.js'
import {interpretClaudeUsage} from '../../../src/lib/inspect/probe-claude.js'
import {interpretCodexUsage} from '../../../src/lib/inspect/probe-codex.js'
import {interpretXaiBilling, readCredits, readMonthly} from '../../../src/lib/inspect/probe-xai.js'
import {formatLocalIso} from '../../../src/lib/time/zone.js'
import {arrangeWindows, headroom, makeWindow, toEpochMs} from '../../../src/lib/inspect/windows.js'

const NOW = Date.parse('2026-02-18T12:35:25Z')

function answer(status: number, body: unknown, header: Record<string, string[]> = {}): UpstreamAnswer {
  return {status, header: {'Content-Type': ['application/json'], ...header}, body: typeof body === 'string' ? body : JSON.stringify(body)}
}

const iso = (unixS: number) => new Date(unixS * 1000).toISOString()

describe('Codex wham/usage', () => {
  const teamBody = {
    user_id: 'user-x',
    account_id: 'a3cc6d1b-2a1b-475b-9b94-54191484abb8',
    email: 'someone@example.com',
    plan_type: 'team',
    rate_limit: {
      allowed: true,
      limit_reached: false,
      primary_window: {used_percent: 7, limit_window_seconds: 18000, reset_after_seconds: 4851, reset_at: 1771422975},
      secondary_window: {used_percent: 2, limit_window_seconds: 604800, reset_after_seconds: 592029, reset_at: 1772010153},
    },
    code_review_rate_limit: {
      allowed: true,
      limit_reached: false,
      primary_window: {used_percent: 0, limit_window_seconds: 604800, reset_after_seconds: 604800, reset_at: 1772022925},
      secondary_window: null,
    },
    additional_rate_limits: null,
    credits: {has_credits: false, unlimited: false, balance: null},
    promo: null,
  }

  it('reads the 5-hour and weekly windows, the plan, and the code-review limit as an extra window', () => {
    const out = interpretCodexUsage(JSON.stringify(teamBody), 200, 100, NOW, 'plus')
    expect(out.classification).toBe('ok')
    expect(out.plan).toBe('team')
    expect(out.disableEvidence).toBe(false)
    expect(out.windows.short).toEqual({
      id: 'primary_window',
      label: '5h',
      usedPercent: 7,
      resetsAt: iso(1771422975),
      windowSeconds: 18000,
      startedAt: iso(1771422975 - 18000),
    })
    expect(out.windows.long).toMatchObject({id: 'secondary_window', label: '7d', usedPercent: 2, resetsAt: iso(1772010153)})
    expect(out.windows.extra).toEqual([
      {
        id: 'code_review_rate_limit.primary_window',
        label: '7d code review',
        usedPercent: 0,
        resetsAt: iso(1772022925),
        windowSeconds: 604800,
        startedAt: iso(1772022925 - 604800),
      },
    ])
    expect(out.reason).toBe(`quota 5h 7% (resets ${iso(1771422975)}), 7d 2% (resets ${iso(1772010153)})`)
  })

  it('treats the weekly window at the threshold as disable evidence, the 5-hour one as a keep', () => {
    const long = structuredClone(teamBody)
    long.rate_limit.secondary_window.used_percent = 100
    const l = interpretCodexUsage(JSON.stringify(long), 200, 100, NOW, null)
    expect([l.classification, l.disableEvidence]).toEqual(['quota_exhausted', true])
    expect(l.reason).toBe(`long window 7d at 100% (threshold 100%), resets ${iso(1772010153)}`)

    const short = structuredClone(teamBody)
    short.rate_limit.primary_window.used_percent = 100
    const s = interpretCodexUsage(JSON.stringify(short), 200, 100, NOW, null)
    expect([s.classification, s.disableEvidence]).toEqual(['quota_exhausted', false])

    // threshold 90: 92% weekly is exhausted, 85% is not
    long.rate_limit.secondary_window.used_percent = 92
    expect(interpretCodexUsage(JSON.stringify(long), 200, 90, NOW, null).classification).toBe('quota_exhausted')
    long.rate_limit.secondary_window.used_percent = 85
    expect(interpretCodexUsage(JSON.stringify(long), 200, 90, NOW, null).classification).toBe('ok')
  })

  it('gives a plan with a single weekly window the long role; reset_after_seconds fills a missing reset_at', () => {
    const body = {plan_type: 'free', rate_limit: {primary_window: {used_percent: 40, limit_window_seconds: 604800, reset_after_seconds: 3600}, secondary_window: null}}
    const out = interpretCodexUsage(JSON.stringify(body), 200, 100, NOW, null)
    expect(out.windows.short).toBeNull()
    expect(out.windows.long).toMatchObject({usedPercent: 40, windowSeconds: 604800, resetsAt: new Date(NOW + 3_600_000).toISOString()})
    expect(out.plan).toBe('free')
  })

  it('decides nothing on an answer without rate-limit windows', () => {
    const out = interpretCodexUsage(JSON.stringify({detail: 'something else'}), 200, 100, NOW, 'plus')
    expect(out).toMatchObject({classification: 'review', disableEvidence: false, plan: 'plus'})
  })
})

describe('error evidence', () => {
  it('a revoked or invalidated token is reauth with disable evidence', () => {
    const body = {error: {message: 'Your authentication token has been invalidated. Please try signing in again.', type: 'invalid_request_error', code: 'token_invalidated', param: null}}
    const out = classifyFailure(answer(401, body), NOW)
    expect(out).toMatchObject({classification: 'reauth', httpStatus: 401, disableEvidence: true})
    expect(out.reason).toBe('token revoked (401 token_invalidated: Your authentication token has been invalidated. Please try signing in again.); log in again')
  })

  it('an expired token is reauth', () => {
    const body = {error: {message: 'Provided authentication token is expired. Please try signing in again.', code: 'token_expired'}}
    expect(classifyFailure(answer(401, body), NOW)).toMatchObject({classification: 'reauth', disableEvidence: true})
  })

  it('402 deactivated_workspace and a deactivated account are workspace_deactivated', () => {
    expect(classifyFailure(answer(402, {detail: {code: 'deactivated_workspace'}}), NOW)).toMatchObject({
      classification: 'workspace_deactivated',
      disableEvidence: true,
      reason: 'workspace deactivated (402 deactivated_workspace)',
    })
    const account = {error: {message: 'Your OpenAI account has been deactivated, please check your email for more information.', code: 'account_deactivated'}}
    expect(classifyFailure(answer(401, account), NOW).classification).toBe('workspace_deactivated')
  })

  it('a bare 401, 403 or 402 is review, never disable evidence', () => {
    for (const [status, body] of [
      [401, {detail: 'Unauthorized'}],
      [403, 'Forbidden'],
      [402, {error: {message: 'Payment required'}}],
      [401, {type: 'error', error: {type: 'authentication_error', message: 'authentication failed'}}],
    ] as const) {
      const out = classifyFailure(answer(status, body), NOW)
      expect([status, out.classification, out.disableEvidence]).toEqual([status, 'review', false])
    }
  })

  it('evidence words only count at the statuses that carry them', () => {
    expect(findEvidence(500, '{"error":{"code":"invalid_token"}}')).toBeNull()
    expect(classifyFailure(answer(500, {error: {code: 'invalid_token', message: 'upstream broke'}}), NOW).classification).toBe('probe_failed')
    expect(findEvidence(200, 'deactivated_workspace')).toBeNull()
    expect(findEvidence(403, 'deactivated_workspace')).toBe('workspace_deactivated')
  })

  it('429 is probe_failed unless it says usage_limit_reached, which is quota with the reset it names', () => {
    expect(classifyFailure(answer(429, {error: {message: 'Too many requests'}}), NOW)).toMatchObject({classification: 'probe_failed', httpStatus: 429})
    const reset = Math.floor(NOW / 1000) + 3600
    const out = classifyFailure(answer(429, {error: {type: 'usage_limit_reached', message: 'The usage limit has been reached', resets_at: reset}}), NOW)
    expect(out).toMatchObject({classification: 'quota_exhausted', disableEvidence: false})
    expect(out.windows.extra[0]).toMatchObject({usedPercent: 100, resetsAt: iso(reset)})
    const viaHeader = classifyFailure(answer(429, {error: {type: 'usage_limit_reached'}}, {'Retry-After': ['120']}), NOW)
    expect(viaHeader.windows.extra[0].resetsAt).toBe(new Date(NOW + 120_000).toISOString())
  })

  it('never copies a credential from an error body into the reason', () => {
    const body = {error: {message: 'bad header Authorization: Bearer sk-ant-oat01-abcdefghijklmnopqrstuvwxyz0123456789', code: 'invalid_request'}}
    const snippet = errorSnippet(JSON.stringify(body))
    expect(snippet).not.toContain('abcdefghijklmnop')
    expect(snippet).toContain('[redacted]')
  })
})

describe('Claude OAuth usage', () => {
  const body = {
    five_hour: {utilization: 61.0, resets_at: '2026-01-28T07:59:59.571404+00:00'},
    seven_day: {utilization: 22.0, resets_at: '2026-02-03T09:59:59.571468+00:00'},
    seven_day_oauth_apps: null,
    seven_day_opus: {utilization: 0.0, resets_at: null},
    extra_usage: {is_enabled: false, monthly_limit: null, used_credits: null, utilization: null},
  }

  it('reads five_hour and seven_day as the short and long windows, model buckets as extras', () => {
    const out = interpretClaudeUsage(JSON.stringify(body), 200, 100)
    expect(out.classification).toBe('ok')
    expect(out.windows.short).toEqual({
      id: 'five_hour',
      label: '5h',
      usedPercent: 61,
      resetsAt: '2026-01-28T07:59:59.571Z',
      windowSeconds: 18000,
      startedAt: '2026-01-28T02:59:59.571Z',
    })
    expect(out.windows.long).toMatchObject({id: 'seven_day', usedPercent: 22, resetsAt: '2026-02-03T09:59:59.571Z'})
    expect(out.windows.extra).toEqual([{id: 'seven_day_opus', label: '7d opus', usedPercent: 0, resetsAt: null, windowSeconds: 604800, startedAt: null}])
  })

  it('an exhausted model bucket alone decides nothing; an exhausted seven_day does', () => {
    const opus = {...body, seven_day_opus: {utilization: 100, resets_at: '2026-02-03T09:59:59Z'}}
    expect(interpretClaudeUsage(JSON.stringify(opus), 200, 100).classification).toBe('ok')
    const week = {...body, seven_day: {utilization: 100, resets_at: '2026-02-03T09:59:59Z'}}
    expect(interpretClaudeUsage(JSON.stringify(week), 200, 100)).toMatchObject({classification: 'quota_exhausted', disableEvidence: true})
  })

  it('a revoked token is reauth; a token without the profile scope is only review', () => {
    const revoked = {type: 'error', error: {type: 'authentication_error', message: 'OAuth token has been revoked. Please obtain a new token.'}}
    expect(classifyFailure(answer(401, revoked), NOW)).toMatchObject({classification: 'reauth', disableEvidence: true})
    const scope = {type: 'error', error: {type: 'permission_error', message: 'OAuth token does not meet scope requirement user:profile'}}
    expect(classifyFailure(answer(403, scope), NOW)).toMatchObject({classification: 'review', disableEvidence: false})
  })
})

describe('xAI billing', () => {
  const credits = {
    config: {
      creditUsagePercent: 20,
      currentPeriod: {type: 'weekly', start: '2026-07-21T00:00:00Z', end: '2026-07-28T00:00:00Z'},
      productUsage: [{product: 'grok-build', usagePercent: 20}],
    },
  }
  const monthly = {config: {monthlyLimit: {val: '5000'}, used: {val: '1250'}, billingPeriodStart: '2026-07-01T00:00:00Z', billingPeriodEnd: '2026-08-01T00:00:00Z'}}

  it('reads the weekly credit pool and the monthly allowance (cents as {val} objects)', () => {
    const out = interpretXaiBilling(answer(200, credits), answer(200, monthly), 100, NOW)
    expect(out.classification).toBe('ok')
    expect(out.windows.short).toEqual({
      id: 'credits',
      label: '7d',
      usedPercent: 20,
      resetsAt: '2026-07-28T00:00:00.000Z',
      windowSeconds: 604800,
      startedAt: '2026-07-21T00:00:00.000Z',
    })
    expect(out.windows.long).toEqual({
      id: 'monthly',
      label: '31d',
      usedPercent: 25,
      resetsAt: '2026-08-01T00:00:00.000Z',
      windowSeconds: 31 * 86400,
      startedAt: '2026-07-01T00:00:00.000Z',
    })
    expect(out.windows.extra.map((w) => [w.id, w.usedPercent])).toEqual([['product.grok-build', 20]])
  })

  it('accepts snake_case fields and plain numbers', () => {
    expect(readCredits({credit_usage_percent: 55, current_period: {type: 'weekly'}}).main).toMatchObject({usedPercent: 55, windowSeconds: 604800})
    expect(readMonthly({monthly_limit: 1000, used: 1500, on_demand_cap: 2000, on_demand_used: 500})).toMatchObject({
      main: {usedPercent: 100},
      extra: [{id: 'on_demand', usedPercent: 25}],
    })
  })

  it('a spent monthly allowance is disable evidence; a full weekly pool alone is not', () => {
    const spent = {config: {...monthly.config, used: {val: '5000'}}}
    expect(interpretXaiBilling(answer(200, credits), answer(200, spent), 100, NOW)).toMatchObject({classification: 'quota_exhausted', disableEvidence: true})
    const week = {config: {...credits.config, creditUsagePercent: 100}}
    expect(interpretXaiBilling(answer(200, week), answer(200, monthly), 100, NOW)).toMatchObject({classification: 'quota_exhausted', disableEvidence: false})
  })

  it('free usage exhausted or a spending limit in an error answer is long-window evidence', () => {
    const free = answer(402, {code: 'subscription:free-usage-exhausted', error: 'You have used all of your included free usage.'})
    expect(interpretXaiBilling(free, null, 100, NOW)).toMatchObject({classification: 'quota_exhausted', disableEvidence: true, httpStatus: 402})
    const limit = answer(403, {code: 'personal-team-blocked:spending-limit', error: 'Monthly spending limit reached'})
    expect(interpretXaiBilling(answer(200, credits), limit, 100, NOW)).toMatchObject({classification: 'quota_exhausted', disableEvidence: true})
  })

  it('keeps the weekly data when the monthly call failed, and says so', () => {
    const out = interpretXaiBilling(answer(200, credits), null, 100, NOW, 'the gateway could not make the call (502)')
    expect(out.classification).toBe('ok')
    expect(out.windows.long?.id).toBe('credits')
    expect(out.reason).toContain('partial: monthly billing: the gateway could not make the call (502)')
  })

  it('an unrecognised billing answer decides nothing', () => {
    const out = interpretXaiBilling(answer(200, {something: 'else'}), answer(200, {}), 100, NOW)
    expect(out).toMatchObject({classification: 'review', disableEvidence: false})
  })
})

describe('windows and time', () => {
  it('orders two windows by length and picks the short role for a lone sub-day window', () => {
    const five = makeWindow({id: 'a', usedPercent: 10, resetsAtMs: null, windowSeconds: 18000})
    const week = makeWindow({id: 'b', usedPercent: 30, resetsAtMs: null, windowSeconds: 604800})
    expect(arrangeWindows([week, five])).toEqual({short: five, long: week, extra: []})
    expect(arrangeWindows([five])).toEqual({short: five, long: null, extra: []})
    expect(headroom(arrangeWindows([week, five]))).toBe(70)
    expect(headroom({short: null, long: null, extra: []})).toBeNull()
  })

  it('reads unix seconds, unix milliseconds and ISO strings', () => {
    expect(toEpochMs(1771422975)).toBe(1771422975000)
    expect(toEpochMs(1771422975123)).toBe(1771422975123)
    expect(toEpochMs('2026-01-28T07:59:59.5+00:00')).toBe(Date.parse('2026-01-28T07:59:59.500Z'))
    expect(toEpochMs(null)).toBeNull()
    expect(toEpochMs('soon')).toBeNull()
  })

  it('renders instants in an IANA zone, half-hour offsets and UTC included', () => {
    expect(formatLocalIso('Asia/Kolkata', Date.parse('2026-01-01T00:00:00Z'))).toBe('2026-01-01T05:30:00+05:30')
    expect(formatLocalIso('America/New_York', Date.parse('2026-07-01T12:00:00Z'))).toBe('2026-07-01T08:00:00-04:00')
    expect(formatLocalIso('UTC', Date.parse('2026-07-01T12:00:00Z'))).toBe('2026-07-01T12:00:00Z')
  })
})
