// Renderers: human tables on a terminal, plain TSV when piped, warnings on stderr, and the timeline chart.
import {afterEach, beforeAll, describe, expect, it} from 'vitest'

import {setStreamsForTesting} from '../../../src/lib/cli/output.js'
import {PriceBook} from '../../../src/lib/pricing/cost.js'
import {buildBreakdown, type BreakdownResult} from '../../../src/lib/report/breakdown.js'
import {downsample, renderBreakdown, renderSummary, renderTimeline, timelineChart} from '../../../src/lib/report/render.js'
import {buildSummary, type SummaryResult} from '../../../src/lib/report/summary.js'
import {buildTimeline, type TimelineResult} from '../../../src/lib/report/timeline.js'
import {makeRecords, storeWith} from './helpers.js'

function capture(): {out: () => string; err: () => string; restore: () => void} {
  let out = ''
  let err = ''
  const restore = setStreamsForTesting({
    out: {write: (s: string) => ((out += s), true)} as never,
    err: {write: (s: string) => ((err += s), true)} as never,
  })
  return {out: () => out, err: () => err, restore}
}

describe('report renderers', () => {
  let summary: SummaryResult
  let models: BreakdownResult
  let timeline: TimelineResult
  let restore: (() => void) | null = null

  beforeAll(async () => {
    const {store} = await storeWith(makeRecords({count: 500, from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 8), seed: 4}))
    const range = {since: Date.UTC(2026, 0, 1), until: Date.UTC(2026, 0, 8), tz: 'UTC'}
    const prices = new PriceBook([])
    summary = await buildSummary(store, {range, filters: {}, prices})
    models = await buildBreakdown(store, {kind: 'models', range, filters: {}, prices})
    timeline = await buildTimeline(store, {range, granularity: 'day', filters: {}, prices})
    await store.close()
  })
  afterEach(() => {
    restore?.()
    restore = null
  })

  it('summary on a terminal: human numbers, lower-bound cost marked; warnings are left to the base command', () => {
    const c = capture()
    restore = c.restore
    renderSummary(summary, {human: true})
    expect(c.out()).toContain(`requests                 ${summary.totals.requests.toLocaleString('en-US')}`)
    expect(c.out()).toMatch(/cost \(USD\)\s+≥\$0\.0000/)
    // the base command shows a result's warnings once (test/commands/report/report.test.ts); a renderer never does
    expect(c.err()).toBe('')
  })

  it('piped: TSV with plain numbers and full-precision columns', () => {
    const c = capture()
    restore = c.restore
    renderBreakdown(models, {human: false})
    const lines = c.out().trimEnd().split('\n')
    expect(lines[0].split('\t').slice(0, 4)).toEqual(['MODEL', 'KEY', 'REQUESTS', 'FAILED'])
    expect(lines).toHaveLength(models.rows.length + 1)
    const first = lines[1].split('\t')
    expect(Number(first[2])).toBe(models.rows[0].requests)
  })

  it('timeline on a terminal draws an asciichart of requests per bucket', () => {
    const chart = timelineChart(timeline, 'requests', 80)
    expect(chart.split('\n')[0]).toBe('requests per day')
    expect(chart).toMatch(/[┼┤╭╮╯╰│─]/)
    const c = capture()
    restore = c.restore
    renderTimeline(timeline, {human: true, width: 80})
    expect(c.out()).toContain('requests per day')
    expect(c.out()).toContain('2026-01-07')
  })

  it('downsample sums neighbours to fit the width', () => {
    expect(downsample([1, 2, 3, 4, 5], 10)).toEqual([1, 2, 3, 4, 5])
    expect(downsample([1, 2, 3, 4, 5], 2)).toEqual([6, 9])
  })
})
