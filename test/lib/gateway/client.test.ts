import {describe, expect, it} from 'vitest'

import {parseBanRemaining} from '../../../src/lib/gateway/errors.js'
import {normalizeBaseUrl} from '../../../src/lib/gateway/url.js'
import {atLeast, compareVersions, describeVersion, parseGatewayVersion, type ParsedVersion} from '../../../src/lib/gateway/version.js'

describe('gateway URL normalisation', () => {
  it('accepts an origin, a bare host:port, or the management URL', () => {
    expect(normalizeBaseUrl('https://gw.example:8317')).toMatchObject({origin: 'https://gw.example:8317', managementBase: 'https://gw.example:8317/v0/management', port: 8317, tls: true})
    expect(normalizeBaseUrl('127.0.0.1:8317')).toMatchObject({origin: 'http://127.0.0.1:8317', host: '127.0.0.1', port: 8317, tls: false})
    expect(normalizeBaseUrl('http://gw/v0/management/')).toMatchObject({origin: 'http://gw', managementBase: 'http://gw/v0/management', port: 80})
    expect(normalizeBaseUrl('http://gw:8317/v8/management')).toMatchObject({origin: 'http://gw:8317', managementBase: 'http://gw:8317/v0/management'})
    expect(normalizeBaseUrl('https://proxy.example/cpa/v0/management')).toMatchObject({origin: 'https://proxy.example/cpa', port: 443})
  })

  it('refuses credentials in the URL and other schemes', () => {
    expect(() => normalizeBaseUrl('http://user:secret@gw:8317')).toThrow(/credentials in the gateway URL/)
    expect(() => normalizeBaseUrl('ftp://gw')).toThrow(/unsupported URL scheme/)
  })

  it('parses the remaining ban time', () => {
    expect(parseBanRemaining('IP banned due to too many failed attempts. Try again in 29m41s')).toBe(1_781_000)
    expect(parseBanRemaining('invalid management key')).toBeNull()
  })
})

describe('version gates', () => {
  it('compares release tags; an unknown version (dev, a bare SHA, none) is null for gates, never 0.0.0', () => {
    expect(compareVersions('7.2.140', '7.1.44')).toBe(1)
    expect(compareVersions('v6.10.8', '6.10.8')).toBe(0)
    expect(compareVersions('6.9.38', '6.10.8')).toBe(-1)
    expect(compareVersions('dev', '8.0.0')).toBe(1)
    expect(atLeast('dev', '9.9.9')).toBeNull()
    expect(atLeast('a7e3596', '1.0.0')).toBeNull()
    expect(atLeast(null, '1.0.0')).toBeNull()
    expect(atLeast('6.10.7', '6.10.8')).toBe(false)
    expect(atLeast('v7.2.140-3-gabc1234-dirty', '7.2.140')).toBe(true)
  })

  it('parses every X-CPA-VERSION form the gateway sends (leading v, git describe suffixes, bare SHA, dev)', () => {
    const cases: Array<[string | null, Partial<ParsedVersion>]> = [
      ['8.0.23', {major: 8, minor: 0, patch: 23, known: true, suffix: ''}],
      ['7.2.140', {major: 7, minor: 2, patch: 140, known: true}],
      ['v7.2.140', {major: 7, minor: 2, patch: 140, known: true}],
      ['V8.0.4', {major: 8, patch: 4, known: true}],
      ['v7.2.140-3-gabc1234-dirty', {major: 7, minor: 2, patch: 140, known: true, suffix: '-3-gabc1234-dirty'}],
      ['v7.2.140-dirty', {major: 7, patch: 140, suffix: '-dirty'}],
      [' 8.0.47 ', {major: 8, patch: 47, raw: '8.0.47'}],
      ['dev', {major: null, known: false, unknownKind: 'dev'}],
      ['a7e3596', {major: null, known: false, unknownKind: 'sha'}],
      ['none', {known: false, unknownKind: 'empty'}],
      [null, {known: false, unknownKind: 'empty'}],
      ['8', {known: false, unknownKind: 'other'}],
    ]
    for (const [input, expected] of cases) expect(parseGatewayVersion(input), String(input)).toMatchObject(expected)
    expect(describeVersion('dev')).toBe('dev (source build)')
    expect(describeVersion('a7e3596')).toBe('a7e3596 (commit build)')
    expect(describeVersion(null)).toBe('unknown')
  })
})
