/**
 * Forced credential refresh (added after 7.2.140): `POST /auth-files/refresh` on
 * /v0 and `POST /v8/management/credentials/refresh`, outcomes scripted by each credential's upstream scenario.
 */
import {readFileSync} from 'node:fs'

import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {configAuthIds} from '../../../src/lib/sim/routes/auth-files-status.js'
import {rfc3339} from '../../../src/lib/sim/local-time.js'
import {call, firstAccount, KEY, startSurface, type SurfaceEnv, T0} from './surface-harness.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface({sim: {version: '8.0.23', tzOffsetMinutes: 480}})
})
afterEach(async () => {
  await env?.close()
})

const HOUR = 3_600_000

async function v8(path: string, body?: unknown) {
  const res = await fetch(`${env.url}/v8/management${path}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  })
  return {status: res.status, json: (await res.json()) as any}
}

describe('single refresh', () => {
  it('by file name (query or body): last_refresh becomes now, expired moves by the old lifetime; the answer is the auth record', async () => {
    const codex = firstAccount(env, 'codex')
    env.accounts.setScenario(codex.authIndex, 'ok')
    const before = env.accounts.file(codex.name)!.metadata
    const lifetime = Date.parse(String(before.expired)) - Date.parse(String(before.last_refresh))
    env.clock.now = T0 + HOUR
    const r = await v8(`/credentials/refresh?name=${encodeURIComponent(codex.name)}`)
    expect(r.status).toBe(200)
    expect(Object.keys(r.json)).toEqual(['ok', 'auth'])
    expect(r.json.ok).toBe(true)
    const md = JSON.parse(readFileSync(env.accounts.file(codex.name)!.path, 'utf8'))
    expect(md.last_refresh).toBe(rfc3339(T0 + HOUR, 480))
    expect(Date.parse(md.expired) - Date.parse(md.last_refresh)).toBe(lifetime)
    expect(md.access_token).toBe(before.access_token)
    expect(r.json.auth).toEqual({
      id: codex.name,
      provider: 'codex',
      label: codex.email,
      status: 'active',
      disabled: false,
      unavailable: false,
      attributes: {path: env.accounts.file(codex.name)!.path},
      metadata: md,
      quota: {exceeded: false, next_recover_at: '0001-01-01T00:00:00Z'},
      created_at: r.json.auth.created_at,
      updated_at: new Date(T0 + HOUR).toISOString().replace('.000Z', 'Z'),
      last_refreshed_at: new Date(T0 + HOUR).toISOString().replace('.000Z', 'Z'),
      next_refresh_after: '0001-01-01T00:00:00Z',
      next_retry_after: '0001-01-01T00:00:00Z',
    })
    // the v0 twin, with a JSON body; the list shows the new last_refresh
    env.clock.now = T0 + 2 * HOUR
    expect(await call(env, 'POST', '/auth-files/refresh', {json: {name: codex.name, auth_index: codex.authIndex}})).toMatchObject({status: 200, json: {ok: true}})
    const entry = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(codex.name)}`)).json.files[0]
    expect(entry.last_refresh).toBe(rfc3339(T0 + 2 * HOUR, 480))
  })

  it('a revoked refresh token: 500 with the provider message; the auth turns error / unauthorized and unavailable', async () => {
    const claude = firstAccount(env, 'claude')
    env.accounts.setScenario(claude.authIndex, 'revoked')
    const r = await v8('/credentials/refresh', {name: claude.name})
    expect(r).toEqual({status: 500, json: {error: 'token refresh failed: 401 invalid_grant: refresh token is invalid or revoked'}})
    const entry = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(claude.name)}`)).json.files[0]
    expect(entry).toMatchObject({status: 'error', status_message: 'unauthorized', unavailable: true})
    // a later successful refresh makes it active again
    env.accounts.setScenario(claude.authIndex, 'ok')
    expect((await v8('/credentials/refresh', {name: claude.name})).json.auth).toMatchObject({status: 'active', unavailable: false})
    expect((await call(env, 'GET', `/auth-files?name=${encodeURIComponent(claude.name)}`)).json.files[0]).toMatchObject({status: 'active', status_message: '', unavailable: false})
  })

  it('a config API key by its internal auth ID; an auth_index alone finds nothing', async () => {
    const [id] = [...configAuthIds(env.config()).entries()].find(([, ref]) => ref.family === 'gemini-api-key')!
    const gemini = env.accounts.list().find((a) => a.provider === 'gemini')!
    const r = await v8('/credentials/refresh', {name: id})
    expect(r.status).toBe(200)
    expect(r.json.auth).toMatchObject({id, provider: 'gemini', status: 'active', attributes: {api_key: gemini.source}, last_refreshed_at: new Date(T0).toISOString().replace('.000Z', 'Z')})
    expect(await v8('/credentials/refresh', {name: gemini.authIndex})).toEqual({status: 404, json: {error: 'auth file not found'}})
  })

  it('errors: name required, unknown name, auth_index narrowing, unparsable body', async () => {
    const codex = firstAccount(env, 'codex')
    expect(await v8('/credentials/refresh')).toEqual({status: 400, json: {error: 'name or all=true is required'}})
    expect(await v8('/credentials/refresh?all=1')).toEqual({status: 400, json: {error: 'name or all=true is required'}})
    expect(await v8('/credentials/refresh?name=nope.json')).toEqual({status: 404, json: {error: 'auth file not found'}})
    expect(await v8(`/credentials/refresh?name=${encodeURIComponent(codex.name)}&auth_index=0000000000000000`)).toEqual({status: 404, json: {error: 'auth file not found'}})
    expect(await v8('/credentials/refresh', 'x')).toEqual({status: 400, json: {error: "invalid request body: invalid character 'x' looking for beginning of value"}})
    expect(await v8('/credentials/refresh', {name: 5})).toEqual({status: 400, json: {error: 'invalid request body: json: cannot unmarshal number into Go struct field .name of type string'}})
    expect(await v8('/credentials/refresh', {all: 'yes'})).toEqual({status: 400, json: {error: 'invalid request body: json: cannot unmarshal string into Go struct field .all of type bool'}})
  })
})

describe('refresh all', () => {
  it('every enabled credential with a refresh token, sorted by id, with per-credential outcomes; v7.2.140 has no route', async () => {
    const files = env.accounts.files()
    for (const f of files) env.accounts.setScenario(f.name, 'ok')
    const claude = firstAccount(env, 'claude')
    env.accounts.setScenario(claude.authIndex, 'invalid_token')
    const disabled = files.find((f) => f.type === 'codex' && f.name !== firstAccount(env, 'codex').name)!
    await call(env, 'PATCH', '/auth-files/status', {json: {name: disabled.name, disabled: true}})
    const expected = files
      .filter((f) => typeof f.metadata.refresh_token === 'string' && f.name !== disabled.name)
      .map((f) => f.name)
      .sort()
      .map((id) => (id === claude.name ? {id, success: false, error: 'token refresh failed: 401 invalid_grant: refresh token is invalid or revoked'} : {id, success: true}))
    expect(expected.some((e) => e.id.startsWith('vertex'))).toBe(false) // a service account has no refresh token
    expect(await v8('/credentials/refresh?all=true')).toEqual({status: 200, json: {ok: true, results: expected}})
    expect(await call(env, 'POST', '/auth-files/refresh', {json: {all: true}})).toMatchObject({status: 200, json: {ok: true, results: expected}})
    await env.close()

    env = await startSurface({sim: {version: '7.2.140'}})
    const r = await call(env, 'POST', '/auth-files/refresh?all=true')
    expect({status: r.status, text: r.text}).toEqual({status: 404, text: ''})
  })
})
