/** PATCH /auth-files/fields: the field canonicalisation table and weight / request_retry validation. */
import {fail, isRecord, ok, parseJson, refreshed, registryOf} from './http.js'
import type {SimContext, SimRequest, SimResponse} from '../types.js'
/** PATCH /auth-files/fields stores legacy kebab root keys under their snake_case names. */
export const FIELD_CANONICAL: Record<string, string> = {
  'api-key': 'api_key',
  'base-url': 'base_url',
  'proxy-url': 'proxy_url',
  'excluded-models': 'excluded_models',
  'model-aliases': 'model_aliases',
  'request-retry': 'request_retry',
  'disable-cooling': 'disable_cooling',
  'request-scoped-errors': 'request_scoped_errors',
  'fingerprint-profile': 'fingerprint_profile',
  'tool-prefix-disabled': 'tool_prefix_disabled',
}

export function canonicalPath(key: string): string {
  const parts = key
    .trim()
    .split('.')
    .map((p) => p.trim())
  parts[0] = FIELD_CANONICAL[parts[0]!] ?? parts[0]!
  return parts.join('.')
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): string | undefined {
  const parts = path.split('.').map((p) => p.trim())
  if (parts.some((p) => p === '')) return `invalid field path: ${path}`
  let cur = target
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]!]
    if (!isRecord(next)) cur[parts[i]!] = {}
    cur = cur[parts[i]!] as Record<string, unknown>
  }
  cur[parts[parts.length - 1]!] = value
  return undefined
}

export function patchFields(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid request body')
  const body = parsed.value
  if (typeof body.name !== 'string' || body.name.trim() === '') return fail(400, 'name is required')
  const name = body.name.trim()

  // canonicalise; two keys landing on the same field are rejected
  const fields = new Map<string, {original: string; value: unknown}>()
  for (const [key, value] of Object.entries(body)) {
    if (key === 'name') continue
    const path = canonicalPath(key)
    const seen = fields.get(path)
    if (seen) return fail(400, `auth file fields "${seen.original}" and "${key}" refer to the same field`)
    fields.set(path, {original: key, value})
  }
  // request_retry: integer or null; negative or null deletes
  let retry: {set: boolean; value?: number} = {set: false}
  for (const [path, {value}] of fields) {
    const root = path.split('.')[0]
    if (root === 'request_retry' && path !== 'request_retry') return fail(400, 'request_retry does not support nested fields')
    if (path === 'request_retry') {
      if (value === null) retry = {set: true}
      else if (typeof value === 'number' && Number.isInteger(value)) retry = value < 0 ? {set: true} : {set: true, value}
      else return fail(400, 'request_retry must be an integer or null')
    }
  }
  fields.delete('request_retry')

  const file = reg.file(name)
  if (!file) return fail(404, 'auth file not found')
  const md: Record<string, unknown> = structuredClone(file.metadata)
  // stored files are normalised: legacy kebab root keys become snake_case
  for (const [legacy, canonical] of Object.entries(FIELD_CANONICAL)) {
    if (legacy in md) {
      if (!(canonical in md)) md[canonical] = md[legacy]
      delete md[legacy]
    }
  }

  let changed = false
  for (const [path, {value}] of fields) {
    if (path.trim() === '') return fail(400, 'field name is required')
    const root = path.split('.')[0]
    if (path === 'weight') {
      // (corrected 2026-12) an integer or null; ≤ 0 is stored as 0 (excluded from weighted round-robin)
      if (value === null) delete md.weight
      else {
        if (typeof value !== 'number') return fail(400, 'weight must be an integer')
        if (!Number.isInteger(value)) return fail(400, `weight must be an integer: ${value}`)
        if (value > 1_000_000) return fail(400, 'weight must not exceed 1000000')
        md.weight = Math.max(0, value)
      }
    } else if (root === 'weight') {
      return fail(400, 'weight does not support nested fields')
    } else if (path === 'headers') {
      if (isRecord(value) && Object.values(value).every((v) => typeof v === 'string')) {
        const headers: Record<string, string> = isRecord(md.headers)
          ? Object.fromEntries(Object.entries(md.headers).filter((e): e is [string, string] => typeof e[1] === 'string'))
          : {}
        for (const [h, v] of Object.entries(value as Record<string, string>)) {
          const hn = h.trim()
          if (hn === '') continue
          if (v.trim() === '') delete headers[hn]
          else headers[hn] = v.trim()
        }
        if (Object.keys(headers).length === 0) delete md.headers
        else md.headers = headers
      } else {
        md.headers = value
      }
    } else {
      const err = setPath(md, path, value)
      if (err) return fail(400, err)
    }
    changed = true
  }
  if (retry.set) {
    if (retry.value === undefined) delete md.request_retry
    else md.request_retry = retry.value
    changed = true
  }
  if (!changed) return fail(400, 'no fields to update')
  reg.writeMetadata(file.name, md)
  refreshed(sim)
  return ok()
}
