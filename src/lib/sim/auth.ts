import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'

/**
 * Management authentication of the simulated gateway: the AuthenticateManagementKey check order (banned IP,
 * remote not allowed, no secret, empty key, key mismatch; the last two count as failures), one failure counter
 * per client IP shared by HTTP and RESP, and the 5-strike, 30-minute ban; every RESP command before AUTH counts
 * as a failure.
 */

export const MAX_FAILURES = 5
export const DEFAULT_BAN_MS = 30 * 60 * 1000

export type AuthOutcome =
  | {ok: true}
  | {ok: false; status: 401 | 403; message: string; counted: boolean; reason: AuthFailureReason}

export type AuthFailureReason = 'banned' | 'remote_disabled' | 'key_not_set' | 'missing_key' | 'invalid_key'

export interface AuthPolicy {
  /** `remote-management.allow-remote`: without it a non-local client gets 403 `remote management disabled`. */
  allowRemote: boolean
  /** Whether a secret is configured at all (none ⇒ 403 `remote management key not set`, not counted). */
  secretSet: boolean
  /** Constant-time check of a presented plaintext key against the configured secret (mismatch ⇒ 401, counted). */
  verify(key: string): boolean
}

interface IpState {
  failures: number
  bannedUntil: number
  lastSeen: number
}

/** Local = exactly 127.0.0.1 or ::1; IPv4-mapped IPv6 is reduced to IPv4 the way Go reports it. */
export function normalizeIp(ip: string | undefined): string {
  if (!ip) return ''
  const v = ip.trim()
  if (v.startsWith('::ffff:') && v.includes('.')) return v.slice(7)
  return v
}

export function isLocalIp(ip: string): boolean {
  const v = normalizeIp(ip)
  return v === '127.0.0.1' || v === '::1'
}

/**
 * Go's `time.Duration.String()` of a duration rounded to seconds, as the ban message prints it
 * (`29m41s`, `1h0m0s`, `45s`, `0s`: a Go duration rounded to seconds).
 */
export function goDurationSeconds(ms: number): string {
  let s = Math.max(0, Math.round(ms / 1000))
  if (s === 0) return '0s'
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  if (h > 0) return `${h}h${m}m${s}s`
  if (m > 0) return `${m}m${s}s`
  return `${s}s`
}

export function banMessage(remainingMs: number): string {
  return `IP banned due to too many failed attempts. Try again in ${goDurationSeconds(remainingMs)}`
}

export class ManagementAuth {
  private readonly ips = new Map<string, IpState>()
  private lastPurge: number
  /** Total failed attempts and bans since start (observability). */
  totalFailures = 0
  totalBans = 0

  constructor(
    private readonly now: () => number,
    public banDurationMs: number = DEFAULT_BAN_MS,
  ) {
    this.lastPurge = now()
  }

  private state(ip: string): IpState {
    let s = this.ips.get(ip)
    if (!s) {
      s = {failures: 0, bannedUntil: 0, lastSeen: this.now()}
      this.ips.set(ip, s)
    }
    return s
  }

  /** Remaining ban time in ms (0 when not banned). */
  bannedRemaining(ipRaw: string): number {
    const s = this.ips.get(normalizeIp(ipRaw))
    if (!s || s.bannedUntil === 0) return 0
    const left = s.bannedUntil - this.now()
    if (left <= 0) {
      s.bannedUntil = 0
      return 0
    }
    return left
  }

  /** Current failure counter of an IP (resets on success and when a ban starts). */
  failures(ipRaw: string): number {
    return this.ips.get(normalizeIp(ipRaw))?.failures ?? 0
  }

  /** Record one failed attempt; bans the IP for 30 minutes on the 5th; the counter resets when the ban starts. */
  recordFailure(ipRaw: string): void {
    const s = this.state(normalizeIp(ipRaw))
    s.failures++
    s.lastSeen = this.now()
    this.totalFailures++
    if (s.failures >= MAX_FAILURES) {
      s.failures = 0
      s.bannedUntil = this.now() + this.banDurationMs
      this.totalBans++
    }
  }

  ban(ipRaw: string, ms = this.banDurationMs): void {
    const s = this.state(normalizeIp(ipRaw))
    s.failures = 0
    s.bannedUntil = this.now() + ms
    this.totalBans++
  }

  /** Lift the ban and clear the counter of one IP, or of every IP. */
  unban(ipRaw?: string): void {
    if (ipRaw === undefined) {
      this.ips.clear()
      return
    }
    this.ips.delete(normalizeIp(ipRaw))
  }

  /**
   * `AuthenticateManagementKey` (success resets the IP's failure counter). `key` is the presented plaintext
   * key ('' when none was sent).
   */
  authenticate(ipRaw: string, key: string, policy: AuthPolicy): AuthOutcome {
    const ip = normalizeIp(ipRaw)
    if (this.now() - this.lastPurge >= 3600 * 1000) this.purgeIdle()
    // Step 1: banned (applies even to a correct key; not counted).
    const left = this.bannedRemaining(ip)
    if (left > 0) return {ok: false, status: 403, message: banMessage(left), counted: false, reason: 'banned'}
    // Step 2: remote client while remote management is off (not counted).
    if (!isLocalIp(ip) && !policy.allowRemote) {
      return {ok: false, status: 403, message: 'remote management disabled', counted: false, reason: 'remote_disabled'}
    }
    // Step 3: no secret configured (not counted).
    if (!policy.secretSet) {
      return {ok: false, status: 403, message: 'remote management key not set', counted: false, reason: 'key_not_set'}
    }
    // Step 4: empty key (counted).
    if (key === '') {
      this.recordFailure(ip)
      return {ok: false, status: 401, message: 'missing management key', counted: true, reason: 'missing_key'}
    }
    // Step 7: compare against the secret (counted on mismatch).
    if (!policy.verify(key)) {
      this.recordFailure(ip)
      return {ok: false, status: 401, message: 'invalid management key', counted: true, reason: 'invalid_key'}
    }
    // Step 8: success resets the counter.
    const s = this.ips.get(ip)
    if (s) s.failures = 0
    return {ok: true}
  }

  /** Idle entries (not banned, idle 2 h) are purged (the gateway does so hourly); called opportunistically. */
  purgeIdle(): void {
    const now = this.now()
    this.lastPurge = now
    for (const [ip, s] of this.ips) {
      if (s.bannedUntil <= now && now - s.lastSeen > 2 * 3600 * 1000) this.ips.delete(ip)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Secret storage in config.yaml. The real gateway bcrypt-hashes a plaintext `secret-key` and writes the hash
// back (comments preserved) unless it starts with `$2a$`, `$2b$` or `$2y$`. Node has no bcrypt, so the
// simulator writes a bcrypt-shaped, salted SHA-256 digest (`$2a$10$<22 salt><31 digest>`);
// it never writes the plaintext key anywhere.

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function bcryptBase64(buf: Buffer, length: number): string {
  let out = ''
  for (let i = 0; out.length < length; i++) out += BCRYPT_ALPHABET[buf[i % buf.length] & 63]
  return out
}

export function isHashedSecret(value: string): boolean {
  return /^\$2[aby]\$/.test(value)
}

export function hashSecret(plaintext: string, salt: string = bcryptBase64(randomBytes(22), 22)): string {
  const digest = createHash('sha256').update(`${salt}\u0000${plaintext}`).digest()
  return `$2a$10$${salt}${bcryptBase64(digest, 31)}`
}

/** Constant-time check of a plaintext key against a stored `secret-key` value (hashed or, unusually, plaintext). */
export function verifySecret(stored: string, presented: string): boolean {
  if (!stored) return false
  let expected: string
  let actual: string
  if (isHashedSecret(stored)) {
    if (!stored.startsWith('$2a$10$') || stored.length !== 7 + 22 + 31) return false
    const salt = stored.slice(7, 29)
    expected = stored
    actual = hashSecret(presented, salt)
  } else {
    expected = stored
    actual = presented
  }
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(actual).digest()
  return timingSafeEqual(a, b)
}
