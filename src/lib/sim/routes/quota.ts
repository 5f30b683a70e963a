/**
 * Gateway-side quota of early 8.0.x builds (cpa-gateway-v8.md §2.7): `GET /credentials/quota/providers`,
 * `POST /credentials/quota/fetch`, `POST /credentials/quota/reset`. Later builds removed the routes (a bare
 * 404), so the simulator registers them only for `v8Revision: 'early'`.
 *
 * The real routes are served by quota-provider plugins; the simulator has one built-in "plugin", `sim-quota`,
 * for Codex credentials: it reads the scripted wham/usage answer of the credential (upstream.ts) and returns
 * the normalised quota shape: `{subscription:{plan}, groups:[{displayName, buckets:[{window, remainingFraction,
 * resetTime}]}]}`. Other credentials have no provider: 501 `no quota provider available for credential`.
 */
import {codexIdTokenClaims} from '../accounts.js'
import {answerUpstream, CODEX_USAGE_URL} from '../upstream.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, ok, parseJson, registryOf, trimmed} from './http.js'

export const SIM_QUOTA_PROVIDER = {
  plugin_id: 'sim-quota',
  provider: 'codex',
  display_name: 'Codex usage (simulated plugin)',
  supported_providers: ['codex'],
  supports_reset: true,
}

function authIndexOf(body: Record<string, unknown>): string {
  return trimmed(body.auth_index) || trimmed(body.authIndex) || trimmed(body.AuthIndex)
}

/** The body and the credential it names, or the answer for a bad body / missing index / unknown credential. */
type Found = {error: SimResponse} | {body: Record<string, unknown>; authIndex: string; reg: ReturnType<typeof registryOf>; account: NonNullable<ReturnType<ReturnType<typeof registryOf>['byIndex']>>}

function credentialOf(req: SimRequest, sim: SimContext): Found {
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return {error: fail(400, 'invalid request body')}
  const body = parsed.value
  const authIndex = authIndexOf(body)
  if (authIndex === '') return {error: fail(400, 'auth_index is required')}
  const reg = registryOf(sim)
  const account = reg.byIndex(authIndex)
  if (!account) return {error: fail(404, 'auth not found')}
  return {body, authIndex, reg, account}
}

async function fetchQuota(req: SimRequest, sim: SimContext): Promise<SimResponse> {
  const found = credentialOf(req, sim)
  if ('error' in found) return found.error
  const {body, authIndex, reg, account} = found
  const provider = trimmed(body.provider) || account.provider
  if (provider !== 'codex' || account.authType !== 'oauth') return fail(501, 'no quota provider available for credential')
  const md = reg.file(account.name)?.metadata ?? {}
  const claims = codexIdTokenClaims(md.id_token) ?? {}
  const token = reg.tokenFor(authIndex) ?? ''
  const outcome = await answerUpstream(
    reg,
    authIndex,
    {method: 'GET', url: CODEX_USAGE_URL, headers: {Authorization: `Bearer ${token}`, 'Chatgpt-Account-Id': String(md.account_id ?? claims.chatgpt_account_id ?? '')}, body: ''},
    () => sim.now(),
  )
  if (outcome.kind !== 'answer') return fail(502, 'failed to fetch quota: upstream unreachable')
  if (outcome.answer.status !== 200) return fail(502, `quota probe failed: upstream status ${outcome.answer.status}`)
  const usage = JSON.parse(outcome.answer.body) as {plan_type?: string; rate_limit?: {primary_window?: Win | null; secondary_window?: Win | null}}
  const bucket = (label: string, w: Win | null | undefined) =>
    w ? [{window: label, remainingFraction: Math.max(0, 100 - w.used_percent) / 100, resetTime: new Date(w.reset_at * 1000).toISOString(), description: `${w.used_percent}% used`}] : []
  return ok({
    subscription: {plan: usage.plan_type ?? 'unknown'},
    groups: [{displayName: 'Codex', buckets: [...bucket('5h', usage.rate_limit?.primary_window), ...bucket('7d', usage.rate_limit?.secondary_window)]}],
  })
}

interface Win {
  used_percent: number
  reset_at: number
}

function resetQuota(req: SimRequest, sim: SimContext): SimResponse {
  const found = credentialOf(req, sim)
  if ('error' in found) return found.error
  const {authIndex, reg, account} = found
  if (account.provider !== 'codex') return fail(501, 'no quota provider available for credential to reset')
  reg.resetQuota(authIndex)
  return ok({status: 'ok', auth_index: authIndex, message: 'quota and cooldown reset'})
}

export const quotaRoutes: SimRoute[] = [
  {method: 'GET', path: '/credentials/quota/providers', handler: () => ok({providers: [SIM_QUOTA_PROVIDER]})},
  {method: 'POST', path: '/credentials/quota/fetch', handler: fetchQuota},
  {method: 'POST', path: '/credentials/quota/reset', handler: resetQuota},
]
