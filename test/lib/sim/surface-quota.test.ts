/**
 * Gateway-side quota of v8 gateways (added after 7.2.140): `/quota/*` on
 * /v0, early builds' `/credentials/quota/*`, and `/plugins/:id/quota`, answered by the scripted quota plugin
 * `sim-quota` (plugins on) from the credential's scripted wham/usage answer.
 */
import {afterEach, describe, expect, it} from 'vitest'

import {call, firstAccount, KEY, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv

afterEach(async () => {
  await env?.close()
})

const V8 = '8.0.23'
const PROVIDER = {plugin_id: 'sim-quota', provider: 'codex', display_name: 'Codex usage (simulated plugin)', supported_providers: ['codex'], supports_reset: true}

/** The normalised quota the plugin derives from the account's wham/usage answer (same clock). */
async function expectedQuota(authIndex: string) {
  const account = firstAccount(env, 'codex')
  const usage = await call(env, 'POST', '/api-call', {
    json: {auth_index: authIndex, method: 'GET', url: 'https://chatgpt.com/backend-api/wham/usage', header: {Authorization: 'Bearer $TOKEN$', 'Chatgpt-Account-Id': String(account.md.account_id)}},
  })
  const body = JSON.parse(usage.json.body)
  const bucket = (label: string, w: {used_percent: number; reset_at: number}) => ({
    window: label,
    remainingFraction: (100 - w.used_percent) / 100,
    resetTime: new Date(w.reset_at * 1000).toISOString(),
    description: `${w.used_percent}% used`,
  })
  return {
    subscription: {plan: body.plan_type},
    groups: [{displayName: 'Codex', buckets: [bucket('5h', body.rate_limit.primary_window), bucket('7d', body.rate_limit.secondary_window)]}],
  }
}

async function v8(method: string, path: string, json?: unknown) {
  const res = await fetch(`${env.url}/v8/management${path}`, {
    method,
    headers: {authorization: `Bearer ${KEY}`, ...(json === undefined ? {} : {'content-type': 'application/json'})},
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  const text = await res.text()
  return {status: res.status, text, json: text ? JSON.parse(text) : undefined}
}

describe('/quota/* on /v0 (every v8 build)', () => {
  it('plugins off: no provider; fetch 501, reset 501 plugin host unavailable; the documented 400/404s', async () => {
    env = await startSurface({sim: {version: V8}})
    const codex = firstAccount(env, 'codex')
    expect(await call(env, 'GET', '/quota/providers')).toMatchObject({status: 200, json: {providers: []}})
    expect(await call(env, 'POST', '/quota/fetch', {json: {auth_index: codex.authIndex}})).toMatchObject({status: 501, json: {error: 'no quota provider available for credential'}})
    expect(await call(env, 'POST', '/quota/reset', {json: {auth_index: codex.authIndex}})).toMatchObject({status: 501, json: {error: 'plugin host unavailable'}})
    for (const path of ['/quota/fetch', '/quota/reset']) {
      expect(await call(env, 'POST', path, {body: 'x', headers: {'content-type': 'application/json'}})).toMatchObject({status: 400, json: {error: 'invalid request body'}})
      expect(await call(env, 'POST', path, {json: {auth_index: 7}})).toMatchObject({status: 400, json: {error: 'invalid request body'}})
      expect(await call(env, 'POST', path, {json: {}})).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
      expect(await call(env, 'POST', path, {json: {authIndex: 'ffffffffffffffff'}})).toMatchObject({status: 404, json: {error: 'auth not found'}})
    }
  })

  it('plugins on: sim-quota lists itself, fetches Codex quota (any index spelling), 501 for uncovered providers, 502 on a failing upstream', async () => {
    env = await startSurface({sim: {version: V8, plugins: true}})
    const codex = firstAccount(env, 'codex')
    env.accounts.setScenario(codex.authIndex, 'ok')
    expect((await call(env, 'GET', '/quota/providers')).json).toEqual({providers: [PROVIDER]})
    const quota = await expectedQuota(codex.authIndex)
    for (const body of [{auth_index: codex.authIndex}, {authIndex: codex.authIndex}, {AuthIndex: codex.authIndex, plugin_id: 'sim-quota'}]) {
      expect(await call(env, 'POST', '/quota/fetch', {json: body})).toMatchObject({status: 200, json: quota})
    }
    const claude = firstAccount(env, 'claude')
    expect(await call(env, 'POST', '/quota/fetch', {json: {auth_index: claude.authIndex}})).toMatchObject({status: 501, json: {error: 'no quota provider available for credential'}})
    // plugin_id or provider steer it to the plugin, which refuses
    expect(await call(env, 'POST', '/quota/fetch', {json: {auth_index: claude.authIndex, plugin_id: 'sim-quota'}})).toMatchObject({
      status: 502,
      json: {error: 'failed to fetch quota: sim-quota: provider claude is not supported'},
    })
    env.accounts.setScenario(codex.authIndex, 'revoked')
    expect(await call(env, 'POST', '/quota/fetch', {json: {auth_index: codex.authIndex}})).toMatchObject({status: 502, json: {error: 'failed to fetch quota: sim-quota: wham/usage answered 401'}})
    // switching the plugin off removes the provider
    await call(env, 'PATCH', '/plugins/sim-quota/enabled', {json: {enabled: false}})
    expect((await call(env, 'GET', '/quota/providers')).json).toEqual({providers: []})
  })

  it('reset: clears quota and cooldown through the plugin (like /reset-quota); plugin and provider refusals', async () => {
    env = await startSurface({sim: {version: V8, plugins: true}})
    const codex = firstAccount(env, 'codex')
    const claude = firstAccount(env, 'claude')
    expect(await call(env, 'POST', '/quota/reset', {json: {auth_index: codex.authIndex}})).toMatchObject({
      status: 200,
      json: {status: 'ok', auth_index: codex.authIndex, message: 'quota and cooldown reset'},
    })
    expect(env.accounts.quotaResets(codex.authIndex)).toBe(1)
    expect(await call(env, 'POST', '/quota/reset', {json: {auth_index: claude.authIndex}})).toMatchObject({status: 501, json: {error: 'no quota provider available for credential to reset'}})
    expect(await call(env, 'POST', '/quota/reset', {json: {auth_index: codex.authIndex, plugin_id: 'sim-login'}})).toMatchObject({status: 404, json: {error: 'quota provider not found for plugin'}})
    expect(await call(env, 'POST', '/quota/reset', {json: {auth_index: claude.authIndex, plugin_id: 'sim-quota'}})).toMatchObject({
      status: 502,
      json: {error: 'plugin quota reset failed: sim-quota: provider claude is not supported'},
    })
    expect(env.accounts.quotaResets(claude.authIndex)).toBe(0)
  })

  it('a v7.2.140 gateway has no quota routes', async () => {
    env = await startSurface({sim: {version: '7.2.140', plugins: true}})
    for (const [method, path] of [['GET', '/quota/providers'], ['POST', '/quota/fetch'], ['GET', '/plugins/sim-quota/quota']]) {
      const r = await call(env, method!, path!)
      expect({path, status: r.status, text: r.text}).toEqual({path, status: 404, text: ''})
    }
  })
})

describe('/plugins/:id/quota (v0 and v8; POST …/quota/reset on v0 only)', () => {
  it('GET ?auth_index / POST body fetch; DELETE (query or body) and POST /quota/reset reset; errors', async () => {
    env = await startSurface({sim: {version: V8, plugins: true}})
    const codex = firstAccount(env, 'codex')
    env.accounts.setScenario(codex.authIndex, 'ok')
    const quota = await expectedQuota(codex.authIndex)
    expect(await call(env, 'GET', `/plugins/sim-quota/quota?auth_index=${codex.authIndex}`)).toMatchObject({status: 200, json: quota})
    expect(await call(env, 'GET', `/plugins/sim-quota/quota?authIndex=${codex.authIndex}`)).toMatchObject({status: 200, json: quota})
    expect(await v8('POST', '/plugins/sim-quota/quota', {auth_index: codex.authIndex})).toMatchObject({status: 200, json: quota})
    expect(await v8('GET', `/plugins/sim-quota/quota?auth_index=${codex.authIndex}`)).toMatchObject({status: 200, json: quota})

    const reset = {status: 200, json: {status: 'ok', auth_index: codex.authIndex, message: 'quota and cooldown reset'}}
    expect(await call(env, 'DELETE', `/plugins/sim-quota/quota?auth_index=${codex.authIndex}`)).toMatchObject(reset)
    expect(await call(env, 'DELETE', '/plugins/sim-quota/quota', {json: {auth_index: codex.authIndex}})).toMatchObject(reset)
    expect(await call(env, 'POST', '/plugins/sim-quota/quota/reset', {json: {authIndex: codex.authIndex}})).toMatchObject(reset)
    expect(await v8('DELETE', `/plugins/sim-quota/quota?auth_index=${codex.authIndex}`)).toMatchObject(reset)
    expect(env.accounts.quotaResets(codex.authIndex)).toBe(4)
    expect(await v8('POST', '/plugins/sim-quota/quota/reset', {auth_index: codex.authIndex})).toMatchObject({status: 404, text: ''})

    expect(await call(env, 'GET', '/plugins/sim-quota/quota')).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
    expect(await call(env, 'POST', '/plugins/sim-quota/quota', {body: '{', headers: {'content-type': 'application/json'}})).toMatchObject({status: 400, json: {error: 'invalid request body'}})
    expect(await call(env, 'DELETE', '/plugins/sim-quota/quota')).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
    expect(await call(env, 'GET', '/plugins/sim-quota/quota?auth_index=ffffffffffffffff')).toMatchObject({status: 404, json: {error: 'auth not found'}})
    expect(await call(env, 'GET', `/plugins/sim-login/quota?auth_index=${codex.authIndex}`)).toMatchObject({status: 404, json: {error: 'quota provider not found for plugin'}})
    const claude = firstAccount(env, 'claude')
    expect(await call(env, 'GET', `/plugins/sim-quota/quota?auth_index=${claude.authIndex}`)).toMatchObject({
      status: 502,
      json: {error: 'failed to fetch quota: sim-quota: provider claude is not supported'},
    })
    expect(await call(env, 'DELETE', `/plugins/sim-quota/quota?auth_index=${claude.authIndex}`)).toMatchObject({
      status: 502,
      json: {error: 'failed to reset quota: sim-quota: provider claude is not supported'},
    })
  })

  it('GET /plugins on a later build marks the quota plugin (supports_quota, quota_provider); early builds do not', async () => {
    env = await startSurface({sim: {version: V8, plugins: true}})
    const later = (await v8('GET', '/plugins')).json.plugins.map((p: Record<string, unknown>) => [p.id, p.supports_quota, p.quota_provider])
    expect(later).toEqual([
      ['sim-insights', false, undefined],
      ['sim-login', false, undefined],
      ['sim-quota', true, 'codex'],
    ])
    await env.close()
    env = await startSurface({sim: {version: '8.0.4', v8Revision: 'early', plugins: true}})
    const early = (await v8('GET', '/plugins')).json.plugins as Array<Record<string, unknown>>
    expect(early.every(p => !('supports_quota' in p) && !('quota_provider' in p))).toBe(true)
  })
})

describe('early 8.0.x builds: /v8/management/credentials/quota/* = the /quota/* handlers', () => {
  it('providers, fetch and reset answer as on /v0', async () => {
    env = await startSurface({sim: {version: '8.0.4', v8Revision: 'early', plugins: true}})
    const codex = firstAccount(env, 'codex')
    env.accounts.setScenario(codex.authIndex, 'ok')
    expect(await v8('GET', '/credentials/quota/providers')).toMatchObject({status: 200, json: {providers: [PROVIDER]}})
    expect(await v8('POST', '/credentials/quota/fetch', {auth_index: codex.authIndex})).toMatchObject({status: 200, json: await expectedQuota(codex.authIndex)})
    expect(await v8('POST', '/credentials/quota/reset', {auth_index: codex.authIndex})).toMatchObject({status: 200, json: {status: 'ok', auth_index: codex.authIndex}})
    expect(await v8('POST', '/credentials/quota/fetch', {})).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
  })
})
