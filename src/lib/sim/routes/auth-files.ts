/**
 * Auth files (cpa-gateway.md §3.5, identifiers §9.2): list with `name`/`auth_index` filters, models,
 * download, upload (multipart with any number of parts, or raw JSON with `?name=`; 207 partial), delete
 * (repeatable `name`, JSON body, or `all`; 207 partial), PATCH status (file-backed, and the config-key
 * variant of §3.3) and PATCH fields (canonicalisation table, weight / request_retry validation).
 */
import {createHash} from 'node:crypto'
import {statSync} from 'node:fs'

import type {SimAccountRegistry, SimAuthFile} from '../account-types.js'
import {codexIdTokenClaims} from '../jwt.js'
import {modelOwner} from '../provider-models.js'
import type {SimAccount, SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {goTime} from '../local-time.js'
import {fail, isRecord, ok, parseJson, registryOf, trimmed} from './http.js'

/** An auth-file change reloads clients: subscribers get `{"refresh":true}` (§5.5). Config edits notify by themselves. */
function refreshed(sim: SimContext): void {
  sim.notifyRefresh?.()
}

// ---------------------------------------------------------------------------------------------------------
// GET /auth-files
// ---------------------------------------------------------------------------------------------------------

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

/** One §3.5 list entry. */
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
 * Later 8.0.x builds (cpa-gateway-v8.md §0.1, §2.6): a top-level `observed_at`, per-entry passive quota
 * snapshots (`quota`, `model_quotas`), `supports_quota`, `quota_provider`, `cooldowns`, and optional
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

// ---------------------------------------------------------------------------------------------------------
// GET /auth-files/models, /auth-files/download
// ---------------------------------------------------------------------------------------------------------

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

function isUnsafeName(name: string): boolean {
  return name.trim() === '' || name.includes('/') || name.includes('\\')
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

// ---------------------------------------------------------------------------------------------------------
// POST /auth-files
// ---------------------------------------------------------------------------------------------------------

interface UploadPart {
  name: string
  data: Buffer
}

function baseName(filename: string): string {
  const parts = filename.trim().split(/[/\\]/)
  return parts[parts.length - 1] ?? ''
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

// ---------------------------------------------------------------------------------------------------------
// DELETE /auth-files
// ---------------------------------------------------------------------------------------------------------

function uniqueNames(names: unknown[]): string[] {
  const out: string[] = []
  for (const n of names) {
    if (typeof n !== 'string') continue
    const t = n.trim()
    if (t !== '' && !out.includes(t)) out.push(t)
  }
  return out
}

function deleteOne(reg: SimAccountRegistry, raw: string): {ok: true; name: string} | {ok: false; status: number; error: string; name: string} {
  const name = raw.trim()
  if (isUnsafeName(name)) return {ok: false, status: 400, error: 'invalid name', name}
  const f = reg.file(name)
  const target = f?.name ?? baseName(name)
  if (!reg.remove(target)) return {ok: false, status: 404, error: 'auth file not found', name: baseName(name)}
  return {ok: true, name: target}
}

function deleteAuthFiles(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const all = req.query.get('all')
  if (all === 'true' || all === '1' || all === '*') {
    const deleted = reg.removeAll()
    if (deleted > 0) refreshed(sim)
    return ok({status: 'ok', deleted})
  }

  let names = uniqueNames(req.query.getAll('name'))
  if (names.length === 0) {
    const text = req.body.toString('utf8').trim()
    if (text !== '') {
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return fail(400, 'invalid request body')
      }
      if (Array.isArray(body)) {
        if (!body.every((n) => typeof n === 'string')) return fail(400, 'invalid request body')
        names = uniqueNames(body)
      } else if (isRecord(body)) {
        const list: unknown[] = []
        if (typeof body.name === 'string' && body.name.trim() !== '') list.push(body.name)
        if (Array.isArray(body.names)) list.push(...body.names)
        names = uniqueNames(list)
      } else {
        return fail(400, 'invalid request body')
      }
    }
  }
  if (names.length === 0) return fail(400, 'invalid name')
  if (names.length === 1) {
    const r = deleteOne(reg, names[0]!)
    if (r.ok) refreshed(sim)
    return r.ok ? ok() : fail(r.status, r.error)
  }
  const deleted: string[] = []
  const failed: Array<{name: string; error: string}> = []
  for (const n of names) {
    const r = deleteOne(reg, n)
    if (r.ok) deleted.push(r.name)
    else failed.push({name: n, error: r.error})
  }
  if (deleted.length > 0) refreshed(sim)
  if (failed.length > 0) return ok({status: 'partial', deleted: deleted.length, files: deleted, failed}, 207)
  return ok({status: 'ok', deleted: deleted.length, files: deleted})
}

// ---------------------------------------------------------------------------------------------------------
// PATCH /auth-files/status
// ---------------------------------------------------------------------------------------------------------

const CONFIG_DISABLE_PATTERN = '*'

/** Synthesizer kind of a config-key family (§3.3 corrected). */
const AUTH_ID_KIND: Record<string, string> = {
  'gemini-api-key': 'gemini:apikey',
  'interactions-api-key': 'gemini-interactions:apikey',
  'claude-api-key': 'claude:apikey',
  'codex-api-key': 'codex:apikey',
  'xai-api-key': 'xai:apikey',
  'vertex-api-key': 'vertex:apikey',
}

/**
 * The gateway's internal auth ID of a config API key (§3.3 corrected): `<kind>:<h>`, `<h>` = the first 12 hex
 * of SHA-256 over `<kind>` followed, per part, by a 0x00 byte and the trimmed part (api-key, base-url,
 * proxy-url, prefix, headers sorted by name as `name 0x00 value 0x00`; vertex and openai-compatibility:
 * api-key, base-url, proxy-url only); a second identical entry of a kind gets `-1`, a third `-2`, …
 * No endpoint returns these IDs.
 */
export function configAuthIds(config: Record<string, unknown>): Map<string, {family: string; index: number; keyIndex: number}> {
  const out = new Map<string, {family: string; index: number; keyIndex: number}>()
  const seen = new Map<string, number>()
  const add = (kind: string, parts: string[], ref: {family: string; index: number; keyIndex: number}) => {
    const h = createHash('sha256')
    h.update(kind)
    for (const p of parts) h.update(Buffer.concat([Buffer.from([0]), Buffer.from(p.trim())]))
    let id = `${kind}:${h.digest('hex').slice(0, 12)}`
    const n = seen.get(id) ?? 0
    seen.set(id, n + 1)
    if (n > 0) id = `${id}-${n}`
    out.set(id, ref)
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : '')
  const headers = (v: unknown) =>
    isRecord(v)
      ? Object.keys(v)
          .sort()
          .map((k) => `${k}\u0000${str(v[k])}\u0000`)
          .join('')
      : ''
  for (const [family, kind] of Object.entries(AUTH_ID_KIND)) {
    const list = config[family]
    if (!Array.isArray(list)) continue
    list.forEach((e, index) => {
      if (!isRecord(e)) return
      const parts = family === 'vertex-api-key' ? [str(e['api-key']), str(e['base-url']), str(e['proxy-url'])] : [str(e['api-key']), str(e['base-url']), str(e['proxy-url']), str(e.prefix), headers(e.headers)]
      add(kind, parts, {family, index, keyIndex: -1})
    })
  }
  const compat = config['openai-compatibility']
  if (Array.isArray(compat)) {
    compat.forEach((e, index) => {
      if (!isRecord(e)) return
      const kind = `openai-compatibility:${str(e.name).toLowerCase()}`
      const keys = Array.isArray(e['api-key-entries']) ? e['api-key-entries'] : []
      keys.forEach((k, keyIndex) => add(kind, [str(isRecord(k) ? k['api-key'] : ''), str(e['base-url']), str(isRecord(k) ? k['proxy-url'] : '')], {family: 'openai-compatibility', index, keyIndex}))
    })
  }
  return out
}

/** §3.3 "Disabling a config key via the auth-file API": toggle `*` in the entry's `excluded-models`. */
function toggleConfigKey(sim: SimContext, family: string, index: number, disabled: boolean): boolean {
  const list = sim.config()[family]
  if (!Array.isArray(list) || !isRecord(list[index])) return false
  const next = list.map((e) => structuredClone(e) as Record<string, unknown>)
  const entry = next[index]!
  const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]).filter((m) => m !== CONFIG_DISABLE_PATTERN) : []
  if (disabled) excluded.push(CONFIG_DISABLE_PATTERN)
  if (excluded.length > 0) entry['excluded-models'] = excluded
  else delete entry['excluded-models']
  sim.setConfigValue(family, next)
  return true
}

/**
 * PATCH /auth-files/status (§3.5, §3.3 corrected): `name` matches an auth ID or a file name; `auth_index` only
 * narrows that match. Config API keys have no file, so only their internal auth ID finds them — an
 * auth_index as name is 404 `auth file not found`; openai-compatibility keys: 404 `config api key entry not found`.
 */
function patchStatus(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid request body')
  const body = parsed.value
  if (body.name !== undefined && typeof body.name !== 'string') return fail(400, 'invalid request body')
  if (body.auth_index !== undefined && typeof body.auth_index !== 'string') return fail(400, 'invalid request body')
  if (body.disabled !== undefined && body.disabled !== null && typeof body.disabled !== 'boolean') return fail(400, 'invalid request body')
  const name = trimmed(body.name)
  const authIndex = trimmed(body.auth_index)
  if (name === '') return fail(400, 'name is required')
  if (typeof body.disabled !== 'boolean') return fail(400, 'disabled is required')
  const disabled = body.disabled

  const found = findCredential(reg, sim.config(), name)
  if (found?.kind === 'file' && (authIndex === '' || found.account.authIndex === authIndex)) {
    reg.setDisabled(found.file.name, disabled)
    refreshed(sim)
    return ok({status: 'ok', disabled})
  }
  if (found?.kind === 'config') {
    const key = found.ref
    if (key.family === 'openai-compatibility') return fail(404, 'config api key entry not found')
    if (authIndex !== '' && found.account?.authIndex !== authIndex) return fail(404, 'auth file not found')
    if (!toggleConfigKey(sim, key.family, key.index, disabled)) return fail(404, 'config api key entry not found')
    return ok({status: 'ok', disabled, via: 'config:excluded-models', excluded_pattern: CONFIG_DISABLE_PATTERN})
  }
  return fail(404, 'auth file not found')
}

export type FoundCredential =
  | {kind: 'file'; file: SimAuthFile; account: SimAccount}
  | {kind: 'config'; id: string; ref: {family: string; index: number; keyIndex: number}; account: SimAccount | undefined}

/**
 * The gateway's auth lookup by `name` (§3.5, §3.3 corrected): an auth ID or a file name; config API keys have no
 * file, so only their internal auth ID (`configAuthIds`) finds them. An `auth_index` only narrows the match (the
 * caller compares it with `account.authIndex`).
 */
export function findCredential(reg: SimAccountRegistry, config: Record<string, unknown>, name: string): FoundCredential | undefined {
  const file = reg.file(name)
  if (file) return {kind: 'file', file, account: reg.byName(file.name)!}
  const ref = configAuthIds(config).get(name)
  if (!ref) return undefined
  const account = reg.list().find((a) => {
    const key = a.authType === 'apikey' ? reg.configKey(a.authIndex) : undefined
    return key?.family === ref.family && key.index === ref.index && (ref.keyIndex < 0 || key.keyIndex === ref.keyIndex)
  })
  return {kind: 'config', id: name, ref, account}
}

// ---------------------------------------------------------------------------------------------------------
// PATCH /auth-files/fields
// ---------------------------------------------------------------------------------------------------------

/** §3.5 canonicalisation of legacy kebab root keys. */
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

function canonicalPath(key: string): string {
  const parts = key
    .trim()
    .split('.')
    .map((p) => p.trim())
  parts[0] = FIELD_CANONICAL[parts[0]!] ?? parts[0]!
  return parts.join('.')
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): string | undefined {
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

function patchFields(req: SimRequest, sim: SimContext): SimResponse {
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
      // §3.5 corrected: an integer or null; ≤ 0 is stored as 0 (excluded from weighted round-robin)
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

export const authFileRoutes: SimRoute[] = [
  {method: 'GET', path: '/auth-files', handler: listAuthFiles},
  {method: 'GET', path: '/auth-files/models', handler: authFileModels},
  {method: 'GET', path: '/auth-files/download', handler: downloadAuthFile},
  {method: 'POST', path: '/auth-files', handler: uploadAuthFiles},
  {method: 'DELETE', path: '/auth-files', handler: deleteAuthFiles},
  {method: 'PATCH', path: '/auth-files/status', handler: patchStatus},
  {method: 'PATCH', path: '/auth-files/fields', handler: patchFields},
]
