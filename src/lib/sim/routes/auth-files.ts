/**
 * Auth files (`name` = file base name or auth ID; `auth_index` = 16 hex): list with `name`/`auth_index`
 * filters, models, download, upload (multipart with any number of parts, or raw JSON with `?name=`; 207 partial), delete
 * (repeatable `name`, JSON body, or `all`; 207 partial), PATCH status (file-backed, and the config-key
 * variant that toggles `*` in the key's `excluded-models`) and PATCH fields (canonicalisation table,
 * weight / request_retry validation).
 */
import {statSync} from 'node:fs'

import type {SimAccountRegistry, SimAuthFile} from '../account-types.js'
import {codexIdTokenClaims} from '../jwt.js'
import {modelOwner} from '../provider-models.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {goTime} from '../local-time.js'
import {baseName, fail, isUnsafeName, ok, registryOf, trimmed} from './http.js'
import {deleteAuthFiles} from './auth-files-delete.js'
import {patchFields} from './auth-files-fields.js'
import {patchStatus} from './auth-files-status.js'
import {refreshed} from './http.js'

function intValue(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v)
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim())
  return undefined
}

/** The file's last refresh (`last_refresh` and its spellings; RFC 3339 or unix seconds). */
export function lastRefreshMs(md: Record<string, unknown>): number | undefined {
  for (const key of ['last_refresh', 'lastRefresh', 'last_refreshed_at', 'lastRefreshedAt']) {
    const v = md[key]
    if (typeof v === 'string' && v.trim() !== '') {
      const ms = Date.parse(v.trim())
      if (!Number.isNaN(ms)) return ms
    }
    if (typeof v === 'number' && v > 0) return v * 1000
  }
  return undefined
}

/** One `GET /auth-files` list entry. */
export function authFileEntry(reg: SimAccountRegistry, f: SimAuthFile, now: number): Record<string, unknown> {
  const account = reg.byName(f.name)!
  const md = f.metadata
  const entry: Record<string, unknown> = {
    id: f.name,
    auth_index: account.authIndex,
    name: f.name,
    type: f.type,
    provider: f.type,
    label: trimmed(md.label) || trimmed(md.email) || f.type,
    status: f.status,
    status_message: f.statusMessage,
    disabled: md.disabled === true,
    // a refresh the provider rejected as unauthorized marks the auth unavailable (routes/credential-refresh.ts)
    unavailable: f.status === 'error',
    runtime_only: false,
    source: 'file',
    size: 0,
    success: account.success,
    failed: account.failed,
    recent_requests: reg.recentRequests(account.authIndex, now),
  }
  const email = trimmed(md.email)
  if (email) entry.email = email
  const projectId = trimmed(md.project_id)
  if (projectId) entry.project_id = projectId
  entry.account_type = 'oauth'
  if (email || projectId) entry.account = email || projectId
  entry.created_at = goTime(f.createdAt, reg.tzOffsetMinutes)
  entry.updated_at = goTime(f.updatedAt, reg.tzOffsetMinutes)
  const lr = lastRefreshMs(md)
  if (lr !== undefined) entry.last_refresh = goTime(lr, reg.tzOffsetMinutes)
  entry.path = f.path
  try {
    const st = statSync(f.path)
    entry.size = st.size
    entry.modtime = goTime(st.mtimeMs, reg.tzOffsetMinutes)
  } catch {
    entry.source = 'memory'
    entry.modtime = goTime(f.updatedAt, reg.tzOffsetMinutes)
  }
  if (f.type === 'codex') {
    const claims = codexIdTokenClaims(md.id_token)
    if (claims) entry.id_token = claims
  }
  const priority = intValue(md.priority)
  if (priority !== undefined) entry.priority = priority
  const note = trimmed(md.note)
  if (note) entry.note = note
  const weight = intValue(md.weight)
  if (weight !== undefined) entry.weight = weight
  if (typeof md.websockets === 'boolean') entry.websockets = md.websockets
  const retry = intValue(md.request_retry)
  if (retry !== undefined) entry.request_retry = retry
  return entry
}

/**
 * Later 8.0.x builds (`GET /credentials`, the same handler as v0 `GET /auth-files`): a top-level `observed_at`,
 * per-entry passive quota snapshots (`quota`, `model_quotas`), `supports_quota`, `quota_provider`, `cooldowns`, and optional
 * `page`/`page_size` pagination (`total`, `page`, `page_size`, `has_more`).
 */
function v8EraFields(entry: Record<string, unknown>): void {
  const codex = entry.provider === 'codex'
  // the passive quota headers were observed on the credential's last answer (here: its last update)
  entry.quota = codex ? {observed_at: entry.updated_at, signals: {}} : {signals: {}}
  entry.model_quotas = {}
  entry.supports_quota = codex
  if (codex) entry.quota_provider = 'codex'
  entry.cooldowns = {}
}

function positiveInt(raw: string | null): number | null | undefined {
  if (raw === null) return undefined
  return /^\d+$/.test(raw.trim()) && Number(raw.trim()) >= 1 ? Number(raw.trim()) : null
}

function listAuthFiles(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const name = (req.query.get('name') ?? '').trim()
  const authIndex = (req.query.get('auth_index') ?? '').trim()
  const later = sim.v8Revision === 'later'
  const page = later ? positiveInt(req.query.get('page')) : undefined
  const pageSize = later ? positiveInt(req.query.get('page_size')) : undefined
  if (page === null || pageSize === null) return fail(400, 'page must be a positive integer')
  const observedAt = goTime(sim.now(), reg.tzOffsetMinutes)
  const files = reg
    .files()
    .map((f) => authFileEntry(reg, f, sim.now()))
    .filter((e) => (name === '' || e.id === name || e.name === name) && (authIndex === '' || e.auth_index === authIndex))
    .sort((a, b) => {
      const x = String(a.name).toLowerCase()
      const y = String(b.name).toLowerCase()
      return x < y ? -1 : x > y ? 1 : 0
    })
  if (!later) return ok({files})
  for (const e of files) v8EraFields(e)
  if (page === undefined && pageSize === undefined) return ok({observed_at: observedAt, files})
  const size = pageSize ?? 50
  const p = page ?? 1
  const slice = files.slice((p - 1) * size, p * size)
  return ok({observed_at: observedAt, files: slice, total: files.length, page: p, page_size: size, has_more: p * size < files.length})
}

const MODEL_TYPE: Record<string, string> = {codex: 'openai', claude: 'claude', vertex: 'gemini', gemini: 'gemini', antigravity: 'antigravity', xai: 'xai'}

function authFileModels(req: SimRequest, sim: SimContext): SimResponse {
  const name = req.query.get('name') ?? ''
  if (name === '') return fail(400, 'name is required')
  const account = registryOf(sim).byName(name)
  // unknown name: the gateway falls back to the name as client id and finds no registered models
  if (!account || account.disabled) return ok({models: []})
  return ok({
    models: account.models.map((id) => ({
      id,
      display_name: id,
      type: MODEL_TYPE[account.provider] ?? account.provider,
      owned_by: modelOwner(account.provider),
    })),
  })
}

function downloadAuthFile(req: SimRequest, sim: SimContext): SimResponse {
  const name = (req.query.get('name') ?? '').trim()
  if (isUnsafeName(name)) return fail(400, 'invalid name')
  if (!name.toLowerCase().endsWith('.json')) return fail(400, 'name must end with .json')
  const data = registryOf(sim).fileContent(name)
  if (!data) return fail(404, 'file not found')
  return {
    status: 200,
    headers: {'content-type': 'application/json', 'content-disposition': `attachment; filename="${name}"`},
    body: data,
  }
}

interface UploadPart {
  name: string
  data: Buffer
}

/** File parts of a multipart body, ordered like the gateway: by field name (sorted), then in order. */
async function multipartFiles(req: SimRequest): Promise<UploadPart[] | {error: string}> {
  const contentType = req.headers['content-type'] ?? ''
  let form: FormData
  try {
    form = await new Response(req.body, {headers: {'content-type': contentType}}).formData()
  } catch (error) {
    return {error: `invalid multipart form: ${(error as Error).message}`}
  }
  const byField = new Map<string, UploadPart[]>()
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') continue
    const list = byField.get(field) ?? []
    list.push({name: value.name, data: Buffer.from(await value.arrayBuffer())})
    byField.set(field, list)
  }
  return [...byField.keys()].sort().flatMap((k) => byField.get(k)!)
}

function storeUpload(reg: SimAccountRegistry, filename: string, data: Buffer): {ok: true; name: string} | {ok: false; status: number; error: string} {
  const name = baseName(filename)
  if (!name.toLowerCase().endsWith('.json')) return {ok: false, status: 400, error: 'file must be .json'}
  const result = reg.upload(name, data)
  if (!result.ok) return {ok: false, status: 500, error: result.error}
  return {ok: true, name}
}

async function uploadAuthFiles(req: SimRequest, sim: SimContext): Promise<SimResponse> {
  const reg = registryOf(sim)
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (contentType === 'multipart/form-data') {
    const parts = await multipartFiles(req)
    if (!Array.isArray(parts)) return fail(400, parts.error)
    if (parts.length === 0) return fail(400, 'no files uploaded')
    if (parts.length === 1) {
      const r = storeUpload(reg, parts[0]!.name, parts[0]!.data)
      if (r.ok) refreshed(sim)
      return r.ok ? ok() : fail(r.status, r.error)
    }
    const uploaded: string[] = []
    const failed: Array<{name: string; error: string}> = []
    for (const part of parts) {
      const r = storeUpload(reg, part.name, part.data)
      if (r.ok) uploaded.push(r.name)
      else failed.push({name: baseName(part.name), error: r.error})
    }
    if (uploaded.length > 0) refreshed(sim)
    if (failed.length > 0) return ok({status: 'partial', uploaded: uploaded.length, files: uploaded, failed}, 207)
    return ok({status: 'ok', uploaded: uploaded.length, files: uploaded})
  }
  const name = (req.query.get('name') ?? '').trim()
  if (isUnsafeName(name)) return fail(400, 'invalid name')
  if (!name.toLowerCase().endsWith('.json')) return fail(400, 'name must end with .json')
  const result = reg.upload(name, req.body)
  if (!result.ok) return fail(500, result.error)
  refreshed(sim)
  return ok()
}

export const authFileRoutes: SimRoute[] = [
  {method: 'GET', path: '/auth-files', handler: listAuthFiles},
  {method: 'GET', path: '/auth-files/models', handler: authFileModels},
  {method: 'GET', path: '/auth-files/download', handler: downloadAuthFile},
  {method: 'POST', path: '/auth-files', handler: uploadAuthFiles},
  {method: 'DELETE', path: '/auth-files', handler: deleteAuthFiles},
  {method: 'PATCH', path: '/auth-files/status', handler: patchStatus},
  {method: 'PATCH', path: '/auth-files/fields', handler: patchFields},
]
