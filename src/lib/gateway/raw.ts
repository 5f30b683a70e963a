/**
 * `cpactl api`: the raw escape hatch. Path relative to /v0/management unless it starts
 * with '/' (then relative to the origin). Never retried: the ban counter, and /usage-queue pops destructively.
 */
import {readFileSync} from 'node:fs'

import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from './client.js'
import {MANAGEMENT_BASE, MANAGEMENT_BASE_V8} from './url.js'
import type {ManagementApi} from './operations.js'

export interface RawCall {
  method: string
  path: string
  /** Inline JSON, `@file`, or `-` (stdin text already read by the caller). */
  data?: string
  stdinText?: string
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** Non-GET methods and a GET of the usage queue (v0 /usage-queue, v8 /observability/usage/queue) change state: they need --yes. */
export function needsConfirmation(method: string, path: string): boolean {
  const m = method.toUpperCase()
  if (m !== 'GET' && m !== 'HEAD') return true
  return /(^|\/)(usage-queue|observability\/usage\/queue)(\?|$)/.test(path.replace(/\/+$/, ''))
}

/**
 * `config` ⇒ /v0/management/config (relative paths stay on v0, whatever the gateway speaks, so a script means the
 * same route everywhere); `/v0/management/…` and `/v8/management/…` are management paths (sent with the key);
 * any other `/path` is an origin path (sent without it, e.g. /healthz).
 */
export function resolveRawPath(path: string): {path: string; absolute: boolean; api: ManagementApi; query: Record<string, string>} {
  const [p, q = ''] = path.split('?', 2)
  const query = Object.fromEntries(new URLSearchParams(q))
  for (const [api, base] of [['v0', MANAGEMENT_BASE], ['v8', MANAGEMENT_BASE_V8]] as const) {
    if (p.startsWith(base + '/') || p === base) return {path: p.slice(base.length) || '/', absolute: false, api, query}
  }
  if (p.startsWith('/')) return {path: p, absolute: true, api: 'v0', query}
  return {path: `/${p}`, absolute: false, api: 'v0', query}
}

function readBody(data: string | undefined, stdinText: string | undefined): {body?: string; contentType?: string} {
  if (data === undefined) return {}
  let text: string
  if (data === '-') text = stdinText ?? ''
  else if (data.startsWith('@')) {
    try {
      text = readFileSync(data.slice(1), 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${data.slice(1)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
    }
  } else text = data
  let contentType = 'application/json'
  try {
    JSON.parse(text)
  } catch {
    contentType = /^\s*[\w-]+\s*:/m.test(text) ? 'application/yaml' : 'text/plain'
  }
  return {body: text, contentType}
}

export async function rawApiCall(client: GatewayClient, call: RawCall): Promise<RawResponse> {
  const target = resolveRawPath(call.path)
  const {body, contentType} = readBody(call.data, call.stdinText)
  const all4xx5xx = Array.from({length: 200}, (_, i) => 400 + i).filter((s) => s !== 401 && s !== 403)
  const res = await client.request<Buffer>({
    method: call.method.toUpperCase(),
    path: target.path,
    absolute: target.absolute,
    api: target.api,
    noAuth: target.absolute,
    query: target.query,
    body,
    contentType,
    responseType: 'buffer',
    retry: false,
    passStatuses: all4xx5xx,
  })
  return {status: res.status, headers: res.headers, body: res.data}
}
