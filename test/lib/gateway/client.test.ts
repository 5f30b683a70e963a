import {describe, expect, it} from 'vitest'

import {normalizeBaseUrl, parseBanRemaining} from '../../../src/lib/gateway/client.js'
import {atLeast, compareVersions} from '../../../src/lib/gateway/version.js'

describe('gateway URL normalisation', () => {
  it('accepts an origin, a bare host:port, or the management URL', () => {
    expect(normalizeBaseUrl('https://gw.example:8317')).toMatchObject({origin: 'https://gw.example:8317', managementBase: 'https://gw.example:8317/v0/management', port: 8317, tls: true})
    expect(normalizeBaseUrl('127.0.0.1:8317')).toMatchObject({origin: 'http://127.0.0.1:8317', host: '127.0.0.1', port: 8317, tls: false})
    expect(normalizeBaseUrl('http://gw/v0/management/')).toMatchObject({origin: 'http://gw', managementBase: 'http://gw/v0/management', port: 80})
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
  it('compares release tags, treats dev as newest and unknown as null', () => {
    expect(compareVersions('7.2.140', '7.1.44')).toBe(1)
    expect(compareVersions('v6.10.8', '6.10.8')).toBe(0)
    expect(compareVersions('6.9.38', '6.10.8')).toBe(-1)
    expect(atLeast('dev', '9.9.9')).toBe(true)
    expect(atLeast(null, '1.0.0')).toBeNull()
    expect(atLeast('6.10.7', '6.10.8')).toBe(false)
  })
})
