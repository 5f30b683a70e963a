import {UsageError} from './errors.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000}

/** Parse `500ms`, `10s`, `5m`, `1h30m`, `7d`, `2w` (or a bare number of seconds) into milliseconds. */
export function parseDuration(text: string, what = 'duration'): number {
  const s = text.trim().toLowerCase()
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000)
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy
  let total = 0
  let matched = 0
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS[m[2]]
    matched = re.lastIndex
  }
  if (matched === 0 || matched !== s.length) {
    throw new UsageError(`invalid ${what} '${text}': use forms like 500ms, 10s, 5m, 1h, 7d`, {code: 'invalid_duration'})
  }
  return Math.round(total)
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
