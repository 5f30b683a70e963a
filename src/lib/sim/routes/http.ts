/**
 * Small helpers shared by the management-surface route handlers (the gateway's conventions: JSON errors,
 * `{"value":…}` simple settings, list PUTs as a bare array or `{"items":[...]}`).
 */
import type {SimAccountRegistry} from '../account-types.js'
import type {SimContext, SimRequest, SimResponse} from '../types.js'

/** `{"error": message}` with a status (the gateway's errors are JSON `{"error":"..."}`, some with `"message"`). */
export function fail(status: number, error: string, extra?: Record<string, unknown>): SimResponse {
  return {status, body: {error, ...extra}}
}

export function ok(body: unknown = {status: 'ok'}, status = 200): SimResponse {
  return {status, body}
}

export type JsonResult = {ok: true; value: unknown} | {ok: false}

/** Parse the request body as JSON (Go `ShouldBindJSON`: an empty body is an error too). */
export function parseJson(req: SimRequest): JsonResult {
  const text = req.body.toString('utf8').trim()
  if (text === '') return {ok: false}
  try {
    return {ok: true, value: JSON.parse(text) as unknown}
  } catch {
    return {ok: false}
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** The value of the one ':param' segment of a route: the last path segment, URL-decoded. */
export function lastSegment(req: SimRequest): string {
  const fromCore = req.params ? Object.values(req.params)[0] : undefined
  if (fromCore !== undefined) return fromCore
  const parts = req.path.split('/')
  const raw = parts[parts.length - 1] ?? ''
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

/** The management surface needs the full registry created by `createAccountRegistry`. */
export function registryOf(sim: SimContext): SimAccountRegistry {
  const reg = sim.accounts as Partial<SimAccountRegistry>
  if (typeof reg.files !== 'function' || reg.logs === undefined) {
    throw new Error('simulator: sim.accounts must be created by createAccountRegistry() (src/lib/sim/accounts.ts)')
  }
  return reg as SimAccountRegistry
}

/** Go's `strings.TrimSpace` on an unknown value that should be a string. */
export function trimmed(value: unknown): string {
  return typeof value === 'string' ? value.trim() : ''
}

/** Go `fmt.Sscanf("%d")`-style integer parse of a query value (leading integer, optional sign). */
export function scanInt(raw: string | null): number | undefined {
  if (raw === null) return undefined
  const m = /^\s*([+-]?\d+)/.exec(raw)
  return m ? Number(m[1]) : undefined
}

/** An auth-file change reloads clients: subscribers get `{"refresh":true}` (pushed whenever the gateway reloads clients). Config edits notify by themselves. */
export function refreshed(sim: SimContext): void {
  sim.notifyRefresh?.()
}

/** An auth-file name that is empty or holds a path separator. */
export function isUnsafeName(name: string): boolean {
  return name.trim() === '' || name.includes('/') || name.includes('\\')
}

/** The last path element of an uploaded file name. */
export function baseName(filename: string): string {
  const parts = filename.trim().split(/[/\\]/)
  return parts[parts.length - 1] ?? ''
}
