/** Token breakdowns of generated records, their running totals, and the legacy `tokens` object. */
import type {TokenSemantics} from './provider-profiles.js'

export interface Breakdown {
  uncached: number
  cacheRead: number
  cacheWrite: number
  nonReasoning: number
  reasoning: number
  /** Tokens the breakdown could not split (quality `unclassified` / `inconsistent`); 0 when complete. */
  unclassified?: number
}

export type Quality = 'complete' | 'unclassified' | 'inconsistent'

export interface Totals {
  requests: number
  failed: number
  inputTokens: number
  uncachedInputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
  outputTokens: number
  reasoningTokens: number
  /** Tokens of unclassified / inconsistent breakdowns (in totalTokens, not in input or output). */
  unclassifiedTokens: number
  totalTokens: number
}

export function emptyTotals(): Totals {
  return {
    requests: 0,
    failed: 0,
    inputTokens: 0,
    uncachedInputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    unclassifiedTokens: 0,
    totalTokens: 0,
  }
}

export function addToTotals(t: Totals, b: Breakdown, failed: boolean): void {
  const input = b.uncached + b.cacheRead + b.cacheWrite
  const output = b.nonReasoning + b.reasoning
  const unclassified = b.unclassified ?? 0
  t.requests++
  if (failed) t.failed++
  t.inputTokens += input
  t.uncachedInputTokens += b.uncached
  t.cacheReadTokens += b.cacheRead
  t.cacheWriteTokens += b.cacheWrite
  t.outputTokens += output
  t.reasoningTokens += b.reasoning
  t.unclassifiedTokens += unclassified
  t.totalTokens += input + output + unclassified
}

/** The legacy `tokens` object for a breakdown under a provider's semantics (claude corrected 2026-12). */
export function legacyTokens(semantics: TokenSemantics, b: Breakdown): Record<string, number | boolean> {
  let input: number
  let output: number
  switch (semantics) {
    case 'subset': // cache counts are part of input; reasoning is part of output
      input = b.uncached + b.cacheRead + b.cacheWrite
      output = b.nonReasoning + b.reasoning
      break
    case 'independent': // claude: cache read/creation not inside input; reasoning (thinking) inside output
      input = b.uncached
      output = b.nonReasoning + b.reasoning
      break
    case 'cache-in-input': // gemini family: cache inside input; reasoning separate
      input = b.uncached + b.cacheRead + b.cacheWrite
      output = b.nonReasoning
      break
  }
  const total = b.uncached + b.cacheRead + b.cacheWrite + b.nonReasoning + b.reasoning
  return {
    input_tokens: input,
    output_tokens: output,
    reasoning_tokens: b.reasoning,
    cached_tokens: b.cacheRead,
    cache_read_tokens: b.cacheRead,
    cache_read_tokens_present: true,
    cache_creation_tokens: b.cacheWrite,
    total_tokens: total,
  }
}
