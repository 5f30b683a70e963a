/**
 * Unit tests of the usage FIFO and the subscriber hub (starvation rule, retention, 256-message buffers) with an
 * injected clock.
 */
import {describe, expect, it} from 'vitest'

import {effectiveRetentionSeconds, type Subscriber, SUBSCRIBER_BUFFER, UsageFifo, UsageHub} from '../../../src/lib/sim/queue.js'

function fakeSub(id: number, channel: 'usage' | 'errors' = 'usage'): Subscriber & {got: string[]; drops: string[]; stuck: boolean} {
  const got: string[] = []
  const drops: string[] = []
  return {
    id,
    channel,
    got,
    drops,
    stuck: false,
    pending() {
      return this.stuck ? got.length : 0
    },
    enqueue(p: string) {
      got.push(p)
    },
    dropped(reason) {
      drops.push(reason)
    },
  }
}

describe('retention', () => {
  it('clamps: ≤ 0 ⇒ 60, > 3600 ⇒ 3600', () => {
    expect([0, -5, 1, 60, 3600, 3601, 1e9, Number.NaN, undefined].map(effectiveRetentionSeconds)).toEqual([60, 60, 1, 60, 3600, 3600, 3600, 60, 60])
  })

  it('prunes at push and at pop, measured from enqueue time', () => {
    let now = 0
    const fifo = new UsageFifo(() => now, () => 10_000)
    fifo.push('a')
    now = 5000
    fifo.push('b')
    now = 10_000
    expect(fifo.length).toBe(2) // not pruned by reading the length
    now = 10_001
    fifo.push('c') // prunes 'a'
    expect([fifo.length, fifo.expired]).toEqual([2, 1])
    now = 15_001
    expect(fifo.pop(10)).toEqual(['c'])
    expect(fifo.expired).toBe(2)
  })
})

describe('UsageHub', () => {
  it('FIFO when nobody subscribes; only subscribers while one exists; errors subscribers do not starve the FIFO', () => {
    const hub = new UsageHub(new UsageFifo(() => 0, () => 60_000))
    hub.publishUsage('1')
    const e = fakeSub(1, 'errors')
    hub.subscribe(e)
    hub.publishUsage('2')
    expect(hub.fifo.pop(9)).toEqual(['1', '2'])
    const u = fakeSub(2)
    hub.subscribe(u)
    expect(hub.publishUsage('3')).toBe('subscribers')
    hub.publishControl('{"refresh":true}')
    hub.publishError('{"e":1}')
    expect(u.got).toEqual(['3', '{"refresh":true}'])
    expect(e.got).toEqual(['{"e":1}'])
    expect(hub.fifo.length).toBe(0)
    hub.unsubscribe(u)
    hub.publishControl('{"refresh":true}') // nobody listening: not queued either
    expect(hub.fifo.length).toBe(0)
  })

  it('drops a subscriber whose buffer holds 256 messages; the message is lost; later ones go to the FIFO', () => {
    const hub = new UsageHub(new UsageFifo(() => 0, () => 60_000))
    const slow = fakeSub(1)
    slow.stuck = true
    hub.subscribe(slow)
    for (let i = 0; i < SUBSCRIBER_BUFFER; i++) hub.publishUsage(`m${i}`)
    expect(slow.got).toHaveLength(256)
    expect(hub.publishUsage('overflow')).toBe('lost')
    expect(slow.drops).toEqual(['overflow'])
    expect(hub.publishUsage('after')).toBe('fifo')
    expect(hub.fifo.pop(5)).toEqual(['after'])
    expect(hub.stats).toMatchObject({subscribersDropped: 1, lostOnOverflow: 1, deliveredToSubscribers: 256})
  })

  it('with two subscribers, the healthy one still gets the message the slow one overflowed on', () => {
    const hub = new UsageHub(new UsageFifo(() => 0, () => 60_000))
    const slow = fakeSub(1)
    const fast = fakeSub(2)
    slow.stuck = true
    hub.subscribe(slow)
    hub.subscribe(fast)
    for (let i = 0; i <= SUBSCRIBER_BUFFER; i++) hub.publishUsage(`m${i}`)
    expect(fast.got).toHaveLength(257)
    expect(slow.drops).toEqual(['overflow'])
    expect(hub.stats.lostOnOverflow).toBe(0)
  })

  it('reset() drops the FIFO and every subscriber', () => {
    const hub = new UsageHub(new UsageFifo(() => 0, () => 60_000))
    hub.publishUsage('x')
    const u = fakeSub(1)
    hub.subscribe(u)
    hub.reset()
    expect([hub.fifo.length, hub.usageSubs.size, u.drops]).toEqual([0, 0, ['shutdown']])
  })
})
