import {describe, expect, it} from 'vitest'

import {buildFieldPatch} from '../../../src/lib/auth-files/write.js'

describe('auth-file field patch', () => {
  it('maps flags to gateway fields and types --field values', () => {
    expect(buildFieldPatch({priority: 2, weight: null, proxyUrl: 'direct', requestRetry: 1, extra: ['headers={"X-Team":"ops"}', 'label=ops box']})).toEqual({
      priority: 2,
      weight: null,
      proxy_url: 'direct',
      request_retry: 1,
      headers: {'X-Team': 'ops'},
      label: 'ops box',
    })
    expect(() => buildFieldPatch({weight: 1_000_001})).toThrow(/up to 1000000/)
    expect(buildFieldPatch({weight: 0})).toEqual({weight: 0}) // ≤ 0 parks the account (the gateway stores 0)
    expect(() => buildFieldPatch({extra: ['refresh_token=x']})).toThrow(/secret field/)
    expect(() => buildFieldPatch({})).toThrow(/nothing to change/)
  })
})
