/**
 * Claude probe: `GET https://api.anthropic.com/api/oauth/usage` through `/api-call`
 * with `Authorization: Bearer $TOKEN$` and `anthropic-beta: oauth-2025-04-20` (the OAuth usage endpoint
 * refuses OAuth tokens without that beta header; tokens need the `user:profile` scope).
 *
 * 200 answer: `{five_hour, seven_day, seven_day_opus, seven_day_sonnet, seven_day_oauth_apps, extra_usage}`,
 * each window `{utilization (0–100), resets_at (ISO 8601)}` or null. `five_hour` and `seven_day` are the
 * limits for every model (short and long window); the model- or feature-scoped weekly buckets are extra
 * windows that never decide anything on their own.
 * Errors: `{"type":"error","error":{"type":"authentication_error","message":"OAuth token has been revoked…"}}`.
 */
import {classifyFailure, isRecord, parseJsonBody} from './evidence.js'
import {judgeWindows, type ProviderProbe} from './probes.js'
import {arrangeWindows, makeWindow, num, toEpochMs} from './windows.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindow} from '../store/index.js'

export const CLAUDE_USAGE_URL = 'https://api.anthropic.com/api/oauth/usage'
export const CLAUDE_OAUTH_BETA = 'oauth-2025-04-20'

const MAIN: Array<[string, number]> = [
  ['five_hour', 18_000],
  ['seven_day', 604_800],
]

function readBucket(raw: unknown, id: string, seconds: number | null, label?: string): QuotaWindow | null {
  if (!isRecord(raw)) return null
  const used = num(raw.utilization)
  const reset = toEpochMs(raw.resets_at)
  if (used === null && reset === null) return null
  return makeWindow({id, label, usedPercent: used, resetsAtMs: reset, windowSeconds: seconds})
}

/** Parse a 200 OAuth usage body into an outcome (exported for unit tests). */
export function interpretClaudeUsage(body: string, status: number, threshold: number): ProbeOutcome {
  const json = parseJsonBody(body)
  const main: QuotaWindow[] = []
  const extra: QuotaWindow[] = []
  if (isRecord(json)) {
    for (const [key, seconds] of MAIN) {
      const w = readBucket(json[key], key, seconds)
      if (w) main.push(w)
    }
    for (const [key, value] of Object.entries(json)) {
      const m = /^seven_day_(.+)$/.exec(key)
      if (!m) continue
      const w = readBucket(value, key, 604_800, `7d ${m[1].replaceAll('_', ' ')}`)
      if (w) extra.push(w)
    }
  }
  if (main.length === 0) {
    return {
      classification: 'review',
      httpStatus: status,
      plan: null,
      windows: {short: null, long: null, extra},
      disableEvidence: false,
      reason: 'the usage answer has no five_hour/seven_day window (has the protocol changed?); nothing is decided',
    }
  }
  return judgeWindows(arrangeWindows(main, extra), null, status, threshold)
}

export const claudeProbe: ProviderProbe = {
  provider: 'claude',
  describe: 'GET api.anthropic.com/api/oauth/usage (anthropic-beta: oauth-2025-04-20)',
  async probe(ctx) {
    const answer = await ctx.call({
      method: 'GET',
      url: CLAUDE_USAGE_URL,
      header: {Authorization: 'Bearer $TOKEN$', Accept: 'application/json', 'anthropic-beta': CLAUDE_OAUTH_BETA},
    })
    if (answer.status < 200 || answer.status >= 300) return classifyFailure(answer, ctx.nowMs)
    return interpretClaudeUsage(answer.body, answer.status, ctx.threshold)
  },
}
