/**
 * `POST /api-call` (the management API-call proxy) answered by the scripted upstream of upstream.ts, and
 * `POST /reset-quota` (clears the quota and cooldown state of one credential, file or config key, found by
 * `auth_index`; since v7.2.22).
 *
 * `/api-call`: HTTP 200 `{"status_code","header","body"}` with the upstream status inside; `$TOKEN$` in
 * header values is replaced by the credential's token (access_token, else api key, else token / id_token /
 * cookie). 400 `invalid body` / `missing method` / `missing url` / `invalid url` / `invalid proxy_url` /
 * `auth token not found` (a credential without a token while a header uses `$TOKEN$`); 502 `request failed`
 * for an unscripted URL (the simulator has no network) or the 60 s upstream timeout.
 *
 * An `auth_index` that matches no credential (corrected 2026-12): v7 does not fail — nothing is substituted, the
 * literal `$TOKEN$` goes upstream and the upstream's 401 comes back inside an HTTP 200; v8 answers 400 `auth
 * credential not found for auth_index` (new on v8 `POST /requests/api-call`; v0 `/api-call` shares its handler).
 */
import {answerUpstream} from '../upstream.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {hasFeature} from '../version.js'
import {fail, isRecord, ok, parseJson, registryOf, trimmed} from './http.js'

async function apiCall(req: SimRequest, sim: SimContext): Promise<SimResponse> {
  const reg = registryOf(sim)
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid body')
  const body = parsed.value
  const str = (v: unknown) => v === undefined || v === null || typeof v === 'string'
  if (!str(body.method) || !str(body.url) || !str(body.data) || !str(body.proxy_url)) return fail(400, 'invalid body')
  if (body.header !== undefined && body.header !== null && (!isRecord(body.header) || !Object.values(body.header).every((v) => typeof v === 'string'))) {
    return fail(400, 'invalid body')
  }
  const method = trimmed(body.method).toUpperCase()
  if (method === '') return fail(400, 'missing method')
  const url = trimmed(body.url)
  if (url === '') return fail(400, 'missing url')
  let parsedUrl: URL
  try {
    parsedUrl = new URL(url)
  } catch {
    return fail(400, 'invalid url')
  }
  if (!parsedUrl.protocol || !parsedUrl.host) return fail(400, 'invalid url')
  const proxyUrl = trimmed(body.proxy_url)
  if (proxyUrl !== '' && proxyUrl !== 'direct' && proxyUrl !== 'none') {
    try {
      new URL(proxyUrl)
    } catch {
      return fail(400, 'invalid proxy_url')
    }
  }

  const authIndex = trimmed(body.auth_index) || trimmed(body.authIndex) || trimmed(body.AuthIndex)
  const account = authIndex ? reg.byIndex(authIndex) : undefined
  if (authIndex && !account && hasFeature(sim.version ?? '', 'v8')) return fail(400, 'auth credential not found for auth_index')
  const headers: Record<string, string> = {...((body.header as Record<string, string> | undefined) ?? {})}
  for (const [name, value] of Object.entries(headers)) {
    if (!value.includes('$TOKEN$')) continue
    // No credential selected, or an auth_index that matches none: `$TOKEN$` goes upstream unreplaced and
    // the upstream's 401 comes back inside the 200 (v7; corrected 2026-12).
    if (!account) continue
    const token = reg.tokenFor(account.authIndex)
    if (!token) return fail(400, 'auth token not found')
    headers[name] = value.replaceAll('$TOKEN$', token)
  }

  const outcome = await answerUpstream(
    reg,
    account?.authIndex ?? '',
    {method, url, headers, body: typeof body.data === 'string' ? body.data : ''},
    () => sim.now(),
  )
  if (outcome.kind !== 'answer') return fail(502, 'request failed')
  return ok({status_code: outcome.answer.status, header: outcome.answer.header, body: outcome.answer.body})
}

function resetQuota(req: SimRequest, sim: SimContext): SimResponse {
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid request body')
  if (parsed.value.auth_index !== undefined && typeof parsed.value.auth_index !== 'string') return fail(400, 'invalid request body')
  const authIndex = trimmed(parsed.value.auth_index)
  if (authIndex === '') return fail(400, 'auth_index is required')
  const models = registryOf(sim).resetQuota(authIndex)
  if (!models) return fail(404, 'auth not found')
  return ok({status: 'ok', auth_index: authIndex, models})
}

export const apiCallRoutes: SimRoute[] = [
  {method: 'POST', path: '/api-call', handler: apiCall},
  {method: 'POST', path: '/reset-quota', since: 'resetQuota', handler: resetQuota},
]
