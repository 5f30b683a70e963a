import {describe, expect, it} from 'vitest'

import {pollUntil} from '../../../src/lib/gateway/poll.js'

describe('pollUntil', () => {
  it('polls until the value arrives or the deadline passes', async () => {
    let n = 0
    const ok = await pollUntil(async () => ++n, (v) => v >= 3, {intervalMs: 1, timeoutMs: 1000})
    expect(ok).toEqual({value: 3, ok: true, attempts: 3})
    const late = await pollUntil(async () => 0, (v) => v === 1, {intervalMs: 5, timeoutMs: 20})
    expect(late.ok).toBe(false)
  })
})
