import {createHash} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {createNormalizer} from '../../../src/lib/usage/normalize.js'
import type {UsageEvent} from '../../../src/lib/usage/types.js'
import {exampleRecord, legacyOnly} from './fixtures.js'

const sha = (s: string) => createHash('sha256').update(s).digest('hex')

function event(payload: unknown): UsageEvent {
  const c = createNormalizer().classify(payload)
  if (c.kind !== 'record') throw new Error(`expected a record, got ${c.kind}${c.kind === 'invalid' ? `: ${c.reason}` : ''}`)
  return c.event
}

describe('normalising the example record (Codex OAuth, /v1/responses)', () => {
  it('maps every field to its column value', () => {
    const e = event(JSON.stringify(exampleRecord()))
    expect(e).toEqual({
      ts: Date.UTC(2026, 7, 22, 6, 3, 11, 482),
      tzOffsetMin: 480,
      provider: 'codex',
      executorType: 'CodexExecutor',
      model: 'gpt-5-codex',
      alias: 'codex-latest',
      endpoint: 'POST /v1/responses',
      authType: 'oauth',
      authIndex: '9f2c4e1a7b3d5c60',
      source: 'alice@example.com',
      sourceHash: null,
      apiKeyHash: sha('sk-client-demo-1'),
      accessTokenSha256: '3b1f0c9a5e8d7f6a2c4b1e0d9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b',
      requestId: 'a1b2c3d4',
      executionId: null,
      latencyMs: 5312,
      ttftMs: 842,
      failed: false,
      failStatusCode: 200,
      failSummary: null,
      generate: true,
      stream: null,
      legacy: {
        inputTokens: 12000,
        outputTokens: 800,
        reasoningTokens: 300,
        cachedTokens: 9000,
        cacheReadTokens: 9000,
        cacheCreationTokens: 0,
        totalTokens: 12800,
        cacheCreation5mTokens: null,
        cacheCreation1hTokens: null,
      },
      accountingVersion: 2,
      tokenQuality: 'complete',
      buckets: {inputTotal: 12000, uncachedInput: 3000, cacheRead: 9000, cacheWrite: 0, outputTotal: 800, reasoning: 300, unclassified: 0, total: 12800},
      reasoningEffort: 'medium',
      serviceTier: 'auto',
      responseServiceTier: null,
      clientIp: '127.0.0.1',
      xForwardedFor: '',
      userAgent: 'codex_cli_rs/0.114.0 (Mac OS 14.2.0; x86_64) vscode/1.111.0',
      responseHeaders: '{"X-Request-Id":["req_abc123"]}',
      extra: null,
    })
  })

  it('accepts an object the HTTP queue already parsed and gives the same event', () => {
    expect(event(exampleRecord())).toEqual(event(JSON.stringify(exampleRecord())))
  })

  it('accepts the raw UTF-8 bytes RESP delivers and gives the same event (non-ASCII text included)', () => {
    const r = {...exampleRecord(), user_agent: 'klient/1.0 (Größe; 日本語)'}
    const text = JSON.stringify(r)
    const bytes = Buffer.from(`xx${text}yy`).subarray(2, 2 + Buffer.byteLength(text))
    expect(event(bytes)).toEqual(event(text))
    expect(event(new Uint8Array(Buffer.from(text)))).toEqual(event(text))
  })

  it('derives the same buckets from the legacy counters when token_breakdown is missing (codex: subset semantics)', () => {
    const e = event(legacyOnly(exampleRecord()))
    expect(e.buckets).toEqual({inputTotal: 12000, uncachedInput: 3000, cacheRead: 9000, cacheWrite: 0, outputTotal: 800, reasoning: 300, unclassified: 0, total: 12800})
    expect(e.tokenQuality).toBe('derived')
    expect(e.accountingVersion).toBeNull()
  })
})

describe('token semantics for records without token_breakdown (per provider family)', () => {
  const base = (provider: string, executor: string | undefined, tokens: Record<string, number>) => {
    const r = legacyOnly(exampleRecord())
    r.provider = provider
    if (executor === undefined) delete r.executor_type
    else r.executor_type = executor
    r.tokens = tokens
    return r
  }

  it('claude: cache read and creation are outside input; thinking (reasoning) is inside output', () => {
    const e = event(base('claude', 'ClaudeExecutor', {input_tokens: 100, output_tokens: 50, reasoning_tokens: 20, cached_tokens: 4000, cache_read_tokens: 4000, cache_creation_tokens: 700, total_tokens: 4850}))
    expect(e.buckets).toEqual({inputTotal: 4800, uncachedInput: 100, cacheRead: 4000, cacheWrite: 700, outputTotal: 50, reasoning: 20, unclassified: 0, total: 4850})
  })

  it('the family is the gateway substring rule over provider + executor: qwen, deepseek, grok are subset; plugins are unknown', () => {
    for (const provider of ['qwen', 'deepseek-proxy', 'grok', 'my-openrouter']) {
      expect(event(base(provider, undefined, {input_tokens: 10, output_tokens: 5, total_tokens: 15})).tokenQuality, provider).toBe('derived')
    }
    const plugin = event(base('acme-plugin', 'AcmePluginExecutor', {input_tokens: 10, output_tokens: 5, total_tokens: 15}))
    expect(plugin.tokenQuality).toBe('unclassified')
    expect(plugin.buckets).toMatchObject({inputTotal: 0, outputTotal: 0, unclassified: 15, total: 15})
  })

  it('negative legacy counters without a breakdown: stored, buckets clamped, quality inconsistent (never a dead letter)', () => {
    const e = event(base('codex', 'CodexExecutor', {input_tokens: -5, output_tokens: 40, total_tokens: 35}))
    expect(e.tokenQuality).toBe('inconsistent')
    expect(e.legacy.inputTokens).toBe(-5)
    expect(e.buckets).toEqual({inputTotal: 0, uncachedInput: 0, cacheRead: 0, cacheWrite: 0, outputTotal: 40, reasoning: 0, unclassified: 0, total: 40})
  })

  it('gemini family: cache inside input, reasoning separate from output', () => {
    for (const [provider, executor] of [['gemini', 'GeminiExecutor'], ['vertex', 'GeminiVertexExecutor'], ['antigravity', 'AntigravityExecutor'], ['aistudio', undefined]] as const) {
      const e = event(base(provider, executor, {input_tokens: 1000, output_tokens: 200, reasoning_tokens: 50, cached_tokens: 600, cache_read_tokens: 600, cache_creation_tokens: 0, total_tokens: 1250}))
      expect(e.buckets, provider).toEqual({inputTotal: 1000, uncachedInput: 400, cacheRead: 600, cacheWrite: 0, outputTotal: 250, reasoning: 50, unclassified: 0, total: 1250})
    }
  })

  it('openai-compat providers are recognised by executor type (their provider is a user-chosen name)', () => {
    const e = event(base('openrouter-eu', 'OpenAICompatExecutor', {input_tokens: 500, output_tokens: 90, reasoning_tokens: 40, cached_tokens: 200, total_tokens: 590}))
    expect(e.buckets).toEqual({inputTotal: 500, uncachedInput: 300, cacheRead: 200, cacheWrite: 0, outputTotal: 90, reasoning: 40, unclassified: 0, total: 590})
  })

  it('an unknown provider without executor type counts everything as unclassified', () => {
    const e = event(base('my-plugin', undefined, {input_tokens: 500, output_tokens: 90, reasoning_tokens: 0, total_tokens: 590}))
    expect(e.buckets).toEqual({inputTotal: 0, uncachedInput: 0, cacheRead: 0, cacheWrite: 0, outputTotal: 0, reasoning: 0, unclassified: 590, total: 590})
    expect(e.tokenQuality).toBe('unclassified')
  })
})

describe('secrets', () => {
  it('hashes the trimmed client key and never keeps it', () => {
    const r = exampleRecord()
    r.api_key = '  sk-client-demo-1 \n'
    const e = event(r)
    expect(e.apiKeyHash).toBe(sha('sk-client-demo-1'))
    expect(JSON.stringify(e)).not.toContain('sk-client-demo-1')
  })

  it('an empty client key (client auth off) is stored as no key', () => {
    const r = exampleRecord()
    r.api_key = ''
    expect(event(r).apiKeyHash).toBeNull()
  })

  it('masks the upstream key that API-key credentials carry in source, and hashes it', () => {
    const r = exampleRecord()
    r.auth_type = 'apikey'
    r.source = 'AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMY1234'
    const e = event(r)
    expect(e.source).toBe('****1234')
    expect(e.sourceHash).toBe(sha('AIzaSyDUMMYDUMMYDUMMYDUMMYDUMMY1234'))
  })

  it('keeps emails and project ids in source but masks secret-looking values whatever the auth type', () => {
    const r = exampleRecord()
    r.source = 'my-gcp-project-123456'
    expect(event(r).source).toBe('my-gcp-project-123456')
    r.source = 'sk-proj-abcdefghijklmnopqrstuvwx9876'
    expect(event(r).source).toBe('****9876')
  })

  it('redacts and bounds the failure body', () => {
    const r = exampleRecord()
    r.failed = true
    r.fail = {status_code: 401, body: `{"error":"bad key sk-ant-api03-SECRETSECRETSECRET for bob.smith@corp.example, Authorization: Bearer abc.def.ghi"} ${'x'.repeat(6000)}`}
    const e = event(r)
    expect(e.failStatusCode).toBe(401)
    expect(e.failSummary).not.toContain('SECRETSECRET')
    expect(e.failSummary).not.toContain('bob.smith@')
    expect(e.failSummary).not.toContain('abc.def.ghi')
    expect(e.failSummary).toContain('bob***@corp.example')
    expect(Buffer.byteLength(e.failSummary!)).toBe(4096)
  })

  it('drops sensitive response headers', () => {
    const r = exampleRecord()
    r.response_headers = {'Set-Cookie': ['session=abc'], 'Retry-After': ['30']}
    expect(event(r).responseHeaders).toBe('{"Retry-After":["30"]}')
  })
})

describe('tolerance and validation', () => {
  it('keeps unknown fields compactly, redacting secret-named ones', () => {
    const r = exampleRecord()
    r.stream = true
    r.event_id = 'evt_1'
    r.session_token = 'zzz'
    ;(r.tokens as Record<string, unknown>).cache_creation_5m_tokens = 5
    ;(r.tokens as Record<string, unknown>).image_tokens = 7
    const e = event(r)
    expect(e.stream).toBe(true)
    expect(e.legacy.cacheCreation5mTokens).toBe(5)
    expect(JSON.parse(e.extra!)).toEqual({event_id: 'evt_1', session_token: '[redacted]', tokens: {image_tokens: 7}})
  })

  it('tolerates an old record with only the first fields', () => {
    const e = event({timestamp: '2026-05-01T10:00:00Z', source: 'a@b.co', auth_index: 'abcd', tokens: {input_tokens: 3, output_tokens: 4, total_tokens: 7}, failed: false, provider: 'codex', model: 'gpt-5', endpoint: 'POST /v1/responses', auth_type: 'oauth', api_key: 'k', request_id: 'r1'})
    expect(e.ts).toBe(Date.UTC(2026, 4, 1, 10))
    expect(e.tzOffsetMin).toBe(0)
    expect(e.latencyMs).toBeNull()
    expect(e.failStatusCode).toBeNull()
    expect(e.buckets.total).toBe(7)
  })

  it('derives failed from the status code when the flag is absent', () => {
    const r = exampleRecord()
    delete r.failed
    r.fail = {status_code: 503, body: 'overloaded'}
    const e = event(r)
    expect(e.failed).toBe(true)
    expect(e.failSummary).toBe('overloaded')
  })

  it('recognises control payloads', () => {
    const n = createNormalizer()
    expect(n.classify('{"refresh":true}')).toEqual({kind: 'control'})
    expect(n.classify('{"support_refresh":true}')).toEqual({kind: 'control'})
    expect(n.classify({refresh: true})).toEqual({kind: 'control'})
  })

  it.each([
    ['{"timestamp": "2026-', /^not JSON/],
    ['', /^empty payload$/],
    ['[1,2]', /^not a JSON object \(array\)$/],
    ['42', /^not a JSON object \(number\)$/],
    ['{}', /^missing timestamp$/],
    ['{"timestamp":"yesterday","tokens":{}}', /^timestamp: not an RFC 3339 instant$/],
    ['{"timestamp":"2026-02-31T00:00:00Z","tokens":{}}', /^timestamp: not an RFC 3339 instant$/],
    ['{"timestamp":"2026-08-22T14:03:11Z"}', /^missing tokens and token_breakdown$/],
    ['{"timestamp":"2026-08-22T14:03:11Z","tokens":{},"latency_ms":"fast"}', /^latency_ms: expected a non-negative integer/],
    ['{"timestamp":"2026-08-22T14:03:11Z","tokens":{"input_tokens":"many"}}', /^tokens\.input_tokens: expected an integer/],
    ['{"timestamp":"2026-08-22T14:03:11Z","tokens":[]}', /^tokens: expected an object/],
    ['{"timestamp":"2026-08-22T14:03:11Z","tokens":{},"model":{"x":1}}', /^model: expected a string/],
  ])('dead-letters %j', (payload, reason) => {
    const c = createNormalizer().classify(payload)
    expect(c.kind).toBe('invalid')
    expect(c.kind === 'invalid' && c.reason).toMatch(reason)
  })
})
