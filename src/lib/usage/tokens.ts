/**
 * Token accounting (cpa-gateway.md §6 "token_breakdown semantics per provider", cpamp-anchor.md §3.1).
 *
 * Records from gateways ≥ v7.2.97 carry `token_breakdown` (accounting_version 2): normalised buckets that we
 * take as they are. Older records only have the legacy `tokens` counters, whose meaning depends on the
 * provider; `deriveBuckets` turns them into the same buckets:
 *
 * | family  | providers / executors                                  | legacy semantics                          |
 * |---------|--------------------------------------------------------|-------------------------------------------|
 * | subset  | codex, xai, kimi, openai-compat (OpenAICompatExecutor) | cache ⊂ input, reasoning ⊂ output         |
 * | claude  | claude (ClaudeExecutor)                                | independent: every counter disjoint       |
 * | gemini  | gemini, vertex, aistudio, antigravity, interactions    | cache ⊂ input, reasoning separate         |
 * | unknown | anything else                                          | everything counted as unclassified        |
 */
import type {LegacyTokens, TokenBuckets} from './types.js'

export type TokenFamily = 'subset' | 'claude' | 'gemini' | 'unknown'

const SUBSET_PROVIDERS = new Set(['codex', 'xai', 'kimi', 'openai', 'openai-compat', 'openai-compatibility', 'openrouter'])
const GEMINI_PROVIDERS = new Set(['gemini', 'vertex', 'aistudio', 'antigravity', 'interactions', 'gemini-interactions'])
const CLAUDE_PROVIDERS = new Set(['claude', 'anthropic'])

/** Which legacy-token semantics apply: the executor type decides first (openai-compat providers carry their own name). */
export function tokenFamily(provider: string | null, executorType: string | null): TokenFamily {
  const ex = (executorType ?? '').toLowerCase()
  if (ex.startsWith('openaicompat') || ex.startsWith('codex') || ex.startsWith('xai') || ex.startsWith('kimi')) return 'subset'
  if (ex.startsWith('claude')) return 'claude'
  if (ex.startsWith('gemini') || ex.startsWith('vertex') || ex.startsWith('aistudio') || ex.startsWith('antigravity') || ex.startsWith('interactions')) {
    return 'gemini'
  }
  const p = (provider ?? '').toLowerCase()
  if (SUBSET_PROVIDERS.has(p)) return 'subset'
  if (CLAUDE_PROVIDERS.has(p)) return 'claude'
  if (GEMINI_PROVIDERS.has(p)) return 'gemini'
  return 'unknown'
}

const n = (v: number | null): number => v ?? 0

/** Buckets from the legacy counters of a record without token_breakdown. */
export function deriveBuckets(t: LegacyTokens, family: TokenFamily): TokenBuckets {
  const input = n(t.inputTokens)
  const output = n(t.outputTokens)
  const reasoningRaw = n(t.reasoningTokens)
  const cacheCreation = n(t.cacheCreationTokens) || n(t.cacheCreation5mTokens) + n(t.cacheCreation1hTokens)
  // the gateway mirrors cache reads into cached_tokens; prefer the fine-grained counter (cpamp-anchor.md §3.1)
  const cacheRead = n(t.cacheReadTokens) || n(t.cachedTokens)
  let b: Omit<TokenBuckets, 'total'>
  switch (family) {
    case 'subset': {
      // cache ⊂ input, reasoning ⊂ output
      const read = Math.min(cacheRead, input)
      const write = Math.min(cacheCreation, input - read)
      b = {
        inputTotal: input,
        uncachedInput: input - read - write,
        cacheRead: read,
        cacheWrite: write,
        outputTotal: Math.max(output, reasoningRaw),
        reasoning: reasoningRaw,
        unclassified: 0,
      }
      break
    }
    case 'claude': {
      // independent buckets: input, cache read, cache creation, output and reasoning are all disjoint
      b = {
        inputTotal: input + cacheRead + cacheCreation,
        uncachedInput: input,
        cacheRead,
        cacheWrite: cacheCreation,
        outputTotal: output + reasoningRaw,
        reasoning: reasoningRaw,
        unclassified: 0,
      }
      break
    }
    case 'gemini': {
      // cache ⊂ input, reasoning (thoughts) separate from output
      const read = Math.min(cacheRead, input)
      const write = Math.min(cacheCreation, input - read)
      b = {
        inputTotal: input,
        uncachedInput: input - read - write,
        cacheRead: read,
        cacheWrite: write,
        outputTotal: output + reasoningRaw,
        reasoning: reasoningRaw,
        unclassified: 0,
      }
      break
    }
    default: {
      const total = n(t.totalTokens) || input + output + reasoningRaw
      b = {inputTotal: 0, uncachedInput: 0, cacheRead: 0, cacheWrite: 0, outputTotal: 0, reasoning: 0, unclassified: total}
    }
  }
  return {...b, total: b.inputTotal + b.outputTotal + b.unclassified}
}
