/**
 * Quota windows: building them from provider answers, choosing which one is the short and which the long
 * window, and the threshold test. Pure functions.
 */
import type {QuotaWindow, QuotaWindows} from '../store/index.js'

/** A window of at least a day is a "long" window when it is the only one. */
const DAY_S = 86_400

export function emptyWindows(): QuotaWindows {
  return {short: null, long: null, extra: []}
}

/** Finite number from a JSON value (numbers and numeric strings); null otherwise. */
export function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  return null
}

/** Unix seconds, unix milliseconds or an ISO 8601 string → epoch ms; null when unparseable. */
export function toEpochMs(value: unknown): number | null {
  const n = num(value)
  if (n !== null) {
    if (n <= 0) return null
    return n >= 100_000_000_000 ? Math.round(n) : Math.round(n * 1000)
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const ms = Date.parse(value.trim())
    return Number.isNaN(ms) ? null : ms
  }
  return null
}

export function labelForSeconds(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return '?'
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

export interface WindowInput {
  id: string
  label?: string
  usedPercent: number | null
  resetsAtMs: number | null
  windowSeconds: number | null
  /** Provider-given window start, when it says so (else resetsAt − windowSeconds). */
  startedAtMs?: number | null
}

export function makeWindow(input: WindowInput): QuotaWindow {
  const started =
    input.startedAtMs ?? (input.resetsAtMs !== null && input.windowSeconds !== null ? input.resetsAtMs - input.windowSeconds * 1000 : null)
  return {
    id: input.id,
    label: input.label ?? labelForSeconds(input.windowSeconds),
    usedPercent: input.usedPercent === null ? null : Math.round(input.usedPercent * 100) / 100,
    resetsAt: input.resetsAtMs === null ? null : new Date(input.resetsAtMs).toISOString(),
    windowSeconds: input.windowSeconds,
    startedAt: started === null ? null : new Date(started).toISOString(),
  }
}

/**
 * Two windows ⇒ the shorter is `short`, the longer `long`; one window ⇒ `long` when it spans a day or more
 * (a weekly or monthly limit), else `short`. Windows without a length keep their given role order.
 */
export function arrangeWindows(main: QuotaWindow[], extra: QuotaWindow[] = []): QuotaWindows {
  const known = main.filter((w) => w !== null)
  if (known.length === 0) return {short: null, long: null, extra}
  if (known.length === 1) {
    const w = known[0]
    const isLong = w.windowSeconds === null || w.windowSeconds >= DAY_S
    return {short: isLong ? null : w, long: isLong ? w : null, extra}
  }
  const sorted = [...known].sort((a, b) => (a.windowSeconds ?? Number.MAX_SAFE_INTEGER) - (b.windowSeconds ?? Number.MAX_SAFE_INTEGER))
  return {short: sorted[0], long: sorted[sorted.length - 1], extra: [...sorted.slice(1, -1), ...extra]}
}

export function exhausted(w: QuotaWindow | null, threshold: number): boolean {
  return w !== null && w.usedPercent !== null && w.usedPercent >= threshold
}

/** Headroom in percentage points: 100 − the highest used % of the short and long windows (null: unknown). */
export function headroom(windows: QuotaWindows): number | null {
  const used = [windows.short, windows.long].filter((w) => w && w.usedPercent !== null).map((w) => w!.usedPercent as number)
  if (used.length === 0) return null
  return Math.round((100 - Math.max(...used)) * 100) / 100
}
