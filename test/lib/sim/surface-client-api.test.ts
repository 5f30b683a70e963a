/**
 * The key-less surface outside /v0/management: `/v1/models` with client keys (models derived from the
 * simulated credentials and the OAuth rules), `/`, `/management.html`, CORS (cpa-gateway.md §2).
 */
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv

afterEach(async () => {
  await env?.close()
})

async function models(headers: Record<string, string> = {authorization: 'Bearer sk-client-1'}, query = '') {
  const res = await fetch(`${env.url}/v1/models${query}`, {headers})
  return {status: res.status, json: (await res.json()) as any}
}

const ids = (json: {data: Array<{id: string}>}) => json.data.map(m => m.id)

describe('GET /v1/models', () => {
  it('needs a client key from api-keys (Bearer, X-Api-Key, X-Goog-Api-Key, ?key=)', async () => {
    env = await startSurface()
    expect(await models({})).toEqual({status: 401, json: {error: 'Missing API key'}})
    expect(await models({authorization: 'Bearer nope'})).toEqual({status: 401, json: {error: 'Invalid API key'}})
    for (const headers of [{'x-api-key': 'sk-client-1'}, {'x-goog-api-key': 'sk-client-1'}, {authorization: 'sk-client-1'}]) {
      expect((await models(headers)).status).toBe(200)
    }
    expect((await models({}, '?key=sk-client-1')).status).toBe(200)
  })

  it('lists the models of the enabled credentials in OpenAI list format, sorted, deduplicated', async () => {
    env = await startSurface()
    const r = await models()
    expect(r.status).toBe(200)
    expect(r.json.object).toBe('list')
    const list = ids(r.json)
    expect(list).toEqual([...list].sort())
    expect(new Set(list).size).toBe(list.length)
    // codex, claude, vertex, xai, antigravity files; the gemini key; openrouter models by alias
    for (const id of ['gpt-5-codex', 'claude-sonnet-4-5-20250929', 'gemini-2.5-pro', 'grok-4', 'gemini-3-pro-preview', 'gemini-2.5-flash-lite', 'deepseek-v3.1', 'qwen3-coder']) {
      expect(list).toContain(id)
    }
    expect(list).not.toContain('deepseek/deepseek-chat-v3.1')
    expect(r.json.data.find((m: {id: string}) => m.id === 'gpt-5-codex')).toEqual({id: 'gpt-5-codex', object: 'model', created: expect.any(Number), owned_by: 'openai'})
    expect(Object.keys(r.json.data[0]).sort()).toEqual(['created', 'id', 'object', 'owned_by'])
  })

  it('applies oauth-model-alias (fork keeps the original), oauth-excluded-models and disabled credentials', async () => {
    env = await startSurface()
    await call(env, 'PATCH', '/oauth-model-alias', {json: {channel: 'codex', aliases: [{name: 'gpt-5-codex', alias: 'codex-latest'}, {name: 'gpt-5', alias: 'five', fork: true}]}})
    await call(env, 'PATCH', '/oauth-excluded-models', {json: {provider: 'xai', models: ['grok-*']}})
    let list = ids((await models()).json)
    expect(list).toContain('codex-latest')
    expect(list).not.toContain('gpt-5-codex')
    expect(list).toEqual(expect.arrayContaining(['five', 'gpt-5']))
    expect(list.filter(id => id.startsWith('grok'))).toEqual([])

    // disabling every claude file removes the claude models
    const files = (await call(env, 'GET', '/auth-files')).json.files as Array<{name: string; type: string}>
    for (const f of files.filter(x => x.type === 'claude')) await call(env, 'PATCH', '/auth-files/status', {json: {name: f.name, disabled: true}})
    list = ids((await models()).json)
    expect(list.filter(id => id.startsWith('claude-') && !id.endsWith('-thinking'))).toEqual([])
  })

  it('with no client key configured every request passes', async () => {
    env = await startSurface()
    await call(env, 'PUT', '/api-keys', {json: []})
    expect((await models({})).status).toBe(200)
  })
})

describe('§2 key-less routes and CORS', () => {
  it('GET / names the three client endpoints; CORS exposes exactly the corrected header list', async () => {
    env = await startSurface()
    const root = await fetch(`${env.url}/`)
    expect(await root.json()).toEqual({message: 'CLI Proxy API Server', endpoints: ['POST /v1/chat/completions', 'POST /v1/completions', 'GET /v1/models']})
    const exposed = (root.headers.get('access-control-expose-headers') ?? '').split(',').map(h => h.trim())
    expect(exposed.sort()).toEqual(
      [
        'X-CPA-VERSION',
        'X-CPA-COMMIT',
        'X-CPA-BUILD-DATE',
        'X-CPA-SUPPORT-PLUGIN',
        'X-CPA-TRACE-ID',
        'X-CPA-HOME-VERSION',
        'X-CPA-HOME-BUILD-DATE',
        'X-SERVER-VERSION',
        'X-SERVER-BUILD-DATE',
        'Location',
        'Retry-After',
        'X-Request-Id',
        'OpenAI-Request-Id',
      ].sort(),
    )
    const preflight = await fetch(`${env.url}/v1/models`, {method: 'OPTIONS'})
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*')
  })

  it('/management.html: 404 without a panel file (nothing is downloaded); the given file otherwise, unless disabled', async () => {
    env = await startSurface()
    const none = await fetch(`${env.url}/management.html`)
    expect({status: none.status, text: await none.text()}).toEqual({status: 404, text: ''})
    await env.close()
    const dir = mkdtempSync(join(tmpdir(), 'cpactl-panel-'))
    const file = join(dir, 'management.html')
    writeFileSync(file, '<!doctype html><title>panel</title>')
    env = await startSurface({sim: {panelFile: file}})
    const page = await fetch(`${env.url}/management.html`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await page.text()).toBe('<!doctype html><title>panel</title>')
    env.setConfig('remote-management.disable-control-panel', true)
    expect((await fetch(`${env.url}/management.html`)).status).toBe(404)
  })
})
