/**
 * The price model: USD per 1,000,000 tokens for each normalised token bucket of a
 * usage event (token_breakdown v2: uncached input, cache read, cache write, output, of which
 * reasoning). Prices live in the store (src/lib/store/prices.ts); this module only describes them.
 */

/** Rates in USD per 1M tokens. `null` = not set (see cost.ts for the fallbacks, always named in --explain). */
export interface Rates {
  /** Uncached input tokens. */
  input: number | null
  cacheRead: number | null
  cacheWrite: number | null
  output: number | null
  /** Reasoning tokens; null ⇒ billed at the output rate (they are part of output upstream). */
  reasoning: number | null
}

/**
 * A context tier: when a request's total input (uncached + cache read + cache write) is strictly above
 * `above` tokens, the tier's rates apply to the whole request. Unset rates inherit the base price; an explicit
 * 0 stays 0. The tier with the highest threshold below the request's input wins.
 */
export interface ContextTier extends Partial<Rates> {
  above: number
}

/**
 * A service-tier rule (flex, batch, priority, …). Either a multiplier on whatever rates apply, or explicit
 * rates (which replace the base and context-tier rates; unset ones inherit the base), or both (rates first,
 * then the multiplier).
 */
export interface ServiceTierRule extends Partial<Rates> {
  multiplier?: number
}

/** `cpactl-catalog`: the curated supplement merged by `import --bundled` (supplement.ts). */
export type PriceSource = 'manual' | 'litellm' | 'models.dev' | 'bundled' | 'cpactl-catalog'

export interface ModelPrice extends Rates {
  model: string
  tiers: ContextTier[]
  /** Keyed by lower-case tier name (`flex`, `batch`, `priority`, …). */
  serviceTiers: Record<string, ServiceTierRule>
  source: PriceSource
  /** The entry's name in the source catalogue (e.g. `anthropic/claude-sonnet-4`). */
  sourceModel: string | null
  /** UTC ms of the last change. */
  updatedAt: number
}

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
