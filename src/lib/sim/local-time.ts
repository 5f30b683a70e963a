/**
 * "Server local time" of the simulated gateway (record timestamps, /api-key-usage bucket labels, log
 * lines). The zone is a fixed offset in minutes east of UTC (the simulator's `tzOffsetMinutes`, +08:00 by
 * default in startSimulator) or, when undefined, the process's own zone.
 */

export interface WallClock {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
  /** minutes east of UTC */
  offset: number
}

export function wallClock(ms: number, offsetMinutes?: number): WallClock {
  if (offsetMinutes === undefined) {
    const d = new Date(ms)
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
      millisecond: d.getMilliseconds(),
      offset: -d.getTimezoneOffset(),
    }
  }
  const d = new Date(ms + offsetMinutes * 60_000)
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    millisecond: d.getUTCMilliseconds(),
    offset: offsetMinutes,
  }
}

/** Epoch ms of a wall-clock time in the zone (inverse of wallClock, to the second). */
export function fromWallClock(w: Omit<WallClock, 'millisecond' | 'offset'>, offsetMinutes?: number): number {
  if (offsetMinutes === undefined) return new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second).getTime()
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - offsetMinutes * 60_000
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

function offsetText(offset: number): string {
  if (offset === 0) return 'Z'
  const abs = Math.abs(offset)
  return `${offset >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** `YYYY-MM-DD HH:MM:SS` (log lines). */
export function stamp(ms: number, offsetMinutes?: number): string {
  const w = wallClock(ms, offsetMinutes)
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`
}

/** `HH:MM` (the halves of a `recent_requests` bucket label `HH:MM-HH:MM`). */
export function hourMinute(ms: number, offsetMinutes?: number): string {
  const w = wallClock(ms, offsetMinutes)
  return `${pad(w.hour)}:${pad(w.minute)}`
}

/** Go `time.Time` JSON: RFC 3339 with fractional seconds (trailing zeros trimmed) and the zone offset. */
export function goTime(ms: number, offsetMinutes?: number): string {
  const w = wallClock(ms, offsetMinutes)
  const frac = w.millisecond === 0 ? '' : `.${pad(w.millisecond, 3).replace(/0+$/, '')}`
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${frac}${offsetText(w.offset)}`
}

/** Go `time.RFC3339` (no fraction), as written into auth files. */
export function rfc3339(ms: number, offsetMinutes?: number): string {
  return goTime(Math.floor(ms / 1000) * 1000, offsetMinutes)
}
