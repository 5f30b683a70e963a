/**
 * The quota and profile hosts of upstream-probes.ts through `/api-call` (the calls
 * the official management UI makes): Claude profile, Codex reset credits, Kimi usages, Antigravity.
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {CODEX_USAGE_URL, windowAt} from '../../../src/lib/sim/upstream.js'
import {ANTIGRAVITY_HOSTS, CLAUDE_PROFILE_URL, CODEX_RESET_CREDITS_CONSUME_URL, CODEX_RESET_CREDITS_URL, KIMI_USAGE_URL} from '../../../src/lib/sim/upstream-probes.js'
import {call, firstAccount, startSurface, type SurfaceEnv} from './surface-harness.js'

// one simulator for the file: each test works on its own provider's credentials
let env: SurfaceEnv
beforeAll(async () => {
  env = await startSurface()
})
afterAll(async () => env.close())

const account = (provider: string) => firstAccount(env, provider)

async function apiCall(body: Record<string, unknown>) {
  const r = await call(env, 'POST', '/api-call', {json: body})
  expect(r.status).toBe(200)
  return {status: r.json.status_code as number, header: r.json.header as Record<string, string[]>, body: JSON.parse(r.json.body)}
}

const bearer = {Authorization: 'Bearer $TOKEN$'}
const nowS = () => Math.floor(env.clock.now / 1000)

describe('Claude OAuth profile', () => {
  it('answers account and organization from the credential; a codex credential is unauthorized', async () => {
    const a = account('claude')
    env.accounts.setScenario(a.authIndex, 'ok')
    const r = await apiCall({auth_index: a.authIndex, method: 'GET', url: CLAUDE_PROFILE_URL, header: {...bearer, 'anthropic-beta': 'oauth-2025-04-20'}})
    expect(r.status).toBe(200)
    expect(Object.keys(r.body.account).sort()).toEqual(['created_at', 'display_name', 'email', 'full_name', 'has_claude_max', 'has_claude_pro', 'uuid'])
    expect(r.body.account).toMatchObject({uuid: a.md.account_uuid, email: a.email})
    expect(r.body.account.has_claude_max).toBe(!r.body.account.has_claude_pro)
    expect(r.body.organization).toMatchObject({uuid: a.md.organization_uuid, name: a.md.organization_name, subscription_status: 'active'})
    env.accounts.setScenario(a.authIndex, 'revoked')
    expect((await apiCall({auth_index: a.authIndex, method: 'GET', url: CLAUDE_PROFILE_URL, header: bearer})).status).toBe(401)
    const codex = account('codex')
    expect((await apiCall({auth_index: codex.authIndex, method: 'GET', url: CLAUDE_PROFILE_URL, header: bearer})).status).toBe(401)
  })
})

describe('Codex rate-limit reset credits', () => {
  it('lists seeded credits; consume spends one and zeroes the windows until they roll over; none left ⇒ 409', async () => {
    // find a codex account with at least one credit
    const codex = env.accounts.list().filter(x => x.provider === 'codex')
    let a: ReturnType<typeof account> | undefined
    let listed: Awaited<ReturnType<typeof apiCall>> | undefined
    for (const c of codex) {
      const md = env.accounts.file(c.name)!.metadata
      env.accounts.setScenario(c.authIndex, 'long_exhausted')
      const header = {...bearer, 'Chatgpt-Account-Id': String(md.account_id)}
      const r = await apiCall({auth_index: c.authIndex, method: 'GET', url: CODEX_RESET_CREDITS_URL, header})
      expect(r.status).toBe(200)
      expect(r.body.available_count).toBe(r.body.credits.length)
      if (r.body.available_count > 0) {
        a = {...c, md}
        listed = r
        break
      }
    }
    expect(a).toBeDefined()
    const header = {...bearer, 'Chatgpt-Account-Id': String(a!.md.account_id)}
    expect(listed!.body.credits[0]).toMatchObject({reset_type: 'codex_rate_limits', status: 'available'})
    expect(Object.keys(listed!.body.credits[0]).sort()).toEqual(['expires_at', 'granted_at', 'id', 'reset_type', 'status'])

    const before = await apiCall({auth_index: a!.authIndex, method: 'GET', url: CODEX_USAGE_URL, header})
    expect(before.body.rate_limit.secondary_window.used_percent).toBe(100)
    expect(before.body.rate_limit_reset_credits).toEqual({available_count: listed!.body.available_count, applicable_available_count: listed!.body.available_count})

    const consumed = await apiCall({auth_index: a!.authIndex, method: 'POST', url: CODEX_RESET_CREDITS_CONSUME_URL, header, data: JSON.stringify({redeem_request_id: 'r1'})})
    expect(consumed.status).toBe(200)
    const after = await apiCall({auth_index: a!.authIndex, method: 'GET', url: CODEX_USAGE_URL, header})
    expect([after.body.rate_limit.primary_window.used_percent, after.body.rate_limit.secondary_window.used_percent]).toEqual([0, 0])
    expect(after.body.rate_limit.limit_reached).toBe(false)
    expect(after.body.rate_limit_reset_credits.available_count).toBe(listed!.body.available_count - 1)

    // the weekly window rolls over: the scenario's exhaustion is back
    env.clock.now += (windowAt(a!.authIndex, 604_800, nowS()).resetAfter + 1) * 1000
    const later = await apiCall({auth_index: a!.authIndex, method: 'GET', url: CODEX_USAGE_URL, header})
    expect(later.body.rate_limit.secondary_window.used_percent).toBe(100)

    for (let i = 1; i < listed!.body.available_count; i++) await apiCall({auth_index: a!.authIndex, method: 'POST', url: CODEX_RESET_CREDITS_CONSUME_URL, header})
    const none = await apiCall({auth_index: a!.authIndex, method: 'POST', url: CODEX_RESET_CREDITS_CONSUME_URL, header})
    expect(none.status).toBe(409)
    // the account id header is checked as for wham/usage
    expect((await apiCall({auth_index: a!.authIndex, method: 'GET', url: CODEX_RESET_CREDITS_URL, header: bearer})).status).toBe(403)
  })
})

describe('Kimi usages', () => {
  it('answers usage and limits (int64 as strings) for a kimi credential; error scenarios in Kimi format', async () => {
    const kimi = {type: 'kimi', access_token: 'kimi-token-1', refresh_token: 'r', token_type: 'Bearer', timestamp: env.clock.now}
    expect((await call(env, 'POST', '/auth-files?name=kimi-1.json', {json: kimi})).status).toBe(200)
    const a = env.accounts.byName('kimi-1.json')!
    const r = await apiCall({auth_index: a.authIndex, method: 'GET', url: KIMI_USAGE_URL, header: bearer})
    expect(r.status).toBe(200)
    expect(Object.keys(r.body.usage).sort()).toEqual(['limit', 'remaining', 'resetTime', 'used'])
    expect(Number(r.body.usage.limit) - Number(r.body.usage.used)).toBe(Number(r.body.usage.remaining))
    expect(r.body.limits[0].window).toEqual({duration: 300, timeUnit: 'TIME_UNIT_MINUTE'})
    env.accounts.setScenario(a.authIndex, 'invalid_token')
    const bad = await apiCall({auth_index: a.authIndex, method: 'GET', url: KIMI_USAGE_URL, header: bearer})
    expect(bad).toMatchObject({status: 401, body: {error: {type: 'invalid_authentication_error'}}})
  })
})

describe('Antigravity (Cloud Code)', () => {
  it('retrieveUserQuotaSummary on all three hosts, loadCodeAssist, fetchAvailableModels', async () => {
    const a = account('antigravity')
    const header = {...bearer, 'Content-Type': 'application/json'}
    for (const host of ANTIGRAVITY_HOSTS) {
      const r = await apiCall({auth_index: a.authIndex, method: 'POST', url: `${host}/v1internal:retrieveUserQuotaSummary`, header, data: JSON.stringify({project: a.md.project_id})})
      expect(r.status).toBe(200)
      expect(r.body.groups.map((g: {displayName: string}) => g.displayName)).toEqual(['Gemini models', 'Claude models'])
      const bucket = r.body.groups[0].buckets[0]
      expect(Object.keys(bucket).sort()).toEqual(['bucketId', 'displayName', 'remainingFraction', 'resetTime', 'window'])
      expect(bucket.window).toBe('5h')
      expect(bucket.remainingFraction).toBeGreaterThanOrEqual(0)
      expect(bucket.remainingFraction).toBeLessThanOrEqual(1)
      expect(r.header.Date).toHaveLength(1)
    }
    const load = await apiCall({auth_index: a.authIndex, method: 'POST', url: `${ANTIGRAVITY_HOSTS[0]}/v1internal:loadCodeAssist`, header, data: '{"metadata":{"ideType":"ANTIGRAVITY"}}'})
    expect(load.body).toMatchObject({paidTier: {id: 'g1-pro-tier'}, cloudaicompanionProject: a.md.project_id})
    const models = await apiCall({auth_index: a.authIndex, method: 'POST', url: `${ANTIGRAVITY_HOSTS[2]}/v1internal:fetchAvailableModels`, header, data: '{}'})
    expect(Object.keys(models.body.models).sort()).toEqual(['claude-sonnet-4-5-thinking', 'gemini-2.5-flash', 'gemini-3-pro-preview'])
    expect(models.body.models['gemini-2.5-flash'].quotaInfo).toEqual({remainingFraction: expect.any(Number), resetTime: expect.stringMatching(/Z$/)})
    env.accounts.setScenario(a.authIndex, 'rate_limited')
    const limited = await apiCall({auth_index: a.authIndex, method: 'POST', url: `${ANTIGRAVITY_HOSTS[2]}/v1internal:retrieveUserQuotaSummary`, header})
    expect(limited).toMatchObject({status: 429, body: {error: {code: 429, status: 'RESOURCE_EXHAUSTED'}}})
  })
})
