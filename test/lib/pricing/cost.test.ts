// Cost engine against hand-computed fixtures, one per provider's token semantics:
// each record goes through the collector's normaliser first, so the buckets are the ones the store keeps.
import {describe, expect, it} from 'vitest'

import {
  CONTEXT_BANDS,
  contextBand,
  contextTierIndex,
  contextTierIndexForBand,
  costOf,
  effectiveServiceTier,
  normalizeServiceTier,
  PriceBook,
  ratesFor,
  roundUsd,
  tiersFitBands,
} from '../../../src/lib/pricing/cost.js'
import type {TokenCounts} from '../../../src/lib/pricing/types.js'
import type {ModelPrice} from '../../../src/lib/store/index.js'
import {costGroup, type GroupAgg} from '../../../src/lib/report/groups.js'
import {emptyGroup} from '../../../src/lib/report/metrics.js'
import {createNormalizer} from '../../../src/lib/usage/normalize.js'

function price(model: string, p: Partial<ModelPrice>): ModelPrice {
  return {model, input: null, cacheRead: null, cacheWrite: null, output: null, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: 0, ...p}
}

/** Buckets of one legacy gateway record (no token_breakdown) as the store keeps them. */
function bucketsOf(record: Record<string, unknown>): TokenCounts {
  const c = createNormalizer().classify({timestamp: '2026-08-22T14:03:11+08:00', ...record})
  if (c.kind !== 'record') throw new Error(`not a record: ${JSON.stringify(c)}`)
  const b = c.event.buckets
  return {uncachedInput: b.uncachedInput, cacheRead: b.cacheRead, cacheWrite: b.cacheWrite, output: b.outputTotal, reasoning: b.reasoning, unclassified: b.unclassified}
}

const cost = (t: TokenCounts, p: ModelPrice, opts: {tierIndex?: number; serviceTier?: string | null} = {}) => roundUsd(costOf(t, ratesFor(p, opts)).total)

describe('cost per provider semantics (hand-computed)', () => {
  const gpt5 = price('gpt-5', {input: 1.25, cacheRead: 0.125, output: 10})
  const sonnet = price('claude-sonnet-4-5', {input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15})
  const gemini = price('gemini-2.5-pro', {input: 1.25, cacheRead: 0.31, output: 10})

  it('codex (subset: cache ⊂ input, reasoning ⊂ output): cached tokens billed once, at the cache rate', () => {
    // 12,000 input of which 9,000 cache reads; 800 output of which 300 reasoning
    const t = bucketsOf({provider: 'codex', executor_type: 'CodexExecutor', model: 'gpt-5', tokens: {input_tokens: 12000, output_tokens: 800, reasoning_tokens: 300, cached_tokens: 9000, cache_read_tokens: 9000, total_tokens: 12800}})
    expect(t).toEqual({uncachedInput: 3000, cacheRead: 9000, cacheWrite: 0, output: 800, reasoning: 300, unclassified: 0})
    // 3000 × 1.25 + 9000 × 0.125 + 500 × 10 + 300 × 10 (reasoning at the output rate) = 3750 + 1125 + 8000 = 12,875 µ$
    expect(cost(t, gpt5)).toBe(0.012875)
  })

  it('claude (independent buckets): input, cache read and cache write are each billed at their own rate', () => {
    const t = bucketsOf({provider: 'claude', executor_type: 'ClaudeExecutor', model: 'claude-sonnet-4-5', tokens: {input_tokens: 1000, output_tokens: 700, reasoning_tokens: 0, cached_tokens: 20000, cache_read_tokens: 20000, cache_creation_tokens: 5000}})
    expect(t).toEqual({uncachedInput: 1000, cacheRead: 20000, cacheWrite: 5000, output: 700, reasoning: 0, unclassified: 0})
    // 1000 × 3 + 20000 × 0.3 + 5000 × 3.75 + 700 × 15 = 3000 + 6000 + 18750 + 10500 = 38,250 µ$
    expect(cost(t, sonnet)).toBe(0.03825)
  })

  it('gemini (cache ⊂ input, reasoning separate from output): thoughts are added to output', () => {
    const t = bucketsOf({provider: 'gemini', executor_type: 'GeminiExecutor', model: 'gemini-2.5-pro', tokens: {input_tokens: 10000, output_tokens: 500, reasoning_tokens: 200, cached_tokens: 4000, cache_read_tokens: 4000}})
    expect(t).toEqual({uncachedInput: 6000, cacheRead: 4000, cacheWrite: 0, output: 700, reasoning: 200, unclassified: 0})
    // 6000 × 1.25 + 4000 × 0.31 + 700 × 10 = 7500 + 1240 + 7000 = 15,740 µ$
    expect(cost(t, gemini)).toBe(0.01574)
    // with its own reasoning rate: 500 × 10 + 200 × 3.5 = 5700 instead of 7000
    expect(cost(t, {...gemini, reasoning: 3.5})).toBe(0.01444)
  })

  it('token_breakdown v2 records are taken as they are', () => {
    const c = createNormalizer().classify({
      timestamp: '2026-08-22T14:03:11.482913207+08:00',
      provider: 'codex',
      model: 'gpt-5',
      tokens: {input_tokens: 12000, output_tokens: 800, reasoning_tokens: 300, cached_tokens: 9000, cache_read_tokens: 9000},
      accounting_version: 2,
      token_breakdown: {schema_version: 2, quality: 'complete', total_tokens: 12800, input: {total_tokens: 12000, uncached_tokens: 3000, cache_read_tokens: 9000, cache_write_tokens: 0}, output: {total_tokens: 800, non_reasoning_tokens: 500, reasoning_tokens: 300}, unclassified_tokens: 0},
    })
    if (c.kind !== 'record') throw new Error('not a record')
    const b = c.event.buckets
    expect(cost({uncachedInput: b.uncachedInput, cacheRead: b.cacheRead, cacheWrite: b.cacheWrite, output: b.outputTotal, reasoning: b.reasoning, unclassified: 0}, gpt5)).toBe(0.012875)
  })

  it('missing cache rates fall back to the input rate and say so', () => {
    const p = price('m', {input: 2, output: 4})
    const r = ratesFor(p)
    expect(r.cacheRead).toBe(2)
    expect(r.cacheWrite).toBe(2)
    expect(r.notes).toEqual(['no cache-read price: cache reads billed at the input rate', 'no cache-write price: cache writes billed at the input rate'])
    // 100 × 2 + 1000 × 2 + 10 × 2 + 50 × 4 = 2420 µ$
    expect(cost({uncachedInput: 100, cacheRead: 1000, cacheWrite: 10, output: 50, reasoning: 0, unclassified: 0}, p)).toBe(0.00242)
  })
})

describe('context tiers', () => {
  const tiered = price('claude-sonnet-4-5', {
    input: 3,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    output: 15,
    tiers: [{above: 200_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}],
  })

  it('a request above the threshold is billed entirely at the tier rates', () => {
    const t = {uncachedInput: 50_000, cacheRead: 200_000, cacheWrite: 0, output: 1000, reasoning: 0, unclassified: 0}
    const idx = contextTierIndex(tiered.tiers, 250_000)
    expect(idx).toBe(0)
    // 50000 × 6 + 200000 × 0.6 + 1000 × 22.5 = 300000 + 120000 + 22500 = 442,500 µ$
    expect(cost(t, tiered, {tierIndex: idx})).toBe(0.4425)
  })

  it('at or below the threshold the base rates apply', () => {
    expect(contextTierIndex(tiered.tiers, 200_000)).toBe(-1)
    const t = {uncachedInput: 150_000, cacheRead: 0, cacheWrite: 0, output: 1000, reasoning: 0, unclassified: 0}
    // 150000 × 3 + 1000 × 15 = 465,000 µ$
    expect(cost(t, tiered, {tierIndex: contextTierIndex(tiered.tiers, 150_000)})).toBe(0.465)
  })

  it('the highest threshold below the input wins; unset tier rates inherit the base', () => {
    const p = price('x', {input: 1, output: 2, tiers: [{above: 100, input: 5}, {above: 1000, input: 9}]})
    expect(contextTierIndex(p.tiers, 101)).toBe(0)
    expect(contextTierIndex(p.tiers, 5000)).toBe(1)
    const r = ratesFor(p, {tierIndex: 1})
    expect([r.input, r.output, r.contextTierAbove]).toEqual([9, 2, 1000])
  })
})

describe('service tiers', () => {
  const gpt5 = price('gpt-5', {input: 1.25, cacheRead: 0.125, output: 10})
  const t = {uncachedInput: 1000, cacheRead: 0, cacheWrite: 0, output: 100, reasoning: 0, unclassified: 0}
  // base: 1000 × 1.25 + 100 × 10 = 2,250 µ$

  it('effective tier: the request tier for Codex (it echoes default), the response tier elsewhere', () => {
    expect(effectiveServiceTier('codex', 'priority', 'default')).toBe('priority')
    expect(effectiveServiceTier('codex', 'auto', 'flex')).toBe('flex')
    expect(effectiveServiceTier('openai-compat', 'priority', 'default')).toBe(null)
    expect(effectiveServiceTier('xai', 'auto', 'priority')).toBe('priority')
    expect(effectiveServiceTier('claude', 'flex', null)).toBe('flex')
    expect(normalizeServiceTier('Fast')).toBe('priority')
    expect(normalizeServiceTier('standard')).toBe(null)
  })

  it('default multipliers: flex and batch ×0.5, priority ×2, unknown tiers ×1', () => {
    expect(cost(t, gpt5)).toBe(0.00225)
    expect(cost(t, gpt5, {serviceTier: 'flex'})).toBe(0.001125)
    expect(cost(t, gpt5, {serviceTier: 'batch'})).toBe(0.001125)
    expect(cost(t, gpt5, {serviceTier: 'priority'})).toBe(0.0045)
    expect(cost(t, gpt5, {serviceTier: 'scale'})).toBe(0.00225)
  })

  it("a model's own rule wins: a multiplier, or explicit rates", () => {
    const p = {...gpt5, serviceTiers: {priority: {multiplier: 2.5}, flex: {input: 0.625, output: 5}}}
    expect(cost(t, p, {serviceTier: 'priority'})).toBe(0.005625)
    // 1000 × 0.625 + 100 × 5 = 1,125 µ$
    expect(cost(t, p, {serviceTier: 'flex'})).toBe(0.001125)
    expect(ratesFor(p, {serviceTier: 'flex'}).serviceTierRule).toBe('price')
  })
})

describe('unknown models and unclassified tokens', () => {
  function group(cells: Array<{model: string; tokens: TokenCounts; requests: number}>): GroupAgg {
    const g = emptyGroup()
    cells.forEach((c, i) => g.cells.set(String(i), {provider: 'p', model: c.model, serviceTier: null, tierIdx: -1, requests: c.requests, tokens: c.tokens}))
    return g
  }

  it('an unpriced model is never $0 silently: it is named and the cost is a lower bound', () => {
    const book = new PriceBook([price('gpt-5', {input: 1.25, cacheRead: 0.125, output: 10})])
    const c = costGroup(
      group([
        {model: 'gpt-5', requests: 1, tokens: {uncachedInput: 1000, cacheRead: 0, cacheWrite: 0, output: 100, reasoning: 0, unclassified: 0}},
        {model: 'gpt-6-astra', requests: 3, tokens: {uncachedInput: 5000, cacheRead: 0, cacheWrite: 0, output: 100, reasoning: 0, unclassified: 0}},
      ]),
      book,
    )
    expect(roundUsd(c.costUsd)).toBe(0.00225)
    expect(c.lowerBound).toBe(true)
    expect([...c.unpricedModels]).toEqual(['gpt-6-astra'])
  })

  it('unclassified tokens are not priced and make the cost a lower bound', () => {
    const book = new PriceBook([price('m', {input: 1, output: 1})])
    const c = costGroup(group([{model: 'm', requests: 1, tokens: {uncachedInput: 0, cacheRead: 0, cacheWrite: 0, output: 0, reasoning: 0, unclassified: 777}}]), book)
    expect(c.costUsd).toBe(0)
    expect(c.lowerBound).toBe(true)
    expect(c.unclassifiedTokens).toBe(777)
  })

  it('price lookup: exact, then case-insensitive, then without a reasoning suffix or vendor prefix; never fuzzy', () => {
    const book = new PriceBook([price('gpt-5', {input: 1, output: 1}), price('claude-sonnet-4-5', {input: 3, output: 15})])
    expect(book.lookup('gpt-5')?.matchedBy).toBe('exact')
    expect(book.lookup('GPT-5')?.matchedBy).toBe('case')
    expect(book.lookup('gpt-5(high)')?.matchedBy).toBe('suffix')
    expect(book.lookup('claude-sonnet-4-5-thinking')?.price.model).toBe('claude-sonnet-4-5')
    expect(book.lookup('openai/gpt-5')?.matchedBy).toBe('prefix')
    expect(book.lookup('gpt-5-mini')).toBe(null)
    expect(book.lookup('')).toBe(null)
  })
})

describe('context bands (the report rollups bill context tiers by band)', () => {
  it('the band of a request fixes its tier exactly when every threshold is a standard one', () => {
    expect(CONTEXT_BANDS).toEqual(expect.arrayContaining([128_000, 200_000, 272_000]))
    const sets = [
      [{above: 200_000, input: 6}],
      [{above: 128_000, input: 2}, {above: 272_000, input: 2.5}],
      [{above: 1_000_000, input: 9}, {above: 200_000, input: 4}, {above: 256_000, input: 5}],
    ]
    const inputs = [0, 1, 127_999, 199_999, 300_000, 2_000_000, ...CONTEXT_BANDS.flatMap((t) => [t - 1, t, t + 1])]
    for (const tiers of sets) {
      expect(tiersFitBands(tiers)).toBe(true)
      for (const x of inputs) expect(contextTierIndexForBand(tiers, contextBand(x)), `${JSON.stringify(tiers)} @ ${x}`).toBe(contextTierIndex(tiers, x))
    }
    expect(contextBand(200_000)).toBe(1)
    expect(contextBand(200_001)).toBe(2)
    expect(contextBand(5_000_000)).toBe(CONTEXT_BANDS.length)
  })

  it('a tier at any other threshold needs each request\'s input', () => {
    expect(tiersFitBands([{above: 200_000}, {above: 150_000}])).toBe(false)
    const book = new PriceBook([
      price('std', {input: 1, tiers: [{above: 200_000, input: 2}]}),
      price('odd', {input: 1, tiers: [{above: 150_000, input: 2}]}),
      price('flat', {input: 1}),
    ])
    expect(['std', 'odd', 'flat', 'unknown'].map((m) => book.needsRequestInput(m))).toEqual([false, true, false, false])
    expect(book.hasAnyUnbandedTiers()).toBe(true)
    expect(new PriceBook([price('std', {input: 1, tiers: [{above: 272_000, input: 2}]})]).hasAnyUnbandedTiers()).toBe(false)
  })
})
