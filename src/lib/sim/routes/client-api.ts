/**
 * The client API surface the simulator serves (`/v1`, authenticated with a client key of the config's
 * `api-keys`): `GET /v1/models` in the OpenAI list format, `{"object":"list","data":[{id, object, created,
 * owned_by}]}`, and scripted `POST /v1/chat/completions` / `POST /v1/responses` (JSON or SSE with
 * `stream: true`): a fixed reply, tokens estimated at 4 characters per token, and one usage record for the
 * credential that serves the model, published like live traffic (so `collect` and the reports see it).
 * Nothing is proxied to a provider; an unknown model is 400 `model_not_found` as on the gateway.
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
import {modelOwner} from '../provider-models.js'
import type {GeneratedRecord, ServedRequest} from '../generator.js'
import {stamp} from '../local-time.js'
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

/** The client-key check of /v1 routes: the matched key ('' when client auth is off), or the 401 answer. */
export function clientKey(req: SimRequest, config: Record<string, unknown>): {ok: true; key: string} | {ok: false; response: SimResponse} {
  const keys = Array.isArray(config['api-keys']) ? (config['api-keys'] as unknown[]).filter((k): k is string => typeof k === 'string' && k !== '') : []
  if (keys.length === 0) return {ok: true, key: ''}
  const candidates = [
    bearerOrWhole(req.headers.authorization ?? ''),
    req.headers['x-goog-api-key'] ?? '',
    req.headers['x-api-key'] ?? '',
    req.query.get('key') ?? '',
    req.query.get('auth_token') ?? '',
  ]
  if (candidates.every(c => c === '')) return {ok: false, response: {status: 401, body: {error: 'Missing API key'}}}
  const key = candidates.find(c => c !== '' && keys.includes(c))
  return key === undefined ? {ok: false, response: {status: 401, body: {error: 'Invalid API key'}}} : {ok: true, key}
}

/** Glob of excluded-model patterns (`*` wildcard, case-insensitive). */
function matches(pattern: string, model: string): boolean {
  const re = new RegExp(`^${pattern.trim().toLowerCase().split('*').map(p => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
  return re.test(model.toLowerCase())
}

const strList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/** The OAuth channel of a file-backed credential (vertex, aistudio, antigravity, claude, codex, kimi, xai, or a plugin provider key). */
function channelOf(account: SimAccount): string {
  return account.provider === 'gemini' ? 'aistudio' : account.provider
}

interface Listed {
  id: string
  provider: string
  /** The upstream model behind `id` (differs when an alias renamed it). */
  upstream: string
  account: SimAccount
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
        const listed = (entry.models as unknown[]).filter(isRecord)
        return listed
          .map(m => ({name: String(m.name ?? ''), id: typeof m.alias === 'string' && m.alias.trim() !== '' ? m.alias : String(m.name ?? '')}))
          .filter(m => m.id !== '' && !excluded.some(p => matches(p, m.id)))
          .map(m => ({id: m.id, provider: account.provider, upstream: m.name, account}))
      }
    }
  }
  const out: Listed[] = []
  for (const model of models) {
    if (excluded.some(p => matches(p, model))) continue
    const renames = account.authType === 'oauth' ? (aliases[channelOf(account)] ?? []).filter(a => a.name.toLowerCase() === model.toLowerCase()) : []
    if (renames.length === 0 || renames.some(a => a.fork)) out.push({id: model, provider: account.provider, upstream: model, account})
    for (const a of renames) out.push({id: a.alias, provider: account.provider, upstream: model, account})
  }
  return out
}

/** Every model the enabled credentials serve, in registry order (several credentials may serve one id). */
function servedModels(sim: SimContext): Listed[] {
  const config = sim.config()
  const aliases = oauthModelAliases(config)
  const excluded = oauthExcludedModels(config)
  return registryOf(sim)
    .list()
    .filter(a => !a.disabled)
    .flatMap(a => credentialModels(sim, a, aliases, excluded))
}

function listModels(req: SimRequest, sim: SimContext): SimResponse {
  const auth = clientKey(req, sim.config())
  if (!auth.ok) return auth.response
  const byId = new Map<string, Listed>()
  for (const m of servedModels(sim)) if (!byId.has(m.id)) byId.set(m.id, m)
  const data = [...byId.values()]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map(m => {
      const known = lookupModel(m.id)
      return {id: m.id, object: 'model', created: known?.created ?? DEFAULT_CREATED, owned_by: known?.owned_by ?? modelOwner(m.provider)}
    })
  return ok({object: 'list', data})
}

// ------------------------------------------------------------------------------- scripted completions

export interface ClientApiDeps {
  /** Record and publish the usage of a served request (Simulator.serveRequest). */
  serve(req: ServedRequest): GeneratedRecord
  /** Server-local zone of the X-CPA-TRACE-ID time (minutes east of UTC). */
  tzOffsetMinutes: number
}

export const SIMULATED_REPLY = 'This is a simulated reply from cpactl sim.'

const estimateTokens = (text: string): number => Math.ceil(text.length / 4)

/** Text of chat messages / responses input (strings, or content parts with `text`). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.map(textOf).join('\n')
  if (isRecord(value)) return textOf(value.content ?? value.text ?? '')
  return ''
}

function requestError(status: number, message: string, extra: Record<string, unknown> = {}): SimResponse {
  return {status, body: {error: {message, type: 'invalid_request_error', ...extra}}}
}

/** `<YYYYMMDDhhmmss>-<auth_index>-<request_id>` (the `X-CPA-TRACE-ID` of proxy responses), joinable with the usage record. */
function traceId(ms: number, tz: number, authIndex: string, requestId: string): string {
  return `${stamp(ms, tz).replace(/[-: ]/g, '')}-${authIndex}-${requestId}`
}

function sse(events: Array<{event?: string; data: unknown}>, done: boolean): string {
  const parts = events.map(e => `${e.event ? `event: ${e.event}\n` : ''}data: ${JSON.stringify(e.data)}\n\n`)
  return parts.join('') + (done ? 'data: [DONE]\n\n' : '')
}

function complete(deps: ClientApiDeps, kind: 'chat' | 'responses') {
  const rotation = new Map<string, number>()
  return (req: SimRequest, sim: SimContext): SimResponse => {
    const auth = clientKey(req, sim.config())
    if (!auth.ok) return auth.response
    let body: unknown
    try {
      body = JSON.parse(req.body.toString('utf8'))
    } catch (error) {
      return requestError(400, `Invalid request: ${(error as Error).message}`)
    }
    if (!isRecord(body)) return requestError(400, 'Invalid request: the body must be a JSON object')
    const model = typeof body.model === 'string' ? body.model.trim() : ''
    const candidates = servedModels(sim).filter(m => m.id === model)
    if (candidates.length === 0) return requestError(400, `unknown provider for model ${model}`, {code: 'model_not_found', param: 'model'})
    // round-robin over the credentials serving the model
    const turn = rotation.get(model) ?? 0
    rotation.set(model, turn + 1)
    const target = candidates[turn % candidates.length]!

    const input = kind === 'chat' ? textOf(body.messages) : `${textOf(body.instructions)}${textOf(body.input)}`
    const inputTokens = Math.max(1, estimateTokens(input))
    const outputTokens = estimateTokens(SIMULATED_REPLY)
    const reasoning = kind === 'chat' ? body.reasoning_effort : isRecord(body.reasoning) ? body.reasoning.effort : undefined
    const rec = deps.serve({
      account: target.account,
      model: target.upstream,
      alias: model,
      endpoint: kind === 'chat' ? 'POST /v1/chat/completions' : 'POST /v1/responses',
      apiKey: auth.key,
      breakdown: {uncached: inputTokens, cacheRead: 0, cacheWrite: 0, nonReasoning: outputTokens, reasoning: 0},
      clientIp: req.clientIp,
      xff: req.headers['x-forwarded-for'] ?? '',
      userAgent: req.headers['user-agent'] ?? '',
      effort: typeof reasoning === 'string' ? reasoning : '',
      serviceTier: typeof body.service_tier === 'string' ? body.service_tier : 'auto',
    })
    const now = sim.now()
    const created = Math.floor(now / 1000)
    const headers: Record<string, string> = {'X-CPA-TRACE-ID': traceId(now, deps.tzOffsetMinutes, rec.authIndex, rec.requestId)}
    const stream = body.stream === true
    if (kind === 'chat') {
      const id = `chatcmpl-${rec.requestId}`
      const usage = {prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens}
      if (stream) {
        const chunk = (delta: unknown, finish: string | null, extra: Record<string, unknown> = {}) => ({id, object: 'chat.completion.chunk', created, model, choices: [{index: 0, delta, finish_reason: finish}], ...extra})
        const text = sse([{data: chunk({role: 'assistant', content: SIMULATED_REPLY}, null)}, {data: chunk({}, 'stop', {usage})}], true)
        return {status: 200, headers: {...headers, 'content-type': 'text/event-stream'}, body: text}
      }
      return {status: 200, headers, body: {id, object: 'chat.completion', created, model, choices: [{index: 0, message: {role: 'assistant', content: SIMULATED_REPLY}, finish_reason: 'stop'}], usage}}
    }
    const id = `resp_${rec.requestId}`
    const message = {type: 'message', id: `msg_${rec.requestId}`, status: 'completed', role: 'assistant', content: [{type: 'output_text', text: SIMULATED_REPLY, annotations: []}]}
    const usage = {input_tokens: inputTokens, input_tokens_details: {cached_tokens: 0}, output_tokens: outputTokens, output_tokens_details: {reasoning_tokens: 0}, total_tokens: inputTokens + outputTokens}
    const response = {id, object: 'response', created_at: created, status: 'completed', model, output: [message], usage}
    if (stream) {
      const text = sse(
        [
          {event: 'response.created', data: {type: 'response.created', response: {...response, status: 'in_progress', output: [], usage: null}}},
          {event: 'response.output_text.delta', data: {type: 'response.output_text.delta', item_id: message.id, output_index: 0, content_index: 0, delta: SIMULATED_REPLY}},
          {event: 'response.completed', data: {type: 'response.completed', response}},
        ],
        false,
      )
      return {status: 200, headers: {...headers, 'content-type': 'text/event-stream'}, body: text}
    }
    return {status: 200, headers, body: response}
  }
}

export function clientApiRoutes(deps: ClientApiDeps): SimRoute[] {
  return [
    {method: 'GET', path: '/v1/models', handler: listModels},
    {method: 'POST', path: '/v1/chat/completions', handler: complete(deps, 'chat')},
    {method: 'POST', path: '/v1/responses', handler: complete(deps, 'responses')},
  ]
}
