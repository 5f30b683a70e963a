/**
 * Where the gateway's management API lives: the two management bases (`/v0/management`, the v7 API also served
 * by v8 gateways; `/v8/management`, v8 only) and the normalisation of what a user types as the gateway URL.
 */
import {ConfigError} from '../cli/errors.js'
import type {ManagementApi} from './operations.js'
import type {RequestOptions} from './transport.js'

export const MANAGEMENT_BASE = '/v0/management'
export const MANAGEMENT_BASE_V8 = '/v8/management'
export const MANAGEMENT_BASES: Record<ManagementApi, string> = {v0: MANAGEMENT_BASE, v8: MANAGEMENT_BASE_V8}

export interface NormalizedUrl {
  origin: string
  /** The v0 management base (kept for messages and the raw `api` command). */
  managementBase: string
  host: string
  port: number
  tls: boolean
}

/** Accept `https://gw:8317`, `gw:8317`, or `…/v0/management[/]` / `…/v8/management[/]` and return the origin + management base. */
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
  for (const base of [MANAGEMENT_BASE, MANAGEMENT_BASE_V8]) if (prefix.endsWith(base)) prefix = prefix.slice(0, -base.length)
  const tls = url.protocol === 'https:'
  const port = url.port ? Number(url.port) : tls ? 443 : 80
  const origin = `${url.protocol}//${url.host}${prefix}`
  return {origin, managementBase: `${origin}${MANAGEMENT_BASE}`, host: url.hostname.replace(/^\[|\]$/g, ''), port, tls}
}

export function buildQuery(query: RequestOptions<unknown>['query']): string {
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
