/**
 * OAuth login flows, the OAuth callback (no management key) and the provider callback pages (`/anthropic/callback`,
 * `/codex/callback`, `/antigravity/callback`), driven by the session state machine of oauth-sessions.ts. v8
 * gateways add kimi-ai, devin and meta (v0 routes added after 7.2.140; on v8 `/oauth/auth-url?provider=`); a devin login completes through `/oauth-callback` (the consent page sends it
 * there: the gateway's own devin callback is not in the references).
 *
 * The simulator never talks to a provider: the `url` an auth-URL route returns points at a consent page
 * the simulator serves itself (`/sim/oauth/authorize`, `/sim/oauth/device`), whose Approve / Deny links
 * go through the same callback routes a real provider redirect would reach. The real gateway returns the
 * provider's authorize or verification URL there; no client parses it. `is_webui` is accepted, but the
 * simulator opens no callback forwarder on the providers' fixed local ports (54545, 1455, 51121).
 */
import {type FlowKind, type OAuthSessions, validOAuthState} from '../oauth-sessions.js'
import type {SimRequest, SimResponse, SimRoute} from '../types.js'
import {hasFeature} from '../version.js'
import {fail, isRecord, ok, parseJson, trimmed} from './http.js'

/** The gateway's callback page (GET /anthropic/callback etc. always answer it). */
export const OAUTH_CALLBACK_SUCCESS_HTML =
  '<html><head><meta charset="utf-8"><title>Authentication successful</title><script>setTimeout(function(){window.close();},5000);</script></head><body><h1>Authentication successful!</h1><p>You can close this window.</p><p>This window will close automatically in 5 seconds.</p></body></html>'

export interface OAuthRouteDeps {
  sessions: OAuthSessions
  version: string
}

/** `{"status":"error","error":…}`, the error shape of the OAuth routes. */
function oauthError(status: number, error: string): SimResponse {
  return {status, body: {status: 'error', error}}
}

function html(body: string, status = 200): SimResponse {
  return {status, headers: {'content-type': 'text/html; charset=utf-8'}, body}
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c]!)
}

/** Origin the client used to reach the simulator (the consent pages live there). */
export function requestOrigin(req: SimRequest): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`
}

/** Where the simulated consent page sends an approved / denied redirect flow. */
function callbackTarget(provider: string): string {
  switch (provider) {
    case 'anthropic':
    case 'codex':
    case 'antigravity':
      return `/${provider}/callback`
    default:
      return `/v0/management/oauth-callback?provider=${encodeURIComponent(provider)}&`
  }
}

/** Start a redirect flow: `{"status":"ok","url","state"}` (also used for plugin OAuth providers). */
export function startRedirectFlow(deps: OAuthRouteDeps, req: SimRequest, provider: string, source: 'builtin' | 'plugin' = 'builtin'): SimResponse {
  const {state} = deps.sessions.start(provider, 'redirect', source)
  const url = `${requestOrigin(req)}/sim/oauth/authorize?provider=${encodeURIComponent(provider)}&state=${encodeURIComponent(state)}&response_type=code&code_challenge_method=S256`
  return ok({status: 'ok', url, state})
}

function startFlow(deps: OAuthRouteDeps, provider: string, flow: FlowKind) {
  return (req: SimRequest): SimResponse => {
    if (flow === 'redirect') return startRedirectFlow(deps, req, provider)
    const {state, userCode, expiresIn} = deps.sessions.start(provider, 'device')
    const url = `${requestOrigin(req)}/sim/oauth/device?user_code=${encodeURIComponent(userCode!)}`
    const body: Record<string, unknown> = {status: 'ok', url, state}
    // device-flow fields since v7.2.64
    if (hasFeature(deps.version, 'oauthSessionCancel')) Object.assign(body, {flow: 'device', user_code: userCode, expires_in: expiresIn})
    return ok(body)
  }
}

function getAuthStatus(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const state = (req.query.get('state') ?? '').trim()
  if (state === '') return ok({status: 'ok'})
  if (!validOAuthState(state)) return oauthError(400, 'invalid state')
  return ok(deps.sessions.status(state))
}

function cancelSession(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const state = (req.query.get('state') ?? '').trim()
  if (state === '') return oauthError(400, 'missing state')
  if (!validOAuthState(state)) return oauthError(400, 'invalid state')
  return ok({status: 'ok', cancelled: deps.sessions.cancel(state)})
}

interface CallbackInput {
  provider: string
  redirectUrl: string
  code: string
  state: string
  error: string
}

function handleCallback(deps: OAuthRouteDeps, input: CallbackInput): SimResponse {
  let {state, code, error} = input
  state = state.trim()
  code = code.trim()
  error = error.trim()
  if (input.redirectUrl.trim() !== '') {
    let u: URL
    try {
      u = new URL(input.redirectUrl.trim(), 'http://relative.invalid')
    } catch {
      return oauthError(400, 'invalid redirect_url')
    }
    if (state === '') state = (u.searchParams.get('state') ?? '').trim()
    if (code === '') code = (u.searchParams.get('code') ?? '').trim()
    if (error === '') error = (u.searchParams.get('error') ?? '').trim() || (u.searchParams.get('error_description') ?? '').trim()
  }
  if (state === '') return oauthError(400, 'state is required')
  if (!validOAuthState(state)) return oauthError(400, 'invalid state')
  if (code === '' && error === '') return oauthError(400, 'code or error is required')
  const result = deps.sessions.callback(input.provider.trim(), state, code, error)
  return result.ok ? ok({status: 'ok'}) : oauthError(result.status, result.error)
}

function postCallback(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return oauthError(400, 'invalid body')
  const b = parsed.value
  for (const k of ['provider', 'redirect_url', 'code', 'state', 'error']) {
    if (b[k] !== undefined && b[k] !== null && typeof b[k] !== 'string') return oauthError(400, 'invalid body')
  }
  return handleCallback(deps, {provider: trimmed(b.provider), redirectUrl: trimmed(b.redirect_url), code: trimmed(b.code), state: trimmed(b.state), error: trimmed(b.error)})
}

function getCallback(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const q = (k: string) => (req.query.get(k) ?? '').trim()
  return handleCallback(deps, {provider: q('provider'), redirectUrl: '', code: q('code'), state: q('state'), error: q('error') || q('error_description')})
}

/** GET /anthropic/callback, /codex/callback, /antigravity/callback: always 200 with the "Authentication successful" page. */
function providerCallbackPage(deps: OAuthRouteDeps, provider: string) {
  return (req: SimRequest): SimResponse => {
    const q = (k: string) => req.query.get(k) ?? ''
    const state = q('state')
    if (state !== '') deps.sessions.providerCallback(provider, state, q('code'), q('error') || q('error_description'))
    return html(OAUTH_CALLBACK_SUCCESS_HTML)
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">${body}</body></html>`
}

/** The simulated provider consent page of a redirect flow. */
function authorizePage(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const state = (req.query.get('state') ?? '').trim()
  const info = validOAuthState(state) ? deps.sessions.describe(state) : undefined
  if (!info || info.flow !== 'redirect') return html(page('Unknown login', '<p>This simulated login is unknown or expired.</p>'), 404)
  const target = callbackTarget(info.provider)
  const sep = target.endsWith('&') ? '' : '?'
  const code = `sim-${state.slice(-12)}`
  const approve = `${target}${sep}code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`
  const deny = `${target}${sep}error=access_denied&state=${encodeURIComponent(state)}`
  return html(
    page(
      'Simulated sign-in',
      `<h1>cpactl sim: simulated ${escapeHtml(info.provider)} sign-in</h1><p>No provider is contacted. Approving writes a simulated credential into the auth dir.</p>` +
        `<p><a id="approve" href="${escapeHtml(approve)}">Approve</a> · <a id="deny" href="${escapeHtml(deny)}">Deny</a></p>`,
    ),
  )
}

/** The simulated verification page of a device flow. */
function devicePage(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const userCode = (req.query.get('user_code') ?? '').trim().toUpperCase()
  const state = deps.sessions.byUserCode(userCode)
  const info = state ? deps.sessions.describe(state) : undefined
  if (!info) return html(page('Unknown code', '<p>This simulated device code is unknown or expired.</p>'), 404)
  const link = (approve: boolean) => `/sim/oauth/device/decide?user_code=${encodeURIComponent(userCode)}&approve=${approve ? 1 : 0}`
  return html(
    page(
      'Simulated device login',
      `<h1>cpactl sim: simulated ${escapeHtml(info.provider)} device login</h1><p>Code <code>${escapeHtml(userCode)}</code></p>` +
        `<p><a id="approve" href="${link(true)}">Approve</a> · <a id="deny" href="${link(false)}">Deny</a></p>`,
    ),
  )
}

function deviceDecide(deps: OAuthRouteDeps, req: SimRequest): SimResponse {
  const userCode = req.query.get('user_code') ?? ''
  const approve = req.query.get('approve') === '1'
  if (!deps.sessions.decide(userCode, approve)) return html(page('Unknown code', '<p>This simulated device code is unknown, expired or already used.</p>'), 404)
  return html(page(approve ? 'Approved' : 'Denied', `<p>${approve ? 'Approved' : 'Denied'}. You can close this window.</p>`))
}

/** Routes below /v0/management. */
export function oauthManagementRoutes(deps: OAuthRouteDeps): SimRoute[] {
  return [
    {method: 'GET', path: '/anthropic-auth-url', handler: startFlow(deps, 'anthropic', 'redirect')},
    {method: 'GET', path: '/codex-auth-url', handler: startFlow(deps, 'codex', 'redirect')},
    {method: 'GET', path: '/antigravity-auth-url', handler: startFlow(deps, 'antigravity', 'redirect')},
    {method: 'GET', path: '/kimi-auth-url', handler: startFlow(deps, 'kimi', 'device')},
    {method: 'GET', path: '/xai-auth-url', handler: startFlow(deps, 'xai', 'device')},
    // added after 7.2.140: device flows for kimi-ai and meta, a redirect flow for devin
    {method: 'GET', path: '/kimi-ai-auth-url', since: 'v8', handler: startFlow(deps, 'kimi-ai', 'device')},
    {method: 'GET', path: '/devin-auth-url', since: 'v8', handler: startFlow(deps, 'devin', 'redirect')},
    {method: 'GET', path: '/meta-auth-url', since: 'v8', handler: startFlow(deps, 'meta', 'device')},
    {method: 'GET', path: '/get-auth-status', handler: req => getAuthStatus(deps, req)},
    {method: 'DELETE', path: '/oauth-session', since: 'oauthSessionCancel', handler: req => cancelSession(deps, req)},
    {method: 'POST', path: '/oauth-callback', access: 'open', handler: req => postCallback(deps, req)},
    {method: 'GET', path: '/oauth-callback', access: 'open', handler: req => getCallback(deps, req)},
  ]
}

/** Routes outside /v0/management that need no key: the provider callback pages and the simulated consent pages. */
export function oauthPublicRoutes(deps: OAuthRouteDeps): SimRoute[] {
  return [
    {method: 'GET', path: '/anthropic/callback', handler: providerCallbackPage(deps, 'anthropic')},
    {method: 'GET', path: '/codex/callback', handler: providerCallbackPage(deps, 'codex')},
    {method: 'GET', path: '/antigravity/callback', handler: providerCallbackPage(deps, 'antigravity')},
    {method: 'GET', path: '/sim/oauth/authorize', simOnly: true, handler: req => authorizePage(deps, req)},
    {method: 'GET', path: '/sim/oauth/device', simOnly: true, handler: req => devicePage(deps, req)},
    {method: 'GET', path: '/sim/oauth/device/decide', simOnly: true, handler: req => deviceDecide(deps, req)},
  ]
}
