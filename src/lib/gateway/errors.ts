/**
 * What the gateway's refusals mean. A rejected key (401) or a ban (403 `IP banned due to too many failed
 * attempts. Try again in 29m41s`) is final: five failed attempts ban the client IP for 30 minutes, on HTTP and
 * RESP alike, and a ban refuses even the right key. A bare 404 (empty body, no `X-CPA-*` headers) on both
 * `/v0` and `/v8` means management is disabled or the node runs in CPA Home mode.
 */
import {formatDuration, parseGoDuration} from '../time/duration.js'
import {AuthError, ConfigError, UpstreamError} from '../cli/errors.js'

export const BAN_RE = /IP banned due to too many failed attempts\. Try again in (\S+)/

/** Parse the gateway's ban text (the remaining time is a Go duration such as `29m41s`) into milliseconds. */
export function parseBanRemaining(message: string): number | null {
  const m = BAN_RE.exec(message)
  return m ? parseGoDuration(m[1]) : null
}

export function bannedError(message: string): AuthError {
  const remainingMs = parseBanRemaining(message)
  return new AuthError(
    `the gateway has banned this client IP after too many failed management-key attempts${remainingMs === null ? '' : `; try again in ${formatDuration(remainingMs)}`}`,
    {
      code: 'ip_banned',
      hint: 'wait for the ban to expire; do not retry with the same key (every failure restarts the count)',
      details: {remainingMs, gatewayMessage: message},
    },
  )
}

/** gin's default `404 page not found` (text/plain) of gateways older than 7.1.47. */
export function isGinNotFound(raw: Buffer, headers: Record<string, string>): boolean {
  return raw.length < 64 && raw.toString('utf8').trim() === '404 page not found' && !(headers['content-type'] ?? '').includes('json')
}

/**
 * Management disabled or CPA Home mode: the two causes of a bare 404 on both /v0 and /v8 (a v8 gateway in Home
 * mode answers /v0, /v8 and /management.html with a bare 404).
 */
export function managementDisabledError(): ConfigError {
  return new ConfigError(
    'the gateway answers /healthz but its management API does not: either management is disabled (no secret key set) or the node runs in CPA Home mode (an empty 404 without X-CPA-* headers on /v0 and /v8)',
    {
      code: 'management_disabled',
      hint: 'set a management secret key in the gateway config (v8: management.secret-key, v7: remote-management.secret-key) or MANAGEMENT_PASSWORD; the routes appear after the hot reload. A node in CPA Home mode is managed through its Home control plane, not directly',
    },
  )
}

export function errorText(data: unknown): {error?: string; message?: string} {
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>
    return {error: typeof d.error === 'string' ? d.error : undefined, message: typeof d.message === 'string' ? d.message : undefined}
  }
  return {}
}

/** A request that got no answer: aborted by the user, timed out, or the gateway could not be reached. */
export function networkError(error: unknown, origin: string, target: string, timeoutMs: number, aborted: boolean): Error {
  const e = error as {name?: string; code?: string; cause?: {code?: string}; message?: string}
  if (aborted) return new UpstreamError('request aborted', {code: 'aborted'})
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || String(e?.code ?? '').includes('TIMEOUT')) {
    return new UpstreamError(`the gateway at ${origin} did not answer within ${formatDuration(timeoutMs)}`, {
      code: 'timeout',
      hint: 'check the gateway, or raise --timeout',
    })
  }
  const code = e?.code ?? e?.cause?.code ?? 'unknown'
  return new UpstreamError(`cannot reach the gateway at ${origin} (${code})`, {
    code: 'unreachable',
    hint: 'is the gateway running and the URL right? (--url / CPA_URL / profile)',
    details: {errno: code, target: target.replace(/\?.*$/, '')},
  })
}
