/**
 * The price model: USD per 1,000,000 tokens for each normalised token bucket of a
 * usage event (token_breakdown v2: uncached input, cache read, cache write, output, of which
 * reasoning). The store owns the price rows (src/lib/store/price-rows.ts); this module adds the parsed import
 * and the token buckets a cost is computed from.
 */
import type {ModelPrice} from '../store/index.js'

/** A parsed price without the bookkeeping the store adds. */
export type ImportedPrice = Omit<ModelPrice, 'updatedAt'>

/** Token buckets of one request or of an aggregate (all integers; reasoning ⊆ output). */
export interface TokenCounts {
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  /** All output tokens, reasoning included. */
  output: number
  reasoning: number
  /** Tokens the gateway could not classify: never priced, they make the cost a lower bound. */
  unclassified: number
}

export function emptyTokens(): TokenCounts {
  return {uncachedInput: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, unclassified: 0}
}

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  a.uncachedInput += b.uncachedInput
  a.cacheRead += b.cacheRead
  a.cacheWrite += b.cacheWrite
  a.output += b.output
  a.reasoning += b.reasoning
  a.unclassified += b.unclassified
  return a
}
