/** Go-style RFC 3339 timestamps as the gateway writes them. */
/**
 * Go RFC 3339 with nanoseconds (trailing zeros trimmed) in a fixed offset; offset 0 ⇒ `Z` (record `timestamp`s
 * carry the server-local offset).
 */
export function formatGoTime(ms: number, nanosWithinMs: number, tzOffsetMinutes: number): string {
  const local = new Date(Math.floor(ms) + tzOffsetMinutes * 60_000)
  const iso = local.toISOString() // YYYY-MM-DDTHH:MM:SS.mmmZ
  const nanos = (((Math.floor(ms) % 1000) + 1000) % 1000) * 1_000_000 + nanosWithinMs
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`
  let offset = 'Z'
  if (tzOffsetMinutes !== 0) {
    const abs = Math.abs(tzOffsetMinutes)
    offset = `${tzOffsetMinutes > 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`
  }
  return `${iso.slice(0, 19)}${frac}${offset}`
}
