/**
 * Report ranges: `--since` inclusive, `--until` exclusive, default the last 24 hours.
 * Accepted: ISO 8601 with an offset or `Z`; `YYYY-MM-DD` and `YYYY-MM-DDTHH:MM[:SS]` (local time in --tz);
 * relative `30m`, `24h`, `7d`, `2w` (before now); `now`, `today`, `yesterday`, `this-week`, `this-month`,
 * `last-month` (local calendar, DST-correct). And time buckets for timelines: UTC-aligned hours, local days,
 * ISO weeks (Monday) and months.
 */
import {UsageError} from '../cli/errors.js'
import {durationMs} from '../time/duration.js'
import {addDays, checkTimeZone, formatLocalIso, localParts, localTimeZone, zonedToUtc} from '../time/zone.js'

export interface TimeRange {
  /** Inclusive, UTC ms. */
  since: number
  /** Exclusive, UTC ms. */
  until: number
  tz: string
}

/** JSON form of a range (`range` in every report). */
export interface RangeJson {
  since: string
  until: string
  tz: string
  /** The same instants as local ISO 8601 in `tz`. */
  sinceLocal: string
  untilLocal: string
}

/** Parse one --since/--until value into a UTC instant. */
export function parseInstant(text: string, tz: string, now: number, flag = '--since'): number {
  const s = text.trim()
  const lower = s.toLowerCase()
  // a relative time is a duration back from now, in the one duration grammar (24h, 7d, 1h30m)
  const rel = durationMs(lower)
  if (rel !== null) return now - rel
  const today = localParts(tz, now)
  switch (lower) {
    case 'now':
      return now
    case 'today':
      return zonedToUtc(tz, today.year, today.month, today.day)
    case 'yesterday': {
      const [y, m, d] = addDays(today.year, today.month, today.day, -1)
      return zonedToUtc(tz, y, m, d)
    }
    case 'tomorrow': {
      const [y, m, d] = addDays(today.year, today.month, today.day, 1)
      return zonedToUtc(tz, y, m, d)
    }
    case 'this-week': {
      const [y, m, d] = addDays(today.year, today.month, today.day, -today.weekday)
      return zonedToUtc(tz, y, m, d)
    }
    case 'this-month':
      return zonedToUtc(tz, today.year, today.month, 1)
    case 'last-month':
      return today.month === 1 ? zonedToUtc(tz, today.year - 1, 12, 1) : zonedToUtc(tz, today.year, today.month - 1, 1)
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (date) {
    const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])]
    checkDate(y, m, d, text, flag)
    return zonedToUtc(tz, y, m, d)
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s)
  if (local) {
    const [y, m, d, hh, mm, ss] = local.slice(1).map((v) => Number(v ?? 0))
    checkDate(y, m, d, text, flag)
    if (hh > 23 || mm > 59 || ss > 59) throw invalid(text, flag)
    return zonedToUtc(tz, y, m, d, hh, mm, ss)
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)) {
    const t = Date.parse(s)
    if (Number.isFinite(t)) return t
  }
  throw invalid(text, flag)
}

function checkDate(y: number, m: number, d: number, text: string, flag: string): void {
  const dt = new Date(Date.UTC(y, m - 1, d))
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) throw invalid(text, flag)
}

function invalid(text: string, flag: string): UsageError {
  return new UsageError(
    `invalid ${flag} '${text}': use ISO 8601 (2026-03-08T10:00:00Z), a date (2026-03-08), a relative time (24h, 7d) or today, yesterday, this-month`,
    {code: 'invalid_time'},
  )
}

export interface RangeOptions {
  since?: string
  until?: string
  tz?: string | null
  now?: number
  /** Default --since when not given (default 24h). */
  defaultSince?: string
}

/** Resolve --since/--until/--tz into a validated range. */
export function resolveRange(options: RangeOptions): TimeRange {
  const now = options.now ?? Date.now()
  const tz = checkTimeZone(options.tz || localTimeZone())
  const since = parseInstant(options.since ?? options.defaultSince ?? '24h', tz, now, '--since')
  const until = options.until === undefined ? now : parseInstant(options.until, tz, now, '--until')
  if (until <= since) {
    throw new UsageError(`empty range: --until (${new Date(until).toISOString()}) must be after --since (${new Date(since).toISOString()})`, {
      code: 'invalid_range',
    })
  }
  return {since, until, tz}
}

export function rangeJson(r: TimeRange): RangeJson {
  return {
    since: new Date(r.since).toISOString(),
    until: new Date(r.until).toISOString(),
    tz: r.tz,
    sinceLocal: formatLocalIso(r.tz, r.since),
    untilLocal: formatLocalIso(r.tz, r.until),
  }
}

/** The range of equal length right before `r` (for --compare). */
export function previousRange(r: TimeRange): TimeRange {
  const len = r.until - r.since
  return {since: r.since - len, until: r.since, tz: r.tz}
}

export type Granularity = 'hour' | 'day' | 'week' | 'month'

export interface Bucket {
  /** Nominal start of the bucket (UTC ms); the first bucket may start before the range. */
  start: number
  /** Exclusive end (UTC ms). */
  end: number
  /** Local label: `YYYY-MM-DD HH:MM` (hour), `YYYY-MM-DD` (day, week = its Monday), `YYYY-MM` (month). */
  label: string
}

export const MAX_BUCKETS = 20_000

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/**
 * Buckets covering [since, until). Hours are UTC-aligned (labelled in local time); days, weeks and months are
 * local calendar units converted to UTC, so a DST day is 23 or 25 hours long.
 */
export function buckets(range: TimeRange, granularity: Granularity): Bucket[] {
  const {tz, since, until} = range
  const out: Bucket[] = []
  if (granularity === 'hour') {
    if ((until - since) / 3_600_000 > MAX_BUCKETS) throw tooMany(granularity)
    for (let h = since - (((since % 3_600_000) + 3_600_000) % 3_600_000); h < until; h += 3_600_000) {
      const p = localParts(tz, h)
      out.push({start: h, end: h + 3_600_000, label: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`})
    }
    return out
  }
  const first = localParts(tz, since)
  let [y, m, d] = [first.year, first.month, first.day]
  if (granularity === 'week') [y, m, d] = addDays(y, m, d, -first.weekday)
  if (granularity === 'month') d = 1
  let start = zonedToUtc(tz, y, m, d)
  while (start < until) {
    let next: [number, number, number]
    if (granularity === 'day') next = addDays(y, m, d, 1)
    else if (granularity === 'week') next = addDays(y, m, d, 7)
    else next = m === 12 ? [y + 1, 1, 1] : [y, m + 1, 1]
    const end = zonedToUtc(tz, ...next)
    const label = granularity === 'month' ? `${pad(y, 4)}-${pad(m)}` : `${pad(y, 4)}-${pad(m)}-${pad(d)}`
    out.push({start, end, label})
    if (out.length > MAX_BUCKETS) throw tooMany(granularity)
    ;[y, m, d] = next
    start = end
  }
  return out
}

function tooMany(g: Granularity): UsageError {
  return new UsageError(`too many ${g} buckets for this range (max ${MAX_BUCKETS}): use a coarser --granularity or a shorter range`, {
    code: 'too_many_buckets',
  })
}
