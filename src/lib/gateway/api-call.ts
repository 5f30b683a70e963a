/**
 * `POST /v0/management/api-call` (v8: `POST /v8/management/requests/api-call`): the gateway performs an HTTP
 * request upstream with a credential's token substituted for `$TOKEN$` in header values. The gateway answers HTTP
 * 200 whenever it got an upstream answer at all; the upstream status is inside `status_code`, so a 401 from the
 * provider is data here, not an error. Gateway-side failures keep the client's status mapping: 400 (`auth token not
 * found`, `invalid url`, …) ⇒ RejectedError, 502 `request failed` / network / our deadline ⇒ UpstreamError.
 *
 * The gateway's own upstream timeout is 60 s, so the default client deadline here is longer than that
 * (ordinary management calls use the global --timeout); callers such as inspection pass a shorter one.
 * Never retried here: it is a POST, and the caller decides (inspection retries a timed-out probe once).
 */
import type {GatewayClient} from './client.js'

/** Default client deadline: the gateway's 60 s upstream timeout for /api-call plus a margin for its own answer. */
export const API_CALL_DEFAULT_TIMEOUT_MS = 75_000

export interface ApiCallRequest {
  /** Which credential's token replaces `$TOKEN$` (the only credential identifier /api-call accepts). */
  authIndex: string
  method: string
  /** Absolute upstream URL. */
  url: string
  /** Header map; values may contain `$TOKEN$`. */
  header?: Record<string, string>
  /** Raw request body. */
  data?: string
  /** `direct`/`none` bypass proxies; else an http(s)/socks5(h) proxy URL, ahead of the credential's and global proxy. */
  proxyUrl?: string
}

export interface ApiCallResponse {
  /** The upstream HTTP status (not the gateway's). */
  statusCode: number
  /** Upstream headers, Go `http.Header` style (canonical name → values). */
  header: Record<string, string[]>
  /** Upstream body as text. */
  body: string
}

export interface ApiCallOptions {
  /** Client deadline for the whole exchange (default API_CALL_DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number
}

async function buildSchema() {
  const {z} = await import('zod')
  return z
    .object({
      status_code: z.number().int(),
      header: z.record(z.string(), z.array(z.string())).nullable().optional(),
      body: z.string().nullable().optional(),
    })
    .passthrough()
}

// built once, on first use (zod stays out of the startup path; an inspection run makes hundreds of calls)
let schemaPromise: ReturnType<typeof buildSchema> | undefined
const responseSchema = () => (schemaPromise ??= buildSchema())

/** One upstream request through the gateway. Resolves with the upstream answer whatever its status. */
export async function apiCall(client: GatewayClient, req: ApiCallRequest, options: ApiCallOptions = {}): Promise<ApiCallResponse> {
  const json: Record<string, unknown> = {auth_index: req.authIndex, method: req.method, url: req.url}
  if (req.header) json.header = req.header
  if (req.data !== undefined) json.data = req.data
  if (req.proxyUrl !== undefined) json.proxy_url = req.proxyUrl
  const res = await client.call('apiCall', {
    json,
    retry: false,
    timeoutMs: options.timeoutMs ?? API_CALL_DEFAULT_TIMEOUT_MS,
    schema: await responseSchema(),
  })
  const data = res.data as {status_code: number; header?: Record<string, string[]> | null; body?: string | null}
  return {statusCode: data.status_code, header: data.header ?? {}, body: data.body ?? ''}
}

/** Case-insensitive lookup of the first value of an upstream header. */
export function upstreamHeader(res: ApiCallResponse, name: string): string | undefined {
  const lower = name.toLowerCase()
  for (const [k, v] of Object.entries(res.header)) if (k.toLowerCase() === lower) return v[0]
  return undefined
}
