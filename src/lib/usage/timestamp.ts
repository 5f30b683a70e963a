/**
 * Record timestamps: Go RFC 3339 with nanoseconds and the server's local
 * offset, e.g. `2026-08-22T14:03:11.482913207+08:00`. Converted to UTC milliseconds on ingest; the offset is
 * kept separately. Sub-millisecond digits are dropped (the store's resolution is 1 ms).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/

export interface ParsedTimestamp {
  ms: number
  /** Offset in minutes east of UTC, or null when the text carried none (then read as UTC). */
  offsetMin: number | null
}

/**
 * Parse a record timestamp. Accepts RFC 3339 (any fraction length, `Z` or `±hh:mm`), `YYYY-MM-DD HH:MM:SS`
 * (read as UTC), and epoch numbers (values below 1e11 are seconds, else milliseconds) for imports.
 * Returns null when the value is missing or not a real instant.
 */
export function parseTimestamp(value: unknown): ParsedTimestamp | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return null
    return {ms: Math.floor(value < 1e11 ? value * 1000 : value), offsetMin: null}
  }
  if (typeof value !== 'string') return null
  return parseGoTime(value) ?? parseGeneral(value)
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48
  return c >= 0 && c <= 9 ? c : Number.NaN
}
const two = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1)

/**
 * Fast path for what the gateway actually sends, `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)`, read by position
 * (one record per pop, so this runs a million times in a big drain). Anything else → null → the general parser.
 */
function parseGoTime(s: string): ParsedTimestamp | null {
  const n = s.length
  if (n < 20 || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return null
  const year = two(s, 0) * 100 + two(s, 2)
  const month = two(s, 5)
  const day = two(s, 8)
  const hour = two(s, 11)
  const minute = two(s, 14)
  const second = two(s, 17)
  let i = 19
  let frac = 0
  if (s[i] === '.') {
    i++
    let scale = 100
    while (i < n) {
      const d = digit(s, i)
      if (Number.isNaN(d)) break
      frac += d * scale
      scale /= 10
      i++
    }
    frac = Math.floor(frac)
  }
  let offsetMin: number
  if (i === n - 1 && s[i] === 'Z') offsetMin = 0
  else if (i === n - 6 && (s[i] === '+' || s[i] === '-') && s[i + 3] === ':') {
    offsetMin = (s[i] === '-' ? -1 : 1) * (two(s, i + 1) * 60 + two(s, i + 4))
  } else return null
  if (Number.isNaN(year + month + day + hour + minute + second + offsetMin)) return null
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null
  const local = Date.UTC(year, month - 1, day, hour, minute, second, frac)
  const check = new Date(local)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null
  return {ms: local - offsetMin * 60_000, offsetMin}
}

function parseGeneral(value: string): ParsedTimestamp | null {
  const m = RFC3339.exec(value.trim())
  if (!m) return null
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null
  const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0
  let offsetMin: number | null = null
  if (m[8]) offsetMin = 0
  else if (m[9]) {
    const oh = Number(m[10])
    const om = Number(m[11])
    if (oh > 23 || om > 59) return null
    offsetMin = (m[9] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, frac)
  // reject dates that Date.UTC silently rolled over (e.g. 2026-02-31)
  const check = new Date(local)
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return null
  return {ms: local - (offsetMin ?? 0) * 60_000, offsetMin}
}
