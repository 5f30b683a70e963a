/**
 * Secrets inside usage records: the client key `api_key` in plaintext and, for API-key credentials, the upstream
 * key in `source` (or the client key again, for credentials without an email). Keys are stored only as the
 * lowercase hex SHA-256 of the trimmed key; secret-looking sources are masked (`****wxyz`) and hashed.
 */
import {createHash} from 'node:crypto'

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

const HEX64 = /^[0-9a-f]{64}$/

/** True for a lowercase/uppercase 64-hex SHA-256 digest. */
export function isSha256Hex(text: string): boolean {
  return HEX64.test(text.toLowerCase())
}

/**
 * The one client-key hasher. The stored form of a client API key: lowercase hex SHA-256 of the trimmed key (the same hash aliases use,
 * so an alias matches the usage rows of its key). Empty or whitespace-only keys (client auth off) ⇒ null.
 */
export function hashApiKey(raw: string): string | null {
  const key = raw.trim()
  return key === '' ? null : sha256Hex(key)
}

const SECRET_PREFIX = /^(sk-|sk_|sess-|ghp_|gho_|github_pat_|AIza|hf_|pk_|rk_|xai-|gsk_|Bearer\s)/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/**
 * Does this `source` value look like a secret? API-key credentials always carry a key (auth_type `apikey`);
 * otherwise well-known key prefixes, or a long unbroken token-like string, count as secrets. Emails, project
 * ids (`my-project-123`) and short labels do not.
 */
export function looksSecret(value: string, authType: string | null = null): boolean {
  const v = value.trim()
  if (v === '') return false
  if (authType === 'apikey') return true
  if (EMAIL.test(v)) return false
  if (SECRET_PREFIX.test(v)) return true
  if (v.length >= 24 && /^[A-Za-z0-9._~+/=-]+$/.test(v)) {
    // long token-like: mixed classes (a GCP project id is lowercase, digits and dashes only, ≤ 30 chars)
    const classes = Number(/[a-z]/.test(v)) + Number(/[A-Z]/.test(v)) + Number(/[0-9]/.test(v))
    return classes >= 2 || v.length > 40
  }
  return false
}

/**
 * The one secret masker: `****` + the last 4 characters; values shorter than 12
 * characters show only `****`; an empty value has nothing to hide and comes back unchanged.
 */
export function maskSecret(value: string): string {
  const v = value.trim()
  if (v === '') return value
  return v.length >= 12 ? `****${v.slice(-4)}` : '****'
}

export interface MaskedSource {
  source: string
  /** SHA-256 of the raw trimmed value when masked, else null. */
  sourceHash: string | null
}

/** Mask a `source` value when it is a secret; the hash keeps masked sources distinguishable. */
export function maskSource(raw: string, authType: string | null): MaskedSource {
  return looksSecret(raw, authType) ? {source: maskSecret(raw), sourceHash: sha256Hex(raw.trim())} : {source: raw, sourceHash: null}
}
