/**
 * The cost engine: pure functions, no I/O (the leading panel's formula, with the fixes its users asked for).
 *
 * cost = ( uncachedInput × input + cacheRead × cacheRead′ + cacheWrite × cacheWrite′
 *          + (output − reasoning) × output + reasoning × reasoning′ ) / 1e6 × multiplier
 *
 * - Buckets are the store's normalised, non-overlapping ones (token_breakdown v2; older
 *   records are normalised per provider semantics at ingest), so cached tokens are never billed twice and
 *   never dropped: input already excludes cache reads and writes.
 * - cacheRead′ / cacheWrite′ = the cache rates when set, else the input rate (named in the explanation).
 * - reasoning′ = the reasoning rate when the price sets one, else the output rate (reasoning is output).
 * - Context tiers: the tier with the highest threshold strictly below the request's total input applies to
 *   the whole request; its unset rates inherit the base rates. Reports read aggregates split by context band
 *   (CONTEXT_BANDS), which fixes the tier exactly when every threshold is a standard one.
 * - Service tiers: an explicit rule of the model's price wins (rates replace, multiplier scales); otherwise
 *   the default multipliers below. The effective tier is the request's tier for Codex (it echoes `default`
 *   even for priority requests), else the tier the upstream reported, else the requested one.
 * - Unclassified tokens (legacy records of unknown providers) are never priced; a model without a price is
 *   never $0: both make the figure a lower bound and are named by the caller in `warnings`.
 */
import type {TokenCounts} from './types.js'
import type {ContextTier, ModelPrice, Rates, ServiceTierRule} from '../store/index.js'

/** Default service-tier multipliers, used when a model's price has no rule for the tier. */
export const DEFAULT_SERVICE_TIER_MULTIPLIERS: Readonly<Record<string, number>> = {
  flex: 0.5,
  batch: 0.5,
  priority: 2,
}

/** Tier names that mean "standard pricing". */
const STANDARD_TIERS = new Set(['', 'auto', 'default', 'standard', 'on_demand', 'on-demand'])
/** Spellings that mean another tier. */
const TIER_SYNONYMS: Record<string, string> = {fast: 'priority', batches: 'batch'}

/** Normalise a tier name: lower-case, synonyms folded, standard tiers ⇒ null. */
export function normalizeServiceTier(tier: string | null | undefined): string | null {
  const t = (tier ?? '').trim().toLowerCase()
  if (STANDARD_TIERS.has(t)) return null
  return TIER_SYNONYMS[t] ?? t
}

/**
 * The tier a request was billed at: for Codex (which echoes `default` even for fast requests) the requested tier
 * wins; for every other provider the upstream's `response_service_tier` wins when present.
 */
export function effectiveServiceTier(provider: string | null, requestTier: string | null, responseTier: string | null): string | null {
  const req = normalizeServiceTier(requestTier)
  const resp = normalizeServiceTier(responseTier)
  if ((provider ?? '').toLowerCase() === 'codex') return req ?? resp
  if ((responseTier ?? '').trim() !== '') return resp
  return req
}

/** Index into `price.tiers` (sorted by `above`) of the context tier for a request's total input, or -1. */
export function contextTierIndex(tiers: readonly ContextTier[], inputTotal: number): number {
  let best = -1
  for (let i = 0; i < tiers.length; i++) {
    if (inputTotal > tiers[i].above && (best === -1 || tiers[i].above > tiers[best].above)) best = i
  }
  return best
}

// The standard context bands (src/lib/usage/bands.ts: a property of a usage record the rollups split by); re-exported for pricing callers.
import {CONTEXT_BANDS} from '../usage/bands.js'

export {CONTEXT_BANDS, contextBand} from '../usage/bands.js'

/** True when every tier threshold is one of CONTEXT_BANDS (the tier of a request follows from its band). */
export function tiersFitBands(tiers: readonly ContextTier[]): boolean {
  return tiers.every((t) => CONTEXT_BANDS.includes(t.above))
}

/**
 * The context tier of every request in `band`, for tiers whose thresholds all fit the bands (tiersFitBands):
 * the smallest input of the band (one above its lower threshold) is above exactly the same standard thresholds
 * as every other input of the band.
 */
export function contextTierIndexForBand(tiers: readonly ContextTier[], band: number): number {
  return contextTierIndex(tiers, band <= 0 ? 0 : CONTEXT_BANDS[Math.min(band, CONTEXT_BANDS.length) - 1] + 1)
}

export interface AppliedRates {
  input: number
  cacheRead: number
  cacheWrite: number
  output: number
  reasoning: number
  /** Service-tier multiplier applied on top of the rates (1 when none). */
  multiplier: number
  /** Threshold of the context tier in force, or null. */
  contextTierAbove: number | null
  /** Effective service tier (normalised), or null for standard. */
  serviceTier: string | null
  /** Where the multiplier/rates for the service tier came from. */
  serviceTierRule: 'price' | 'default' | 'none'
  /** Human notes on fallbacks, e.g. "cache read billed at the input rate (no cache-read price)". */
  notes: string[]
}

function pick(tierValue: number | null | undefined, base: number | null): number | null {
  return tierValue === undefined || tierValue === null ? base : tierValue
}

/**
 * The rates that apply to a request of `model` with this total input and effective service tier.
 * Precedence: explicit service-tier rates > context tier > base; then the multiplier (the rule's, else the
 * default for the tier).
 */
export function ratesFor(price: ModelPrice, options: {tierIndex?: number; serviceTier?: string | null} = {}): AppliedRates {
  const notes: string[] = []
  let r: Rates = {input: price.input, cacheRead: price.cacheRead, cacheWrite: price.cacheWrite, output: price.output, reasoning: price.reasoning}
  const tierIdx = options.tierIndex ?? -1
  let contextTierAbove: number | null = null
  const st = options.serviceTier ?? null
  const rule: ServiceTierRule | undefined = st ? price.serviceTiers[st] : undefined
  const hasRuleRates = rule !== undefined && (['input', 'cacheRead', 'cacheWrite', 'output', 'reasoning'] as const).some((k) => rule[k] !== undefined && rule[k] !== null)
  if (hasRuleRates) {
    r = {
      input: pick(rule.input, r.input),
      cacheRead: pick(rule.cacheRead, r.cacheRead),
      cacheWrite: pick(rule.cacheWrite, r.cacheWrite),
      output: pick(rule.output, r.output),
      reasoning: pick(rule.reasoning, r.reasoning),
    }
  } else if (tierIdx >= 0 && tierIdx < price.tiers.length) {
    const t = price.tiers[tierIdx]
    contextTierAbove = t.above
    r = {
      input: pick(t.input, r.input),
      cacheRead: pick(t.cacheRead, r.cacheRead),
      cacheWrite: pick(t.cacheWrite, r.cacheWrite),
      output: pick(t.output, r.output),
      reasoning: pick(t.reasoning, r.reasoning),
    }
  }
  const input = r.input ?? 0
  if (r.input === null) notes.push('no input price: uncached input billed at $0')
  const output = r.output ?? 0
  if (r.output === null) notes.push('no output price: output billed at $0')
  let cacheRead = r.cacheRead
  if (cacheRead === null) {
    cacheRead = input
    notes.push('no cache-read price: cache reads billed at the input rate')
  }
  let cacheWrite = r.cacheWrite
  if (cacheWrite === null) {
    cacheWrite = input
    notes.push('no cache-write price: cache writes billed at the input rate')
  }
  const reasoning = r.reasoning ?? output
  let multiplier = 1
  let serviceTierRule: AppliedRates['serviceTierRule'] = 'none'
  if (st) {
    if (rule) {
      serviceTierRule = 'price'
      if (rule.multiplier !== undefined) multiplier = rule.multiplier
    } else if (DEFAULT_SERVICE_TIER_MULTIPLIERS[st] !== undefined) {
      serviceTierRule = 'default'
      multiplier = DEFAULT_SERVICE_TIER_MULTIPLIERS[st]
    }
  }
  return {input, cacheRead, cacheWrite, output, reasoning, multiplier, contextTierAbove, serviceTier: st, serviceTierRule, notes}
}

export interface CostParts {
  uncachedInput: number
  cacheRead: number
  cacheWrite: number
  /** Non-reasoning output. */
  output: number
  reasoning: number
  total: number
}

/** Cost in USD of aggregated tokens billed at one set of rates. */
export function costOf(t: TokenCounts, rates: AppliedRates): CostParts {
  const m = rates.multiplier / 1_000_000
  const nonReasoning = Math.max(0, t.output - t.reasoning)
  const parts = {
    uncachedInput: t.uncachedInput * rates.input * m,
    cacheRead: t.cacheRead * rates.cacheRead * m,
    cacheWrite: t.cacheWrite * rates.cacheWrite * m,
    output: nonReasoning * rates.output * m,
    reasoning: Math.min(t.reasoning, t.output) * rates.reasoning * m,
  }
  return {...parts, total: parts.uncachedInput + parts.cacheRead + parts.cacheWrite + parts.output + parts.reasoning}
}

/** Round a USD amount for output (10 decimal places: far below a millionth of a cent, above float noise). */
export function roundUsd(v: number): number {
  return Math.round(v * 1e10) / 1e10
}

export interface PriceMatch {
  price: ModelPrice
  /** How the model name was matched: exact, case-insensitive, or after stripping a suffix/prefix. */
  matchedBy: 'exact' | 'case' | 'suffix' | 'prefix'
}

/**
 * Lookup of prices by the model name a usage record carries. Exact key first, then case-insensitive, then
 * without a reasoning suffix like `(high)` / `-thinking`, then without a `vendor/` prefix. Never fuzzy beyond
 * that: a model that matches nothing is unpriced (and named in warnings).
 */
export class PriceBook {
  private readonly exact = new Map<string, ModelPrice>()
  private readonly lower = new Map<string, ModelPrice>()
  private readonly cache = new Map<string, PriceMatch | null>()

  constructor(prices: Iterable<ModelPrice>) {
    for (const p of prices) {
      const sorted = {...p, tiers: [...p.tiers].sort((a, b) => a.above - b.above)}
      this.exact.set(p.model, sorted)
      if (!this.lower.has(p.model.toLowerCase())) this.lower.set(p.model.toLowerCase(), sorted)
    }
  }

  get size(): number {
    return this.exact.size
  }

  lookup(model: string | null | undefined): PriceMatch | null {
    const name = (model ?? '').trim()
    if (name === '') return null
    const cached = this.cache.get(name)
    if (cached !== undefined) return cached
    const found = this.find(name)
    this.cache.set(name, found)
    return found
  }

  private find(name: string): PriceMatch | null {
    const e = this.exact.get(name)
    if (e) return {price: e, matchedBy: 'exact'}
    const l = this.lower.get(name.toLowerCase())
    if (l) return {price: l, matchedBy: 'case'}
    const stripped = name.replace(/\s*\((?:minimal|low|medium|high|xhigh|auto|none|-?\d+)\)$/i, '').replace(/-thinking$/i, '')
    if (stripped !== name) {
      const s = this.exact.get(stripped) ?? this.lower.get(stripped.toLowerCase())
      if (s) return {price: s, matchedBy: 'suffix'}
    }
    const slash = stripped.lastIndexOf('/')
    if (slash > 0) {
      const base = stripped.slice(slash + 1)
      const s = this.exact.get(base) ?? this.lower.get(base.toLowerCase())
      if (s) return {price: s, matchedBy: 'prefix'}
    }
    return null
  }

  /** True when any price has context tiers. */
  hasAnyTiers(): boolean {
    for (const p of this.exact.values()) if (p.tiers.length > 0) return true
    return false
  }

  /** True when the model's price has context tiers (per-request input sizes, or their context band, are needed to bill it). */
  hasTiers(model: string | null | undefined): boolean {
    const m = this.lookup(model)
    return m !== null && m.price.tiers.length > 0
  }

  /** True when some price has a context tier at a threshold outside CONTEXT_BANDS. */
  hasAnyUnbandedTiers(): boolean {
    for (const p of this.exact.values()) if (!tiersFitBands(p.tiers)) return true
    return false
  }

  /**
   * True when the model's price has a context tier at a threshold outside CONTEXT_BANDS: only each request's
   * input (raw events) says which tier applies; the rollups' context band does not.
   */
  needsRequestInput(model: string | null | undefined): boolean {
    const m = this.lookup(model)
    return m !== null && !tiersFitBands(m.price.tiers)
  }
}
