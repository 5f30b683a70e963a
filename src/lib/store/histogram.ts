/**
 * Latency histograms for percentiles over long ranges (the format the rollups persist; the store owns it, the
 * report engine reads it). Log-scale buckets, 16 per octave: bucket 0 holds 0 ms,
 * bucket b ≥ 1 holds [2^((b-1)/16), 2^(b/16)) ms, and a percentile read from it is the bucket's geometric
 * middle — within ±2.2 % of the exact value. Rollup rows keep one as a BLOB of sorted little-endian
 * (u16 bucket, u32 count) pairs; merging is adding counts. Short ranges are computed exactly from raw events
 * (`exactPercentile`).
 */

/** Bucket 511 starts at 2^(510/16) ms ≈ 266 days: every real latency fits. */
export const HIST_BUCKETS = 512
const PER_OCTAVE = 16

export function histBucket(ms: number): number {
  if (!(ms > 0)) return 0
  const b = 1 + Math.floor(Math.log2(ms) * PER_OCTAVE)
  return b < 1 ? 1 : b >= HIST_BUCKETS ? HIST_BUCKETS - 1 : b
}

/** Representative value of a bucket (ms, rounded). */
export function histValue(bucket: number): number {
  if (bucket <= 0) return 0
  return Math.round(2 ** ((bucket - 0.5) / PER_OCTAVE))
}

/** Sparse histogram being built: bucket → count. */
export type SparseHist = Map<number, number>

export function histAdd(h: SparseHist, ms: number, count = 1): void {
  const b = histBucket(ms)
  h.set(b, (h.get(b) ?? 0) + count)
}

export function encodeHist(h: SparseHist): Buffer | null {
  if (h.size === 0) return null
  const keys = [...h.keys()].sort((a, b) => a - b)
  const buf = Buffer.allocUnsafe(keys.length * 6)
  let o = 0
  for (const k of keys) {
    buf.writeUInt16LE(k, o)
    buf.writeUInt32LE(h.get(k)!, o + 2)
    o += 6
  }
  return buf
}

/** Add an encoded histogram into a sparse one. */
export function mergeEncoded(into: SparseHist, buf: Buffer | Uint8Array | null | undefined): void {
  if (!buf) return
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let o = 0; o + 6 <= b.length; o += 6) {
    const k = b.readUInt16LE(o)
    into.set(k, (into.get(k) ?? 0) + b.readUInt32LE(o + 2))
  }
}

/**
 * Merge two encoded histograms into a new encoded one: a linear walk over both sorted bucket lists (the
 * rollup upsert's hot path, so no intermediate map or sort). Either side may be null.
 */
export function mergeEncodedBuffers(a: Uint8Array | null, b: Uint8Array | null): Buffer | null {
  if (!a || a.length === 0) return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength) : null
  if (!b || b.length === 0) return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  const out = Buffer.allocUnsafe(a.length + b.length)
  const bucket = (x: Uint8Array, o: number) => x[o] | (x[o + 1] << 8)
  const count = (x: Uint8Array, o: number) => (x[o + 2] | (x[o + 3] << 8) | (x[o + 4] << 16)) + x[o + 5] * 16777216
  let i = 0
  let j = 0
  let o = 0
  while (i + 6 <= a.length || j + 6 <= b.length) {
    let k: number
    let n: number
    if (j + 6 > b.length || (i + 6 <= a.length && bucket(a, i) < bucket(b, j))) {
      k = bucket(a, i)
      n = count(a, i)
      i += 6
    } else if (i + 6 > a.length || bucket(b, j) < bucket(a, i)) {
      k = bucket(b, j)
      n = count(b, j)
      j += 6
    } else {
      k = bucket(a, i)
      n = count(a, i) + count(b, j)
      i += 6
      j += 6
    }
    out.writeUInt16LE(k, o)
    out.writeUInt32LE(n, o + 2)
    o += 6
  }
  return out.subarray(0, o)
}

/** Add an encoded histogram into a dense accumulator (Float64Array(HIST_BUCKETS)). */
export function addEncodedDense(into: Float64Array, buf: Uint8Array | null | undefined): void {
  if (!buf) return
  const n = buf.length - 5
  for (let o = 0; o < n; o += 6) into[buf[o] | (buf[o + 1] << 8)] += (buf[o + 2] | (buf[o + 3] << 8) | (buf[o + 4] << 16)) + buf[o + 5] * 16777216
}

/** Nearest-rank percentile (q in (0, 1]) from a dense histogram; null when empty. */
export function histPercentile(dense: Float64Array, q: number): number | null {
  let total = 0
  for (let i = 0; i < dense.length; i++) total += dense[i]
  if (total === 0) return null
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (let i = 0; i < dense.length; i++) {
    seen += dense[i]
    if (seen >= rank) return histValue(i)
  }
  return histValue(dense.length - 1)
}

/** Nearest-rank percentile of raw values (sorts a copy); null when empty. */
export function exactPercentile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null
  const sorted = Float64Array.from(values).sort()
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]
}
