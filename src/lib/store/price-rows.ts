/**
 * The price rows the store keeps (prices.ts, postgres/prices.ts) and pricing reads: USD per 1,000,000 tokens
 * for each normalised token bucket of a usage event (uncached input, cache read, cache write, output, of
 * which reasoning), with context tiers and service-tier rules. The store owns these shapes; src/lib/pricing
 * parses, merges and applies them.
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
