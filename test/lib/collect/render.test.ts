import {describe, expect, it} from 'vitest'

import {progressLine, summaryLine} from '../../../src/lib/collect/render.js'
import type {CollectResult} from '../../../src/lib/collect/types.js'

const result: CollectResult = {
  instance: 'prod',
  transport: 'resp',
  runId: 3,
  store: '/tmp/x.db',
  popped: 12_345,
  inserted: 12_300,
  duplicates: 40,
  deadLettered: 4,
  controlSkipped: 1,
  recovered: 0,
  batches: 25,
  durationMs: 1_500,
  recordsPerSecond: 8_230,
  oldestRecordAgeMs: 59_000,
  popToCommitMs: {p50: 10, p99: 20, max: 30},
  coverage: {ratio: 0.975, expected: 400, collected: 390, basis: 'previous-run', since: 1, until: 2, note: null},
  stopReason: 'empty',
  warnings: [],
}

describe('collect renderers', () => {
  it('one summary line', () => {
    expect(summaryLine(result)).toBe('collect prod via resp: 12,345 popped, 12,300 stored, 40 duplicates, 4 dead letters, 1 control in 2s (8,230/s, coverage 98%)')
    expect(summaryLine({...result, recovered: 6, coverage: {...result.coverage, ratio: null}})).toBe(
      'collect prod via resp: 12,345 popped, 12,300 stored, 40 duplicates, 4 dead letters, 1 control, 6 recovered from spool in 2s (8,230/s)',
    )
  })

  it('a progress line, with a bar when the total is known', () => {
    expect(progressLine({popped: 5_000, inserted: 5_000, batches: 10, elapsedMs: 500, maxRecords: null})).toBe('draining… 5,000 records in 10 batches, 10,000/s')
    expect(progressLine({popped: 5_000, inserted: 5_000, batches: 10, elapsedMs: 500, maxRecords: 20_000})).toBe(`draining… [${'#'.repeat(7)}${'.'.repeat(21)}] 25% 5,000 / 20,000 records, 10,000/s`)
  })
})
