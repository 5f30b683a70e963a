/**
 * Standard context-size thresholds (tokens of total input) the rollups split requests by: a rollup row's
 * `band` is how many of these its requests' total input (uncached + cache read + cache write) exceeds. They
 * cover the long-context thresholds providers publish (128k; Anthropic/Google 200k; 256k; OpenAI 272k; 1M), so
 * a price whose tier thresholds are all in this list is billed exactly from the rollups: within one band every
 * request falls in the same context tier (src/lib/pricing/cost.ts). A tier at any other threshold needs each
 * request's input (raw events). Changing this list changes what the stored `band` values mean: rebuild the
 * rollups.
 */
export const CONTEXT_BANDS: readonly number[] = [128_000, 200_000, 256_000, 272_000, 1_000_000]

/** The context band of a request: how many CONTEXT_BANDS thresholds its total input is strictly above. */
export function contextBand(inputTotal: number): number {
  let b = 0
  while (b < CONTEXT_BANDS.length && inputTotal > CONTEXT_BANDS[b]) b++
  return b
}
