import {describe, expect, it} from 'vitest'

import {canonicalTuple, eventHash} from '../../../src/lib/usage/hash.js'
import {createNormalizer} from '../../../src/lib/usage/normalize.js'
import {redactPayload} from '../../../src/lib/usage/redact.js'
import {parseTimestamp} from '../../../src/lib/usage/timestamp.js'
import type {UsageEvent} from '../../../src/lib/usage/types.js'
import {exampleRecord} from './fixtures.js'

describe('parseTimestamp', () => {
  it.each([
    ['2026-08-22T14:03:11.482913207+08:00', Date.UTC(2026, 7, 22, 6, 3, 11, 482), 480],
    ['2026-08-22T14:03:11+08:00', Date.UTC(2026, 7, 22, 6, 3, 11), 480],
    ['2026-08-22T14:03:11.5Z', Date.UTC(2026, 7, 22, 14, 3, 11, 500), 0],
    ['2026-01-01T00:10:00-05:30', Date.UTC(2026, 0, 1, 5, 40), -330],
    ['2026-01-01 00:10:00', Date.UTC(2026, 0, 1, 0, 10), null],
    ['2025-12-31T23:59:59.999999999+14:00', Date.UTC(2025, 11, 31, 9, 59, 59, 999), 840],
  ])('%s', (text, ms, offset) => {
    expect(parseTimestamp(text)).toEqual({ms, offsetMin: offset})
  })

  it('accepts epoch seconds and milliseconds (imports)', () => {
    expect(parseTimestamp(1_787_000_000)).toEqual({ms: 1_787_000_000_000, offsetMin: null})
    expect(parseTimestamp(1_787_000_000_123)).toEqual({ms: 1_787_000_000_123, offsetMin: null})
  })

  it.each(['', 'now', '2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-08-22T25:00:00Z', null, undefined, {}, -1])('rejects %j', (v) => {
    expect(parseTimestamp(v)).toBeNull()
  })
})

describe('event hash', () => {
  const ev = (patch: Record<string, unknown> = {}): UsageEvent => {
    const c = createNormalizer().classify({...exampleRecord(), ...patch})
    if (c.kind !== 'record') throw new Error('not a record')
    return c.event
  }

  it('is stable for the same record and independent of the offset it was written in', () => {
    const a = eventHash('gw', ev())
    expect(eventHash('gw', ev())).toEqual(a)
    // same instant, written in UTC: same event
    expect(eventHash('gw', ev({timestamp: '2026-08-22T06:03:11.482Z'}))).toEqual(a)
    expect(a.length).toBe(16)
  })

  it('neither the request id nor the timestamp alone is the key', () => {
    const a = eventHash('gw', ev())
    expect(eventHash('gw', ev({timestamp: '2026-08-22T14:03:11.483+08:00'}))).not.toEqual(a) // same request id
    expect(eventHash('gw', ev({request_id: 'ffffffff'}))).not.toEqual(a) // same timestamp
    expect(eventHash('gw', ev({latency_ms: 5313}))).not.toEqual(a)
    expect(eventHash('gw', ev({failed: true}))).not.toEqual(a)
    expect(eventHash('other-gw', ev())).not.toEqual(a)
  })

  it('ignores fields outside the canonical tuple (client ip, user agent, headers)', () => {
    expect(eventHash('gw', ev({client_ip: '10.0.0.9', user_agent: 'x', response_headers: {}}))).toEqual(eventHash('gw', ev()))
    expect(canonicalTuple('gw', ev()).split('\u001f')).toEqual([
      'v1', 'gw', 'a1b2c3d4', String(Date.UTC(2026, 7, 22, 6, 3, 11, 482)), '9f2c4e1a7b3d5c60', 'gpt-5-codex', 'POST /v1/responses',
      '12000', '800', '300', '9000', '0', '12800', '0', '5312',
    ])
  })
})

describe('redactPayload (dead letters)', () => {
  it('replaces the client key by its hash and scrubs credentials, keeping the rest', () => {
    const raw = '{"timestamp":"bad","api_key":"sk-client-demo-1","source":"sk-ant-api03-AAAAAAAAAAAAAAAA","note":"keep me", "access_token":"ya29.zzz"'
    const out = redactPayload(raw)
    expect(out).toContain('"api_key":"sha256:')
    expect(out).not.toContain('sk-client-demo-1')
    expect(out).not.toContain('AAAAAAAAAAAAAAAA')
    expect(out).not.toContain('ya29.zzz')
    expect(out).toContain('"note":"keep me"')
    expect(out).toContain('"timestamp":"bad"')
  })
})
