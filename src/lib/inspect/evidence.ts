/**
 * Evidence in a provider's non-2xx answer: what an error body proves about a
 * credential. The rule that never surprises: only explicit evidence counts — a deactivated workspace or
 * account, a revoked or invalid/expired token, an exhausted long-window allowance. A bare 401/403/402 proves
 * nothing by itself and is classified `review`; rate limiting and 5xx mean the probe could not tell
 * (`probe_failed`), except an explicit `usage_limit_reached`, which is quota evidence for the current window.
 */
import {findEvidence} from '../usage/failure-evidence.js'
import {scrubSecrets} from '../usage/redact.js'
import {emptyWindows, makeWindow, num, toEpochMs} from './windows.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindows} from '../store/index.js'

export interface UpstreamAnswer {
  status: number
  header: Record<string, string[]>
  body: string
}


export function parseJsonBody(text: string): unknown {
  const t = text.trim()
  if (!t.startsWith('{') && !t.startsWith('[')) return null
  try {
    return JSON.parse(t) as unknown
  } catch {
    return null
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}


/** `code: message` from the common error shapes, scrubbed of secrets and cut to one short line. */
export function errorSnippet(body: string, max = 160): string {
  const json = parseJsonBody(body)
  let code: string | null = null
  let message: string | null = null
  const pick = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null)
  if (isRecord(json)) {
    const err = json.error
    if (isRecord(err)) {
      code = pick(err.code) ?? pick(err.type)
      message = pick(err.message)
    } else {
      message = pick(err)
    }
    const detail = json.detail
    if (isRecord(detail)) {
      code ??= pick(detail.code)
      message ??= pick(detail.message)
    } else message ??= pick(detail)
    code ??= pick(json.code)
    message ??= pick(json.message)
  }
  let text = code && message ? (message.toLowerCase().includes(code.toLowerCase()) ? message : `${code}: ${message}`) : (code ?? message ?? body.trim())
  text = scrubSecrets(text.replace(/\s+/g, ' '))
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function header(answer: UpstreamAnswer, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(answer.header)) if (k.toLowerCase() === lower) return v[0]
  return undefined
}

/** Reset time an explicit usage-limit answer gives (body `resets_at` / `resets_in_seconds`, or Retry-After). */
export function usageLimitReset(answer: UpstreamAnswer, nowMs: number): number | null {
  const json = parseJsonBody(answer.body)
  const err = isRecord(json) && isRecord(json.error) ? json.error : isRecord(json) ? json : {}
  const at = toEpochMs(err.resets_at)
  if (at !== null) return at
  const inS = num(err.resets_in_seconds)
  if (inS !== null) return nowMs + inS * 1000
  const retry = num(header(answer, 'retry-after'))
  if (retry !== null) return nowMs + retry * 1000
  return null
}

function outcome(
  classification: ProbeOutcome['classification'],
  status: number | null,
  reason: string,
  disableEvidence = false,
  windows: QuotaWindows = emptyWindows(),
): ProbeOutcome {
  return {classification, httpStatus: status, plan: null, windows, disableEvidence, reason}
}

/** Classify a non-2xx upstream answer. */
export function classifyFailure(answer: UpstreamAnswer, nowMs: number): ProbeOutcome {
  const {status} = answer
  const detail = errorSnippet(answer.body)
  const kind = findEvidence(status, answer.body)
  switch (kind) {
    case 'workspace_deactivated':
      return outcome('workspace_deactivated', status, `workspace deactivated (${status} ${detail})`, true)
    case 'account_deactivated':
      return outcome('workspace_deactivated', status, `account deactivated (${status} ${detail})`, true)
    case 'token_revoked':
      return outcome('reauth', status, `token revoked (${status} ${detail}); log in again`, true)
    case 'token_invalid':
      return outcome('reauth', status, `token invalid or expired (${status} ${detail}); log in again`, true)
    case 'allowance_exhausted':
      return outcome('quota_exhausted', status, `long-window allowance exhausted (${status} ${detail})`, true)
    case 'usage_limit_reached': {
      const reset = usageLimitReset(answer, nowMs)
      const w = makeWindow({id: 'usage_limit', label: 'current', usedPercent: 100, resetsAtMs: reset, windowSeconds: null})
      return outcome(
        'quota_exhausted',
        status,
        `usage limit reached (429)${reset === null ? '' : `, resets ${w.resetsAt}`}; which window is not said, so nothing is disabled`,
        false,
        {short: null, long: null, extra: [w]},
      )
    }
    default:
      break
  }
  if (status === 429) return outcome('probe_failed', status, `rate limited by the provider (429 ${detail})`)
  if (status >= 500) return outcome('probe_failed', status, `provider error (${status} ${detail})`)
  if (status === 401 || status === 403 || status === 402) {
    return outcome('review', status, `${status} without evidence of revocation, expiry or deactivation (${detail}); check by hand`)
  }
  return outcome('review', status, `unexpected answer (${status} ${detail})`)
}
