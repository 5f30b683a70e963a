/**
 * The one duration grammar (issue 14): numbers with units `ms`, `s`, `m`, `h`, `d` (24 h), `w` (7 d), one
 * or more in a row (`1h30m`), case-insensitive, optional spaces between a number and its unit (`5 h`, as
 * quota window labels write it). Flags (`--timeout`, `--older-than`, …) also take a bare number of seconds.
 * Plus the gateway's Go durations (`29m41s`, with µs/ns) and the one human rendering.
 */
import {UsageError} from '../cli/errors.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000}

/** `5m`, `1h30m`, `7 d` → milliseconds; null when the text is not a duration (a bare number is not one). */
export function durationMs(text: string): number | null {
  const s = text.trim().toLowerCase()
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy
  let total = 0
  let matched = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS[m[2]]
    matched = re.lastIndex
  }
  return matched === 0 || matched !== s.length ? null : Math.round(total)
}

/** Parse a duration flag value: the grammar above, or a bare number of seconds. UsageError otherwise. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim()
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000)
  const ms = durationMs(s)
  if (ms === null) throw new UsageError(`invalid ${what} '${text}': use forms like 500ms, 10s, 5m, 1h, 7d`, {code: 'invalid_duration'})
  return ms
}

/** Go-style duration text as the gateway prints it (e.g. `29m41s`) → milliseconds; null when unparseable. */
export function parseGoDuration(text: string): number | null {
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g
  let total = 0
  let any = false
  let m: RegExpExecArray | null
  const unit: Record<string, number> = {h: 3_600_000, m: 60_000, s: 1000, ms: 1, 'µs': 0.001, us: 0.001, ns: 0.000_001}
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * unit[m[2]]
    any = true
  }
  return any ? Math.round(total) : null
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  let s = Math.round(ms / 1000)
  const h = Math.floor(s / 3600)
  s -= h * 3600
  const m = Math.floor(s / 60)
  s -= m * 60
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`
}
