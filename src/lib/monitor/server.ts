/**
 * `cpactl metrics --listen`: a read-only HTTP exporter. GET/HEAD /metrics renders the store as it is at that
 * moment (concurrent scrapes share one rendering), negotiating OpenMetrics or the Prometheus text format from
 * the Accept header; nothing else is served. It binds to loopback unless --listen-public allows another
 * address, and stops when the signal fires (SIGTERM/SIGINT).
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import {isIP} from 'node:net'

import {UsageError} from '../cli/errors.js'
import type {Exposition, ExpositionFormat} from './exposition.js'

export interface ListenAddress {
  host: string
  port: number
  loopback: boolean
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** `9464`, `:9464`, `HOST:9464` or `[V6]:9464`; a missing host is 127.0.0.1 (loopback, not every interface). */
export function parseListen(text: string): ListenAddress {
  const t = text.trim()
  const invalid = (why = '') =>
    new UsageError(`invalid --listen '${text}'${why}: use PORT, HOST:PORT or [IPv6]:PORT, e.g. 127.0.0.1:9464`, {code: 'invalid_listen'})
  const m = /^\d{1,5}$/.test(t) ? [t, '', t] : (/^\[([^\]]+)\]:(\d{1,5})$/.exec(t) ?? /^([^:[\]]*):(\d{1,5})$/.exec(t))
  if (!m) throw invalid()
  const port = Number(m[2])
  if (port > 65_535) throw invalid(' (port above 65535)')
  if (t.startsWith('[') && isIP(m[1]) !== 6) throw invalid(` ([${m[1]}] is not an IPv6 address)`)
  const host = m[1] || '127.0.0.1'
  return {host, port, loopback: isLoopback(host)}
}

/** The format a scraper asks for: OpenMetrics when its Accept header prefers it, else `fallback` for * / *. */
export function negotiate(accept: string | undefined, fallback: ExpositionFormat): ExpositionFormat {
  if (!accept) return fallback
  let om = -1
  let text = -1
  let any = -1
  for (const part of accept.split(',')) {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    const qp = params.find((p) => p.startsWith('q='))
    const q = qp ? Number(qp.slice(2)) : 1
    if (!Number.isFinite(q)) continue
    if (type === 'application/openmetrics-text') om = Math.max(om, q)
    else if (type === 'text/plain') text = Math.max(text, q)
    else if (type === '*/*' || type === 'text/*') any = Math.max(any, q)
  }
  if (om > 0 && om >= text) return 'openmetrics'
  if (text > 0) return 'prometheus'
  return any > 0 ? fallback : 'prometheus'
}

export interface ServeOptions {
  address: ListenAddress
  /** --listen-public: allow an address other than loopback. */
  allowPublic: boolean
  /** Format for scrapers that accept anything. */
  defaultFormat: ExpositionFormat
  render: (format: ExpositionFormat) => Promise<Exposition>
  signal: AbortSignal
  onListening?: (url: string) => void
  /** A scrape failed (store missing, unreadable …): said once per distinct message. */
  onError?: (message: string) => void
}

export interface ServeResult {
  url: string
  scrapes: number
  failedScrapes: number
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string>, head: boolean): void {
  res.writeHead(status, {'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers})
  res.end(head ? undefined : body)
}

export async function serveMetrics(o: ServeOptions): Promise<ServeResult> {
  if (!o.address.loopback && !o.allowPublic) {
    throw new UsageError(`--listen ${o.address.host} is not a loopback address: the exporter serves usage, cost and account data without authentication`, {
      code: 'listen_not_loopback',
      hint: 'bind to 127.0.0.1 (and put an authenticating proxy in front), or pass --listen-public if the network is trusted',
    })
  }
  const inflight = new Map<ExpositionFormat, Promise<Exposition>>()
  const result = {url: '', scrapes: 0, failedScrapes: 0}
  let lastError: string | null = null
  const scrape = (format: ExpositionFormat) => {
    let p = inflight.get(format)
    if (!p) {
      p = o.render(format).finally(() => inflight.delete(format))
      inflight.set(format, p)
    }
    return p
  }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]
    const head = req.method === 'HEAD'
    if (req.method !== 'GET' && !head) return send(res, 405, 'method not allowed\n', {allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8'}, false)
    if (path === '/') return send(res, 200, 'cpactl metrics exporter: scrape /metrics\n', {'content-type': 'text/plain; charset=utf-8'}, head)
    if (path !== '/metrics') return send(res, 404, 'not found: scrape /metrics\n', {'content-type': 'text/plain; charset=utf-8'}, head)
    try {
      const exp = await scrape(negotiate(req.headers.accept, o.defaultFormat))
      result.scrapes++
      lastError = null
      send(res, 200, exp.text, {'content-type': exp.contentType}, head)
    } catch (error) {
      result.failedScrapes++
      const message = (error as Error).message
      if (message !== lastError) o.onError?.(message)
      lastError = message
      send(res, 503, `cpactl cannot read the store: ${message}\n`, {'content-type': 'text/plain; charset=utf-8'}, head)
    }
  }
  const server = createServer((req, res) => void handle(req, res))
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new UsageError(`cannot listen on ${o.address.host}:${o.address.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}`, {
          code: 'listen_failed',
        }),
      ),
    )
    server.listen(o.address.port, o.address.host, () => resolve())
  })
  const bound = server.address()
  const port = typeof bound === 'object' && bound ? bound.port : o.address.port
  const host = o.address.host.includes(':') ? `[${o.address.host}]` : o.address.host
  result.url = `http://${host}:${port}/metrics`
  o.onListening?.(result.url)
  await new Promise<void>((resolve) => {
    const stop = () => {
      server.close(() => resolve())
      server.closeAllConnections()
    }
    if (o.signal.aborted) stop()
    else o.signal.addEventListener('abort', stop, {once: true})
  })
  return result
}
