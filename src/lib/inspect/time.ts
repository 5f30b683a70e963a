/**
 * Reset times in the operator's time zone (cli-conventions.md §9): `--tz`, else the profile's tz, else the
 * system zone. JSON keeps UTC (`resetsAt`) and adds the zoned rendering (`resetsAtLocal`).
 */
import {checkTimeZone, localTimeZone} from '../report/time.js'

/** Validate an IANA zone name (default: the system zone), kept as the user spelled it: ICU would turn Asia/Kolkata into Asia/Calcutta. */
export function resolveTimeZone(tz: string | null | undefined): string {
  const name = tz && tz.trim() !== '' ? tz.trim() : localTimeZone()
  checkTimeZone(name)
  return name
}

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
      timeZoneName: 'longOffset',
    })
    formatters.set(tz, f)
  }
  return f
}

/** `2026-09-20T14:03:00+08:00` (`Z` for UTC) for an instant seen in `tz`. */
export function isoInZone(tz: string, ms: number): string {
  const parts = formatter(tz).formatToParts(new Date(ms))
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
  const zone = get('timeZoneName').replace(/^GMT/, '')
  const offset = zone === '' || zone === '+00:00' || zone === '-00:00' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`
}

/** Short human form for tables: `09-20 14:03` in `tz`. */
export function shortInZone(tz: string, ms: number): string {
  const iso = isoInZone(tz, ms)
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
}
