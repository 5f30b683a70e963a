/**
 * Gateway-side quota, added after 7.2.140 (absent in 7.2.140):
 *
 * - `GET /quota/providers`, `POST /quota/fetch`, `POST /quota/reset` (v0 on every v8 build; the same handlers
 *   are `/v8/management/credentials/quota/*` on early 8.0.x builds only, routes/route-map.ts);
 * - `GET|POST|DELETE /plugins/:id/quota` (v0 and v8) and `POST /plugins/:id/quota/reset` (v0 only).
 *
 * Quota is answered by quota-provider plugins. The simulated plugin host runs while plugins are on
 * (routes/plugins.ts); its one quota provider is the scripted plugin `sim-quota` (`--plugins`), which covers
 * Codex OAuth credentials: it reads the credential's scripted `wham/usage` answer (upstream.ts) and returns the
 * normalised shape `{subscription:{plan}, groups:[{displayName, buckets:[{window, remainingFraction, resetTime,
 * description}]}]}`; its reset clears the credential's quota and cooldown state like `/reset-quota`.
 * Without a provider a fetch answers 501 `no quota provider available for credential`; the declarative
 * `quota_probe` fallback of a credential's metadata is not simulated.
 */
import type {SimAccountRegistry} from '../account-types.js'
import {codexIdTokenClaims} from '../jwt.js'
import type {ScriptedPlugin} from '../plugins.js'
import {answerUpstream, CODEX_USAGE_URL} from '../upstream.js'
import type {SimAccount, SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, lastSegment, ok, registryOf, trimmed} from './http.js'
import {pluginHostRunning, type PluginRouteDeps, quotaPlugins} from './plugins.js'

/** `GET /quota/providers` entry of a quota plugin. */
export function quotaProviderEntry(p: ScriptedPlugin): Record<string, unknown> {
  const q = p.quota!
  return {plugin_id: p.id, provider: q.provider, display_name: q.displayName, supported_providers: [...q.supportedProviders], supports_reset: q.supportsReset}
}

function covers(p: ScriptedPlugin, provider: string): boolean {
  return p.quota!.provider === provider || p.quota!.supportedProviders.includes(provider)
}

// ------------------------------------------------------------------------------------ the sim-quota plugin

interface Win {
  used_percent: number
  reset_at: number
}

type PluginOutcome<T> = {ok: true; value: T} | {ok: false; error: string}

/** What the scripted quota plugin answers for a credential (it only knows Codex OAuth accounts). */
async function pluginFetch(reg: SimAccountRegistry, account: SimAccount, provider: string, sim: SimContext): Promise<PluginOutcome<Record<string, unknown>>> {
  if (provider !== 'codex') return {ok: false, error: `sim-quota: provider ${provider} is not supported`}
  if (account.authType !== 'oauth') return {ok: false, error: 'sim-quota: a Codex API key has no usage endpoint'}
  const md = reg.file(account.name)?.metadata ?? {}
  const claims = codexIdTokenClaims(md.id_token) ?? {}
  const token = reg.tokenFor(account.authIndex) ?? ''
  const outcome = await answerUpstream(
    reg,
    account.authIndex,
    {method: 'GET', url: CODEX_USAGE_URL, headers: {Authorization: `Bearer ${token}`, 'Chatgpt-Account-Id': String(md.account_id ?? claims.chatgpt_account_id ?? '')}, body: ''},
    () => sim.now(),
  )
  if (outcome.kind !== 'answer') return {ok: false, error: 'sim-quota: wham/usage unreachable'}
  if (outcome.answer.status !== 200) return {ok: false, error: `sim-quota: wham/usage answered ${outcome.answer.status}`}
  const usage = JSON.parse(outcome.answer.body) as {plan_type?: string; rate_limit?: {primary_window?: Win | null; secondary_window?: Win | null}}
  const bucket = (label: string, w: Win | null | undefined) =>
    w ? [{window: label, remainingFraction: Math.max(0, 100 - w.used_percent) / 100, resetTime: new Date(w.reset_at * 1000).toISOString(), description: `${w.used_percent}% used`}] : []
  return {
    ok: true,
    value: {
      subscription: {plan: usage.plan_type ?? 'unknown'},
      groups: [{displayName: 'Codex', buckets: [...bucket('5h', usage.rate_limit?.primary_window), ...bucket('7d', usage.rate_limit?.secondary_window)]}],
    },
  }
}

function pluginReset(reg: SimAccountRegistry, account: SimAccount, provider: string): PluginOutcome<{message: string}> {
  if (provider !== 'codex') return {ok: false, error: `sim-quota: provider ${provider} is not supported`}
  reg.resetQuota(account.authIndex)
  return {ok: true, value: {message: 'quota and cooldown reset'}}
}

// ----------------------------------------------------------------------------------------- request bodies

/** The auth index of a body: `auth_index`, `authIndex` or `AuthIndex` (the first non-blank one). */
function bodyAuthIndex(body: Record<string, unknown>): string {
  return trimmed(body.auth_index) || trimmed(body.authIndex) || trimmed(body.AuthIndex)
}

/** Go `ShouldBindJSON` into `{auth_index, authIndex, AuthIndex *string; plugin_id, provider string}`. */
function bindQuotaBody(req: SimRequest): Record<string, unknown> | undefined {
  const text = req.body.toString('utf8').trim()
  if (text === '') return undefined
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch {
    return undefined
  }
  if (v === null) return {}
  if (!isRecord(v)) return undefined
  for (const k of ['auth_index', 'authIndex', 'AuthIndex', 'plugin_id', 'provider']) {
    if (v[k] !== undefined && v[k] !== null && typeof v[k] !== 'string') return undefined
  }
  return v
}

function queryAuthIndex(req: SimRequest): string {
  return (req.query.get('auth_index') ?? '').trim() || (req.query.get('authIndex') ?? '').trim()
}

// ---------------------------------------------------------------------------------------------- handlers

function listProviders(deps: PluginRouteDeps): SimResponse {
  return ok({providers: pluginHostRunning(deps) ? quotaPlugins(deps).map(quotaProviderEntry) : []})
}

/** The body and the credential of a `/quota/fetch|reset` call, or the 400/404 answer. */
function quotaRequest(req: SimRequest, sim: SimContext): {reg: SimAccountRegistry; account: SimAccount; provider: string; pluginId: string} | SimResponse {
  const body = bindQuotaBody(req)
  if (!body) return fail(400, 'invalid request body')
  const authIndex = bodyAuthIndex(body)
  if (authIndex === '') return fail(400, 'auth_index is required')
  const reg = registryOf(sim)
  const account = reg.byIndex(authIndex)
  if (!account) return fail(404, 'auth not found')
  // `provider` overrides the credential's provider
  return {reg, account, provider: trimmed(body.provider) || account.provider, pluginId: trimmed(body.plugin_id)}
}

async function fetchCredentialQuota(deps: PluginRouteDeps, req: SimRequest, sim: SimContext): Promise<SimResponse> {
  const q = quotaRequest(req, sim)
  if ('status' in q) return q
  if (pluginHostRunning(deps)) {
    const plugins = quotaPlugins(deps)
    const plugin = q.pluginId !== '' ? plugins.find(p => p.id === q.pluginId) : plugins.find(p => covers(p, q.provider))
    if (plugin) {
      const got = await pluginFetch(q.reg, q.account, q.provider, sim)
      return got.ok ? ok(got.value) : fail(502, `failed to fetch quota: ${got.error}`)
    }
  }
  return fail(501, 'no quota provider available for credential')
}

function resetCredentialQuota(deps: PluginRouteDeps, req: SimRequest, sim: SimContext): SimResponse {
  const q = quotaRequest(req, sim)
  if ('status' in q) return q
  if (!pluginHostRunning(deps)) return fail(501, 'plugin host unavailable')
  const plugins = quotaPlugins(deps)
  if (q.pluginId !== '') {
    if (!plugins.some(p => p.id === q.pluginId)) return fail(404, 'quota provider not found for plugin')
  } else if (!plugins.some(p => covers(p, q.provider))) return fail(501, 'no quota provider available for credential to reset')
  const done = pluginReset(q.reg, q.account, q.provider)
  if (!done.ok) return fail(502, `plugin quota reset failed: ${done.error}`)
  return ok({status: 'ok', auth_index: q.account.authIndex, message: done.value.message})
}

/** The account and quota plugin of a `/plugins/:id/quota` call, or the refusal. */
function pluginTarget(deps: PluginRouteDeps, req: SimRequest, sim: SimContext, authIndex: string): {account: SimAccount; reg: SimAccountRegistry} | SimResponse {
  if (authIndex === '') return fail(400, 'auth_index is required')
  const reg = registryOf(sim)
  const account = reg.byIndex(authIndex)
  if (!account) return fail(404, 'auth not found')
  const id = lastSegment(req).trim()
  if (!pluginHostRunning(deps) || !quotaPlugins(deps).some(p => p.id === id)) return fail(404, 'quota provider not found for plugin')
  return {account, reg}
}

async function fetchPluginQuota(deps: PluginRouteDeps, req: SimRequest, sim: SimContext, authIndex: string): Promise<SimResponse> {
  const target = pluginTarget(deps, req, sim, authIndex)
  if ('status' in target) return target
  const got = await pluginFetch(target.reg, target.account, target.account.provider, sim)
  return got.ok ? ok(got.value) : fail(502, `failed to fetch quota: ${got.error}`)
}

function resetPluginQuota(deps: PluginRouteDeps, req: SimRequest, sim: SimContext): SimResponse {
  // the index from the query, else from a JSON body (a body that does not bind is ignored)
  const authIndex = queryAuthIndex(req) || bodyAuthIndex(bindQuotaBody(req) ?? {})
  const target = pluginTarget(deps, req, sim, authIndex)
  if ('status' in target) return target
  const done = pluginReset(target.reg, target.account, target.account.provider)
  if (!done.ok) return fail(502, `failed to reset quota: ${done.error}`)
  return ok({status: 'ok', auth_index: target.account.authIndex, message: done.value.message})
}

/** Routes below /v0/management, registered by v8 gateways (added after 7.2.140). */
export function quotaRoutes(deps: PluginRouteDeps): SimRoute[] {
  return [
    {method: 'GET', path: '/quota/providers', since: 'v8', handler: () => listProviders(deps)},
    {method: 'POST', path: '/quota/fetch', since: 'v8', handler: (req, sim) => fetchCredentialQuota(deps, req, sim)},
    {method: 'POST', path: '/quota/reset', since: 'v8', handler: (req, sim) => resetCredentialQuota(deps, req, sim)},
    {method: 'GET', path: '/plugins/:id/quota', since: 'v8', handler: (req, sim) => fetchPluginQuota(deps, req, sim, queryAuthIndex(req))},
    {
      method: 'POST',
      path: '/plugins/:id/quota',
      since: 'v8',
      handler: (req, sim) => {
        const body = bindQuotaBody(req)
        return body ? fetchPluginQuota(deps, req, sim, bodyAuthIndex(body)) : fail(400, 'invalid request body')
      },
    },
    {method: 'DELETE', path: '/plugins/:id/quota', since: 'v8', handler: (req, sim) => resetPluginQuota(deps, req, sim)},
    {method: 'POST', path: '/plugins/:id/quota/reset', since: 'v8', handler: (req, sim) => resetPluginQuota(deps, req, sim)},
  ]
}
