/**
 * `POST /auth-files/refresh` (v0) = `POST /v8/management/credentials/refresh` (added after
 * 7.2.140): force a token refresh of one credential or of all of them.
 *
 * - Query `?all=true` (exactly `true`), `?name=`, `?auth_index=`, or a JSON body `{"name","auth_index","all"}`
 *   (the body wins over the query for `name` and `auth_index`; an unparsable body ⇒ 400 `invalid request body: …`).
 * - `all` ⇒ 200 `{"ok":true,"results":[{"id","success","error"?}]}` over every credential that is not disabled and
 *   holds a refresh token (config API keys and service accounts have none). The gateway walks a map, so its order
 *   is random; the simulator sorts by id.
 * - Otherwise `name` is required (400 `name or all=true is required`); it is looked up like PATCH /auth-files/status
 *   (auth ID or file name; `auth_index` only narrows) ⇒ 404 `auth file not found`. 200 `{"ok":true,"auth":{…}}`
 *   carries the refreshed auth record as the gateway serialises it (id, provider, label, status, disabled,
 *   unavailable, attributes, metadata — tokens included —, quota, times in UTC); a failed refresh ⇒ 500
 *   `{"error":<message>}`.
 *
 * What a refresh does is scripted by the credential's upstream scenario (accounts.ts): `revoked` and
 * `invalid_token` make the provider reject the refresh token (the auth turns `error` / `unauthorized` and
 * unavailable), `server_error` and `timeout` fail it transiently; otherwise it succeeds: `last_refresh` becomes
 * now and `expired` moves forward by the token's previous lifetime (the simulator does not mint new tokens).
 * The error texts are the simulator's own.
 */
import type {SimAccountRegistry, SimAuthFile} from '../account-types.js'
import {rfc3339} from '../local-time.js'
import type {SimAccount, SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {findCredential, type FoundCredential} from './auth-files-status.js'
import {lastRefreshMs} from './auth-files.js'
import {fail, isRecord, ok, registryOf} from './http.js'

const ZERO_TIME = '0001-01-01T00:00:00Z'

/** Go `time.Time` JSON of a UTC time (fraction trimmed). */
function utc(ms: number | undefined): string {
  if (ms === undefined) return ZERO_TIME
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z')
}

/** Refresh times of credentials without a file (config API keys), per registry. */
const keyRefreshes = new WeakMap<SimAccountRegistry, Map<string, number>>()

type Outcome = {ok: true} | {ok: false; error: string}

/** The scripted provider answer to a refresh, and its effect on the credential. */
function refreshOne(reg: SimAccountRegistry, found: FoundCredential, now: number): Outcome {
  const authIndex = found.kind === 'file' ? found.account.authIndex : found.account?.authIndex
  const scenario = authIndex ? reg.scenario(authIndex).scenario : 'ok'
  if (scenario === 'revoked' || scenario === 'invalid_token') {
    if (found.kind === 'file') {
      found.file.status = 'error'
      found.file.statusMessage = 'unauthorized'
    }
    return {ok: false, error: 'token refresh failed: 401 invalid_grant: refresh token is invalid or revoked'}
  }
  if (scenario === 'server_error' || scenario === 'timeout') return {ok: false, error: 'token refresh failed: 500 upstream error'}
  if (found.kind === 'config') {
    if (authIndex) {
      const times = keyRefreshes.get(reg) ?? new Map<string, number>()
      times.set(authIndex, now)
      keyRefreshes.set(reg, times)
    }
    return {ok: true}
  }
  const md = {...found.file.metadata}
  const before = lastRefreshMs(md)
  const expired = typeof md.expired === 'string' ? Date.parse(md.expired) : Number.NaN
  if (before !== undefined && !Number.isNaN(expired)) md.expired = rfc3339(now + (expired - before), reg.tzOffsetMinutes)
  md.last_refresh = rfc3339(now, reg.tzOffsetMinutes)
  reg.writeMetadata(found.file.name, md)
  if (found.file.status === 'error') {
    found.file.status = 'active'
    found.file.statusMessage = ''
  }
  return {ok: true}
}

/** The auth record (`coreauth.Auth` JSON) of a file-backed credential. */
function fileAuthRecord(file: SimAuthFile, account: SimAccount): Record<string, unknown> {
  const md = file.metadata
  const record: Record<string, unknown> = {id: file.name, provider: file.type}
  const label = typeof md.label === 'string' && md.label !== '' ? md.label : account.email
  if (label) record.label = label
  record.status = file.status
  if (file.statusMessage) record.status_message = file.statusMessage
  record.disabled = md.disabled === true
  record.unavailable = file.status === 'error'
  if (typeof md.proxy_url === 'string' && md.proxy_url !== '') record.proxy_url = md.proxy_url
  record.attributes = {path: file.path}
  record.metadata = structuredClone(md)
  return {...record, quota: {exceeded: false, next_recover_at: ZERO_TIME}, created_at: utc(file.createdAt), updated_at: utc(file.updatedAt), last_refreshed_at: utc(lastRefreshMs(md))}
}

/** The auth record of a config API key. */
function keyAuthRecord(reg: SimAccountRegistry, id: string, account: SimAccount | undefined): Record<string, unknown> {
  const key = account ? reg.configKey(account.authIndex) : undefined
  const attributes: Record<string, string> = {}
  if (key?.apiKey) attributes.api_key = key.apiKey
  if (key?.baseUrl) attributes.base_url = key.baseUrl
  const refreshedAt = account ? keyRefreshes.get(reg)?.get(account.authIndex) : undefined
  return {
    id,
    provider: account?.provider ?? id.split(':')[0],
    label: account?.label ?? id,
    status: 'active',
    disabled: account?.disabled ?? false,
    unavailable: false,
    attributes,
    quota: {exceeded: false, next_recover_at: ZERO_TIME},
    created_at: ZERO_TIME,
    updated_at: utc(refreshedAt),
    last_refreshed_at: utc(refreshedAt),
  }
}

function authRecord(reg: SimAccountRegistry, found: FoundCredential): Record<string, unknown> {
  const record = found.kind === 'file' ? fileAuthRecord(found.file, found.account) : keyAuthRecord(reg, found.id, found.account)
  return {...record, next_refresh_after: ZERO_TIME, next_retry_after: ZERO_TIME}
}

/** Go's encoding/json error for a body that does not decode into `{name, auth_index string; all bool}`. */
function bindError(text: string): string | undefined {
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    const c = text.trimStart()[0] ?? ''
    return /[[{"0-9tfn-]/.test(c) ? 'unexpected EOF' : `invalid character '${c}' looking for beginning of value`
  }
  if (v === null) return undefined
  const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x === 'object' ? 'object' : typeof x)
  if (!isRecord(v)) return `json: cannot unmarshal ${kind(v)} into Go value of type struct { Name string "json:\\"name\\""; AuthIndex string "json:\\"auth_index\\""; All bool "json:\\"all\\"" }`
  for (const [field, type] of [['name', 'string'], ['auth_index', 'string'], ['all', 'boolean']] as const) {
    const x = v[field]
    if (x !== undefined && x !== null && typeof x !== type) return `json: cannot unmarshal ${kind(x)} into Go struct field .${field} of type ${type === 'boolean' ? 'bool' : 'string'}`
  }
  return undefined
}

function refreshCredentials(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  let name = ''
  let authIndex = ''
  let all = false
  const text = req.body.toString('utf8')
  if (text !== '') {
    const problem = bindError(text)
    if (problem) return fail(400, `invalid request body: ${problem}`)
    const body = JSON.parse(text) as unknown
    if (isRecord(body)) {
      if (typeof body.name === 'string') name = body.name
      if (typeof body.auth_index === 'string') authIndex = body.auth_index
      all = body.all === true
    }
  }
  if (req.query.get('all') === 'true') all = true
  if (name === '') name = (req.query.get('name') ?? '').trim()
  if (authIndex === '') authIndex = (req.query.get('auth_index') ?? '').trim()
  const now = sim.now()

  if (all) {
    const targets = reg
      .files()
      .filter((f) => f.metadata.disabled !== true && f.status !== 'disabled' && typeof f.metadata.refresh_token === 'string' && f.metadata.refresh_token !== '')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    const results = targets.map((file) => {
      const outcome = refreshOne(reg, {kind: 'file', file, account: reg.byName(file.name)!}, now)
      return outcome.ok ? {id: file.name, success: true} : {id: file.name, success: false, error: outcome.error}
    })
    if (results.length > 0) sim.notifyRefresh?.()
    return ok({ok: true, results})
  }

  name = name.trim()
  if (name === '') return fail(400, 'name or all=true is required')
  const found = findCredential(reg, sim.config(), name)
  const account = found?.account
  if (!found || (authIndex.trim() !== '' && account?.authIndex !== authIndex.trim())) return fail(404, 'auth file not found')
  const outcome = refreshOne(reg, found, now)
  if (!outcome.ok) return fail(500, outcome.error)
  sim.notifyRefresh?.()
  return ok({ok: true, auth: authRecord(reg, found)})
}

export const credentialRefreshRoutes: SimRoute[] = [{method: 'POST', path: '/auth-files/refresh', since: 'v8', handler: refreshCredentials}]
