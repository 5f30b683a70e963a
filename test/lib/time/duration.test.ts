import {describe, expect, it} from 'vitest'

import {formatDuration, parseDuration, parseGoDuration} from '../../../src/lib/time/duration.js'

describe('durations', () => {
  it('parses our forms', () => {
    expect(parseDuration('500ms')).toBe(500)
    expect(parseDuration('10s')).toBe(10_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration('7d')).toBe(604_800_000)
    expect(parseDuration('2')).toBe(2000)
    expect(() => parseDuration('10 parsecs')).toThrow(/invalid duration/)
    expect(() => parseDuration('')).toThrow()
  })

  it("parses the gateway's Go durations (ban message)", () => {
    expect(parseGoDuration('29m41s')).toBe(1_781_000)
    expect(parseGoDuration('1h0m0s')).toBe(3_600_000)
    expect(parseGoDuration('nothing')).toBeNull()
  })

  it('formats', () => {
    expect(formatDuration(1_781_000)).toBe('29m41s')
    expect(formatDuration(250)).toBe('250ms')
    expect(formatDuration(3_600_000)).toBe('1h')
  })
})
