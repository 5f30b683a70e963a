/**
 * Which management API a gateway speaks, probed with the real key (a request with an empty key counts as a
 * failed attempt toward the 5-strike IP ban) in at most two requests, and cached per gateway
 * URL in cpactl's cache dir for a few minutes so a new gateway version is picked up soon:
 *
 *   1. `GET /v0/management/config` with the key. 200 ⇒ read `X-CPA-VERSION`: major ≥ 8 ⇒ v8, a known older
 *      version ⇒ v0. An unknown version (`dev`, a bare SHA, no header) ⇒ step 2. A bare 404 ⇒ /healthz decides
 *      between "management disabled or Home mode" (exit 3) and "gateway down" (exit 5); 401/403 stop (exit 4).
 *   2. `GET /v8/management/config/config-version` with the key: 200 with `X-CPA-*` ⇒ v8; a bare 404 ⇒ v0.
 */
import {mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import type {GatewayResponse, RequestClient} from './transport.js'
import type {ManagementApi} from './operations.js'
import {parseGatewayVersion} from './version.js'

export interface ApiInfo {
  api: ManagementApi
  /** X-CPA-VERSION as sent (null when the gateway sent none). */
  version: string | null
  /** Major version when the version string says it, else null (`dev`, a bare SHA). */
  major: number | null
  /** probe: asked the gateway in this run; cache: from the cache file. */
  source: 'probe' | 'cache'
  /** true when the version said nothing and the v8 route itself was probed. */
  featureProbed: boolean
  /** true when a response contradicted the cached API (the gateway changed major version). */
  stale?: boolean
  /** When the probe ran (ms since epoch). */
  checkedAt: number
}

/** How long a probe result is trusted (a new gateway version is picked up within this time). */
export const API_CACHE_TTL_MS = 5 * 60 * 1000
const CACHE_FILE = 'gateway-api.json'

type CacheEntry = {
  api: ManagementApi
  version: string | null
  major: number | null
  featureProbed: boolean
  checkedAt: number
  /** Result of the last ban-safe RESP probe (AUTH only): does this gateway serve the RESP usage output? */
  resp?: {served: boolean; checkedAt: number}
}
type CacheFile = Record<string, CacheEntry>

function readCache(dir: string): CacheFile {
  try {
    const data = JSON.parse(readFileSync(join(dir, CACHE_FILE), 'utf8')) as unknown
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as CacheFile) : {}
  } catch {
    return {}
  }
}

function writeCache(dir: string, origin: string, info: ApiInfo, now: number): void {
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    const all = readCache(dir)
    for (const [k, v] of Object.entries(all)) if (!v || now - v.checkedAt > API_CACHE_TTL_MS) delete all[k]
    const resp = all[origin]?.version === info.version ? all[origin]?.resp : undefined
    all[origin] = {api: info.api, version: info.version, major: info.major, featureProbed: info.featureProbed, checkedAt: info.checkedAt, ...(resp ? {resp} : {})}
    saveCache(dir, all)
  } catch {
    // a cache that cannot be written only costs a probe next time
  }
}

function saveCache(dir: string, all: CacheFile): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const tmp = join(dir, `${CACHE_FILE}.${process.pid}.tmp`)
  writeFileSync(tmp, JSON.stringify(all, null, 2) + '\n', {mode: 0o600})
  renameSync(tmp, join(dir, CACHE_FILE))
}

/**
 * Remember what a ban-safe RESP probe (status, doctor, collect --transport resp) found, next to the API of
 * the same gateway version. `collect --transport auto` opens RESP on a v8 gateway only when this says served.
 */
export function rememberRespProbe(dir: string | undefined, origin: string, served: boolean, now = Date.now()): void {
  if (!dir) return
  try {
    const all = readCache(dir)
    if (!all[origin]) return
    all[origin].resp = {served, checkedAt: now}
    saveCache(dir, all)
  } catch {
    // only a lost hint
  }
}

/** The last RESP probe result for a gateway (true/false), or null when none is recent (same TTL as the API). */
export function cachedRespProbe(dir: string | undefined, origin: string, now = Date.now()): boolean | null {
  if (!dir) return null
  const resp = readCache(dir)[origin]?.resp
  if (!resp || now - resp.checkedAt > API_CACHE_TTL_MS) return null
  return resp.served
}

/** Forget the cached API of one gateway (after a contradiction). */
export function forgetCachedApi(dir: string | undefined, origin: string): void {
  if (!dir) return
  const all = readCache(dir)
  if (!(origin in all)) return
  delete all[origin]
  try {
    saveCache(dir, all)
  } catch {
    // ignore
  }
}

export interface DetectOptions {
  cacheDir?: string
  now?: () => number
  /** Ignore the cache file (status/doctor read it but always tell where the answer came from). */
  noCache?: boolean
}

export interface Detection {
  info: ApiInfo
  /** The answer of step 1 (`GET /v0/management/config`) when a probe ran: the effective config, reusable once. */
  probe: GatewayResponse<unknown> | null
}

export async function detectManagementApi(client: RequestClient, options: DetectOptions = {}): Promise<Detection> {
  const now = options.now ?? Date.now
  const origin = client.url.origin
  if (options.cacheDir && !options.noCache) {
    const hit = readCache(options.cacheDir)[origin]
    if (hit && (hit.api === 'v8' || hit.api === 'v0') && now() - hit.checkedAt >= 0 && now() - hit.checkedAt <= API_CACHE_TTL_MS) {
      return {info: {api: hit.api, version: hit.version ?? null, major: hit.major ?? null, featureProbed: Boolean(hit.featureProbed), checkedAt: hit.checkedAt, source: 'cache'}, probe: null}
    }
  }
  // step 1: the one route every version has, with the key (errors map as usual: 401/403, bare 404 ⇒ healthz)
  const first = await client.request({path: '/config', api: 'v0', retry: true})
  const version = first.headers['x-cpa-version'] ?? null
  const parsed = parseGatewayVersion(version)
  let info: ApiInfo
  if (parsed.known) {
    info = {api: parsed.major! >= 8 ? 'v8' : 'v0', version, major: parsed.major, featureProbed: false, source: 'probe', checkedAt: now()}
  } else {
    // step 2: the version says nothing (dev, a bare SHA, no header): probe the v8 route itself
    const second = await client.request({path: '/config/config-version', api: 'v8', passStatuses: [404], retry: true})
    const hasHeaders = 'x-cpa-version' in second.headers || 'x-cpa-commit' in second.headers
    // 200 `8` with X-CPA-* ⇒ the v8 routes exist; a bare 404 (no X-CPA-*, no auth on v7) ⇒ v7
    const v8 = second.status === 200 || hasHeaders
    info = {api: v8 ? 'v8' : 'v0', version, major: null, featureProbed: true, source: 'probe', checkedAt: now()}
  }
  if (options.cacheDir) writeCache(options.cacheDir, origin, info, now())
  return {info, probe: first}
}
