/**
 * The simulator's traffic: records follow the gateway's record schema field for field (plus the v8 fields on a v8
 * gateway), token semantics per provider (corrected 2026-12), all three breakdown qualities, unknown
 * providers, failures, headers, older-gateway records, determinism, and exact end-to-end totals.
 * Expectations are written from the contract (the schema and semantics tables), not from the generator's code.
 */
import {createHash} from 'node:crypto'
import {afterEach, describe, expect, it} from 'vitest'

import {formatGoTime} from '../../../src/lib/sim/go-time.js'
import {mgmt, type Simulator, startTestSimulator, SUITE_IS_V8} from '../../helpers/sim.js'

const sims: Simulator[] = []
async function start(opts: Parameters<typeof startTestSimulator>[0] = {}): Promise<Simulator> {
  const s = await startTestSimulator(opts)
  sims.push(s)
  return s
}

afterEach(async () => {
  for (const s of sims.splice(0)) await s.close()
})

const FIXED = Date.parse('2026-08-22T06:03:11.482Z')

/** The gateway's field order (optional fields omitted when empty). */
const FIELD_ORDER = [
  'timestamp',
  'latency_ms',
  'ttft_ms',
  'source',
  'auth_index',
  'access_token_sha256',
  'client_ip',
  'x_forwarded_for',
  'user_agent',
  'tokens',
  'failed',
  'generate',
  'fail',
  'response_headers',
  'accounting_version',
  'token_breakdown',
  'provider',
  'executor_type',
  'model',
  'alias',
  'endpoint',
  'auth_type',
  'api_key',
  'request_id',
  'reasoning_effort',
  'service_tier',
  'response_service_tier',
]
/** v8 record fields, after the v7 ones (their exact order is unknown). */
const V8_FIELDS = ['stream', 'resolved_client_ip', 'execution_id', 'trace_id', 'session_id', 'parent_session_id', 'response_model']
const OPTIONAL = new Set(['access_token_sha256', 'response_headers', 'response_service_tier', 'session_id', 'parent_session_id', 'response_model'])
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const TOKEN_ORDER = [
  'input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'cached_tokens',
  'cache_read_tokens',
  'cache_read_tokens_present',
  'cache_creation_tokens',
  'total_tokens',
]

/** Token semantics per provider family (corrected 2026-12): substring rule over provider + executor type. */
function family(provider: string, executor = ''): 'subset' | 'claude' | 'gemini' | 'unknown' {
  const t = `${provider} ${executor}`.toLowerCase()
  if (t.includes('openaicompatexecutor') || t.includes('openai-compatibility')) return 'subset'
  if (t.includes('claude') || t.includes('anthropic')) return 'claude'
  if (['gemini', 'aistudio', 'antigravity', 'vertex', 'interaction'].some((w) => t.includes(w))) return 'gemini'
  if (['openai', 'codex', 'xai', 'grok', 'kimi', 'qwen', 'deepseek', 'openrouter'].some((w) => t.includes(w))) return 'subset'
  return 'unknown'
}

interface Buckets {
  uncached: number
  read: number
  write: number
  output: number
  reasoning: number
}

/** Buckets from the legacy `tokens` object, inverting the per-family semantics (claude: thinking inside output). */
function bucketsFromLegacy(provider: string, t: Record<string, number>, executor = ''): Buckets {
  switch (family(provider, executor)) {
    case 'unknown':
    case 'subset':
      return {
        uncached: t.input_tokens - t.cache_read_tokens - t.cache_creation_tokens,
        read: t.cache_read_tokens,
        write: t.cache_creation_tokens,
        output: t.output_tokens,
        reasoning: t.reasoning_tokens,
      }
    case 'claude':
      return {
        uncached: t.input_tokens,
        read: t.cache_read_tokens,
        write: t.cache_creation_tokens,
        output: t.output_tokens,
        reasoning: t.reasoning_tokens,
      }
    case 'gemini':
      return {
        uncached: t.input_tokens - t.cache_read_tokens - t.cache_creation_tokens,
        read: t.cache_read_tokens,
        write: t.cache_creation_tokens,
        output: t.output_tokens + t.reasoning_tokens,
        reasoning: t.reasoning_tokens,
      }
  }
}

function drainAll(sim: Simulator): Promise<any[]> {
  return mgmt(sim, 'GET', '/usage-queue?count=1000000').then(r => r.json as any[])
}

describe('record schema', () => {
  it('every record has the schema fields in the gateway order (v8: plus its fields), tokens in order, typed; always a breakdown from 7.2.97', async () => {
    const sim = await start({seed: 3, now: () => FIXED})
    sim.generate(1500)
    const records = await drainAll(sim)
    expect(records).toHaveLength(1500)
    const order = SUITE_IS_V8 ? [...FIELD_ORDER, ...V8_FIELDS] : FIELD_ORDER
    for (const r of records) {
      const keys = Object.keys(r)
      expect(keys).toEqual(order.filter(k => keys.includes(k)))
      for (const k of order) if (!OPTIONAL.has(k)) expect(keys, k).toContain(k)
      expect(Object.keys(r.tokens)).toEqual(TOKEN_ORDER)
      expect(r.tokens.cache_read_tokens_present).toBe(true)
      expect(r.request_id).toMatch(SUITE_IS_V8 ? UUID_V7 : /^[0-9a-f]{8}$/)
      // requests of an unknown plugin provider are served without a credential
      if (r.auth_type === 'unknown') expect(r.auth_index).toBe('')
      else expect(r.auth_index).toMatch(/^[0-9a-f]{16}$/)
      expect(r.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?\+08:00$/)
      expect(Date.parse(r.timestamp)).toBe(FIXED - r.latency_ms) // start of the request, publish at FIXED
      expect(['oauth', 'apikey', 'unknown']).toContain(r.auth_type)
      // SHA-256 of the OAuth access token used; omitted when empty (API keys, vertex service accounts)
      const token = r.auth_type === 'oauth' ? sim.accounts.tokenFor(r.auth_index) : undefined
      if (token) expect(r.access_token_sha256).toBe(createHash('sha256').update(token).digest('hex'))
      else expect(r).not.toHaveProperty('access_token_sha256')
      if ('response_headers' in r) {
        for (const v of Object.values(r.response_headers)) expect(Array.isArray(v)).toBe(true)
      }
      // gateways >= 7.2.97 send accounting_version and token_breakdown in every record
      expect(r.accounting_version).toBe(2)
      expect(Object.keys(r.token_breakdown)).toEqual(['schema_version', 'quality', 'total_tokens', 'input', 'output', 'unclassified_tokens'])
    }
  })

  it('v8: UUIDv7 request ids named by their last 8 characters in logs, execution and session ids, resolved_client_ip, stream', async () => {
    const sim = await start({seed: 3, version: '8.0.23', now: () => FIXED})
    sim.setConfig('request-log', true)
    const generated = sim.generate(400)
    const records = await drainAll(sim)
    const executions = new Set<string>()
    for (const r of records) {
      expect(r.request_id).toMatch(UUID_V7)
      // UUIDv7: the first 48 bits are the unix milliseconds of the request start
      expect(Number.parseInt(r.request_id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.parse(r.timestamp))
      expect(r.execution_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      executions.add(r.execution_id)
      expect(r.resolved_client_ip).toBe(r.client_ip)
      expect(typeof r.stream).toBe('boolean')
      expect(r.trace_id).toMatch(new RegExp(`^\\d{14}-${r.auth_index}-${r.request_id}$`))
      if ('session_id' in r) expect(r.session_id).toMatch(/^(claude:[0-9a-f-]{36}|header:[0-9a-f]{16})$/)
      if ('parent_session_id' in r) expect(r).toHaveProperty('session_id')
    }
    expect(executions.size).toBe(records.length)
    expect(records.filter((r) => 'session_id' in r).length).toBeGreaterThan(100)
    // the request log of a record is found by its full UUIDv7 (the file name carries the last 8 characters)
    const one = generated[0]
    const log = await mgmt(sim, 'GET', `/request-log-by-id/${one.requestId}`)
    expect(log.status).toBe(200)
    expect(log.headers.get('content-disposition')).toContain(`-${one.requestId.slice(-8)}.log`)
  })

  it('token_breakdown is internally consistent; complete ones match the legacy tokens per provider semantics; all three qualities occur', async () => {
    const sim = await start({seed: 4})
    sim.generate(2000)
    const records = await drainAll(sim)
    const families = new Set<string>()
    const qualities = new Map<string, number>()
    for (const r of records) {
      const tb = r.token_breakdown
      qualities.set(tb.quality, (qualities.get(tb.quality) ?? 0) + 1)
      // every published breakdown has non-negative buckets that add up
      expect(tb.schema_version).toBe(2)
      expect(tb.input.total_tokens).toBe(tb.input.uncached_tokens + tb.input.cache_read_tokens + tb.input.cache_write_tokens)
      expect(tb.output.total_tokens).toBe(tb.output.non_reasoning_tokens + tb.output.reasoning_tokens)
      expect(tb.total_tokens).toBe(tb.input.total_tokens + tb.output.total_tokens + tb.unclassified_tokens)
      for (const v of [tb.input.uncached_tokens, tb.input.cache_read_tokens, tb.input.cache_write_tokens, tb.output.non_reasoning_tokens, tb.output.reasoning_tokens, tb.unclassified_tokens]) {
        expect(v).toBeGreaterThanOrEqual(0)
      }
      if (tb.quality === 'inconsistent') {
        // the upstream's counts contradict each other: a negative counter, or cache above input
        expect(r.tokens.input_tokens < 0 || r.tokens.cache_read_tokens > r.tokens.input_tokens).toBe(true)
        expect(tb.input.total_tokens + tb.output.total_tokens).toBe(0)
        expect(tb.unclassified_tokens).toBe(tb.total_tokens)
        continue
      }
      if (tb.quality === 'unclassified') {
        // an unknown provider family, or an OpenAI-style usage with only a total
        expect(tb.input.total_tokens + tb.output.total_tokens).toBe(0)
        expect(tb.unclassified_tokens).toBe(r.tokens.total_tokens)
        if (family(r.provider, r.executor_type) !== 'unknown') expect(r.tokens.input_tokens + r.tokens.output_tokens).toBe(0)
        continue
      }
      expect(tb.quality).toBe('complete')
      const b = bucketsFromLegacy(r.provider, r.tokens, r.executor_type)
      families.add(family(r.provider, r.executor_type))
      expect(r.tokens.total_tokens).toBe(b.uncached + b.read + b.write + b.output)
      expect(Math.min(b.uncached, b.read, b.write, b.output, b.reasoning)).toBeGreaterThanOrEqual(0)
      expect(b.reasoning).toBeLessThanOrEqual(b.output)
      expect(tb.unclassified_tokens).toBe(0)
      expect({
        uncached: tb.input.uncached_tokens,
        read: tb.input.cache_read_tokens,
        write: tb.input.cache_write_tokens,
        output: tb.output.total_tokens,
        reasoning: tb.output.reasoning_tokens,
      }).toEqual(b)
    }
    expect([...families].sort()).toEqual(['claude', 'gemini', 'subset'])
    expect([...qualities.keys()].sort()).toEqual(['complete', 'inconsistent', 'unclassified'])
    expect(qualities.get('complete')!).toBeGreaterThan(1800)
    // a negative legacy counter occurs (and goes with an inconsistent breakdown)
    expect(records.some((r) => Object.values(r.tokens).some((v) => typeof v === 'number' && v < 0))).toBe(true)
    // the three families really differ on the wire: claude input excludes cache, gemini output excludes reasoning
    const claudeCached = records.find(r => r.provider === 'claude' && r.tokens.cache_read_tokens > 0 && r.token_breakdown.quality === 'complete')
    expect(claudeCached.tokens.input_tokens).toBe(claudeCached.token_breakdown.input.uncached_tokens)
    const claudeThinking = records.find(r => r.provider === 'claude' && r.tokens.reasoning_tokens > 0 && r.token_breakdown.quality === 'complete')
    expect(claudeThinking.tokens.output_tokens).toBe(claudeThinking.token_breakdown.output.total_tokens) // thinking inside output
    const codexReasoning = records.find(r => r.provider === 'codex' && r.tokens.reasoning_tokens > 0)
    expect(codexReasoning.tokens.output_tokens).toBeGreaterThanOrEqual(codexReasoning.tokens.reasoning_tokens)
  })

  it('a realistic mix: ≥ 12 models, several providers and an unknown one, ~8 % failures, headers, duplicate ids, no record without a breakdown', async () => {
    const sim = await start({seed: 5})
    sim.generate(3000)
    const records = await drainAll(sim)
    const models = new Set(records.map(r => r.model))
    const providers = new Set(records.map(r => r.provider))
    expect(models.size).toBeGreaterThanOrEqual(12)
    expect(providers.size).toBeGreaterThanOrEqual(5)
    const failed = records.filter(r => r.failed)
    expect(failed.length / records.length).toBeGreaterThan(0.04)
    expect(failed.length / records.length).toBeLessThan(0.13)
    const statuses = new Set(failed.map(r => r.fail.status_code))
    for (const s of [401, 429, 500, 503]) expect(statuses).toContain(s)
    for (const r of failed) {
      expect(r.fail.status_code).toBeGreaterThanOrEqual(400)
      expect(r.fail.body.length).toBeGreaterThan(0)
    }
    for (const r of records.filter(x => !x.failed)) expect(r.fail).toEqual({status_code: 200, body: ''})
    expect(records.filter(r => r.response_headers).length).toBeGreaterThan(300)
    expect(records.filter(r => !('accounting_version' in r))).toHaveLength(0)
    // duplicate request ids (retries of one request): the id is not a dedup key on its own
    expect(new Set(records.map(r => r.request_id.slice(-8))).size).toBeLessThan(records.length)
    // the unknown plugin provider: no credential, source falls back to the client key, unclassified
    const plugin = records.filter(r => family(r.provider, r.executor_type) === 'unknown')
    expect(plugin.length).toBeGreaterThan(20)
    for (const r of plugin) {
      expect(r).toMatchObject({auth_index: '', auth_type: 'unknown', source: r.api_key})
      expect(r.token_breakdown.quality).toBe('unclassified')
    }
    expect(records.filter(r => r.tokens.cache_creation_tokens > 0).length).toBeGreaterThan(0)
    expect(records.filter(r => r.tokens.reasoning_tokens > 0).length).toBeGreaterThan(0)
  })

  it('records carry the accounts of sim.accounts and the client keys of the config; counters move', async () => {
    const sim = await start({seed: 6, apiKeys: ['sk-a', 'sk-b', 'sk-c']})
    sim.generate(600)
    const records = await drainAll(sim)
    const accounts = new Map(sim.accounts.list().map(a => [a.authIndex, a]))
    for (const r of records) {
      if (r.auth_type === 'unknown') continue // the plugin provider, served without a credential
      const a = accounts.get(r.auth_index)
      expect(a, r.auth_index).toBeDefined()
      expect(r.provider).toBe(a!.provider)
      expect(r.source).toBe(a!.source)
      expect(r.auth_type).toBe(a!.authType)
      expect(['sk-a', 'sk-b', 'sk-c']).toContain(r.api_key)
    }
    expect(new Set(records.map(r => r.auth_index)).size).toBeGreaterThanOrEqual(6)
    const byIndex = new Map<string, {success: number; failed: number}>()
    for (const r of records) {
      if (r.auth_index === '') continue
      const c = byIndex.get(r.auth_index) ?? {success: 0, failed: 0}
      if (r.failed) c.failed++
      else c.success++
      byIndex.set(r.auth_index, c)
    }
    for (const a of sim.accounts.list()) {
      expect({success: a.success, failed: a.failed}).toEqual(byIndex.get(a.authIndex) ?? {success: 0, failed: 0})
    }
  })

  it('timestamps use the configured server-local offset (0 ⇒ Z)', async () => {
    const utc = await start({seed: 7, tzOffsetMinutes: 0, now: () => FIXED})
    utc.generate(20)
    for (const r of await drainAll(utc)) expect(r.timestamp).toMatch(/^2026-08-22T0\d:\d{2}:\d{2}(\.\d+)?Z$/)
    const west = await start({seed: 7, tzOffsetMinutes: -330, now: () => FIXED})
    west.generate(5)
    for (const r of await drainAll(west)) {
      expect(r.timestamp).toMatch(/-05:30$/)
      expect(Date.parse(r.timestamp)).toBe(FIXED - r.latency_ms)
    }
  })

  it('older gateways omit newer fields (by the release that added each)', async () => {
    const v96 = await start({seed: 8, version: '7.2.96'})
    v96.generate(300)
    for (const r of await drainAll(v96)) {
      expect(r).not.toHaveProperty('accounting_version')
      expect(r).not.toHaveProperty('token_breakdown')
      expect(r).toHaveProperty('generate') // since v7.2.78
      expect(r).not.toHaveProperty('client_ip') // since v7.2.104
      expect(r).toHaveProperty('executor_type')
    }
    const v7110 = await start({seed: 8, version: '7.1.10'})
    v7110.generate(300)
    for (const r of await drainAll(v7110)) {
      for (const k of ['response_headers', 'executor_type', 'reasoning_effort', 'service_tier', 'ttft_ms']) expect(r).not.toHaveProperty(k)
      expect(r).toHaveProperty('alias')
      expect(r.tokens).not.toHaveProperty('cache_read_tokens_present')
    }
  })
})

describe('determinism', () => {
  it('same seed and clock ⇒ identical records; another seed ⇒ different records', async () => {
    const a = await start({seed: 42, now: () => FIXED})
    const b = await start({seed: 42, now: () => FIXED})
    const c = await start({seed: 43, now: () => FIXED})
    // identical auth dirs are not needed: auth_index depends on the path, so compare without it
    // (v8: trace_id carries the auth_index too)
    const strip = (payloads: string[]) => payloads.map(p => JSON.parse(p)).map(({auth_index: _a, trace_id: _t, ...rest}) => rest)
    const pa = a.generate(200).map(r => r.payload)
    const pb = b.generate(200).map(r => r.payload)
    const pc = c.generate(200).map(r => r.payload)
    expect(strip(pa)).toEqual(strip(pb))
    expect(strip(pa)).not.toEqual(strip(pc))
  })

  it('with the same auth dir, records are byte-identical', async () => {
    const a = await start({seed: 77, now: () => FIXED})
    const dir = a.accounts.authDir
    const first = a.generate(50).map(r => r.payload)
    await a.close()
    const b = await start({seed: 77, now: () => FIXED, authDir: dir})
    expect(b.generate(50).map(r => r.payload)).toEqual(first)
  })
})

describe('totals()', () => {
  it('equals the sums recomputed from the drained records, by model, account and client-key hash', async () => {
    const sim = await start({seed: 12})
    sim.preload(700, {spreadMs: 3_600_000})
    sim.generate(800)
    const records = await drainAll(sim)
    expect(records).toHaveLength(1500)
    type T = Record<string, number>
    // what the records' breakdowns say (every record has one at this version)
    const add = (map: Map<string, T>, key: string, r: any) => {
      const tb = r.token_breakdown
      const t = map.get(key) ?? {}
      const inc = (k: string, v: number) => (t[k] = (t[k] ?? 0) + v)
      inc('requests', 1)
      inc('failed', r.failed ? 1 : 0)
      inc('inputTokens', tb.input.total_tokens)
      inc('uncachedInputTokens', tb.input.uncached_tokens)
      inc('cacheReadTokens', tb.input.cache_read_tokens)
      inc('cacheWriteTokens', tb.input.cache_write_tokens)
      inc('outputTokens', tb.output.total_tokens)
      inc('reasoningTokens', tb.output.reasoning_tokens)
      inc('unclassifiedTokens', tb.unclassified_tokens)
      inc('totalTokens', tb.total_tokens)
      map.set(key, t)
    }
    const all = new Map<string, T>()
    const byModel = new Map<string, T>()
    const byAccount = new Map<string, T>()
    const byKey = new Map<string, T>()
    for (const r of records) {
      add(all, '*', r)
      add(byModel, r.model, r)
      add(byAccount, r.auth_index, r)
      add(byKey, createHash('sha256').update(r.api_key.trim()).digest('hex'), r)
    }
    const {byModel: m, byAccount: acc, byApiKey: k, ...overall} = sim.totals()
    expect(overall).toEqual(all.get('*'))
    expect(m).toEqual(Object.fromEntries(byModel))
    expect(acc).toEqual(Object.fromEntries(byAccount))
    expect(k).toEqual(Object.fromEntries(byKey))
    expect(sim.counters()).toMatchObject({generated: 1500, preloaded: 700, published: 800, popped: 1500, queued: 0})
  })

  it('preload spreads timestamps over the window before startMs', async () => {
    const sim = await start({seed: 13})
    const start0 = Date.parse('2026-08-20T00:00:00Z')
    sim.preload(11, {spreadMs: 10_000, startMs: start0})
    const records = await drainAll(sim)
    const publishTimes = records.map(r => Date.parse(r.timestamp) + r.latency_ms)
    expect(publishTimes).toEqual(Array.from({length: 11}, (_, i) => start0 - 10_000 + i * 1000))
  })
})

describe('formatGoTime', () => {
  it('prints nanoseconds with trailing zeros trimmed and the offset', () => {
    const ms = Date.parse('2026-08-22T06:03:11.482Z')
    expect(formatGoTime(ms, 913_207, 480)).toBe('2026-08-22T14:03:11.482913207+08:00')
    expect(formatGoTime(ms, 900_000, 480)).toBe('2026-08-22T14:03:11.4829+08:00')
    expect(formatGoTime(Date.parse('2026-08-22T06:03:11Z'), 0, 0)).toBe('2026-08-22T06:03:11Z')
    expect(formatGoTime(Date.parse('2026-08-22T02:00:00.5Z'), 0, -330)).toBe('2026-08-21T20:30:00.5-05:30')
  })
})
