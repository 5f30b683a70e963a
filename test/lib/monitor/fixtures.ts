// Exact inputs for the check tests: usage records with chosen outcomes and token counts, inspection results
// with chosen windows, and a store holding them.
import {join} from 'node:path'

import type {InspectResult, QuotaWindow} from '../../../src/lib/store/index.js'
import {openStore, type Store, type StoredResult} from '../../../src/lib/store/index.js'
import {tempDir} from '../../helpers/run.js'
import {exampleRecord} from '../usage/fixtures.js'

let seq = 0

/**
 * One usage record at `ts`: `input` uncached input tokens and `output` output tokens (no cache, no reasoning),
 * failed with `status` when it is not 200.
 */
export function usage(ts: number, o: {model?: string; status?: number; input?: number; output?: number; apiKey?: string; authIndex?: string} = {}): Record<string, unknown> {
  const r = exampleRecord()
  const input = o.input ?? 1000
  const output = o.output ?? 100
  const status = o.status ?? 200
  r.request_id = `req-${(seq++).toString(16).padStart(8, '0')}`
  r.timestamp = new Date(ts).toISOString()
  r.model = o.model ?? 'gpt-5'
  r.alias = r.model
  r.api_key = o.apiKey ?? 'sk-client-demo-1'
  r.auth_index = o.authIndex ?? '9f2c4e1a7b3d5c60'
  r.failed = status !== 200
  r.fail = {status_code: status, body: status === 200 ? '' : 'upstream error'}
  r.tokens = {input_tokens: input, output_tokens: output, reasoning_tokens: 0, cached_tokens: 0, cache_read_tokens: 0, cache_creation_tokens: 0, total_tokens: input + output}
  r.token_breakdown = {
    schema_version: 2,
    quality: 'complete',
    total_tokens: input + output,
    input: {total_tokens: input, uncached_tokens: input, cache_read_tokens: 0, cache_write_tokens: 0},
    output: {total_tokens: output, non_reasoning_tokens: output, reasoning_tokens: 0},
    unclassified_tokens: 0,
  }
  r.service_tier = 'default'
  return r
}

export async function tempStore(): Promise<{store: Store; path: string}> {
  const path = join(tempDir('cpactl-check-'), 'cpactl.db')
  return {store: await openStore({path}), path}
}

/** $1 per 1M input tokens, $10 per 1M output tokens. */
export async function priceModel(store: Store, model = 'gpt-5'): Promise<void> {
  await store.prices.upsert({model, input: 1, cacheRead: 0.1, cacheWrite: 1, output: 10, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: 0})
}

export function quotaWindow(label: string, usedPercent: number | null, resetsAt = '2026-12-31T00:00:00.000Z'): QuotaWindow {
  return {id: label, label, usedPercent, resetsAt, windowSeconds: null, startedAt: null}
}

export function inspected(name: string, o: Partial<InspectResult> & {short?: number | null; long?: number | null} = {}): StoredResult {
  const {short, long, ...rest} = o
  return {
    name,
    provider: 'codex',
    authIndex: `${name.length.toString(16).padStart(2, '0')}${'a'.repeat(14)}`,
    email: `${name}@example.com`,
    label: null,
    plan: 'plus',
    disabled: false,
    windows: {short: short === undefined || short === null ? null : quotaWindow('5h', short), long: long === undefined || long === null ? null : quotaWindow('7d', long), extra: []},
    httpStatus: 200,
    classification: 'ok',
    action: 'keep',
    actionTaken: null,
    reason: '',
    attempts: 1,
    checkedAt: new Date().toISOString(),
    runId: 1,
    ...rest,
  }
}
