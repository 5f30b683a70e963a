// Time ranges and buckets: local calendar days in IANA zones, across DST changes and half-hour offsets.
import {describe, expect, it} from 'vitest'

import {buckets, parseInstant, previousRange, resolveRange} from '../../../src/lib/report/range.js'
import {formatLocalIso, tzOffsetMs, zonedToUtc} from '../../../src/lib/time/zone.js'

const iso = (t: number) => new Date(t).toISOString()
const H = 3_600_000

describe('zone arithmetic', () => {
  it('local midnight to UTC on either side of a DST change', () => {
    // New York: EST (UTC-5) until 2026-03-08 02:00, then EDT (UTC-4)
    expect(iso(zonedToUtc('America/New_York', 2026, 3, 8))).toBe('2026-03-08T05:00:00.000Z')
    expect(iso(zonedToUtc('America/New_York', 2026, 3, 9))).toBe('2026-03-09T04:00:00.000Z')
    // Berlin: CEST (UTC+2) until 2026-10-25 03:00, then CET (UTC+1)
    expect(iso(zonedToUtc('Europe/Berlin', 2026, 10, 25))).toBe('2026-10-24T22:00:00.000Z')
    expect(iso(zonedToUtc('Europe/Berlin', 2026, 10, 26))).toBe('2026-10-25T23:00:00.000Z')
  })

  it('a time in the spring-forward gap maps to the end of the gap; an ambiguous one to its first occurrence', () => {
    expect(iso(zonedToUtc('America/New_York', 2026, 3, 8, 2, 30))).toBe('2026-03-08T07:00:00.000Z') // 03:00 EDT
    expect(iso(zonedToUtc('America/New_York', 2026, 11, 1, 1, 30))).toBe('2026-11-01T05:30:00.000Z') // 01:30 EDT, not EST
  })

  it('offsets and local ISO text', () => {
    expect(tzOffsetMs('Asia/Kolkata', Date.UTC(2026, 0, 1))).toBe(5.5 * H)
    expect(formatLocalIso('Asia/Kolkata', Date.UTC(2026, 0, 1, 0, 0))).toBe('2026-01-01T05:30:00+05:30')
    expect(formatLocalIso('UTC', Date.UTC(2026, 0, 1))).toBe('2026-01-01T00:00:00Z')
  })
})

describe('parsing --since / --until', () => {
  const now = Date.UTC(2026, 2, 8, 15, 0) // 2026-03-08 11:00 EDT
  it('keywords follow the local calendar of --tz', () => {
    expect(iso(parseInstant('today', 'America/New_York', now))).toBe('2026-03-08T05:00:00.000Z')
    expect(iso(parseInstant('yesterday', 'America/New_York', now))).toBe('2026-03-07T05:00:00.000Z')
    expect(iso(parseInstant('this-month', 'America/New_York', now))).toBe('2026-03-01T05:00:00.000Z')
    expect(iso(parseInstant('last-month', 'UTC', now))).toBe('2026-02-01T00:00:00.000Z')
    expect(iso(parseInstant('this-week', 'UTC', now))).toBe('2026-03-02T00:00:00.000Z') // Monday
    expect(iso(parseInstant('today', 'Asia/Kolkata', now))).toBe('2026-03-07T18:30:00.000Z')
  })

  it('relative, dates, local and offset times', () => {
    expect(parseInstant('24h', 'UTC', now)).toBe(now - 24 * H)
    expect(parseInstant('7d', 'UTC', now)).toBe(now - 7 * 24 * H)
    expect(parseInstant('30m', 'UTC', now)).toBe(now - 30 * 60_000)
    expect(iso(parseInstant('2026-03-08', 'America/New_York', now))).toBe('2026-03-08T05:00:00.000Z')
    expect(iso(parseInstant('2026-03-08T10:15', 'Europe/Berlin', now))).toBe('2026-03-08T09:15:00.000Z')
    expect(iso(parseInstant('2026-03-08T10:15:00+02:00', 'UTC', now))).toBe('2026-03-08T08:15:00.000Z')
    expect(iso(parseInstant('2026-03-08T10:15:00Z', 'Asia/Tokyo', now))).toBe('2026-03-08T10:15:00.000Z')
  })

  it('rejects nonsense with a usage error (exit 2)', () => {
    for (const bad of ['soon', '2026-02-30', '2026-13-01', '25:00', '7 days', '2026-03-08T25:00']) {
      expect(() => parseInstant(bad, 'UTC', now), bad).toThrow(expect.objectContaining({exitCode: 2}))
    }
    expect(() => resolveRange({since: '1h', until: '2h', tz: 'UTC', now})).toThrow(/empty range/)
    expect(() => resolveRange({tz: 'Mars/Olympus', now})).toThrow(/unknown time zone/)
  })

  it('default: the last 24 hours; --compare: the period of equal length before', () => {
    const r = resolveRange({tz: 'UTC', now})
    expect([r.since, r.until]).toEqual([now - 24 * H, now])
    expect(previousRange(r)).toEqual({since: now - 48 * H, until: now - 24 * H, tz: 'UTC'})
  })
})

describe('buckets', () => {
  it('local days across spring-forward: the DST day has 23 hours', () => {
    const r = {since: zonedToUtc('America/New_York', 2026, 3, 7), until: zonedToUtc('America/New_York', 2026, 3, 10), tz: 'America/New_York'}
    const b = buckets(r, 'day')
    expect(b.map((x) => x.label)).toEqual(['2026-03-07', '2026-03-08', '2026-03-09'])
    expect(b.map((x) => (x.end - x.start) / H)).toEqual([24, 23, 24])
    expect(iso(b[1].start)).toBe('2026-03-08T05:00:00.000Z')
  })

  it('local days across fall-back: the DST day has 25 hours', () => {
    const r = {since: zonedToUtc('Europe/Berlin', 2026, 10, 24), until: zonedToUtc('Europe/Berlin', 2026, 10, 27), tz: 'Europe/Berlin'}
    expect(buckets(r, 'day').map((x) => (x.end - x.start) / H)).toEqual([24, 25, 24])
  })

  it('half-hour zones: day buckets start at :30 UTC', () => {
    const r = {since: Date.UTC(2026, 0, 1, 12), until: Date.UTC(2026, 0, 3, 12), tz: 'Asia/Kolkata'}
    const b = buckets(r, 'day')
    expect(b.map((x) => [x.label, iso(x.start)])).toEqual([
      ['2026-01-01', '2025-12-31T18:30:00.000Z'],
      ['2026-01-02', '2026-01-01T18:30:00.000Z'],
      ['2026-01-03', '2026-01-02T18:30:00.000Z'],
    ])
  })

  it('hours are UTC-aligned and labelled in local time; weeks start on Monday; months on the 1st', () => {
    const h = buckets({since: Date.UTC(2026, 0, 1, 0, 10), until: Date.UTC(2026, 0, 1, 2), tz: 'Asia/Kolkata'}, 'hour')
    expect(h.map((x) => [iso(x.start), x.label])).toEqual([
      ['2026-01-01T00:00:00.000Z', '2026-01-01 05:30'],
      ['2026-01-01T01:00:00.000Z', '2026-01-01 06:30'],
    ])
    const w = buckets({since: Date.UTC(2026, 2, 4), until: Date.UTC(2026, 2, 20), tz: 'UTC'}, 'week')
    expect(w.map((x) => x.label)).toEqual(['2026-03-02', '2026-03-09', '2026-03-16'])
    const m = buckets({since: Date.UTC(2026, 0, 15), until: Date.UTC(2026, 2, 2), tz: 'UTC'}, 'month')
    expect(m.map((x) => x.label)).toEqual(['2026-01', '2026-02', '2026-03'])
    expect((m[1].end - m[1].start) / (24 * H)).toBe(28)
  })
})
