// The histogram encoding the rollups persist (store/histogram.ts): v2 varint pairs, merged by adding counts,
// converted losslessly from v1, read back as percentiles within the bucket resolution.
import {describe, expect, it} from 'vitest'

import {addEncodedDense, encodeDense, exactPercentile, fromV1, HIST_BUCKETS, histBucket, histPercentile, mergeEncodedBuffers} from '../../../src/lib/store/histogram.js'

function dense(values: number[]): Float64Array {
  const d = new Float64Array(HIST_BUCKETS)
  for (const v of values) d[histBucket(v)]++
  return d
}

function decoded(buf: Buffer | null): Float64Array {
  const d = new Float64Array(HIST_BUCKETS)
  addEncodedDense(d, buf)
  return d
}

describe('histogram encoding (v2)', () => {
  it('round-trips counts, large ones included, in a few bytes per bucket', () => {
    const d = new Float64Array(HIST_BUCKETS)
    d[0] = 3
    d[1] = 1
    d[2] = 200
    d[180] = 70_000
    d[511] = 4_000_000_000
    const buf = encodeDense(d)!
    expect(Array.from(decoded(buf))).toEqual(Array.from(d))
    // gaps 0, 1, 1, 178, 331 (1+1+1+2+2 bytes), counts 3, 1, 200, 70000, 4e9 (1+1+2+3+5 bytes)
    expect(buf.length).toBe(19)
    expect(encodeDense(new Float64Array(HIST_BUCKETS))).toBeNull()
  })

  it('merging adds counts, whatever the overlap; null sides are neutral', () => {
    const a = [1, 5, 5, 80, 1200, 33_000]
    const b = [5, 81, 1200, 1200, 0, 999_999]
    const merged = mergeEncodedBuffers(encodeDense(dense(a)), encodeDense(dense(b)))
    expect(Array.from(decoded(merged))).toEqual(Array.from(dense([...a, ...b])))
    expect(Array.from(decoded(mergeEncodedBuffers(null, encodeDense(dense(a)))))).toEqual(Array.from(dense(a)))
    expect(mergeEncodedBuffers(null, null)).toBeNull()
  })

  it('converts a v1 blob (u16 bucket, u32 count pairs) without loss', () => {
    const v1 = Buffer.alloc(18)
    ;[[3, 7], [150, 65_536], [400, 3_000_000_000]].forEach(([k, n], i) => {
      v1.writeUInt16LE(k, i * 6)
      v1.writeUInt32LE(n, i * 6 + 2)
    })
    const d = decoded(fromV1(v1))
    expect([d[3], d[150], d[400]]).toEqual([7, 65_536, 3_000_000_000])
    expect(d.reduce((s, x) => s + x, 0)).toBe(7 + 65_536 + 3_000_000_000)
    expect(fromV1(null)).toBeNull()
  })

  it('p95 from the histogram is within 2.2 % of the exact value', () => {
    const values = Array.from({length: 5000}, (_, i) => 40 + ((i * 7919) % 30_000))
    const exact = exactPercentile(values, 0.95)!
    const est = histPercentile(decoded(encodeDense(dense(values))), 0.95)!
    expect(Math.abs(est - exact) / exact).toBeLessThanOrEqual(0.022)
  })
})
