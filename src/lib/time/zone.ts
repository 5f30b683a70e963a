/**
 * The one time-zone policy (issue 14), without a library. Storage is UTC; day/week/month buckets and the
 * keywords `today`, `yesterday`, `this-month` follow an IANA zone, DST included (a local day is 23, 24 or 25
 * hours long: buckets are local calendar dates converted to UTC instants, never 24 h steps). Intl does the
 * zone arithmetic; events are assigned to buckets by comparing instants, never by formatting each event.
 *
 * Zone names: `--tz`, else the profile's `tz`, else the system zone. A name is validated by Intl and echoed
 * in results exactly as the user wrote it: ICU's canonical names are older spellings (`Asia/Kolkata` comes
 * back from Intl as `Asia/Calcutta`, `Europe/Kyiv` as `Europe/Kiev`), so Intl's answer is never shown. Only
 * the letter case is corrected when the name differs from Intl's by case alone (`utc` ⇒ `UTC`).
 */
import {UsageError} from '../cli/errors.js'

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      weekday: 'short',
    })
    formatters.set(tz, f)
  }
  return f
}

/** The system's zone (used when neither --tz nor the profile names one). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** Validate an IANA zone name (UsageError when unknown) and return it as the user spelled it (see above). */
export function checkTimeZone(tz: string): string {
  const name = tz.trim()
  if (isUtc(name)) return name
  let canonical: string
  try {
    canonical = formatter(name).resolvedOptions().timeZone
  } catch {
    throw new UsageError(`unknown time zone '${tz}': use an IANA name such as Europe/Berlin, America/New_York or UTC`, {code: 'invalid_time_zone'})
  }
  return canonical.toLowerCase() === name.toLowerCase() ? canonical : name
}

/** The zone in effect: the given name (flag or profile) when set, else the system zone; validated. */
export function resolveTimeZone(tz: string | null | undefined): string {
  return checkTimeZone(tz && tz.trim() !== '' ? tz : localTimeZone())
}

export interface LocalParts {
  year: number
  month: number // 1-12
  day: number
  hour: number
  minute: number
  second: number
  /** 0 = Monday … 6 = Sunday */
  weekday: number
}

const WEEKDAYS: Record<string, number> = {Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'Etc/UCT', 'UCT', 'Etc/GMT', 'GMT', 'Etc/Zulu', 'Zulu', 'Etc/Universal', 'Universal'])

/** UTC needs no zone database (and no Intl start-up cost). */
function isUtc(tz: string): boolean {
  return UTC_NAMES.has(tz)
}

/** Wall-clock fields of an instant in a zone. */
export function localParts(tz: string, instant: number): LocalParts {
  if (isUtc(tz)) {
    const d = new Date(instant)
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      weekday: (d.getUTCDay() + 6) % 7,
    }
  }
  const parts = formatter(tz).formatToParts(new Date(instant))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0'
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    second: Number(get('second')),
    weekday: WEEKDAYS[get('weekday')] ?? 0,
  }
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
export function tzOffsetMs(tz: string, instant: number): number {
  if (isUtc(tz)) return 0
  const p = localParts(tz, instant)
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  return wall - (instant - (((instant % 1000) + 1000) % 1000))
}

function wallOf(tz: string, instant: number): number {
  return instant + tzOffsetMs(tz, instant)
}

/**
 * The first instant whose wall-clock time in `tz` is at or after the given local time. An ambiguous time
 * (autumn fall-back) maps to its earlier occurrence; a time in a spring-forward gap maps to the end of the gap.
 */
export function zonedToUtc(tz: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second)
  const offsets = new Set([tzOffsetMs(tz, wall - 86_400_000), tzOffsetMs(tz, wall), tzOffsetMs(tz, wall + 86_400_000)])
  const valid = [...offsets].map((o) => wall - o).filter((c) => wallOf(tz, c) === wall)
  if (valid.length > 0) return Math.min(...valid)
  // in a gap: binary search for the first instant whose wall time is ≥ wall
  let lo = wall - 36 * 3_600_000
  let hi = wall + 36 * 3_600_000
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000
    if (wallOf(tz, mid) >= wall) hi = mid
    else lo = mid
  }
  return hi
}

/** Add calendar days to a local date (y, m, d) → normalised (y, m, d). */
export function addDays(year: number, month: number, day: number, days: number): [number, number, number] {
  const d = new Date(Date.UTC(year, month - 1, day + days))
  return [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]
}

/** ISO 8601 for an instant as seen in `tz`, e.g. `2026-03-08T01:00:00-05:00` (`Z` in UTC). */
export function formatLocalIso(tz: string, instant: number): string {
  const p = localParts(tz, instant)
  const off = tzOffsetMs(tz, instant)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  const base = `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`
  if (off === 0 && isUtc(tz)) return `${base}Z`
  return `${base}${offsetSuffix(off / 60_000)}`
}

/** `+05:30`, `-05:00`: an offset from UTC in minutes as ISO 8601 writes it. */
function offsetSuffix(offsetMin: number): string {
  const abs = Math.abs(offsetMin)
  return `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
}

/** ISO 8601 with milliseconds at a fixed offset from UTC (minutes; a record's own offset); `Z` when 0 or unknown. */
export function formatOffsetIso(instant: number, offsetMin: number | null): string {
  if (offsetMin === null || offsetMin === 0) return new Date(instant).toISOString()
  return `${new Date(instant + offsetMin * 60_000).toISOString().slice(0, -1)}${offsetSuffix(offsetMin)}`
}

/** Short human form for tables: `09-20 14:03` in `tz`. */
export function shortLocal(tz: string, instant: number): string {
  const iso = formatLocalIso(tz, instant)
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
}
