// Synthetic gateway usage records for bench/report.js (the gateway's record shape, token_breakdown v2).
// 20 models over 5 providers, 50 accounts (10 per provider, each serving its provider's models), 20 client
// keys with skewed traffic, ~4 % failures, timestamps spread evenly over `days` days before `endMs` in
// arrival order (as a collector would store them).
// Deterministic for a given seed.

export const PROVIDERS = [
  {provider: 'codex', executor: 'CodexExecutor', models: ['gpt-5', 'gpt-5-codex', 'gpt-5-mini', 'gpt-5.1'], cache: 'subset'},
  {provider: 'claude', executor: 'ClaudeExecutor', models: ['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5', 'claude-sonnet-4'], cache: 'claude'},
  {provider: 'gemini', executor: 'GeminiExecutor', models: ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'], cache: 'gemini'},
  {provider: 'xai', executor: 'XAIExecutor', models: ['grok-4', 'grok-code-fast-1', 'grok-4-fast', 'grok-3'], cache: 'subset'},
  {provider: 'kimi', executor: 'KimiExecutor', models: ['kimi-k2', 'kimi-k2-turbo', 'kimi-k2-thinking', 'kimi-latest'], cache: 'subset'},
]

function rng(seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const hex = (r, n) => {
  let out = ''
  while (out.length < n) out += Math.floor(r() * 0x10000).toString(16).padStart(4, '0')
  return out.slice(0, n)
}

export function makeWorld(seed = 5) {
  const r = rng(seed)
  const accounts = []
  for (const p of PROVIDERS) {
    for (let i = 0; i < 10; i++) {
      accounts.push({provider: p, authIndex: hex(r, 16), email: `${p.provider}-user${i}@example.com`})
    }
  }
  const keys = Array.from({length: 20}, (_, i) => `sk-bench-client-${String(i).padStart(2, '0')}-${hex(r, 12)}`)
  return {accounts, keys}
}

/**
 * Yield `count` records in batches of `batch`, in time order over [endMs - days, endMs).
 */
export function* records({count, days = 90, endMs, seed = 7, batch = 10_000}) {
  const world = makeWorld()
  const r = rng(seed)
  const span = days * 86_400_000
  const start = endMs - span
  // skewed key weights (a few heavy users)
  const keyWeights = world.keys.map((_, i) => 1 / (i + 1))
  const keyTotal = keyWeights.reduce((a, b) => a + b, 0)
  const pickKey = () => {
    let x = r() * keyTotal
    for (let i = 0; i < keyWeights.length; i++) {
      x -= keyWeights[i]
      if (x <= 0) return world.keys[i]
    }
    return world.keys[0]
  }
  let out = []
  for (let n = 0; n < count; n++) {
    const acct = world.accounts[Math.floor(r() * world.accounts.length)]
    const p = acct.provider
    const model = p.models[Math.floor(r() * p.models.length)]
    const ts = start + Math.floor(((n + r()) * span) / count)
    const uncached = Math.round(200 + r() ** 3 * 20_000)
    const cacheRead = r() < 0.6 ? Math.round(r() * 40_000) : 0
    const cacheWrite = p.cache === 'claude' && r() < 0.3 ? Math.round(r() * 5_000) : 0
    const reasoning = r() < 0.5 ? Math.round(r() * 2_000) : 0
    const output = reasoning + Math.round(50 + r() * 3_000)
    const failed = r() < 0.04
    const status = failed ? [429, 429, 500, 503, 401, 400][Math.floor(r() * 6)] : 200
    const inputTotal = uncached + cacheRead + cacheWrite
    const legacyInput = p.cache === 'claude' ? uncached : inputTotal
    const legacyOutput = p.cache === 'gemini' ? output - reasoning : output
    const latency = Math.round(Math.exp(6 + r() * 3.5))
    out.push({
      timestamp: new Date(ts).toISOString(),
      latency_ms: latency,
      ttft_ms: Math.round(latency * (0.1 + r() * 0.4)),
      source: acct.email,
      auth_index: acct.authIndex,
      tokens: {
        input_tokens: legacyInput,
        output_tokens: legacyOutput,
        reasoning_tokens: reasoning,
        cached_tokens: cacheRead,
        cache_read_tokens: cacheRead,
        cache_read_tokens_present: true,
        cache_creation_tokens: cacheWrite,
        total_tokens: inputTotal + output,
      },
      failed,
      generate: true,
      fail: {status_code: status, body: failed ? `{"error":{"type":"upstream_error","message":"status ${status}"}}` : ''},
      accounting_version: 2,
      token_breakdown: {
        schema_version: 2,
        quality: 'complete',
        total_tokens: inputTotal + output,
        input: {total_tokens: inputTotal, uncached_tokens: uncached, cache_read_tokens: cacheRead, cache_write_tokens: cacheWrite},
        output: {total_tokens: output, non_reasoning_tokens: output - reasoning, reasoning_tokens: reasoning},
        unclassified_tokens: 0,
      },
      provider: p.provider,
      executor_type: p.executor,
      model,
      alias: model,
      endpoint: 'POST /v1/chat/completions',
      auth_type: 'oauth',
      api_key: pickKey(),
      request_id: hex(r, 8),
      reasoning_effort: reasoning > 0 ? 'medium' : '',
      service_tier: p.provider === 'codex' && r() < 0.1 ? 'priority' : 'auto',
    })
    if (out.length === batch) {
      yield out
      out = []
    }
  }
  if (out.length > 0) yield out
}
