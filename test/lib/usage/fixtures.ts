/**
 * The gateway's example record: a Codex OAuth request through /v1/responses, 9,000 of 12,000 input tokens from
 * cache, 300 reasoning tokens, as the gateway serialises it.
 */
export function exampleRecord(): Record<string, unknown> {
  return {
    timestamp: '2026-08-22T14:03:11.482913207+08:00',
    latency_ms: 5312,
    ttft_ms: 842,
    source: 'alice@example.com',
    auth_index: '9f2c4e1a7b3d5c60',
    access_token_sha256: '3b1f0c9a5e8d7f6a2c4b1e0d9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
    client_ip: '127.0.0.1',
    x_forwarded_for: '',
    user_agent: 'codex_cli_rs/0.114.0 (Mac OS 14.2.0; x86_64) vscode/1.111.0',
    tokens: {
      input_tokens: 12000,
      output_tokens: 800,
      reasoning_tokens: 300,
      cached_tokens: 9000,
      cache_read_tokens: 9000,
      cache_read_tokens_present: true,
      cache_creation_tokens: 0,
      total_tokens: 12800,
    },
    failed: false,
    generate: true,
    fail: {status_code: 200, body: ''},
    response_headers: {'X-Request-Id': ['req_abc123']},
    accounting_version: 2,
    token_breakdown: {
      schema_version: 2,
      quality: 'complete',
      total_tokens: 12800,
      input: {total_tokens: 12000, uncached_tokens: 3000, cache_read_tokens: 9000, cache_write_tokens: 0},
      output: {total_tokens: 800, non_reasoning_tokens: 500, reasoning_tokens: 300},
      unclassified_tokens: 0,
    },
    provider: 'codex',
    executor_type: 'CodexExecutor',
    model: 'gpt-5-codex',
    alias: 'codex-latest',
    endpoint: 'POST /v1/responses',
    auth_type: 'oauth',
    api_key: 'sk-client-demo-1',
    request_id: 'a1b2c3d4',
    reasoning_effort: 'medium',
    service_tier: 'auto',
  }
}

/** A copy without the v2 accounting (as an older gateway sends it). */
export function legacyOnly(r: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(r)
  delete copy.token_breakdown
  delete copy.accounting_version
  return copy
}

/**
 * A record whose breakdown contradicts its own total: the buckets sum to 100 + 20 + 5 + 30 = 155, `total_tokens`
 * says 999 (an `inconsistent` breakdown). Account idx-c, request id `c<i>`.
 */
export function contradictingTotal(at: string, i: number): Record<string, unknown> {
  return {
    timestamp: at,
    provider: 'claude',
    model: 'claude-sonnet-4-5',
    auth_type: 'oauth',
    auth_index: 'idx-c',
    request_id: `c${i}`,
    failed: false,
    tokens: {input_tokens: 100, output_tokens: 30, total_tokens: 999},
    token_breakdown: {
      accounting_version: 1,
      quality: 'inconsistent',
      input: {uncached_tokens: 100, cache_read_tokens: 20, cache_write_tokens: 5},
      output: {non_reasoning_tokens: 30, reasoning_tokens: 0},
      total_tokens: 999,
    },
  }
}
