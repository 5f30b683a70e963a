/**
 * The one HTTP transport to the gateway: Bearer auth, timeouts, the retry policy, version capture and the
 * mapping of answers to cpactl's errors. Idempotent GETs retry on network errors and 5xx answers with backoff;
 * a 401 or 403 is never retried (five failures ban the client IP for 30 minutes) and neither is a write nor the
 * usage-queue pop, which removes records. The gateway URL and management bases are url.ts's, the meaning of
 * refusals errors.ts's. Area modules (config.ts, auth-files.ts, …) call `request()` with their paths and zod
 * schemas; commands never build URLs.
 */
import {AuthError, BugError, ConfigError, RejectedError, UpstreamError} from '../cli/errors.js'
import {type ApiInfo, cachedRespProbe, detectManagementApi, forgetCachedApi, rememberRespProbe} from './detect.js'
import {BAN_RE, bannedError, errorText, isGinNotFound, managementDisabledError, networkError} from './errors.js'
import type {GatewayResponse, GatewayVersion, ManagementKey, RequestOptions} from './transport.js'
import {type Operation, OPERATIONS, type OperationName, resolveOperation} from './operations.js'
import {buildQuery, MANAGEMENT_BASES, normalizeBaseUrl, type NormalizedUrl} from './url.js'
import {describeVersion, atLeast, parseGatewayVersion} from './version.js'

export type {GatewayResponse, GatewayVersion, ManagementKey, RequestOptions} from './transport.js'

export interface GatewayClientOptions {
  baseUrl: string
  /** Lazily resolves the management key (only called for authenticated requests). */
  getKey?: () => Promise<ManagementKey>
  insecure?: boolean
  timeoutMs?: number
  userAgent?: string
  /** Aborts every in-flight request (SIGINT/SIGTERM). */
  signal?: AbortSignal
  /** Backoff base for GET retries (ms). */
  retryBaseMs?: number
  /** Directory for the per-gateway API cache (cpactl's cache dir); no file cache when absent. */
  cacheDir?: string
  /** Share another client's API detection (the collector's pop client shares the command's). */
  apiFrom?: GatewayClient
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
  /**
   * Set after the first authentication rejection: no further authenticated request is sent (five failures ban
   * the client IP for 30 minutes).
   */
  private rejection: AuthError | null = null
  private dispatcher: unknown
  private undici: typeof import('undici') | undefined
  private keyPromise: Promise<ManagementKey> | null = null
  private apiPromise: Promise<ApiInfo> | null = null
  private apiInfo: ApiInfo | null = null
  /** The probe's `GET /v0/management/config` answer, handed once to the first configEffective read (no second request). */
  private probeConfig: GatewayResponse<unknown> | null = null
  private readonly opts: GatewayClientOptions

  constructor(opts: GatewayClientOptions) {
    this.opts = opts
    this.url = normalizeBaseUrl(opts.baseUrl)
  }

  get origin(): string {
    return this.url.origin
  }

  /** The resolved management key (resolving it once). Exposed for the RESP consumer, which AUTHs with it. */
  async key(): Promise<ManagementKey> {
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
    // a cached API that no longer matches the gateway (upgraded or downgraded since): switch now, re-probe next run
    const info = this.apiInfo
    const major = parseGatewayVersion(this.version.version).major
    if (info && major !== null && (major >= 8) !== (info.api === 'v8')) {
      this.apiInfo = {...info, api: major >= 8 ? 'v8' : 'v0', version: this.version.version, major, source: 'probe', stale: true}
      this.apiPromise = Promise.resolve(this.apiInfo)
      forgetCachedApi(this.opts.cacheDir, this.url.origin)
    }
  }

  /**
   * Which management API this gateway speaks (the major of `X-CPA-VERSION` on `GET /v0/management/config`; a
   * `dev` build is asked `GET /v8/management/config/config-version`, which v7 answers with a bare 404), detected
   * once per client and cached per gateway URL in the cache dir for a few minutes. The probe always sends the key and needs at most two requests.
   * Throws like any request: a rejected key (exit 4), management disabled / Home mode (exit 3), unreachable (5).
   */
  async managementApi(): Promise<ApiInfo> {
    if (this.opts.apiFrom) return this.opts.apiFrom.managementApi()
    this.apiPromise ??= detectManagementApi(this, {cacheDir: this.opts.cacheDir}).then(
      ({info, probe}) => {
        this.apiInfo = info
        this.probeConfig = probe
        return info
      },
      (error: unknown) => {
        this.apiPromise = null
        throw error
      },
    )
    return this.apiPromise
  }

  /** Record a ban-safe RESP probe result for this gateway (cache dir; see detect.ts). */
  rememberResp(served: boolean): void {
    if (this.opts.apiFrom) return this.opts.apiFrom.rememberResp(served)
    rememberRespProbe(this.opts.cacheDir, this.url.origin, served)
  }

  /** Whether a recent RESP probe found the usage output served (null: no recent probe). */
  respServed(): boolean | null {
    if (this.opts.apiFrom) return this.opts.apiFrom.respServed()
    return cachedRespProbe(this.opts.cacheDir, this.url.origin)
  }

  /** The detected API when detection already ran (no request). */
  get detectedApi(): ApiInfo | null {
    return this.opts.apiFrom ? this.opts.apiFrom.detectedApi : this.apiInfo
  }

  /**
   * Run one management operation (operations.ts) on the API this gateway speaks: its v8 path on v8 (v0 where v8
   * has none), its v0 path on v7. An operation this gateway's API does not have is a RejectedError (exit 8).
   */
  async call<T = unknown>(name: OperationName, options: Omit<RequestOptions<T>, 'path' | 'method' | 'api' | 'absolute'> & {params?: Record<string, string>} = {}): Promise<GatewayResponse<T>> {
    const info = await this.managementApi()
    const {params, ...rest} = options
    const probe = this.probeConfig
    this.probeConfig = null
    if (name === 'configEffective' && probe) {
      // the probe has just read it: hand that answer out once instead of asking again
      const parsed = options.schema ? options.schema.safeParse(probe.data) : {success: true as const, data: probe.data}
      if (parsed.success) return {...probe, data: parsed.data as T}
    }
    const resolved = resolveOperation(name, info.api, params)
    const op: Operation = OPERATIONS[name]
    if (!resolved) {
      throw new RejectedError(`${op.what} needs a CPA v8 gateway; ${this.url.origin} speaks the v0 management API (version ${describeVersion(info.version)})`, 404, {
        code: 'unsupported_route',
        hint: 'upgrade the gateway to 8.0.x',
        details: {operation: name, api: info.api, gatewayVersion: info.version},
      })
    }
    return this.request<T>({...rest, method: resolved.method, path: resolved.path, api: resolved.api, what: op.what, since: resolved.api === 'v0' ? op.v0Since : undefined})
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
    const base = options.absolute ? '' : MANAGEMENT_BASES[options.api ?? 'v0']
    const target = `${this.url.origin}${base}${options.path}${buildQuery(options.query)}`
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
      throw networkError(error, this.url.origin, target, timeoutMs, Boolean(this.opts.signal?.aborted))
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
      throw await this.statusError(status, raw, errData, method, options, keySource, resHeaders)
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

  private async statusError(
    status: number,
    raw: Buffer,
    data: unknown,
    method: string,
    options: RequestOptions<unknown>,
    keySource: string | null,
    headers: Record<string, string> = {},
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
    if (status === 404 && !options.absolute && (raw.length === 0 || isGinNotFound(raw, headers))) return this.missingRoute(method, options, headers)
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

  /**
   * An empty 404 under a management base:
   * - with `X-CPA-*` headers: management is on and the key was accepted; this build lacks the route ⇒ exit 8;
   * - without: a v8 gateway answers unknown `/v8/management/…` paths with a bare 404 before auth, and gateways
   *   older than 7.1.47 answer unknown routes without headers too. So first ask `GET /v0/management/config`
   *   (with the key): an answer carrying `X-CPA-*` means only this route is missing (exit 8); another bare 404
   *   means management is disabled or the node runs in CPA Home mode (exit 3) when /healthz answers, else the
   *   gateway is down (exit 5).
   */
  private async missingRoute(method: string, options: RequestOptions<unknown>, headers: Record<string, string>): Promise<Error> {
    const api = options.api ?? 'v0'
    const route = `${method} ${MANAGEMENT_BASES[api]}${options.path}`
    let routeMissing = 'x-cpa-version' in headers || 'x-cpa-commit' in headers
    const isConfirmer = api === 'v0' && options.path === '/config' && method === 'GET'
    if (!routeMissing && !isConfirmer) {
      const confirm = await this.once('GET', {path: '/config', api: 'v0', passStatuses: [404], timeoutMs: 10_000}).catch((error: unknown) => error)
      if (confirm instanceof Error) return confirm
      const h = (confirm as GatewayResponse<unknown>).headers
      routeMissing = (confirm as GatewayResponse<unknown>).status !== 404 || 'x-cpa-version' in h || 'x-cpa-commit' in h
    }
    if (routeMissing) return this.unsupportedRoute(route, options.what, options.since)
    const up = await this.healthz().catch(() => false)
    if (up) return managementDisabledError()
    return new UpstreamError(`the gateway at ${this.url.origin} is not answering /healthz`, {code: 'unreachable'})
  }

  /** exit 8: the gateway answers, accepts the key, and has no such route (names the route and the version). */
  unsupportedRoute(route: string, what?: string, since?: string): RejectedError {
    const version = this.version?.version ?? this.detectedApi?.version ?? null
    const newer = since && atLeast(version, since) === false ? ` (added in ${since})` : ''
    return new RejectedError(`the gateway (version ${describeVersion(version)}) has no route ${route}${what ? ` for ${what}` : ''}${newer}`, 404, {
      code: 'unsupported_route',
      hint: 'this gateway build does not offer it; upgrade the gateway, or see cpactl status for the version and API in use',
      details: {status: 404, route, gatewayVersion: version},
    })
  }

  /** GET /healthz (no key). true when it answers {"status":"ok"}. */
  async healthz(): Promise<boolean> {
    const res = await this.once<{status?: string}>('GET', {path: '/healthz', absolute: true, noAuth: true, timeoutMs: 5000, passStatuses: [404, 500, 502, 503]})
    return res.status === 200 && (res.data as {status?: string} | null)?.status === 'ok'
  }
}
