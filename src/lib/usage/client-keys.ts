/**
 * The client keys a batch of payloads carries, found without parsing the records: every `"api_key": "<value>"`
 * member in the raw text (or bytes), and `api_key` of parsed objects. The normaliser learns them before it
 * classifies the batch, so a `source` equal to any client key of the batch is masked whichever record came
 * first — and whichever thread normalises which part of the batch (the collector shares a batch between two
 * threads, store/ingest.ts). A false hit (the member in a nested object) only masks more.
 */

const KEY = '"api_key"'
const KEY_BYTES = Buffer.from(KEY)
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d

/** Calls `found` with each `api_key` string value in `payload` (raw text, raw bytes or a parsed object). */
export function clientKeysIn(payload: unknown, found: (key: string) => void): void {
  if (typeof payload === 'string') scanText(payload, found)
  else if (payload instanceof Uint8Array) scanBytes(Buffer.isBuffer(payload) ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), found)
  else if (payload && typeof payload === 'object' && typeof (payload as {api_key?: unknown}).api_key === 'string') {
    found((payload as {api_key: string}).api_key)
  }
}

/** The value of a JSON string whose text (between the quotes) had escapes; undefined when it is not one. */
function unescape(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string
  } catch {
    return undefined // not a JSON string after all: the record will be a dead letter
  }
}

function scanText(t: string, found: (key: string) => void): void {
  const n = t.length
  for (let k = t.indexOf(KEY); k >= 0; k = t.indexOf(KEY, k + KEY.length)) {
    let i = k + KEY.length
    while (i < n && isSpace(t.charCodeAt(i))) i++
    if (t.charCodeAt(i) !== COLON) continue
    i++
    while (i < n && isSpace(t.charCodeAt(i))) i++
    if (t.charCodeAt(i) !== QUOTE) continue
    const start = ++i
    let escaped = false
    for (let c = t.charCodeAt(i); i < n && c !== QUOTE; c = t.charCodeAt(i)) {
      if (c === BACKSLASH) {
        escaped = true
        i++
      }
      i++
    }
    if (i >= n) return
    const value = escaped ? unescape(t.slice(start, i)) : t.slice(start, i)
    if (value !== undefined) found(value)
  }
}

function scanBytes(b: Buffer, found: (key: string) => void): void {
  const n = b.length
  for (let k = b.indexOf(KEY_BYTES); k >= 0; k = b.indexOf(KEY_BYTES, k + KEY_BYTES.length)) {
    let i = k + KEY_BYTES.length
    while (i < n && isSpace(b[i])) i++
    if (b[i] !== COLON) continue
    i++
    while (i < n && isSpace(b[i])) i++
    if (b[i] !== QUOTE) continue
    const start = ++i
    let escaped = false
    for (let c = b[i]; i < n && c !== QUOTE; c = b[i]) {
      if (c === BACKSLASH) {
        escaped = true
        i++
      }
      i++
    }
    if (i >= n) return
    const text = b.toString('utf8', start, i)
    const value = escaped ? unescape(text) : text
    if (value !== undefined) found(value)
  }
}
