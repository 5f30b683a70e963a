/**
 * OAuth login flows, the OAuth callback and the provider callback pages of the simulator, over real sockets with a
 * controlled clock.
 */
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {call, KEY, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv

afterEach(async () => {
  await env?.close()
})

const MIN = 60_000

async function status(state: string) {
  return (await call(env, 'GET', `/get-auth-status?state=${encodeURIComponent(state)}`)).json
}

async function fileNames(): Promise<string[]> {
  return (await call(env, 'GET', '/auth-files')).json.files.map((f: {name: string}) => f.name)
}

/** GET on an absolute simulator path (no management key). */
async function open(path: string) {
  const res = await fetch(`${env.url}${path}`)
  return {status: res.status, text: await res.text(), headers: res.headers}
}

describe('redirect flows (anthropic, codex, antigravity)', () => {
  it('auth URL → wait → POST /oauth-callback with redirect_url → ok, and the credential lands in the auth dir', async () => {
    env = await startSurface()
    const before = await fileNames()
    const start = await call(env, 'GET', '/anthropic-auth-url?is_webui=true')
    expect(start.status).toBe(200)
    expect(Object.keys(start.json).sort()).toEqual(['state', 'status', 'url'])
    expect(start.json.status).toBe('ok')
    expect(start.json.state).toMatch(/^[0-9a-f]{32}$/)
    expect(start.json.url).toBe(`${env.url}/sim/oauth/authorize?provider=anthropic&state=${start.json.state}&response_type=code&code_challenge_method=S256`)
    expect(await status(start.json.state)).toEqual({status: 'wait'})

    const cb = await fetch(`${env.url}/v0/management/oauth-callback`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({provider: 'claude', redirect_url: `http://localhost:54545/callback?code=abc&state=${start.json.state}`}),
    })
    expect(cb.status).toBe(200)
    expect(await cb.json()).toEqual({status: 'ok'})
    // only the availability check applies: no key needed, no X-CPA-* headers
    expect(cb.headers.get('x-cpa-version')).toBeNull()
    expect(await status(start.json.state)).toEqual({status: 'ok'})
    const added = (await fileNames()).filter(n => !before.includes(n))
    expect(added).toEqual(['claude-login-1@example.com.json'])
    const file = (await call(env, 'GET', '/auth-files?name=claude-login-1@example.com.json')).json.files[0]
    expect(file).toMatchObject({type: 'claude', provider: 'claude', email: 'login-1@example.com', status: 'active', disabled: false})

    // a second callback for the completed flow: 409; the completed session is kept 1 minute
    const again = await call(env, 'POST', '/oauth-callback', {json: {state: start.json.state, code: 'x'}})
    expect(again).toMatchObject({status: 409, json: {status: 'error', error: 'oauth flow is already completed'}})
    env.clock.now += MIN + 1
    expect(await status(start.json.state)).toEqual({status: 'error', error: 'unknown or expired state'})
  })

  it('a callback carrying error fails the flow with the provider message; GET /oauth-callback works too', async () => {
    env = await startSurface()
    const messages: Record<string, string> = {anthropic: 'Bad request', codex: 'Bad Request', antigravity: 'Authentication failed'}
    for (const provider of ['anthropic', 'codex', 'antigravity']) {
      const {state} = (await call(env, 'GET', `/${provider}-auth-url`)).json
      const cb = await open(`/v0/management/oauth-callback?state=${state}&error=access_denied`)
      expect({provider, status: cb.status, body: JSON.parse(cb.text)}).toEqual({provider, status: 200, body: {status: 'ok'}})
      expect(await status(state)).toEqual({status: 'error', error: messages[provider]})
      // errored flows answer later callbacks with their message (409)
      expect(await call(env, 'POST', '/oauth-callback', {json: {state, code: 'late'}})).toMatchObject({status: 409, json: {status: 'error', error: messages[provider]}})
    }
  })

  it('the provider callback pages always answer the success page and complete a pending flow of their provider only', async () => {
    env = await startSurface()
    const codex = (await call(env, 'GET', '/codex-auth-url')).json.state
    const wrong = await open(`/anthropic/callback?code=c&state=${codex}`)
    expect(wrong.status).toBe(200)
    expect(wrong.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(wrong.text).toContain('Authentication successful!')
    expect(await status(codex)).toEqual({status: 'wait'})
    expect((await open(`/codex/callback?code=c&state=${codex}`)).status).toBe(200)
    expect(await status(codex)).toEqual({status: 'ok'})
    expect((await fileNames()).filter(n => n.startsWith('codex-') && n.includes('login-1@example.com'))).toHaveLength(1)
    expect((await open('/antigravity/callback')).text).toContain('Authentication successful!')
  })

  it('the simulated consent page links Approve and Deny to the provider callback', async () => {
    env = await startSurface()
    const {state, url} = (await call(env, 'GET', '/antigravity-auth-url')).json
    const page = await open(new URL(url).pathname + new URL(url).search)
    expect(page.status).toBe(200)
    const approve = /id="approve" href="([^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&')
    expect(approve).toBe(`/antigravity/callback?code=sim-${state.slice(-12)}&state=${state}`)
    expect((await open(approve)).status).toBe(200)
    expect(await status(state)).toEqual({status: 'ok'})
    expect((await fileNames()).includes('antigravity-login-1@example.com.json')).toBe(true)
    expect((await open('/sim/oauth/authorize?state=nope')).status).toBe(404)
  })

  it('times out after 5 minutes without a callback (provider messages); failed sessions live 30 more minutes', async () => {
    env = await startSurface()
    const a = (await call(env, 'GET', '/anthropic-auth-url')).json.state
    const g = (await call(env, 'GET', '/antigravity-auth-url')).json.state
    env.clock.now += 5 * MIN
    expect(await status(a)).toEqual({status: 'wait'})
    env.clock.now += 1
    expect(await status(a)).toEqual({status: 'error', error: 'Timeout waiting for OAuth callback'})
    expect(await status(g)).toEqual({status: 'error', error: 'OAuth flow timed out'})
    // the failure was recorded at the 5-minute deadline and is kept 30 minutes from then
    env.clock.now += 30 * MIN - 1
    expect(await status(a)).toEqual({status: 'error', error: 'Timeout waiting for OAuth callback'})
    env.clock.now += 1
    expect(await status(a)).toEqual({status: 'error', error: 'unknown or expired state'})
  })
})

describe('device flows (xai, kimi)', () => {
  it('answer flow/user_code/expires_in; approval on the verification page completes; denial and expiry fail', async () => {
    env = await startSurface()
    const x = (await call(env, 'GET', '/xai-auth-url')).json
    expect(Object.keys(x).sort()).toEqual(['expires_in', 'flow', 'state', 'status', 'url', 'user_code'])
    expect(x).toMatchObject({status: 'ok', flow: 'device', expires_in: 1800})
    expect(x.state).toMatch(/^xai-\d+$/)
    expect(x.user_code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    expect(x.url).toBe(`${env.url}/sim/oauth/device?user_code=${x.user_code}`)
    // callbacks are accepted but device waiters never read them
    expect(await call(env, 'POST', '/oauth-callback', {json: {state: x.state, code: 'c'}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(await status(x.state)).toEqual({status: 'wait'})
    expect((await open(`/sim/oauth/device/decide?user_code=${x.user_code}&approve=1`)).status).toBe(200)
    expect(await status(x.state)).toEqual({status: 'ok'})
    expect((await fileNames()).includes('xai-login-1@example.com.json')).toBe(true)

    const k = (await call(env, 'GET', '/kimi-auth-url')).json
    expect(k).toMatchObject({status: 'ok', flow: 'device', expires_in: 900})
    expect(k.state).toMatch(/^kmi-\d+$/)
    expect(env.sim.oauthSessions.decide(k.user_code, false)).toBe(true)
    expect(await status(k.state)).toEqual({status: 'error', error: 'Authentication failed: kimi: access denied by user'})

    const k2 = (await call(env, 'GET', '/kimi-auth-url')).json
    env.clock.now += 900_001
    expect(await status(k2.state)).toEqual({status: 'error', error: 'Authentication failed: kimi: device code expired'})
    const x2 = (await call(env, 'GET', '/xai-auth-url')).json
    env.clock.now += 1_800_001
    expect(await status(x2.state)).toEqual({status: 'error', error: 'Authentication failed: xai device code expired'})
  })

  it('gateways before v7.2.64 answer device URLs without the device fields and have no DELETE /oauth-session', async () => {
    env = await startSurface({sim: {version: '7.2.63'}})
    const x = (await call(env, 'GET', '/xai-auth-url')).json
    expect(Object.keys(x).sort()).toEqual(['state', 'status', 'url'])
    const cancel = await call(env, 'DELETE', `/oauth-session?state=${x.state}`)
    expect({status: cancel.status, text: cancel.text}).toEqual({status: 404, text: ''})
  })
})

describe('cancel, status and callback errors', () => {
  it('DELETE /oauth-session cancels a pending flow only; the state is then unknown', async () => {
    env = await startSurface()
    const {state} = (await call(env, 'GET', '/codex-auth-url')).json
    expect(await call(env, 'DELETE', `/oauth-session?state=${state}`)).toMatchObject({status: 200, json: {status: 'ok', cancelled: true}})
    expect(await status(state)).toEqual({status: 'error', error: 'unknown or expired state'})
    expect((await call(env, 'DELETE', `/oauth-session?state=${state}`)).json).toEqual({status: 'ok', cancelled: false})
    expect(await call(env, 'DELETE', '/oauth-session')).toMatchObject({status: 400, json: {status: 'error', error: 'missing state'}})
    expect(await call(env, 'DELETE', '/oauth-session?state=a..b')).toMatchObject({status: 400, json: {status: 'error', error: 'invalid state'}})
  })

  it('get-auth-status: no state ⇒ ok; malformed ⇒ 400; unknown ⇒ error', async () => {
    env = await startSurface()
    expect(await call(env, 'GET', '/get-auth-status')).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(await call(env, 'GET', `/get-auth-status?state=${'a'.repeat(129)}`)).toMatchObject({status: 400, json: {status: 'error', error: 'invalid state'}})
    expect(await call(env, 'GET', '/get-auth-status?state=bad%2Fstate')).toMatchObject({status: 400, json: {status: 'error', error: 'invalid state'}})
    expect(await call(env, 'GET', '/get-auth-status?state=deadbeef')).toMatchObject({status: 200, json: {status: 'error', error: 'unknown or expired state'}})
  })

  it('POST /oauth-callback validation order and errors', async () => {
    env = await startSurface()
    const {state} = (await call(env, 'GET', '/anthropic-auth-url')).json
    const cases: Array<[unknown, number, string]> = [
      ['not json', 400, 'invalid body'],
      [{code: 'c'}, 400, 'state is required'],
      [{state: 'bad/state', code: 'c'}, 400, 'invalid state'],
      [{state}, 400, 'code or error is required'],
      [{redirect_url: 'http://[bad', code: 'c'}, 400, 'invalid redirect_url'],
      [{state: 'feedface', code: 'c'}, 404, 'unknown or expired state'],
      [{state, code: 'c', provider: 'no_such provider'}, 400, 'unsupported provider'],
      [{state, code: 'c', provider: 'codex'}, 400, 'provider does not match state'],
    ]
    for (const [body, code, error] of cases) {
      const r = await call(env, 'POST', '/oauth-callback', typeof body === 'string' ? {body} : {json: body})
      expect({body, status: r.status, json: r.json}).toEqual({body, status: code, json: {status: 'error', error}})
    }
    expect(await status(state)).toEqual({status: 'wait'})
  })

  it('management disabled: the callback is a bare 404 too', async () => {
    env = await startSurface()
    env.sim.setManagementEnabled(false)
    const r = await fetch(`${env.url}/v0/management/oauth-callback?state=x&code=y`)
    expect({status: r.status, text: await r.text()}).toEqual({status: 404, text: ''})
  })
})

describe('scripted outcomes', () => {
  it('--oauth auto completes every pending flow after the delay; error fails it', async () => {
    env = await startSurface({sim: {oauth: {mode: 'auto', delayMs: 2000}}})
    const {state} = (await call(env, 'GET', '/codex-auth-url')).json
    const dev = (await call(env, 'GET', '/kimi-auth-url')).json
    env.clock.now += 1999
    expect(await status(state)).toEqual({status: 'wait'})
    env.clock.now += 1
    expect(await status(state)).toEqual({status: 'ok'})
    expect(await status(dev.state)).toEqual({status: 'ok'})
    expect((await fileNames()).filter(n => /^kimi-\d+\.json$/.test(n))).toHaveLength(1)

    env.sim.setOAuthScript({mode: 'error'})
    const failing = (await call(env, 'GET', '/anthropic-auth-url')).json.state
    env.clock.now += 2000
    expect(await status(failing)).toEqual({status: 'error', error: 'Bad request'})
  })

  it('every OAuth management route still needs the key (oauth-callback excepted)', async () => {
    env = await startSurface()
    const r = await fetch(`${env.url}/v0/management/anthropic-auth-url`, {headers: {authorization: `Bearer ${KEY}x`}})
    expect(r.status).toBe(401)
  })
})

describe('logins added after 7.2.140 (and the v8 /oauth/auth-url?provider= fold)', () => {
  const V8 = '8.0.23'

  it('kimi-ai and meta are device flows, devin a redirect flow; each completion writes its credential', async () => {
    env = await startSurface({sim: {version: V8}})
    const before = await fileNames()
    const kimiAi = (await call(env, 'GET', '/kimi-ai-auth-url')).json
    expect(Object.keys(kimiAi).sort()).toEqual(['expires_in', 'flow', 'state', 'status', 'url', 'user_code'])
    expect(kimiAi).toMatchObject({status: 'ok', flow: 'device', expires_in: 900})
    expect(kimiAi.state).toMatch(/^kmi-ai-\d+$/)
    const meta = (await call(env, 'GET', '/meta-auth-url')).json
    expect(meta).toMatchObject({status: 'ok', flow: 'device', expires_in: 900})
    expect(meta.state).toMatch(/^meta-\d+$/)
    const devin = (await call(env, 'GET', '/devin-auth-url')).json
    expect(Object.keys(devin).sort()).toEqual(['state', 'status', 'url'])
    expect(devin.state).toMatch(/^[0-9a-f]{32}$/)

    // the devin consent page completes through /oauth-callback with provider devin
    const page = await open(new URL(devin.url).pathname + new URL(devin.url).search)
    const approve = /id="approve" href="([^"]+)"/.exec(page.text)![1]!.replaceAll('&amp;', '&')
    expect(approve).toBe(`/v0/management/oauth-callback?provider=devin&code=sim-${devin.state.slice(-12)}&state=${devin.state}`)
    expect(JSON.parse((await open(approve)).text)).toEqual({status: 'ok'})
    for (const s of [kimiAi, meta]) expect(env.sim.oauthSessions.decide(s.user_code, true)).toBe(true)
    for (const s of [kimiAi, meta, devin]) expect(await status(s.state)).toEqual({status: 'ok'})

    const added = (await fileNames()).filter(n => !before.includes(n)).sort()
    // logins are numbered in completion order: devin 1, kimi-ai 2 (named by time + ordinal - 1), meta 3
    expect(added).toEqual(['devin-login-1@example.com.json', `kimi-ai-${env.clock.now + 1}.json`, 'meta-login-3@example.com.json'])
    const files = (await call(env, 'GET', '/auth-files')).json.files as Array<{name: string; type: string; provider: string}>
    expect(files.filter(f => added.includes(f.name)).map(f => [f.name, f.type, f.provider])).toEqual([
      ['devin-login-1@example.com.json', 'devin', 'devin'],
      [`kimi-ai-${env.clock.now + 1}.json`, 'kimi-ai', 'kimi-ai'],
      ['meta-login-3@example.com.json', 'meta', 'meta'],
    ])
    const metaFile = JSON.parse(readFileSync(join(env.authDir, 'meta-login-3@example.com.json'), 'utf8'))
    expect(metaFile).toMatchObject({type: 'meta', auth_kind: 'oauth', base_url: 'https://api.meta.ai/v1', email: 'login-3@example.com', token_type: 'Bearer'})
    expect((await call(env, 'GET', '/auth-files/models?name=meta-login-3@example.com.json')).json.models.map((m: {id: string}) => m.id)).toEqual(['muse-spark-1.3', 'muse-spark-1.2', 'muse-spark-1.1'])
  })

  it('denial and expiry messages; devin waits 5 minutes for its callback', async () => {
    env = await startSurface({sim: {version: V8}})
    const kimiAi = (await call(env, 'GET', '/kimi-ai-auth-url')).json
    const meta = (await call(env, 'GET', '/meta-auth-url')).json
    const devin = (await call(env, 'GET', '/devin-auth-url')).json
    expect(env.sim.oauthSessions.decide(kimiAi.user_code, false)).toBe(true)
    expect(await status(kimiAi.state)).toEqual({status: 'error', error: 'Authentication failed: kimi: access denied by user'})
    expect((await call(env, 'POST', '/oauth-callback', {json: {provider: 'devin', state: devin.state, error: 'access_denied'}})).json).toEqual({status: 'ok'})
    expect(await status(devin.state)).toEqual({status: 'error', error: 'Devin authorization denied'})
    const devin2 = (await call(env, 'GET', '/devin-auth-url')).json
    env.clock.now += 5 * MIN + 1
    expect(await status(devin2.state)).toEqual({status: 'error', error: 'Timeout waiting for OAuth callback'})
    expect(await status(meta.state)).toEqual({status: 'wait'})
    env.clock.now += 900_000 - 5 * MIN
    expect(await status(meta.state)).toEqual({status: 'error', error: 'Authentication failed: meta: device code expired'})
  })

  it('/v8/management/oauth/auth-url serves them and the plugin OAuth providers; a v7.2.140 gateway has none of them', async () => {
    env = await startSurface({sim: {version: V8, plugins: true}})
    const v8 = async (query: string) => {
      const res = await fetch(`${env.url}/v8/management/oauth/auth-url${query}`, {headers: {authorization: `Bearer ${KEY}`}})
      return {status: res.status, json: (await res.json()) as Record<string, unknown>}
    }
    expect(await v8('?provider=Kimi-AI')).toMatchObject({status: 200, json: {status: 'ok', flow: 'device', expires_in: 900}})
    expect(await v8('?provider=meta')).toMatchObject({status: 200, json: {status: 'ok', flow: 'device'}})
    const devin = await v8('?provider=devin')
    expect(Object.keys(devin.json).sort()).toEqual(['state', 'status', 'url'])
    const plugin = await v8('?provider=sim-login')
    expect(plugin.status).toBe(200)
    expect(plugin.json.state).toMatch(/^sim-login-[0-9a-f]{24}$/)
    expect(await status(String(plugin.json.state))).toEqual({status: 'wait'})
    expect(await v8('?provider=sim-insights')).toEqual({status: 404, json: {error: 'provider_not_found'}})
    await env.close()

    env = await startSurface({sim: {version: '7.2.140'}})
    for (const provider of ['kimi-ai', 'devin', 'meta']) {
      const r = await call(env, 'GET', `/${provider}-auth-url`)
      expect({provider, status: r.status, text: r.text}).toEqual({provider, status: 404, text: ''})
    }
  })
})
