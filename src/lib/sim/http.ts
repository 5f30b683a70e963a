import type {IncomingMessage, ServerResponse} from 'node:http'
import {isIP} from 'node:net'

import {type AuthPolicy, type ManagementAuth, normalizeIp} from './auth.js'
import type {FaultInjector} from './faults.js'
import type {Observer} from './observe.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from './types.js'
import {hasFeature} from './version.js'

/**
 * The HTTP side of the simulated gateway: CORS, the key-less routes (/healthz, /, callbacks, /v1), the management
 * availability check (off or Home mode ⇒ bare 404), the X-CPA-* headers, the management-key check order, the
 * 5xx fault, dispatch through the route table (routes/index.ts) and the NoRoute behaviour: from v7.1.47 an unknown
 * route answers an empty 404 (below /v0/management after auth, with X-CPA-*, once plugins had their
 * chance), before that gin's text `404 page not found` without headers or key check.
 */

export const MANAGEMENT_PREFIX = '/v0/management'
export const MANAGEMENT_PREFIX_V8 = '/v8/management'
const MAX_BODY = 64 * 1024 * 1024

export interface HttpEnv {
  readonly version: string
  readonly commit: string
  readonly buildDate: string
  readonly auth: ManagementAuth
  readonly faults: FaultInjector
  readonly observer: Observer
  readonly context: SimContext
  managementEnabled(): boolean
  authPolicy(): AuthPolicy
  now(): number
  /**
   * Routes below /v0/management registered by the simulated version (routes/index.ts) and, on a v8 gateway,
   * below /v8/management (routes/route-map.ts).
   */
  routes(): {v0: CompiledRoute[]; v8: CompiledRoute[] | null}
  /** CPA Home mode: /v0, /v8 and /management.html answer a bare 404. */
  homeMode(): boolean
  /** Routes outside /v0/management (no management key). */
  publicRoutes(): CompiledRoute[]
  /** NoRoute dispatch to plugins after management auth (plugin OAuth URLs, plugin routes). */
  noRoute(req: SimRequest): SimResponse | undefined
}

export interface CompiledRoute extends SimRoute {
  pattern?: RegExp
  param?: string
}

export function compileRoutes(routes: SimRoute[]): CompiledRoute[] {
  return routes.map(r => {
    const wildcard = /\/\*([A-Za-z_][A-Za-z0-9_]*)$/.exec(r.path)
    if (wildcard) {
      // `/config/*path`: the rest of the path (gin's catch-all), which may be empty: `/config/` matches with
      // path '' (`/config/` is the whole document)
      const prefix = r.path.slice(0, wildcard.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return {...r, pattern: new RegExp(`^${prefix}/(.*)$`), param: wildcard[1]}
    }
    if (r.path.endsWith('/*')) {
      const prefix = r.path.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return {...r, pattern: new RegExp(`^${prefix}(.*)$`), param: 'rest'}
    }
    const m = /\/:([A-Za-z_][A-Za-z0-9_]*)/.exec(r.path)
    if (!m) return {...r}
    const escaped = r.path
      .split(/\/:[A-Za-z_][A-Za-z0-9_]*/)
      .map(s => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    return {...r, pattern: new RegExp(`^${escaped[0]}/([^/]+)${escaped[1] ?? ''}$`), param: m[1]}
  })
}

function findRoute(routes: CompiledRoute[], method: string, path: string): {route: CompiledRoute; params: Record<string, string>} | undefined {
  for (const r of routes) {
    if (r.method !== method && r.method !== '*') continue
    if (!r.pattern) {
      if (r.path === path) return {route: r, params: {}}
      continue
    }
    const m = r.pattern.exec(path)
    if (m) {
      let value = m[1]
      try {
        value = r.path.includes('/*') ? value.split('/').map(decodeURIComponent).join('/') : decodeURIComponent(value)
      } catch {
        // keep raw
      }
      return {route: r, params: {[r.param!]: value}}
    }
  }
  return undefined
}

/**
 * gin `c.ClientIP()` with all proxies trusted (the gateway never calls SetTrustedProxies): the left-most
 * address of X-Forwarded-For when every entry parses, else X-Real-IP, else the TCP peer.
 */
export function ginClientIp(headers: IncomingMessage['headers'], peer: string): string {
  const xff = headers['x-forwarded-for']
  const xffText = Array.isArray(xff) ? xff.join(',') : xff
  if (xffText) {
    const items = xffText.split(',')
    for (let i = items.length - 1; i >= 0; i--) {
      const ip = items[i].trim()
      if (!isIP(ip)) break
      if (i === 0) return normalizeIp(ip)
    }
  }
  const real = headers['x-real-ip']
  const realText = (Array.isArray(real) ? real[0] : real)?.trim()
  if (realText && isIP(realText)) return normalizeIp(realText)
  return normalizeIp(peer)
}

/**
 * (corrected 2026-12) `Authorization` split at the first space — a case-insensitive `Bearer` scheme and the rest
 * verbatim (`Bearer  k` yields ` k`); a value not in `Bearer x` form is the key as a whole. `X-Management-Key`
 * only when Authorization is absent or empty; neither is trimmed.
 */
export function presentedKey(headers: IncomingMessage['headers']): string {
  const auth = headers.authorization
  if (typeof auth === 'string' && auth !== '') {
    const space = auth.indexOf(' ')
    if (space > 0 && auth.slice(0, space).toLowerCase() === 'bearer') return auth.slice(space + 1)
    return auth
  }
  const header = headers['x-management-key']
  return (Array.isArray(header) ? header[0] : header) ?? ''
}

const CORS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD',
  'access-control-allow-headers': '*',
  'access-control-expose-headers':
    'X-CPA-TRACE-ID, X-CPA-VERSION, X-CPA-COMMIT, X-CPA-BUILD-DATE, X-CPA-SUPPORT-PLUGIN, X-CPA-HOME-VERSION, X-CPA-HOME-BUILD-DATE, X-SERVER-VERSION, X-SERVER-BUILD-DATE, Location, Retry-After, X-Request-Id, OpenAI-Request-Id',
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('body too large'))
        req.destroy()
        return
      }
      chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function encodeBody(body: unknown, headers: Record<string, string>): Buffer {
  if (body === undefined) return Buffer.alloc(0)
  if (Buffer.isBuffer(body)) return body
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8'
    return Buffer.from(body)
  }
  headers['content-type'] ??= 'application/json; charset=utf-8'
  return Buffer.from(JSON.stringify(body))
}

export function createHttpHandler(env: HttpEnv): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(env, req, res).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, {'content-type': 'application/json; charset=utf-8'})
        res.end('{"error":"internal simulator error"}')
      } else res.destroy()
    })
  }
}

async function handle(env: HttpEnv, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const receivedAt = env.observer.httpArrival()
  const at = env.now()
  const connectionId = (req.socket as unknown as {simConnectionId?: number}).simConnectionId ?? 0
  const url = new URL(req.url ?? '/', 'http://sim.invalid')
  const method = (req.method ?? 'GET').toUpperCase()
  const path = url.pathname
  const body = await readBody(req)

  const finish = async (status: number, headers: Record<string, string>, payload: unknown, opts: {drop?: boolean} = {}) => {
    const h: Record<string, string> = {...CORS, ...headers}
    const full = encodeBody(payload, h)
    const bytes = method === 'HEAD' ? Buffer.alloc(0) : full
    env.observer.httpRequest({connectionId, method, path, query: url.search.slice(1), status, at, receivedAt})
    const delay = env.faults.latencyMs()
    if (delay > 0) await new Promise(resolve => setTimeout(resolve, delay))
    if (res.destroyed) return
    h['content-length'] = String(full.length)
    res.writeHead(status, h)
    if (opts.drop && bytes.length > 1) {
      // Cut the reply off half-way and drop the connection (faults.dropMidReplyEvery).
      res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy())
      return
    }
    res.end(bytes)
  }

  if (method === 'OPTIONS') return finish(204, {}, undefined)
  const gatewayNoRoute = hasFeature(env.version, 'noRouteHandler')
  const unknownRoute = () => (gatewayNoRoute ? finish(404, {}, undefined) : finish(404, {'content-type': 'text/plain'}, '404 page not found'))

  const tables = env.routes()
  let api: 'v0' | 'v8' | null = null
  if (path === MANAGEMENT_PREFIX || path.startsWith(`${MANAGEMENT_PREFIX}/`)) api = 'v0'
  else if (tables.v8 && (path === MANAGEMENT_PREFIX_V8 || path.startsWith(`${MANAGEMENT_PREFIX_V8}/`))) api = 'v8'
  const clientIp = ginClientIp(req.headers, req.socket.remoteAddress ?? '')
  // Any other path (on a v7 gateway also every /v8/… path): the public routes, else NoRoute.
  if (api === null) {
    // Home mode: the panel page is gone too (/management.html answers a bare 404)
    if (env.homeMode() && path === '/management.html') return finish(404, {}, undefined)
    const open = findRoute(env.publicRoutes(), method, path)
    if (!open) return unknownRoute()
    return dispatch(env, open.route, open.params, req, method, path, url, body, clientIp, {}, finish)
  }

  const prefix = api === 'v8' ? MANAGEMENT_PREFIX_V8 : MANAGEMENT_PREFIX
  const sub = path.slice(prefix.length) || '/'
  const found = findRoute(api === 'v8' ? tables.v8! : tables.v0, method, sub)
  // Before v7.1.47 a path no route matches never reaches the management middleware. v8: an unmatched
  // /v8/management path (or a registered path with another method) is a bare 404 before any auth, so it
  // never counts toward the ban.
  if (!found && api === 'v8') return finish(404, {}, undefined)
  if (!found && !gatewayNoRoute) return unknownRoute()

  // Management disabled or Home mode ⇒ 404, empty body, no X-CPA-* headers, on /v0 and /v8.
  if (!env.managementEnabled() || env.homeMode()) return finish(404, {}, undefined)

  // The OAuth callback has the availability check only (no key, no X-CPA-* headers).
  if (found?.route.access === 'open') return dispatch(env, found.route, found.params, req, method, sub, url, body, clientIp, {}, finish)

  // Version headers on every response past the availability check, 401/403 included.
  const headers: Record<string, string> = {}
  if (hasFeature(env.version, 'versionHeaders')) {
    headers['x-cpa-version'] = env.version
    headers['x-cpa-commit'] = env.commit
    headers['x-cpa-build-date'] = env.buildDate
  }
  if (hasFeature(env.version, 'supportPluginHeader')) headers['x-cpa-support-plugin'] = '1'

  const injected = env.faults.takeHttp5xx()
  if (injected !== undefined) {
    const error = injected === 503 ? 'core auth manager unavailable' : 'simulated upstream failure'
    return finish(injected, headers, {error})
  }

  const outcome = env.auth.authenticate(clientIp, presentedKey(req.headers), env.authPolicy())
  if (!outcome.ok) return finish(outcome.status, headers, {error: outcome.message})

  if (found) return dispatch(env, found.route, found.params, req, method, sub, url, body, clientIp, headers, finish)

  // NoRoute (v7.1.47+): plugin OAuth URLs and plugin management routes, else an empty 404 with X-CPA-*.
  const plugin = env.noRoute(simRequest(req, method, sub, url, body, clientIp, {}))
  if (plugin) return finish(plugin.status, {...headers, ...lowerKeys(plugin.headers ?? {})}, plugin.body)
  return finish(404, headers, undefined)
}

function simRequest(req: IncomingMessage, method: string, path: string, url: URL, body: Buffer, clientIp: string, params: Record<string, string>): SimRequest {
  const lowered: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(req.headers)) lowered[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
  return {method, path, query: url.searchParams, headers: lowered, body, clientIp, params}
}

async function dispatch(
  env: HttpEnv,
  route: CompiledRoute,
  params: Record<string, string>,
  req: IncomingMessage,
  method: string,
  path: string,
  url: URL,
  body: Buffer,
  clientIp: string,
  headers: Record<string, string>,
  finish: (status: number, headers: Record<string, string>, payload: unknown, opts?: {drop?: boolean}) => Promise<void>,
): Promise<void> {
  let response: SimResponse
  try {
    response = await route.handler(simRequest(req, method, path, url, body, clientIp, params), env.context)
  } catch (error) {
    response = {status: 500, body: {error: `simulator route failed: ${(error as Error).message}`}}
  }
  return finish(response.status, {...headers, ...lowerKeys(response.headers ?? {})}, response.body, {drop: response.dropMidReply})
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v
  return out
}
