/**
 * Redaction of text that leaves the gateway inside usage records: failure bodies become
 * a short `fail_summary`, dead-lettered payloads lose their keys and tokens, unknown fields lose secret-named
 * values. Pure functions over strings.
 */
import {hashApiKey, maskSource, sha256Hex} from './mask.js'

export const FAIL_SUMMARY_MAX_BYTES = 4096

/** Key prefixes of well-known credentials (OpenAI, Anthropic, Google, GitHub, Hugging Face, xAI, Stripe-style). */
const TOKEN_PATTERNS: RegExp[] = [
  /\b(sk-(?:ant-|proj-)?[A-Za-z0-9_-]{8,})/g,
  /\b(sess-[A-Za-z0-9_-]{8,})/g,
  /\b(gh[pousr]_[A-Za-z0-9]{16,})/g,
  /\b(github_pat_[A-Za-z0-9_]{16,})/g,
  /\b(AIza[0-9A-Za-z_-]{20,})/g,
  /\b(hf_[A-Za-z0-9]{16,})/g,
  /\b(xai-[A-Za-z0-9]{16,})/g,
  /\b([pr]k_(?:live|test)_[A-Za-z0-9]{8,})/g,
  /\b(eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})/g, // JWT
]

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi
/** JSON-ish `"name": "value"` and `name=value` pairs whose name says secret. */
const SECRET_FIELD = /("?(?:api[_-]?key|x-api-key|apikey|access[_-]?token|refresh[_-]?token|id[_-]?token|token|secret|client[_-]?secret|password|authorization|cookie|set-cookie)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,;&}"]+)/gi
const EMAIL = /\b([A-Za-z0-9._%+-]{1,64})@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b/g

/** Replace credentials and mask e-mail addresses in free text. */
export function scrubSecrets(text: string): string {
  let out = text.replace(BEARER, (_m, scheme: string) => `${scheme} [redacted]`)
  out = out.replace(SECRET_FIELD, (_m, name: string, value: string) => `${name}${value.startsWith('"') ? '"[redacted]"' : '[redacted]'}`)
  for (const re of TOKEN_PATTERNS) out = out.replace(re, '[redacted]')
  out = out.replace(EMAIL, (_m, user: string, domain: string) => `${user.slice(0, 3)}***@${domain}`)
  return out
}

/** Cut a string to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text
  const buf = Buffer.from(text, 'utf8').subarray(0, maxBytes)
  // drop a trailing partial character (continuation bytes 10xxxxxx and the lead byte before them)
  let end = buf.length
  let i = end - 1
  while (i >= 0 && (buf[i] & 0xc0) === 0x80) i--
  if (i >= 0) {
    const lead = buf[i]
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1
    if (end - i < need) end = i
  }
  return buf.subarray(0, end).toString('utf8')
}

/** `fail.body` → redacted summary of at most 4096 bytes; empty ⇒ null. */
export function redactFailBody(body: unknown): string | null {
  if (body === null || body === undefined) return null
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  if (text.trim() === '') return null
  return truncateUtf8(scrubSecrets(text), FAIL_SUMMARY_MAX_BYTES)
}

const SECRET_KEY_NAME = /(token|api[_-]?key|secret|password|passwd|cookie|authorization|credentials?)$/i

/** Deep copy with the values of secret-named keys replaced by "[redacted]" (for unknown fields we keep). */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]'
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1))
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY_NAME.test(k) ? '[redacted]' : redactDeep(v, depth + 1)
    return out
  }
  if (typeof value === 'string') return scrubSecrets(value)
  return value
}

const API_KEY_FIELD = /("api_key"\s*:\s*)"((?:[^"\\]|\\.)*)"/g

/**
 * A payload kept as a dead letter (it did not parse or validate): the client key is replaced by its hash
 * (`"api_key":"sha256:<hex>"`, so the letter can still be attributed), every other credential is scrubbed.
 * Dead letters are local-only, but a plaintext key never reaches the store.
 */
export function redactPayload(raw: string): string {
  const keyed = raw.replace(API_KEY_FIELD, (_m, name: string, value: string) => {
    const v = value.trim()
    return v === '' ? `${name}""` : `${name}"sha256:${sha256Hex(v)}"`
  })
  // keep the api_key hash we just wrote out of the generic secret-field scrub
  const parts = keyed.split(/("api_key"\s*:\s*"sha256:[0-9a-f]{64}")/)
  return parts.map((p, i) => (i % 2 === 1 ? p : scrubSecrets(p))).join('')
}

/**
 * A popped payload as it may be written to a spool file (the only copy until the next run stores it): the
 * client key becomes `api_key_hash`, a secret `source` (an upstream key, or a client key for credentials
 * without email) becomes its mask plus `source_hash`, session ids become `sha256:<hex>`. The normaliser
 * accepts exactly these forms, and none of them is part of the event identity, so the re-ingested event is
 * the one a direct ingest would have stored. A payload that is not a JSON record is scrubbed like a dead letter.
 */
export function spoolSafe(payload: unknown): unknown {
  if (payload instanceof Uint8Array) payload = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
  let record: Record<string, unknown> | null = null
  if (payload && typeof payload === 'object' && !Array.isArray(payload)) record = {...(payload as Record<string, unknown>)}
  else if (typeof payload === 'string') {
    try {
      const parsed = JSON.parse(payload) as unknown
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>
    } catch {
      return redactPayload(payload)
    }
    if (!record) return redactPayload(payload)
  }
  if (!record) return payload
  const apiKey = typeof record.api_key === 'string' ? record.api_key : null
  if (apiKey !== null) {
    delete record.api_key
    const h = hashApiKey(apiKey)
    if (h) record.api_key_hash = h
  }
  if (typeof record.source === 'string' && record.source !== '' && record.source_hash === undefined) {
    const isClientKey = apiKey !== null && record.source.trim() === apiKey.trim()
    const m = maskSource(record.source, isClientKey ? 'apikey' : typeof record.auth_type === 'string' ? record.auth_type : null)
    if (m.sourceHash) {
      record.source = m.source
      record.source_hash = m.sourceHash
    }
  }
  for (const k of ['session_id', 'parent_session_id']) {
    const v = record[k]
    if (typeof v === 'string' && v !== '' && !v.startsWith('sha256:')) record[k] = `sha256:${sha256Hex(v)}`
  }
  return typeof payload === 'string' ? JSON.stringify(record) : record
}
