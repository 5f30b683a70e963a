// Deterministic gateway usage records (with token_breakdown v2) for report tests, and a temp store.
import {join} from 'node:path'

import {openStore, type Store} from '../../../src/lib/store/index.js'
import type {Backend} from '../../helpers/pg.js'
import {tempDir} from '../../helpers/run.js'

export const MODELS = [
  {provider: 'codex', model: 'gpt-5'},
  {provider: 'codex', model: 'gpt-5-mini'},
  {provider: 'claude', model: 'claude-sonnet-4-5'},
  {provider: 'gemini', model: 'gemini-2.5-pro'},
]
export const ACCOUNTS = ['a1a1a1a1a1a1a1a1', 'b2b2b2b2b2b2b2b2', 'c3c3c3c3c3c3c3c3']
export const KEYS = ['sk-client-alpha-0001', 'sk-client-beta-0002', 'sk-client-gamma-0003']

function lcg(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
}

export interface GenOptions {
  count: number
  /** First and last timestamp (inclusive), UTC ms; records are spread evenly with jitter. */
  from: number
  to: number
  seed?: number
}

export function makeRecords(o: GenOptions): Array<Record<string, unknown>> {
  const r = lcg(o.seed ?? 1)
  const out: Array<Record<string, unknown>> = []
  for (let i = 0; i < o.count; i++) {
    const m = MODELS[Math.floor(r() * MODELS.length)]
    const auth = ACCOUNTS[Math.floor(r() * ACCOUNTS.length)]
    const key = KEYS[Math.floor(r() * KEYS.length)]
    const ts = o.from + Math.floor(((o.to - o.from) * (i + r())) / o.count)
    const uncached = 100 + Math.floor(r() * 5000)
    const read = r() < 0.5 ? Math.floor(r() * 20000) : 0
    const write = m.provider === 'claude' && r() < 0.3 ? Math.floor(r() * 3000) : 0
    const reasoning = r() < 0.4 ? Math.floor(r() * 800) : 0
    const output = reasoning + 20 + Math.floor(r() * 1500)
    const failed = r() < 0.1
    const status = failed ? [401, 429, 500][Math.floor(r() * 3)] : 200
    const latency = 50 + Math.floor(r() * r() * 20000)
    out.push({
      timestamp: new Date(ts).toISOString(),
      latency_ms: latency,
      ttft_ms: r() < 0.9 ? Math.floor(latency * 0.3) : 0,
      source: `${auth}@example.com`,
      auth_index: auth,
      tokens: {input_tokens: uncached + read + write, output_tokens: output, reasoning_tokens: reasoning, cached_tokens: read, cache_read_tokens: read, cache_creation_tokens: write},
      failed,
      fail: {status_code: status, body: status === 401 ? '{"error":{"code":"token_revoked","message":"revoked"}}' : status === 429 ? '{"error":{"type":"usage_limit_reached"}}' : failed ? 'upstream error' : ''},
      accounting_version: 2,
      token_breakdown: {
        schema_version: 2,
        quality: 'complete',
        total_tokens: uncached + read + write + output,
        input: {total_tokens: uncached + read + write, uncached_tokens: uncached, cache_read_tokens: read, cache_write_tokens: write},
        output: {total_tokens: output, non_reasoning_tokens: output - reasoning, reasoning_tokens: reasoning},
        unclassified_tokens: 0,
      },
      provider: m.provider,
      executor_type: 'X',
      model: m.model,
      alias: m.model,
      endpoint: 'POST /v1/chat/completions',
      auth_type: 'oauth',
      api_key: key,
      request_id: (0x10000000 + i).toString(16),
      service_tier: m.provider === 'codex' && r() < 0.2 ? 'priority' : 'auto',
    })
  }
  return out
}

export async function storeWith(records: Array<Record<string, unknown>>, instance = 'test', backend?: Backend): Promise<{store: Store; path: string}> {
  const path = backend ? await backend.fresh() : join(tempDir('cpactl-report-'), 'store.db')
  const store = await openStore({path, synchronous: 'normal'})
  for (let i = 0; i < records.length; i += 5000) await store.events.ingest(instance, records.slice(i, i + 5000))
  return {store, path}
}
