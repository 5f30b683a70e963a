/**
 * Shared types of the gateway simulator, the stand-in for the real gateway in every test and demo.
 *
 * The simulator is split in two halves that meet here:
 * - the core (server.ts, resp.ts, queue.ts, auth.ts, generator.ts, …): one TCP listener that sniffs the
 *   first byte, management auth + IP ban shared by HTTP and RESP, the usage FIFO and subscribers, the
 *   config state and its simple-setting endpoints, the traffic generator, faults and observability;
 * - the management surface (accounts.ts, upstream.ts, routes/*.ts): auth files, client API keys,
 *   logs, /api-call with scripted upstream answers, and the other management endpoints.
 *
 * A route handler receives an already-authenticated request (the core has checked the management key, set the X-CPA-*
 * headers and parsed the query string) and returns a response description.
 */

import type {SimFeature} from './version.js'

export interface SimRequest {
  method: string
  /** Path below /v0/management, always starting with '/', e.g. '/auth-files/status'. */
  path: string
  query: URLSearchParams
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>
  body: Buffer
  clientIp: string
  /** Value of the route's ':param' segment, URL-decoded (e.g. {id: 'a1b2c3d4'}); set by the core. */
  params?: Record<string, string>
}

export interface SimResponse {
  status: number
  headers?: Record<string, string>
  /** An object or array is sent as JSON; a string or Buffer as-is; undefined ⇒ empty body. */
  body?: unknown
  /** Cut the reply off half-way and drop the connection (the faults.dropMidReplyEvery fault of pops). */
  dropMidReply?: boolean
}

export type RouteHandler = (req: SimRequest, sim: SimContext) => SimResponse | Promise<SimResponse>

export interface SimRoute {
  method: string // 'GET' | 'PUT' | 'PATCH' | 'POST' | 'DELETE'
  /** Exact path ('/api-keys') or a pattern with one ':param' segment ('/request-log-by-id/:id'). */
  path: string
  handler: RouteHandler
  /** First gateway version that registers the route; absent = every simulated version. */
  since?: SimFeature
  /**
   * Management routes: 'key' (default) = availability check, X-CPA-* headers and the management-key check;
   * 'open' = availability check only (`/oauth-callback`).
   */
  access?: 'key' | 'open'
  /** A simulator-only helper route (e.g. the simulated OAuth consent pages), not a gateway route. */
  simOnly?: boolean
}

/** One credential the simulator serves (a file-backed auth or a config API key). */
export interface SimAccount {
  /** Auth ID = path relative to auth-dir (= file name for file-backed auths). */
  id: string
  /** File base name (file-backed) or '' for config API keys. */
  name: string
  /** 16 lowercase hex chars, the first 8 bytes of SHA-256 over the credential's seed (auth-index.ts). */
  authIndex: string
  /** 'codex' | 'claude' | 'xai' | 'vertex' | 'gemini' | 'antigravity' | 'kimi' | openai-compat name … */
  provider: string
  /** 'oauth' for files, 'apikey' for config keys (usage record auth_type). */
  authType: 'oauth' | 'apikey'
  email?: string
  label?: string
  projectId?: string
  /** What a usage record carries in `source` (email, project id, or the upstream key in plaintext). */
  source: string
  disabled: boolean
  /** Models this credential serves (used by the traffic generator). */
  models: string[]
  /** Counters since start, moved by generated traffic (success / failed). */
  success: number
  failed: number
}

/** Things route handlers may need from the core. */
export interface SimContext {
  /** X-CPA-VERSION of the simulated gateway (handlers whose answer changed between releases look at it). */
  version?: string
  /** v8 gateways: which 8.0.x revision (routes and config roots differ); null/undefined on v7. */
  v8Revision?: 'early' | 'later' | null
  /** Current gateway config as a plain object (kebab-case keys, as GET /config would show plus host/port/etc.). */
  config(): Record<string, unknown>
  /** Replace a top-level config value (persists into the YAML document, keeps comments). */
  setConfigValue(key: string, value: unknown): void
  /** Remove a top-level config key (the gateway's nil map / empty value is not written). */
  deleteConfigValue?(key: string): void
  /** The simulated clock (ms since epoch). */
  now(): number
  accounts: AccountRegistry
  /** Append a line to the simulated main.log (only kept when logging-to-file is on). */
  log(line: string): void
  /**
   * Tell `usage` subscribers the gateway reloaded its clients (`{"refresh":true}`); call after an
   * auth-file change. Config changes made through setConfigValue() notify on their own.
   */
  notifyRefresh?(): void
}

export interface AccountRegistry {
  list(): SimAccount[]
  byIndex(authIndex: string): SimAccount | undefined
  byName(nameOrId: string): SimAccount | undefined
  /** Called by the traffic generator for each produced record. */
  recordOutcome(authIndex: string, failed: boolean, at: number): void
}
