/**
 * The client API surface the simulator serves (`/v1`, authenticated with a client key of the config's
 * `api-keys`): `GET /v1/models` in the OpenAI list format, `{"object":"list","data":[{id, object, created,
 * owned_by}]}`. Proxying real completions is out of scope.
 *
 * Client keys are read from `Authorization: Bearer`, `X-Goog-Api-Key`, `X-Api-Key`, `?key=` or
 * `?auth_token=`; none ⇒ 401 `{"error":"Missing API key"}`, no match ⇒ 401 `{"error":"Invalid API key"}`.
 * With no client key configured every request passes (the gateway's legacy behaviour).
 *
 * The model list follows the simulated credentials: every enabled credential contributes its models,
 * minus its own `excluded-models` / `excluded_models` patterns and, for OAuth credentials, the
 * `oauth-excluded-models` of its channel; `oauth-model-alias` renames a model for OAuth credentials of its
 * channel (`fork: true` keeps the original too); openai-compatibility models are listed by alias.
 */
import {modelOwner} from '../accounts.js'
import {lookupModel} from '../model-catalog.js'
import type {SimAccount, SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {isRecord, ok, registryOf} from './http.js'
import {oauthExcludedModels, oauthModelAliases} from './oauth-rules.js'

/** Fallback `created` of models the catalog does not know (2025-01-01T00:00:00Z). */
const DEFAULT_CREATED = 1_735_689_600

function bearerOrWhole(header: string): string {
  const space = header.indexOf(' ')
  if (space > 0 && header.slice(0, space).toLowerCase() === 'bearer') return header.slice(space + 1)
  return header
}

/** The client-key check of /v1 routes; undefined when the request may pass. */
export function clientKeyProblem(req: SimRequest, config: Record<string, unknown>): SimResponse | undefined {
  const keys = Array.isArray(config['api-keys']) ? (config['api-keys'] as unknown[]).filter((k): k is string => typeof k === 'string' && k !== '') : []
  if (keys.length === 0) return undefined
  const candidates = [
    bearerOrWhole(req.headers.authorization ?? ''),
    req.headers['x-goog-api-key'] ?? '',
    req.headers['x-api-key'] ?? '',
    req.query.get('key') ?? '',
    req.query.get('auth_token') ?? '',
  ]
  if (candidates.every(c => c === '')) return {status: 401, body: {error: 'Missing API key'}}
  if (candidates.some(c => c !== '' && keys.includes(c))) return undefined
  return {status: 401, body: {error: 'Invalid API key'}}
}

/** Glob of excluded-model patterns (`*` wildcard, case-insensitive). */
function matches(pattern: string, model: string): boolean {
  const re = new RegExp(`^${pattern.trim().toLowerCase().split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return re.test(model.toLowerCase())
}

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** The OAuth channel of a file-backed credential (§3.4 channels). */
function channelOf(account: SimAccount): string {
  return account.provider === 'gemini' ? 'aistudio' : account.provider
}

interface Listed {
  id: string
  provider: string
}

function credentialModels(sim: SimContext, account: SimAccount, aliases: ReturnType<typeof oauthModelAliases>, excludedOAuth: Record<string, string[]>): Listed[] {
  const reg = registryOf(sim)
  const config = sim.config()
  let excluded: string[] = []
  let models = [...account.models]
  if (account.authType === 'oauth') {
    excluded = [...strList(reg.file(account.name)?.metadata.excluded_models), ...(excludedOAuth[channelOf(account)] ?? [])]
  } else {
    const key = reg.configKey(account.authIndex)
    const entry = key ? (config[key.family] as unknown[] | undefined)?.[key.index] : undefined
    if (isRecord(entry)) {
      excluded = strList(entry['excluded-models'])
      if (key!.family === 'openai-compatibility' && Array.isArray(entry.models)) {
        models = (entry.models as unknown[]).filter(isRecord).map(m => (typeof m.alias === 'string' && m.alias.trim() !== '' ? m.alias : String(m.name ?? ''))).filter(Boolean)
      }
    }
  }
  const out: Listed[] = []
  for (const model of models) {
    if (excluded.some(p => matches(p, model))) continue
    const renames = account.authType === 'oauth' ? (aliases[channelOf(account)] ?? []).filter(a => a.name.toLowerCase() === model.toLowerCase()) : []
    if (renames.length === 0 || renames.some(a => a.fork)) out.push({id: model, provider: account.provider})
    for (const a of renames) out.push({id: a.alias, provider: account.provider})
  }
  return out
}

function listModels(req: SimRequest, sim: SimContext): SimResponse {
  const config = sim.config()
  const denied = clientKeyProblem(req, config)
  if (denied) return denied
  const aliases = oauthModelAliases(config)
  const excluded = oauthExcludedModels(config)
  const byId = new Map<string, Listed>()
  for (const account of registryOf(sim).list()) {
    if (account.disabled) continue
    for (const m of credentialModels(sim, account, aliases, excluded)) if (!byId.has(m.id)) byId.set(m.id, m)
  }
  const data = [...byId.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(m => {
      const known = lookupModel(m.id)
      return {id: m.id, object: 'model', created: known?.created ?? DEFAULT_CREATED, owned_by: known?.owned_by ?? modelOwner(m.provider)}
    })
  return ok({object: 'list', data})
}

export const clientApiRoutes: SimRoute[] = [{method: 'GET', path: '/v1/models', handler: listModels}]
