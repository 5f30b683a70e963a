/** Deterministic pseudo-random values for seeded simulator content: PRNG, string hash, hex/alphanumeric/UUID strings. */
import {createHash} from 'node:crypto'

/** mulberry32: small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Deterministic 32-bit hash of a string (for per-account derived values). */
export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0)
}

export function hexFrom(rand: () => number, length: number): string {
  let out = ''
  while (out.length < length) out += Math.floor(rand() * 16).toString(16)
  return out
}

export function alnumFrom(rand: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let out = ''
  while (out.length < length) out += alphabet[Math.floor(rand() * alphabet.length)]
  return out
}

export function uuidFrom(rand: () => number): string {
  const h = hexFrom(rand, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}
