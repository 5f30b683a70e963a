/**
 * Token accounting: the gateway's normalised `token_breakdown`, or buckets derived from the legacy counters.
 *
 * Records from gateways ≥ v7.2.97 carry `token_breakdown` (accounting_version 2): normalised buckets that we
 * take as they are. Older records only have the legacy `tokens` counters, whose meaning depends on the
 * provider; `deriveBuckets` turns them into the same buckets:
 *
 * | family  | providers / executors                                  | legacy semantics                          |
 * |---------|--------------------------------------------------------|-------------------------------------------|
 * | subset  | codex, xai, kimi, openai-compat (OpenAICompatExecutor) | cache ⊂ input, reasoning ⊂ output         |
 * | claude  | claude (ClaudeExecutor)                                | cache outside input, reasoning ⊂ output   |
 * | gemini  | gemini, vertex, aistudio, antigravity, interactions    | cache ⊂ input, reasoning separate         |
 * | unknown | anything else                                          | everything counted as unclassified        |
 */
import type {LegacyTokens, TokenBuckets} from './types.js'

export type TokenFamily = 'subset' | 'claude' | 'gemini' | 'unknown'

/**
 * The gateway's own choice (corrected 2026-12): a case-insensitive substring match over
 * provider + executor type, in this order — openai-compatibility ⇒ subset; claude/anthropic ⇒ claude;
 * gemini/aistudio/antigravity/vertex/interaction ⇒ gemini; openai/codex/xai/grok/kimi/qwen/deepseek/openrouter
 * ⇒ subset; anything else (plugin providers with other names) ⇒ unknown.
 */
export function tokenFamily(provider: string | null, executorType: string | null): TokenFamily {
  const text = `${provider ?? ''} ${executorType ?? ''}`.toLowerCase()
  if (text.includes('openaicompatexecutor') || text.includes('openai-compatibility') || text.includes('openai-compatible-')) return 'subset'
  if (text.includes('claude') || text.includes('anthropic')) return 'claude'
  if (['gemini', 'aistudio', 'antigravity', 'vertex', 'interaction'].some((w) => text.includes(w))) return 'gemini'
  if (['openai', 'codex', 'xai', 'grok', 'kimi', 'qwen', 'deepseek', 'openrouter'].some((w) => text.includes(w))) return 'subset'
  return 'unknown'
}

/** A legacy counter as a bucket figure: absent ⇒ 0; negative (the upstream's own contradiction) ⇒ 0. */
const n = (v: number | null): number => Math.max(0, v ?? 0)

/** Buckets from the legacy counters of a record without token_breakdown. */
export function deriveBuckets(t: LegacyTokens, family: TokenFamily): TokenBuckets {
  const input = n(t.inputTokens)
  const output = n(t.outputTokens)
  const reasoningRaw = n(t.reasoningTokens)
  const cacheCreation = n(t.cacheCreationTokens) || n(t.cacheCreation5mTokens) + n(t.cacheCreation1hTokens)
  // the gateway mirrors cache reads into cached_tokens; prefer the fine-grained counter
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
      // cache read/creation are not inside input_tokens; thinking (reasoning) is inside output_tokens
      b = {
        inputTotal: input + cacheRead + cacheCreation,
        uncachedInput: input,
        cacheRead,
        cacheWrite: cacheCreation,
        outputTotal: Math.max(output, reasoningRaw),
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
