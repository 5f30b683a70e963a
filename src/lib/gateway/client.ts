/**
 * The one HTTP transport to the gateway (cpa-gateway.md §4): base-URL normalisation, Bearer auth, timeouts,
 * the retry policy, version capture and the error mapping of §1.7. Area modules (config.ts, auth-files.ts, …)
 * call `request()` with their paths and zod schemas; commands never build URLs.
 */
import type {ZodType} from 'zod'

import {formatDuration, parseGoDuration} from '../cli/duration.js'
import {AuthError, BugError, ConfigError, RejectedError, UpstreamError} from '../cli/errors.js'
import type {ResolvedKey} from '../config/credentials.js'

export const MANAGEMENT_BASE = '/v0/management'

export interface GatewayVersion {
  version: string | null
  commit: string | null
  buildDate: string | null
  supportPlugin: boolean | null
}

export interface RequestOptions<T> {
  method?: string
  /** Relative to /v0/management, e.g. '/auth-files'; or an origin path with `absolute: true`, e.g. '/healthz'. */
  path: string
  absolute?: boolean
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
  /** Statuses the caller handles itself instead of the §1.7 mapping (e.g. [207], [400] for /logs). */
  passStatuses?: number[]
  /** Send without a management key (unauthenticated routes: /healthz, /). */
  noAuth?: boolean
}

export interface GatewayResponse<T> {
  status: number
  headers: Record<string, string>
  data: T
}

export interface GatewayClientOptions {
  baseUrl: string
  /** Lazily resolves the management key (only called for authenticated requests). */
  getKey?: () => Promise<ResolvedKey>
  insecure?: boolean
  timeoutMs?: number
  userAgent?: string
  /** Aborts every in-flight request (SIGINT/SIGTERM). */
  signal?: AbortSignal
  /** Backoff base for GET retries (ms). */
  retryBaseMs?: number
}

export interface NormalizedUrl {
  origin: string
  managementBase: string
  host: string
  port: number
  tls: boolean
}

/** Accept `https://gw:8317`, `gw:8317`, or `…/v0/management[/]` and return the origin + management base. */
export function normalizeBaseUrl(input: string): NormalizedUrl {
  let text = input.trim()
  if (!text) throw new ConfigError('empty gateway URL', {code: 'invalid_url'})
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new ConfigError(`invalid gateway URL '${input}'`, {code: 'invalid_url', hint: 'use e.g. http://127.0.0.1:8317'})
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`unsupported URL scheme '${url.protocol}' (use http or https)`, {code: 'invalid_url'})
  }
  if (url.username || url.password) {
    throw new ConfigError('credentials in the gateway URL are not accepted', {
      code: 'invalid_url',
      hint: 'pass the key with --management-key-stdin, CPA_MANAGEMENT_KEY or CPA_MANAGEMENT_KEY_FILE',
    })
  }
  let prefix = url.pathname.replace(/\/+$/, '')
  if (prefix.endsWith(MANAGEMENT_BASE)) prefix = prefix.slice(0, -MANAGEMENT_BASE.length)
  const tls = url.protocol === 'https:'
  const port = url.port ? Number(url.port) : tls ? 443 : 80
  const origin = `${url.protocol}//${url.host}${prefix}`
  return {origin, managementBase: `${origin}${MANAGEMENT_BASE}`, host: url.hostname.replace(/^\[|\]$/g, ''), port, tls}
}

function buildQuery(query: RequestOptions<unknown>['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null) continue
    if (Array.isArray(v)) for (const item of v) params.append(k, String(item))
    else params.append(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

const BAN_RE = /IP banned due to too many failed attempts\. Try again in (\S+)/

/** Parse the gateway's ban text (§1.5) into the remaining milliseconds. */
export function parseBanRemaining(message: string): number | null {
  const m = BAN_RE.exec(message)
  return m ? parseGoDuration(m[1]) : null
}

export function bannedError(message: string): AuthError {
  const remainingMs = parseBanRemaining(message)
  return new AuthError(
    `the gateway has banned this client IP after too many failed management-key attempts${remainingMs === null ? '' : `; try again in ${formatDuration(remainingMs)}`}`,
    {
      code: 'ip_banned',
      hint: 'wait for the ban to expire; do not retry with the same key (every failure restarts the count)',
      details: {remainingMs, gatewayMessage: message},
    },
  )
}

function errorText(data: unknown): {error?: string; message?: string} {
  if (data && typeof data === 'object') {
    const d = data as Record<string, unknown>
    return {error: typeof d.error === 'string' ? d.error : undefined, message: typeof d.message === 'string' ? d.message : undefined}
  }
  return {}
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(t)
      resolve()
    }, {once: true})
  })

export class GatewayClient {
  readonly url: NormalizedUrl
  version: GatewayVersion | null = null
  /** Set after the first authentication rejection: no further authenticated request is sent (§1.5). */
  private rejection: AuthError | null = null
  private dispatcher: unknown
  private undici: typeof import('undici') | undefined
  private keyPromise: Promise<ResolvedKey> | null = null
  private readonly opts: GatewayClientOptions

  constructor(opts: GatewayClientOptions) {
    this.opts = opts
    this.url = normalizeBaseUrl(opts.baseUrl)
  }

  get origin(): string {
    return this.url.origin
  }

  /** The resolved management key (resolving it once). Exposed for the RESP consumer, which AUTHs with it. */
  async key(): Promise<ResolvedKey> {
    if (!this.opts.getKey) throw new BugError('no management key source configured')
    this.keyPromise ??= this.opts.getKey()
    return this.keyPromise
  }

  /** Record an authentication rejection seen on another channel (RESP) so HTTP stops too. */
  markRejected(err: AuthError): void {
    this.rejection ??= err
  }

  get rejected(): AuthError | null {
    return this.rejection
  }

  private async getDispatcher(): Promise<unknown> {
    if (this.dispatcher) return this.dispatcher
    const {Agent} = (this.undici ??= await import('undici'))
    this.dispatcher = new Agent({
      connect: this.opts.insecure ? {rejectUnauthorized: false} : undefined,
      keepAliveTimeout: 4000,
    })
    return this.dispatcher
  }

  async close(): Promise<void> {
    const d = this.dispatcher as {close?: () => Promise<void>} | undefined
    this.dispatcher = undefined
    await d?.close?.()
  }

  private captureVersion(headers: Record<string, string>): void {
    if (!('x-cpa-version' in headers) && !('x-cpa-commit' in headers)) return
    const plugin = headers['x-cpa-support-plugin']
    this.version = {
      version: headers['x-cpa-version'] ?? null,
      commit: headers['x-cpa-commit'] ?? null,
      buildDate: headers['x-cpa-build-date'] ?? null,
      supportPlugin: plugin === undefined ? null : plugin === '1',
    }
  }

  async request<T = unknown>(options: RequestOptions<T>): Promise<GatewayResponse<T>> {
    const method = (options.method ?? 'GET').toUpperCase()
    const retry = options.retry ?? method === 'GET'
    const attempts = retry ? 3 : 1
    let lastError: unknown
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once(method, options)
      } catch (error) {
        lastError = error
        const transient = error instanceof UpstreamError && error.code !== 'bad_response'
        if (!transient || attempt === attempts || this.opts.signal?.aborted) throw error
        await sleep((this.opts.retryBaseMs ?? 250) * 3 ** (attempt - 1), this.opts.signal)
      }
    }
    throw lastError
  }

  private async once<T>(method: string, options: RequestOptions<T>): Promise<GatewayResponse<T>> {
    const target = `${options.absolute ? this.url.origin : this.url.managementBase}${options.path}${buildQuery(options.query)}`
    const headers: Record<string, string> = {
      'user-agent': this.opts.userAgent ?? 'cpactl',
      accept: 'application/json',
      ...options.headers,
    }
    let keySource: string | null = null
    if (!options.noAuth) {
      if (this.rejection) throw this.rejection
      const k = await this.key()
      headers.authorization = `Bearer ${k.key}`
      keySource = k.source
    }
    let body: string | Buffer | undefined
    if (options.json !== undefined) {
      body = JSON.stringify(options.json)
      headers['content-type'] = 'application/json'
    } else if (options.body !== undefined) {
      body = options.body
      if (options.contentType) headers['content-type'] = options.contentType
    }
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs ?? 10_000
    const signals = [AbortSignal.timeout(timeoutMs)]
    if (this.opts.signal) signals.push(this.opts.signal)
    const signal = AbortSignal.any(signals)
    const {request} = (this.undici ??= await import('undici'))
    let status: number
    let resHeaders: Record<string, string>
    let raw: Buffer
    try {
      const res = await request(target, {
        method: method as 'GET',
        headers,
        body,
        signal,
        dispatcher: (await this.getDispatcher()) as never,
      })
      status = res.statusCode
      resHeaders = {}
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) resHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v)
      raw = Buffer.from(await res.body.arrayBuffer())
    } catch (error) {
      throw this.networkError(error, target, timeoutMs)
    }
    this.captureVersion(resHeaders)
    const mode = options.responseType ?? 'json'
    let data: unknown = raw
    if (mode === 'text') data = raw.toString('utf8')
    else if (mode === 'json') {
      const text = raw.toString('utf8')
      if (text.trim() === '') data = null
      else {
        try {
          data = JSON.parse(text)
        } catch {
          if (status < 400) {
            throw new UpstreamError(`the gateway answered ${method} ${options.path} with a body that is not JSON`, {code: 'bad_response'})
          }
          data = {error: text.trim()}
        }
      }
    }
    if (status >= 400 && !(options.passStatuses ?? []).includes(status)) {
      let errData = data
      if (Buffer.isBuffer(errData) || typeof errData === 'string') {
        try {
          errData = JSON.parse(raw.toString('utf8'))
        } catch {
          errData = raw.length > 0 ? {error: raw.toString('utf8').trim()} : null
        }
      }
      throw await this.statusError(status, raw, errData, method, options, keySource)
    }
    if (options.schema && status < 300) {
      const parsed = options.schema.safeParse(data)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        const where = issue?.path?.length ? issue.path.join('.') : '(root)'
        throw new UpstreamError(`unexpected answer from ${method} ${options.path}: ${where}: ${issue?.message ?? 'invalid'}`, {
          code: 'bad_response',
          details: {path: options.path, field: where},
        })
      }
      data = parsed.data
    }
    return {status, headers: resHeaders, data: data as T}
  }

  private networkError(error: unknown, target: string, timeoutMs: number): Error {
    const e = error as {name?: string; code?: string; cause?: {code?: string}; message?: string}
    const origin = this.url.origin
    if (this.opts.signal?.aborted) return new UpstreamError('request aborted', {code: 'aborted'})
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || String(e?.code ?? '').includes('TIMEOUT')) {
      return new UpstreamError(`the gateway at ${origin} did not answer within ${formatDuration(timeoutMs)}`, {
        code: 'timeout',
        hint: 'check the gateway, or raise --timeout',
      })
    }
    const code = e?.code ?? e?.cause?.code ?? 'unknown'
    return new UpstreamError(`cannot reach the gateway at ${origin} (${code})`, {
      code: 'unreachable',
      hint: 'is the gateway running and the URL right? (--url / CPA_URL / profile)',
      details: {errno: code, target: target.replace(/\?.*$/, '')},
    })
  }

  private async statusError(
    status: number,
    raw: Buffer,
    data: unknown,
    method: string,
    options: RequestOptions<unknown>,
    keySource: string | null,
  ): Promise<Error> {
    const {error, message} = errorText(data)
    const text = [error, message].filter(Boolean).join(': ')
    if (status === 401) {
      const err = new AuthError(`the gateway rejected the management key${keySource ? ` from ${keySource}` : ''} (401 ${error ?? 'unauthorized'})`, {
        code: 'auth_failed',
        hint: 'check the key; cpactl does not retry (five failures ban this IP for 30 minutes)',
      })
      this.rejection = err
      return err
    }
    if (status === 403) {
      let err: AuthError
      if (error && BAN_RE.test(error)) err = bannedError(error)
      else if (error === 'remote management disabled') {
        err = new AuthError('the gateway refuses remote management from this address (403 remote management disabled)', {
          code: 'remote_disabled',
          hint: 'set remote-management.allow-remote: true in the gateway config (with TLS), or run cpactl on the gateway host',
        })
      } else if (error === 'remote management key not set') {
        return new ConfigError('management is disabled on the gateway: no remote-management.secret-key is set', {
          code: 'management_disabled',
          hint: 'set remote-management.secret-key (or MANAGEMENT_PASSWORD) on the gateway',
        })
      } else {
        err = new AuthError(`the gateway refused the request (403${text ? ` ${text}` : ''})`, {code: 'forbidden'})
      }
      this.rejection = err
      return err
    }
    if (status === 404 && raw.length === 0 && !options.absolute) {
      // §1.1: empty-body 404 on a management path ⇒ management disabled, or gateway down
      const up = await this.healthz().catch(() => false)
      if (up) {
        return new ConfigError('management API is disabled on the gateway (empty 404; /healthz is ok)', {
          code: 'management_disabled',
          hint: 'set remote-management.secret-key in the gateway config (routes appear after hot reload), or check Home mode',
        })
      }
      return new UpstreamError(`the gateway at ${this.url.origin} is not answering /healthz`, {code: 'unreachable'})
    }
    if (status >= 500) {
      return new UpstreamError(`the gateway failed ${method} ${options.path} (${status}${text ? ` ${text}` : ''})`, {
        code: status === 503 ? 'upstream_unavailable' : 'server_error',
        details: {status},
      })
    }
    return new RejectedError(text || `${method} ${options.path} answered ${status}`, status, {
      code: status === 404 ? 'not_found' : status === 409 ? 'conflict' : status === 422 ? 'invalid' : 'rejected',
      details: {status, ...(error ? {gatewayError: error} : {}), ...(message ? {gatewayMessage: message} : {})},
    })
  }

  /** GET /healthz (no key). true when it answers {"status":"ok"}. */
  async healthz(): Promise<boolean> {
    const res = await this.once<{status?: string}>('GET', {path: '/healthz', absolute: true, noAuth: true, timeoutMs: 5000, passStatuses: [404, 500, 502, 503]})
    return res.status === 200 && (res.data as {status?: string} | null)?.status === 'ok'
  }
}
