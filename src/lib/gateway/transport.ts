/**
 * The shapes the gateway transport speaks in (client.ts implements them): what a caller asks for, what comes
 * back, the version the gateway reports and the management key it authenticates with. Kept apart from the
 * client so modules the client itself uses (detect.ts) can name them without an import cycle.
 */
import type {ZodType} from 'zod'

import type {ManagementApi} from './operations.js'

/** A management key and where it came from (e.g. 'env CPA_MANAGEMENT_KEY'), never printed itself. */
export interface ManagementKey {
  key: string
  /** Human description of the source, e.g. 'env CPA_MANAGEMENT_KEY', 'keychain (profile prod)'. */
  source: string
}

/** A client as detection needs it: its URL and one request. */
export interface RequestClient {
  readonly url: {readonly origin: string}
  request<T>(options: RequestOptions<T>): Promise<GatewayResponse<T>>
}

export interface GatewayVersion {
  version: string | null
  commit: string | null
  buildDate: string | null
  supportPlugin: boolean | null
}

export interface RequestOptions<T> {
  method?: string
  /** Relative to the management base (/v0/management unless `api: 'v8'`); or an origin path with `absolute: true`. */
  path: string
  absolute?: boolean
  /** Which management base `path` is under (default v0). Area modules use `call()` with an operation instead. */
  api?: ManagementApi
  /** Set by call(): what the route is, for "this gateway has no such route" errors. */
  what?: string
  /** Set by call(): the oldest release with the v0 route. */
  since?: string
  query?: Record<string, string | number | boolean | undefined | null | Array<string | number>>
  /** JSON body (serialised here). */
  json?: unknown
  /** Raw body (e.g. YAML text, multipart). */
  body?: string | Buffer
  contentType?: string
  headers?: Record<string, string>
  timeoutMs?: number
  /** Retry network errors / 5xx. Default: true for GET. Never set it for destructive calls (/usage-queue). */
  retry?: boolean
  responseType?: 'json' | 'text' | 'buffer'
  schema?: ZodType<T>
  /** Statuses the caller handles itself instead of the status → error mapping (e.g. [207], [400] for /logs). */
  passStatuses?: number[]
  /** Send without a management key (unauthenticated routes: /healthz, /). */
  noAuth?: boolean
}

export interface GatewayResponse<T> {
  status: number
  headers: Record<string, string>
  data: T
}

