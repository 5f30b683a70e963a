/**
 * The simulator's static model catalog: what `GET /model-definitions/:channel` returns (an auth-files
 * route; ModelInfo objects with the gateway's JSON field names) and what `GET /v1/models` lists for the
 * simulated credentials.
 *
 * The catalog is the simulator's own, small and stable: every model the traffic generator serves
 * (accounts.ts PROVIDER_MODELS) plus a few neighbours per channel. It is not a copy of the gateway's
 * models.json, which changes with every release.
 */
import {PROVIDER_MODELS} from './provider-models.js'

export interface ModelInfo {
  id: string
  object: 'model'
  created: number
  owned_by: string
  type: string
  display_name: string
  context_length?: number
  max_completion_tokens?: number
  thinking?: {levels?: string[]; min?: number; max?: number; zero_allowed?: boolean; dynamic_allowed?: boolean}
  supportedInputModalities?: string[]
  supportedOutputModalities?: string[]
}

interface ChannelSpec {
  owner: string
  type: string
  context: number
  output: number
  thinking?: ModelInfo['thinking']
  extra: string[]
  /** Release day of the family (YYYY-MM-DD): `created` of the first model, later ones a week apart. */
  since: string
}

const LEVELS = ['low', 'medium', 'high']

const CHANNELS: Record<string, ChannelSpec> = {
  claude: {owner: 'anthropic', type: 'claude', context: 200_000, output: 64_000, thinking: {min: 1024, max: 128_000, zero_allowed: true}, extra: ['claude-sonnet-4-6', 'claude-opus-4-6'], since: '2025-08-05'},
  gemini: {owner: 'google', type: 'gemini', context: 1_048_576, output: 65_536, thinking: {min: 0, max: 32_768, zero_allowed: true, dynamic_allowed: true}, extra: ['gemini-3-pro-preview'], since: '2025-06-17'},
  vertex: {owner: 'google', type: 'gemini', context: 1_048_576, output: 65_536, thinking: {min: 0, max: 32_768, zero_allowed: true, dynamic_allowed: true}, extra: ['gemini-2.5-flash-lite', 'gemini-3-pro'], since: '2025-06-17'},
  aistudio: {owner: 'google', type: 'gemini', context: 1_048_576, output: 65_536, thinking: {min: 0, max: 32_768, zero_allowed: true, dynamic_allowed: true}, extra: ['gemini-2.5-pro', 'gemini-flash-latest'], since: '2025-06-17'},
  codex: {owner: 'openai', type: 'openai', context: 272_000, output: 128_000, thinking: {levels: [...LEVELS, 'xhigh']}, extra: ['gpt-5.4', 'gpt-5.4-mini'], since: '2025-08-07'},
  kimi: {owner: 'moonshot', type: 'kimi', context: 262_144, output: 32_768, thinking: {levels: LEVELS}, extra: ['kimi-k2', 'kimi-k2.5'], since: '2025-09-05'},
  antigravity: {owner: 'antigravity', type: 'antigravity', context: 1_048_576, output: 65_536, thinking: {min: 128, max: 32_768, dynamic_allowed: true}, extra: ['claude-sonnet-4-6', 'gpt-oss-120b-medium'], since: '2025-11-18'},
  xai: {owner: 'xai', type: 'xai', context: 256_000, output: 64_000, thinking: {levels: LEVELS}, extra: ['grok-4.5', 'grok-3-mini'], since: '2025-07-09'},
}

/** Channel aliases the gateway accepts (`x-ai`, `grok` ⇒ xai; `gemini-interactions` ⇒ gemini models). */
const CHANNEL_ALIASES: Record<string, string> = {'gemini-interactions': 'gemini', 'x-ai': 'xai', grok: 'xai'}

function displayName(id: string): string {
  return id
    .split(/[-_/]/)
    .filter(Boolean)
    .map(part => (/^\d/.test(part) ? part : part.charAt(0).toUpperCase() + part.slice(1)))
    .join(' ')
    .replace(/^Gpt /, 'GPT ')
}

function channelModels(channel: string, spec: ChannelSpec): ModelInfo[] {
  const ids = [...new Set([...(PROVIDER_MODELS[channel] ?? PROVIDER_MODELS[channel === 'aistudio' ? 'gemini' : channel] ?? []), ...spec.extra])]
  const base = Date.parse(`${spec.since}T00:00:00Z`) / 1000
  return ids.map((id, i) => {
    const m: ModelInfo = {
      id,
      object: 'model',
      created: base + i * 604_800,
      owned_by: spec.owner,
      type: spec.type,
      display_name: displayName(id),
      context_length: spec.context,
      max_completion_tokens: spec.output,
    }
    if (spec.thinking) m.thinking = structuredClone(spec.thinking)
    m.supportedInputModalities = spec.type === 'xai' || spec.type === 'kimi' ? ['text'] : ['text', 'image']
    m.supportedOutputModalities = ['text']
    return m
  })
}

const CATALOG = new Map<string, ModelInfo[]>(Object.entries(CHANNELS).map(([channel, spec]) => [channel, channelModels(channel, spec)]))

/** Static definitions of a channel (case-insensitive, trimmed); undefined for an unknown channel. */
export function modelDefinitions(channel: string): ModelInfo[] | undefined {
  const key = channel.trim().toLowerCase()
  const list = CATALOG.get(CHANNEL_ALIASES[key] ?? key)
  return list && structuredClone(list)
}

/** One model's catalog entry in any channel (for `created` / `owned_by` of /v1/models), if known. */
export function lookupModel(id: string): ModelInfo | undefined {
  for (const list of CATALOG.values()) {
    const m = list.find(x => x.id === id)
    if (m) return m
  }
  return undefined
}
