/** Flag values of the `check` commands that oclif cannot type: rates, money, the budget period. */
import {UsageError} from '../cli/errors.js'
import {parseInstant} from '../report/range.js'
import {checkTimeZone, localTimeZone} from '../time/zone.js'
import {periodEnd} from './check-usage.js'

/** A failure rate between 0 and 1 (`0.1`), or a percentage (`10%`). */
export function rateFlag(text: string, flag: string): number {
  const t = text.trim()
  const pct = t.endsWith('%')
  const v = Number(pct ? t.slice(0, -1) : t)
  const rate = pct ? v / 100 : v
  if (t === '' || !Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new UsageError(`invalid ${flag} '${text}': use a rate between 0 and 1 (0.1) or a percentage (10%)`, {code: 'invalid_rate'})
  }
  return rate
}

/** A positive USD amount (`200`, `199.99`, `$200`). */
export function usdFlag(text: string, flag: string): number {
  const v = Number(text.trim().replace(/^\$/, ''))
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`invalid ${flag} '${text}': use a positive amount in USD, e.g. 200`, {code: 'invalid_amount'})
  return v
}

/** --since/--until/--tz of `check budget`: the period's start and end (--until, else the calendar period's end). */
export function budgetPeriod(o: {since: string; until?: string; tz: string | null; now: number}): {since: number; end: number | null; tz: string} {
  const tz = checkTimeZone(o.tz || localTimeZone())
  const since = parseInstant(o.since, tz, o.now, '--since')
  const end = o.until === undefined ? periodEnd(o.since, tz, o.now) : parseInstant(o.until, tz, o.now, '--until')
  if (since > o.now) throw new UsageError(`the period starts in the future (${new Date(since).toISOString()})`, {code: 'invalid_range'})
  if (end !== null && end <= since) throw new UsageError(`empty period: --until (${new Date(end).toISOString()}) must be after --since (${new Date(since).toISOString()})`, {code: 'invalid_range'})
  return {since, end, tz}
}
