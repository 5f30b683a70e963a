/**
 * Latency histograms for percentiles over long ranges (the format the rollups persist; the store owns it, the
 * report engine reads it). Log-scale buckets, 16 per octave: bucket 0 holds 0 ms, bucket b ≥ 1 holds
 * [2^((b-1)/16), 2^(b/16)) ms, and a percentile read from it is the bucket's geometric middle — within
 * ±2.2 % of the exact value. Short ranges are computed exactly from raw events (`exactPercentile`).
 *
 * Encoding (v2, since migration 004): the non-empty buckets in increasing order, each as two unsigned LEB128
 * varints — the gap to the previous bucket (the first: the bucket itself) and the count. Neighbouring buckets
 * take one byte for the gap, so a row of ~150 buckets is a few hundred bytes and stays inside its B-tree page
 * (v1, 6 bytes per bucket — u16 bucket, u32 count, little-endian — pushed busy rows into overflow pages that
 * every batch rewrote). Merging is adding counts.
 */

/** Bucket 511 starts at 2^(510/16) ms ≈ 266 days: every real latency fits. */
export const HIST_BUCKETS = 512

/**
 * A dense histogram being summed: one count per bucket. A plain array, not a Float64Array: its counts stay small
 * integers (exact up to 2^53 either way), and a report process runs these loops before the JIT has optimised
 * them, where reading and writing a Float64Array element allocates a heap number each time (~5× slower).
 */
export type DenseHist = number[]

export function emptyDense(): DenseHist {
  return new Array<number>(HIST_BUCKETS).fill(0)
}

/** Add one dense histogram into another. */
export function addDense(into: DenseHist, from: DenseHist): void {
  for (let i = 0, n = from.length; i < n; i++) into[i] += from[i]
}
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

function putVarint(out: Buffer, o: number, v: number): number {
  while (v >= 0x80) {
    out[o++] = (v % 0x80) | 0x80
    v = Math.floor(v / 0x80)
  }
  out[o++] = v
  return o
}

/** Calls `visit(bucket, count)` for every bucket of an encoded histogram, in increasing order. */
function decode(buf: Uint8Array, visit: (bucket: number, count: number) => void): void {
  let o = 0
  let bucket = 0
  const n = buf.length
  while (o < n) {
    let gap = 0
    let mul = 1
    let byte: number
    do {
      byte = buf[o++]
      gap += (byte & 0x7f) * mul
      mul *= 0x80
    } while (byte & 0x80 && o < n)
    let count = 0
    mul = 1
    do {
      byte = buf[o++]
      count += (byte & 0x7f) * mul
      mul *= 0x80
    } while (byte & 0x80 && o < n)
    bucket += gap
    visit(bucket, count)
  }
}

/** Encode (buckets, counts) given in increasing bucket order. */
function encodeSorted(buckets: ArrayLike<number>, counts: ArrayLike<number>, n: number): Buffer | null {
  if (n === 0) return null
  const out = Buffer.allocUnsafe(n * 12)
  let o = 0
  let prev = 0
  for (let i = 0; i < n; i++) {
    o = putVarint(out, o, buckets[i] - prev)
    o = putVarint(out, o, counts[i])
    prev = buckets[i]
  }
  return out.subarray(0, o)
}

/** Encode dense counts (one slot per bucket); null when every count is 0. */
export function encodeDense(counts: ArrayLike<number>): Buffer | null {
  const buckets: number[] = []
  const values: number[] = []
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      buckets.push(i)
      values.push(counts[i])
    }
  }
  return encodeSorted(buckets, values, buckets.length)
}

const scratchA = new Float64Array(HIST_BUCKETS)

/**
 * Merge two encoded histograms into a new encoded one (the rollup upsert's and the report aggregate's hot
 * path). Either side may be null.
 */
export function mergeEncodedBuffers(a: Uint8Array | null, b: Uint8Array | null): Buffer | null {
  if (!a || a.length === 0) return b && b.length > 0 ? Buffer.from(b) : null
  if (!b || b.length === 0) return Buffer.from(a)
  const dense = scratchA
  let lo = HIST_BUCKETS
  let hi = -1
  const add = (k: number, c: number) => {
    dense[k] += c
    if (k < lo) lo = k
    if (k > hi) hi = k
  }
  decode(a, add)
  decode(b, add)
  const buckets: number[] = []
  const counts: number[] = []
  for (let k = lo; k <= hi; k++) {
    if (dense[k] > 0) {
      buckets.push(k)
      counts.push(dense[k])
      dense[k] = 0
    }
  }
  return encodeSorted(buckets, counts, buckets.length)
}

/** Add an encoded histogram into a dense accumulator (HIST_BUCKETS counts). */
export function addEncodedDense(into: DenseHist | Float64Array, buf: Uint8Array | null | undefined): void {
  if (!buf) return
  decode(buf, (b, c) => {
    into[b] += c
  })
}

/** A v1 histogram (6-byte u16 bucket + u32 count pairs, little-endian) in the v2 encoding (migration 004). */
export function fromV1(buf: Uint8Array | null): Buffer | null {
  if (!buf || buf.length < 6) return null
  const n = Math.floor(buf.length / 6)
  const buckets = new Array<number>(n)
  const counts = new Array<number>(n)
  for (let i = 0, o = 0; i < n; i++, o += 6) {
    buckets[i] = buf[o] | (buf[o + 1] << 8)
    counts[i] = (buf[o + 2] | (buf[o + 3] << 8) | (buf[o + 4] << 16)) + buf[o + 5] * 16777216
  }
  return encodeSorted(buckets, counts, n)
}

/** Nearest-rank percentile (q in (0, 1]) from a dense histogram; null when empty. */
export function histPercentile(dense: ArrayLike<number>, q: number): number | null {
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
