/** What one generated record is drawn from: client addresses, failure shapes, success headers, special credentials. */
import {createHash} from 'node:crypto'
import type {ProviderProfile} from './provider-profiles.js'
import type {V8Fields} from './record-v8-fields.js'
import type {Breakdown, Quality} from './token-totals.js'
import type {Rng} from './traffic-rng.js'
import type {SimAccount} from './types.js'

export interface CredentialLookup {
  scenarioOf?: (authIndex: string) => string | undefined
  tokenOf?: (authIndex: string) => string | undefined
}

export const CLIENT_IPS = ['127.0.0.1', '127.0.0.1', '10.0.3.17', '192.168.1.24', '172.18.0.5']
export const FORWARDED = ['203.0.113.9', '198.51.100.23, 10.0.0.2']

export interface FailureShape {
  status: number
  body: string
  code?: string
  retryable?: boolean
  headers?: Record<string, string[]>
}

export function failureFor(status: number, rng: Rng, provider: string): FailureShape {
  switch (status) {
    case 401:
      return {
        status,
        body: JSON.stringify({error: {type: 'authentication_error', code: 'token_revoked', message: 'simulated: the access token was revoked'}}),
        code: 'token_revoked',
      }
    case 402:
      return {
        status,
        body: JSON.stringify({detail: {code: 'deactivated_workspace'}}),
        code: 'deactivated_workspace',
      }
    case 429: {
      const reset = rng.int(30, 18_000)
      return {
        status,
        body: JSON.stringify({error: {type: 'usage_limit_reached', message: 'simulated: usage limit reached', resets_in_seconds: reset}}),
        code: 'usage_limit_reached',
        retryable: true,
        headers: {'Retry-After': [String(reset)], ...(provider === 'codex' ? {'X-Codex-Primary-Used-Percent': ['100']} : {})},
      }
    }
    case 500:
      return {status, body: 'simulated: upstream internal error', retryable: true}
    default:
      return {
        status,
        body: JSON.stringify({error: {type: 'overloaded_error', message: 'simulated: upstream overloaded'}}),
        code: 'overloaded',
        retryable: true,
      }
  }
}

/** Success-path header snapshots (quota / rate-limit evidence in the record's `response_headers`). */
export function successHeaders(provider: string, rng: Rng, requestId: string): Record<string, string[]> {
  switch (provider) {
    case 'codex':
      return {
        'X-Codex-Plan-Type': [rng.pick(['plus', 'pro', 'team'])],
        'X-Codex-Primary-Used-Percent': [String(rng.int(0, 99))],
        'X-Codex-Primary-Window-Minutes': ['300'],
        'X-Codex-Primary-Reset-After-Seconds': [String(rng.int(60, 18_000))],
        'X-Codex-Secondary-Used-Percent': [String(rng.int(0, 99))],
        'X-Codex-Secondary-Window-Minutes': ['10080'],
        'X-Request-Id': [`req_${requestId}${rng.hex(8)}`],
      }
    case 'claude':
      return {
        'Anthropic-Ratelimit-Unified-5h-Utilization': [(rng.int(0, 99) / 100).toFixed(2)],
        'Anthropic-Ratelimit-Unified-7d-Utilization': [(rng.int(0, 99) / 100).toFixed(2)],
        'Request-Id': [`req_${rng.hex(24)}`],
      }
    case 'xai':
      return {'X-Ratelimit-Remaining-Requests': [String(rng.int(0, 500))], 'X-Request-Id': [rng.hex(32)]}
    default:
      return {'X-Request-Id': [rng.hex(32)]}
  }
}

/** Scripted upstream scenarios (accounts.ts) that make a credential fail more often in traffic. */
export const SCENARIO_FAILURE: Record<string, number> = {
  revoked: 401,
  invalid_token: 401,
  deactivated_workspace: 402,
  rate_limited: 429,
  long_exhausted: 429,
  short_exhausted: 429,
  server_error: 503,
}

/** An unknown provider (a plugin's own name): no token family, so the breakdown quality is `unclassified`. */
export const PLUGIN_PROVIDER = {provider: 'acme-plugin', executor: 'AcmePluginExecutor', models: ['acme-large-2', 'acme-small-2']}

/** Requests of the unknown plugin provider are served without a credential (no auth_index, no source). */
export const PLUGIN_ACCOUNT: SimAccount = {
  id: '',
  name: '',
  authIndex: '',
  provider: PLUGIN_PROVIDER.provider,
  authType: 'oauth',
  source: '',
  disabled: false,
  models: PLUGIN_PROVIDER.models,
  success: 0,
  failed: 0,
}

/** A fallback credential when the registry has none (so traffic never stops). */
export const FALLBACK_ACCOUNT: SimAccount = {
  id: 'openai-compatibility:local:0',
  name: '',
  authIndex: createHash('sha256').update('openai-compatibility:http://127.0.0.1:11434/v1+sim').digest('hex').slice(0, 16),
  provider: 'local',
  authType: 'apikey',
  label: 'local',
  source: 'sim-local-upstream-key',
  disabled: false,
  models: ['llama3.3:70b'],
  success: 0,
  failed: 0,
}

/** Every value of one record, chosen by `next()` (seeded) or `forRequest()` (a served client request). */
export interface RecordValues {
  account: SimAccount
  provider: string
  profile: ProviderProfile
  model: string
  alias: string
  endpoint: string
  failure: FailureShape | undefined
  failed: boolean
  b: Breakdown
  latency: number
  ttft: number
  startMs: number
  nanos: number
  requestId: string
  apiKey: string
  headers: Record<string, string[]> | undefined
  legacy: boolean
  effort: string
  serviceTier: string
  responseTier: string
  clientIp: string
  xff: string
  userAgent: string
  generate: boolean
  executor: string
  publishAt: number
  lookup: CredentialLookup
  /** Served for an unknown (plugin) provider without a credential. */
  plugin: boolean
  quality: Quality
  /** How an inconsistent record contradicts itself: a negative input, or cache read above input. */
  inconsistency?: {negativeInput: number} | {cacheOver: number}
  /** v8 gateways only. */
  v8?: V8Fields
}
