/**
 * Client API keys (the keys callers of `/v1` send): `/api-keys` GET/PUT/PATCH/DELETE, stored in the config's
 * `api-keys` list, and `/api-key-usage` (counters per upstream API-key credential, not per client key: 20
 * ten-minute buckets, in memory since start, non-destructive).
 */
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, ok, parseJson, registryOf, scanInt} from './http.js'

function currentKeys(sim: SimContext): string[] {
  const raw = sim.config()['api-keys']
  return Array.isArray(raw) ? raw.filter((k): k is string => typeof k === 'string') : []
}

/** PUT: a bare array (may be empty: clears) or `{"items":[...]}` (must be non-empty); else 400 invalid body. */
function putKeys(req: SimRequest, sim: SimContext): SimResponse {
  const parsed = parseJson(req)
  if (!parsed.ok) return fail(400, 'invalid body')
  let items: unknown[]
  if (Array.isArray(parsed.value)) items = parsed.value
  else if (isRecord(parsed.value) && Array.isArray(parsed.value.items) && parsed.value.items.length > 0) items = parsed.value.items
  else return fail(400, 'invalid body')
  if (!items.every((k) => typeof k === 'string')) return fail(400, 'invalid body')
  sim.setConfigValue('api-keys', [...(items as string[])])
  return ok()
}

/** PATCH: `{index,value}` replaces by position, or `{old,new}` replaces a match / appends `new` when `old` is absent. */
function patchKeys(req: SimRequest, sim: SimContext): SimResponse {
  const parsed = parseJson(req)
  if (!parsed.ok || !isRecord(parsed.value)) return fail(400, 'invalid body')
  const body = parsed.value
  const keys = currentKeys(sim)
  if (typeof body.index === 'number' && Number.isInteger(body.index) && typeof body.value === 'string') {
    if (body.index >= 0 && body.index < keys.length) {
      keys[body.index] = body.value
      sim.setConfigValue('api-keys', keys)
      return ok()
    }
  }
  if (typeof body.old === 'string' && typeof body.new === 'string') {
    const at = keys.indexOf(body.old)
    if (at >= 0) keys[at] = body.new
    else keys.push(body.new)
    sim.setConfigValue('api-keys', keys)
    return ok()
  }
  return fail(400, 'missing fields')
}

/** DELETE: `?index=N` (in range) or `?value=<key>` (removes every trimmed match). */
function deleteKeys(req: SimRequest, sim: SimContext): SimResponse {
  const keys = currentKeys(sim)
  const idx = scanInt(req.query.get('index'))
  if (req.query.get('index') && idx !== undefined && idx >= 0 && idx < keys.length) {
    keys.splice(idx, 1)
    sim.setConfigValue('api-keys', keys)
    return ok()
  }
  const value = (req.query.get('value') ?? '').trim()
  if (value !== '') {
    sim.setConfigValue(
      'api-keys',
      keys.filter((k) => k.trim() !== value),
    )
    return ok()
  }
  return fail(400, 'missing index or value')
}

/**
 * GET /api-key-usage: provider → `"<base_url>|<api_key>"` → {success, failed, recent_requests ×20}. Covers
 * config-backed upstream API-key credentials only; provider = lowercased provider or openai-compat name.
 */
function apiKeyUsage(_req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const out: Record<string, Record<string, unknown>> = {}
  for (const account of reg.list()) {
    if (account.authType !== 'apikey') continue
    const key = reg.configKey(account.authIndex)
    if (!key) continue
    const provider = account.provider.toLowerCase()
    out[provider] ??= {}
    out[provider][`${key.baseUrl}|${key.apiKey}`] = {
      success: account.success,
      failed: account.failed,
      recent_requests: reg.recentRequests(account.authIndex, sim.now()),
    }
  }
  return ok(out)
}

export const apiKeyRoutes: SimRoute[] = [
  {method: 'GET', path: '/api-keys', handler: (_req, sim) => ok({'api-keys': currentKeys(sim)})},
  {method: 'PUT', path: '/api-keys', handler: putKeys},
  {method: 'PATCH', path: '/api-keys', handler: patchKeys},
  {method: 'DELETE', path: '/api-keys', handler: deleteKeys},
  {method: 'GET', path: '/api-key-usage', since: 'apiKeyUsage', handler: apiKeyUsage},
]
