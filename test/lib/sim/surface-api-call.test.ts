import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {UpstreamScenario} from '../../../src/lib/sim/account-types.js'
import {codexIdTokenClaims} from '../../../src/lib/sim/jwt.js'
import {interpretXaiBilling, readCredits, readMonthly} from '../../../src/lib/inspect/probe-xai.js'
import {CLAUDE_USAGE_URL, CODEX_USAGE_URL, windowAt, XAI_BILLING_URL, XAI_ME_URL} from '../../../src/lib/sim/upstream.js'
import {call, firstAccount, startSurface, type SurfaceEnv} from './surface-harness.js'
import {SUITE_IS_V8} from '../../helpers/sim.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface()
})
afterEach(async () => {
  await env.close()
})

const account = (provider: string) => firstAccount(env, provider)

function codexProbe(a: ReturnType<typeof account>, extra: Record<string, unknown> = {}) {
  return {
    auth_index: a.authIndex,
    method: 'GET',
    url: CODEX_USAGE_URL,
    header: {Authorization: 'Bearer $TOKEN$', 'Chatgpt-Account-Id': String(a.md.account_id), 'User-Agent': 'cpactl-test'},
    ...extra,
  }
}

async function probe(body: unknown) {
  const res = await call(env, 'POST', '/api-call', {json: body})
  return res
}

const nowS = () => Math.floor(env.clock.now / 1000)

describe('/api-call request validation', () => {
  it('answers the documented 400s', async () => {
    const a = account('codex')
    expect(await call(env, 'POST', '/api-call', {body: '{', headers: {'content-type': 'application/json'}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    expect(await probe({url: CODEX_USAGE_URL})).toMatchObject({status: 400, json: {error: 'missing method'}})
    expect(await probe({method: 'GET'})).toMatchObject({status: 400, json: {error: 'missing url'}})
    expect(await probe({method: 'GET', url: 'not a url'})).toMatchObject({status: 400, json: {error: 'invalid url'}})
    // an auth_index that matches no credential: v7 forwards $TOKEN$ unreplaced and wraps the
    // upstream's 401 in a 200; v8 refuses with 400
    if (SUITE_IS_V8) expect(await probe({...codexProbe(a), auth_index: 'ffffffffffffffff'})).toMatchObject({status: 400, json: {error: 'auth credential not found for auth_index'}})
    else expect(await probe({...codexProbe(a), auth_index: 'ffffffffffffffff'})).toMatchObject({status: 200, json: {status_code: 401}})
    // a vertex service account has no token to substitute
    const vertex = account('vertex')
    expect(await probe({...codexProbe(a), auth_index: vertex.authIndex})).toMatchObject({status: 400, json: {error: 'auth token not found'}})
    // unscripted hosts are unreachable from the simulator
    expect(await probe({method: 'GET', url: 'https://example.com/'})).toMatchObject({status: 502, json: {error: 'request failed'}})
  })
})

describe('Codex wham/usage', () => {
  it('ok: HTTP 200 wrapping status_code 200 and the usage body, deterministic for the clock', async () => {
    const a = account('codex')
    env.accounts.setScenario(a.authIndex, 'ok')
    const res = await probe(codexProbe(a))
    expect(res.status).toBe(200)
    expect(res.json.status_code).toBe(200)
    expect(res.json.header['Content-Type']).toEqual(['application/json'])
    const body = JSON.parse(res.json.body)
    const claims = codexIdTokenClaims(a.md.id_token)!
    expect(body).toMatchObject({account_id: a.md.account_id, email: a.email, plan_type: claims.plan_type, additional_rate_limits: null, promo: null})
    expect(body.rate_limit.allowed).toBe(true)
    expect(body.rate_limit.limit_reached).toBe(false)
    for (const [w, len, max] of [
      [body.rate_limit.primary_window, 18_000, 90],
      [body.rate_limit.secondary_window, 604_800, 80],
    ] as const) {
      expect(w.limit_window_seconds).toBe(len)
      expect(Number.isInteger(w.used_percent) && w.used_percent >= 0 && w.used_percent < max).toBe(true)
      expect(w.reset_at - nowS()).toBe(w.reset_after_seconds)
      expect(w.reset_after_seconds > 0 && w.reset_after_seconds <= len).toBe(true)
    }
    // same clock ⇒ same answer; after the 5-hour reset the window moves by exactly 18000 s
    expect((await probe(codexProbe(a))).json).toEqual(res.json)
    const before = body.rate_limit.primary_window.reset_at
    env.clock.now += (body.rate_limit.primary_window.reset_after_seconds + 1) * 1000
    const later = JSON.parse((await probe(codexProbe(a))).json.body)
    expect(later.rate_limit.primary_window.reset_at).toBe(before + 18_000)
  })

  it('exhausted windows: long (weekly 100 %) and short (5 h 100 %, weekly fine)', async () => {
    const a = account('codex')
    env.accounts.setScenario(a.authIndex, 'long_exhausted')
    const long = JSON.parse((await probe(codexProbe(a))).json.body)
    expect(long.rate_limit.secondary_window.used_percent).toBe(100)
    expect(long.rate_limit.limit_reached).toBe(true)
    expect(long.rate_limit.allowed).toBe(false)
    env.accounts.setScenario(a.authIndex, 'short_exhausted')
    const short = JSON.parse((await probe(codexProbe(a))).json.body)
    expect(short.rate_limit.primary_window.used_percent).toBe(100)
    expect(short.rate_limit.secondary_window.used_percent).toBeLessThan(100)
    expect(short.rate_limit.limit_reached).toBe(true)
  })

  it('error scenarios keep HTTP 200 and carry the upstream status and evidence', async () => {
    const a = account('codex')
    const expectations: Array<[UpstreamScenario, number, RegExp]> = [
      ['revoked', 401, /invalidated oauth token.*token_revoked/],
      ['invalid_token', 401, /"code":"invalid_token"/],
      ['deactivated_workspace', 402, /^\{"detail":\{"code":"deactivated_workspace"\}\}$/],
      ['rate_limited', 429, /"type":"usage_limit_reached"/],
      ['forbidden_plain', 403, /^Forbidden$/],
      ['server_error', 500, /server_error/],
    ]
    for (const [scenario, status, body] of expectations) {
      env.accounts.setScenario(a.authIndex, scenario)
      const res = await probe(codexProbe(a))
      expect({scenario, http: res.status, status: res.json.status_code}).toEqual({scenario, http: 200, status})
      expect(res.json.body).toMatch(body)
    }
    env.accounts.setScenario(a.authIndex, 'rate_limited')
    const limited = await probe(codexProbe(a))
    const err = JSON.parse(limited.json.body).error
    expect(err.resets_at - nowS()).toBe(err.resets_in_seconds)
    expect(limited.json.header['Retry-After']).toEqual([String(err.resets_in_seconds)])
    expect(err.plan_type).toBe(codexIdTokenClaims(a.md.id_token)!.plan_type)
  })

  it('requires the credential token and the matching Chatgpt-Account-Id', async () => {
    const a = account('codex')
    env.accounts.setScenario(a.authIndex, 'ok')
    const wrongToken = await probe({...codexProbe(a), header: {Authorization: 'Bearer nope', 'Chatgpt-Account-Id': String(a.md.account_id)}})
    expect(wrongToken.json.status_code).toBe(401)
    const noAccount = await probe({...codexProbe(a), header: {Authorization: 'Bearer $TOKEN$'}})
    expect(noAccount.json.status_code).toBe(403)
    // $TOKEN$ resolves to the file's access_token: sending it literally works too
    const literal = await probe({...codexProbe(a), header: {Authorization: `Bearer ${String(a.md.access_token)}`, 'chatgpt-account-id': String(a.md.account_id)}})
    expect(literal.json.status_code).toBe(200)
    // camelCase authIndex is accepted
    const camel = await probe({authIndex: a.authIndex, method: 'get', url: CODEX_USAGE_URL, header: codexProbe(a).header})
    expect(camel.json.status_code).toBe(200)
  })

  it('timeout: a slow upstream answers late; one beyond 60 s is 502 request failed', async () => {
    const a = account('codex')
    env.accounts.setScenario(a.authIndex, {scenario: 'timeout', delayMs: 300})
    const ctrl = AbortSignal.timeout(100)
    await expect(
      fetch(`${env.url}/v0/management/api-call`, {
        method: 'POST',
        headers: {authorization: 'Bearer sim-surface-test-key', 'content-type': 'application/json'},
        body: JSON.stringify(codexProbe(a)),
        signal: ctrl,
      }),
    ).rejects.toThrow()
    const late = await probe(codexProbe(a))
    expect(late.json.status_code).toBe(200)
    env.accounts.apiCallTimeoutMs = 150
    env.accounts.setScenario(a.authIndex, {scenario: 'timeout', delayMs: 10_000})
    expect(await probe(codexProbe(a))).toMatchObject({status: 502, json: {error: 'request failed'}})
  })
})

describe('Claude oauth/usage and xAI billing', () => {
  it('claude windows follow the scenario', async () => {
    const a = account('claude')
    const req = {auth_index: a.authIndex, method: 'GET', url: CLAUDE_USAGE_URL, header: {Authorization: 'Bearer $TOKEN$', 'anthropic-beta': 'oauth-2025-04-20'}}
    env.accounts.setScenario(a.authIndex, 'ok')
    const ok = JSON.parse((await probe(req)).json.body)
    expect(ok.five_hour.utilization).toBeLessThan(90)
    expect(Date.parse(ok.five_hour.resets_at) > env.clock.now).toBe(true)
    expect(Date.parse(ok.seven_day.resets_at) - env.clock.now <= 604_800_000).toBe(true)
    env.accounts.setScenario(a.authIndex, 'short_exhausted')
    expect(JSON.parse((await probe(req)).json.body).five_hour.utilization).toBe(100)
    env.accounts.setScenario(a.authIndex, 'long_exhausted')
    expect(JSON.parse((await probe(req)).json.body).seven_day.utilization).toBe(100)
    env.accounts.setScenario(a.authIndex, 'revoked')
    const revoked = (await probe(req)).json
    expect(revoked.status_code).toBe(401)
    expect(revoked.body).toMatch(/revoked/)
    env.accounts.setScenario(a.authIndex, 'rate_limited')
    expect((await probe(req)).json.status_code).toBe(429)
  })

  it('xai billing: the Grok CLI credits and monthly shapes, exactly, per scenario; the inspect parser reads them', async () => {
    const a = account('xai')
    const header = {Authorization: 'Bearer $TOKEN$', Accept: '*/*', 'x-xai-token-auth': 'xai-grok-cli'}
    const req = (url: string) => ({auth_index: a.authIndex, method: 'GET', url, header})
    const CREDITS = `${XAI_BILLING_URL}?format=credits`
    const iso = (unixS: number) => new Date(unixS * 1000).toISOString().replace('Z', '+00:00')
    const week = windowAt(a.authIndex, 604_800, nowS())
    const month = windowAt(a.authIndex, 2_592_000, nowS())
    const credits = (pct: number) => ({
      config: {
        creditUsagePercent: pct,
        currentPeriod: {type: 'USAGE_PERIOD_TYPE_WEEKLY', start: iso(week.resetAt - 604_800), end: iso(week.resetAt)},
        productUsage: [{product: 'GrokBuild', usagePercent: pct}],
      },
    })
    const monthly = (pct: number) => ({
      config: {
        monthlyLimit: {val: '5000'},
        used: {val: String(pct * 50)},
        onDemandCap: {val: '0'},
        billingPeriodStart: iso(month.resetAt - 2_592_000),
        billingPeriodEnd: iso(month.resetAt),
      },
    })
    const get = async (url: string) => {
      const res = await probe(req(url))
      expect(res.status).toBe(200)
      expect(res.json.header['Content-Type']).toEqual(['application/json'])
      return {status: res.json.status_code as number, header: res.json.header as Record<string, string[]>, body: res.json.body as string}
    }

    env.accounts.setScenario(a.authIndex, 'ok')
    const okCredits = await get(CREDITS)
    const okMonthly = await get(XAI_BILLING_URL)
    expect([okCredits.status, okMonthly.status]).toEqual([200, 200])
    const weekPct = JSON.parse(okCredits.body).config.creditUsagePercent
    const monthPct = Number(JSON.parse(okMonthly.body).config.used.val) / 50
    expect(Number.isInteger(weekPct) && weekPct >= 0 && weekPct < 90).toBe(true)
    expect(Number.isInteger(monthPct) && monthPct >= 0 && monthPct < 80).toBe(true)
    expect(JSON.parse(okCredits.body)).toEqual(credits(weekPct))
    expect(JSON.parse(okMonthly.body)).toEqual(monthly(monthPct))
    // deterministic for the clock
    expect((await get(CREDITS)).body).toBe(okCredits.body)
    // what probe-xai.ts makes of them
    expect(readCredits(JSON.parse(okCredits.body).config)).toEqual({
      main: {id: 'credits', label: '7d', usedPercent: weekPct, resetsAt: new Date(week.resetAt * 1000).toISOString(), windowSeconds: 604_800, startedAt: new Date((week.resetAt - 604_800) * 1000).toISOString()},
      extra: [{id: 'product.GrokBuild', label: 'credits GrokBuild', usedPercent: weekPct, resetsAt: new Date(week.resetAt * 1000).toISOString(), windowSeconds: 604_800, startedAt: new Date((week.resetAt - 604_800) * 1000).toISOString()}],
    })
    expect(readMonthly(JSON.parse(okMonthly.body).config)).toEqual({
      main: {id: 'monthly', label: '30d', usedPercent: monthPct, resetsAt: new Date(month.resetAt * 1000).toISOString(), windowSeconds: 2_592_000, startedAt: new Date((month.resetAt - 2_592_000) * 1000).toISOString()},
      extra: [],
    })
    expect(interpretXaiBilling(okCredits, okMonthly, 100, env.clock.now)).toMatchObject({classification: 'ok', disableEvidence: false, httpStatus: 200})

    env.accounts.setScenario(a.authIndex, 'long_exhausted')
    const longCredits = await get(CREDITS)
    const longMonthly = await get(XAI_BILLING_URL)
    expect(JSON.parse(longCredits.body)).toEqual(credits(100))
    expect(JSON.parse(longMonthly.body)).toEqual(monthly(100))
    expect(interpretXaiBilling(longCredits, longMonthly, 100, env.clock.now)).toMatchObject({
      classification: 'quota_exhausted',
      disableEvidence: true,
      windows: {short: {id: 'credits', usedPercent: 100}, long: {id: 'monthly', usedPercent: 100}},
    })

    env.accounts.setScenario(a.authIndex, 'short_exhausted')
    const shortCredits = await get(CREDITS)
    const shortMonthly = await get(XAI_BILLING_URL)
    expect(JSON.parse(shortCredits.body)).toEqual(credits(100))
    expect(JSON.parse(shortMonthly.body)).toEqual(monthly(monthPct))
    expect(interpretXaiBilling(shortCredits, shortMonthly, 100, env.clock.now)).toMatchObject({classification: 'quota_exhausted', disableEvidence: false})

    // /v1/me is unchanged
    env.accounts.setScenario(a.authIndex, 'ok')
    expect(Object.keys(JSON.parse((await get(XAI_ME_URL)).body)).sort()).toEqual(['email', 'sub', 'team_id'])
  })

  it('xai error scenarios: the same answer from both billing endpoints, with evidence where there is some', async () => {
    const a = account('xai')
    const req = (url: string) => ({auth_index: a.authIndex, method: 'GET', url, header: {Authorization: 'Bearer $TOKEN$', 'x-xai-token-auth': 'xai-grok-cli'}})
    const week = windowAt(a.authIndex, 604_800, nowS())
    const resetIso = new Date(week.resetAt * 1000).toISOString().replace('Z', '+00:00')
    const expectations: Array<[UpstreamScenario, number, string]> = [
      ['revoked', 401, '{"code":"auth_invalid","error":"The OAuth token has been revoked."}'],
      ['invalid_token', 401, '{"code":"invalid_token","error":"The OAuth token is invalid or expired."}'],
      ['deactivated_workspace', 402, '{"code":"deactivated_workspace","error":"The team has been deactivated."}'],
      ['rate_limited', 429, `{"code":"usage_limit_reached","error":"Rate limited; resets at ${resetIso}"}`],
      ['forbidden_plain', 403, 'Forbidden'],
      ['server_error', 500, '{"error":{"message":"An error occurred while processing your request.","type":"server_error"}}'],
    ]
    for (const [scenario, status, body] of expectations) {
      env.accounts.setScenario(a.authIndex, scenario)
      for (const url of [`${XAI_BILLING_URL}?format=credits`, XAI_BILLING_URL]) {
        const res = await probe(req(url))
        expect({scenario, url, http: res.status, status: res.json.status_code, body: res.json.body}).toEqual({scenario, url, http: 200, status, body})
      }
    }
    env.accounts.setScenario(a.authIndex, 'rate_limited')
    expect((await probe(req(XAI_BILLING_URL))).json.header['Retry-After']).toEqual([String(week.resetAfter)])
  })

  it('a probe for another provider with the wrong credential is rejected upstream', async () => {
    const claude = account('claude')
    const res = await probe({auth_index: claude.authIndex, method: 'GET', url: CODEX_USAGE_URL, header: {Authorization: 'Bearer $TOKEN$'}})
    expect(res.json.status_code).toBe(401)
  })
})

describe('HTTP request log', () => {
  it('is in completion order; receivedAt gives the arrival order even when the simulated clock stands still', async () => {
    const a = account('codex')
    // the /api-call is held in flight until released: it arrives first and completes last, whatever the load
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    let arrived!: () => void
    const inFlight = new Promise<void>((resolve) => (arrived = resolve))
    env.accounts.setScenario(a.authIndex, {
      scenario: 'ok',
      hold: () => {
        arrived()
        return released
      },
    })
    env.sim.clearLogs()
    const before = Date.now()
    const slow = probe(codexProbe(a))
    await inFlight
    await call(env, 'GET', '/config')
    release()
    expect((await slow).json.status_code).toBe(200)
    const after = Date.now()
    const log = env.sim.httpLog()
    expect(log.map((e) => e.path)).toEqual(['/v0/management/config', '/v0/management/api-call'])
    expect(log[0].at).toBe(log[1].at)
    const arrival = [...log].sort((x, y) => x.receivedAt - y.receivedAt)
    expect(arrival.map((e) => e.path)).toEqual(['/v0/management/api-call', '/v0/management/config'])
    expect(arrival[1].receivedAt).toBeGreaterThan(arrival[0].receivedAt)
    for (const e of log) expect(e.receivedAt >= before && e.receivedAt <= after).toBe(true)
    expect(Object.keys(log[0]).sort()).toEqual(['at', 'connectionId', 'method', 'path', 'query', 'receivedAt', 'status'])

    // requests arriving within the same millisecond still get distinct, increasing stamps
    env.sim.clearLogs()
    await Promise.all(Array.from({length: 8}, () => call(env, 'GET', '/config')))
    const stamps = env.sim.httpLog().map((e) => e.receivedAt)
    expect(new Set(stamps).size).toBe(8)
  })
})
