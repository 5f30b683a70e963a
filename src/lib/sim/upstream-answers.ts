/**
 * Building blocks of the scripted upstream answers of `/api-call` (upstream.ts, upstream-probes.ts):
 * the request/answer types, JSON and text answers in Go `http.Header` style, and the per-credential
 * rolling quota windows (deterministic for a given clock).
 */
import type {ScenarioSetting} from './account-types.js'
import {hash32} from './seeded-random.js'

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

export const FIVE_HOURS = 18_000
export const WEEK = 604_800
export const MONTH = 2_592_000

export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v
  return undefined
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString()
}

export function jsonAnswer(status: number, body: unknown, nowMs: number, extra: Record<string, string[]> = {}): UpstreamAnswer {
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

export function textAnswer(status: number, text: string, nowMs: number): UpstreamAnswer {
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
export function usedPercent(seedText: string, lengthS: number, nowS: number, lo: number, hi: number): number {
  const {resetAt} = windowAt(seedText, lengthS, nowS)
  return lo + (hash32(`${seedText}:used:${lengthS}:${resetAt}`) % (hi - lo))
}

export interface Windows {
  short: {used: number; resetAt: number; resetAfter: number; length: number}
  long: {used: number; resetAt: number; resetAfter: number; length: number}
}

export function windowsFor(seedText: string, scenario: ScenarioSetting['scenario'], nowS: number, lengths: [number, number]): Windows {
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

export function isoUtc(unixS: number): string {
  return new Date(unixS * 1000).toISOString().replace('Z', '+00:00')
}

export function commonError(scenario: string, nowMs: number): UpstreamAnswer | undefined {
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
// Provider error bodies per scenario
// ---------------------------------------------------------------------------------------------------------

export function codexError(scenario: string, plan: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
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

export function claudeError(scenario: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
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

export function xaiError(scenario: string, w: Windows, nowMs: number): UpstreamAnswer | undefined {
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
