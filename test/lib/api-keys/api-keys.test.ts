import {describe, expect, it} from 'vitest'

import {generateApiKey, validateNewKey} from '../../../src/lib/api-keys/api-keys.js'

describe('client keys', () => {
  it('generates distinct 40-character base62 keys with a prefix', () => {
    const keys = new Set(Array.from({length: 50}, generateApiKey))
    expect(keys.size).toBe(50)
    for (const k of keys) expect(k).toMatch(/^sk-cpa-[0-9A-Za-z]{40}$/)
  })
  it('validates supplied keys', () => {
    expect(validateNewKey('  sk-valid-key-0000000000\n')).toBe('sk-valid-key-0000000000')
    expect(() => validateNewKey('has space in the key 0000')).toThrow(/whitespace/)
    expect(() => validateNewKey('tooshort')).toThrow(/at least 16/)
    expect(() => validateNewKey('your-api-key-2')).toThrow(/example key/)
  })
})
