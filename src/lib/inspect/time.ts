/**
 * Reset times in the operator's time zone (cli-conventions.md §9): `--tz`, else the profile's tz, else the
 * system zone. JSON keeps UTC (`resetsAt`) and adds the zoned rendering (`resetsAtLocal`).
 */
import {checkTimeZone, formatLocalIso, localTimeZone} from '../report/time.js'

/** Validate an IANA zone name (default: the system zone), kept as the user spelled it: ICU would turn Asia/Kolkata into Asia/Calcutta. */
export function resolveTimeZone(tz: string | null | undefined): string {
  const name = tz && tz.trim() !== '' ? tz.trim() : localTimeZone()
  checkTimeZone(name)
  return name
}

/** `2026-09-20T14:03:00+08:00` (`Z` for UTC) for an instant seen in `tz`. */
export function isoInZone(tz: string, ms: number): string {
  return formatLocalIso(tz, ms)
}

/** Short human form for tables: `09-20 14:03` in `tz`. */
export function shortInZone(tz: string, ms: number): string {
  const iso = isoInZone(tz, ms)
  return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`
}
