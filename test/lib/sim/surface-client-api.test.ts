/**
 * The key-less surface outside /v0/management: `/v1/models` with client keys (models derived from the
 * simulated credentials and the OAuth rules), `/`, `/management.html`, CORS.
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
    const variants: Array<Record<string, string>> = [{'x-api-key': 'sk-client-1'}, {'x-goog-api-key': 'sk-client-1'}, {authorization: 'sk-client-1'}]
    for (const headers of variants) {
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

describe('scripted completions', () => {
  async function post(path: string, body: unknown, key = 'sk-client-1') {
    const res = await fetch(`${env.url}${path}`, {method: 'POST', headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json', 'user-agent': 'test-agent/1'}, body: JSON.stringify(body)})
    return {status: res.status, headers: res.headers, text: await res.text()}
  }
  async function pop() {
    return (await call(env, 'GET', '/usage-queue?count=100')).json as Array<Record<string, any>>
  }

  it('POST /v1/chat/completions answers a fixed reply and publishes one matching usage record', async () => {
    env = await startSurface()
    await pop()
    const r = await post('/v1/chat/completions', {model: 'gpt-5-codex', messages: [{role: 'user', content: 'x'.repeat(40)}], reasoning_effort: 'high'})
    expect(r.status).toBe(200)
    const body = JSON.parse(r.text)
    expect(body).toMatchObject({object: 'chat.completion', model: 'gpt-5-codex', choices: [{index: 0, message: {role: 'assistant', content: 'This is a simulated reply from cpactl sim.'}, finish_reason: 'stop'}]})
    expect(body.usage).toEqual({prompt_tokens: 10, completion_tokens: 11, total_tokens: 21})
    const [rec, ...rest] = await pop()
    expect(rest).toEqual([])
    expect(rec).toMatchObject({
      provider: 'codex',
      model: 'gpt-5-codex',
      alias: 'gpt-5-codex',
      endpoint: 'POST /v1/chat/completions',
      auth_type: 'oauth',
      api_key: 'sk-client-1',
      user_agent: 'test-agent/1',
      client_ip: '127.0.0.1',
      failed: false,
      reasoning_effort: 'high',
      service_tier: 'auto',
      tokens: {input_tokens: 10, output_tokens: 11, total_tokens: 21},
      token_breakdown: {quality: 'complete', total_tokens: 21},
    })
    expect(body.id).toBe(`chatcmpl-${rec!.request_id}`)
    expect(r.headers.get('x-cpa-trace-id')).toMatch(new RegExp(`^\\d{14}-${rec!.auth_index}-${rec!.request_id}$`))
    expect(env.accounts.byIndex(rec!.auth_index)!.provider).toBe('codex')
  })

  it('aliases route to the upstream model; credentials serving a model take turns', async () => {
    env = await startSurface()
    await call(env, 'PATCH', '/oauth-model-alias', {json: {channel: 'codex', aliases: [{name: 'gpt-5', alias: 'five'}]}})
    await pop()
    for (let i = 0; i < 4; i++) expect((await post('/v1/chat/completions', {model: 'five', messages: [{role: 'user', content: 'hi'}]})).status).toBe(200)
    const records = await pop()
    expect(records.map(r => [r.model, r.alias])).toEqual(Array.from({length: 4}, () => ['gpt-5', 'five']))
    expect(new Set(records.map(r => r.auth_index)).size).toBe(4) // four codex accounts in turn
    const openrouter = await post('/v1/chat/completions', {model: 'deepseek-v3.1', messages: 'hello'})
    expect(openrouter.status).toBe(200)
    expect((await pop())[0]).toMatchObject({model: 'deepseek/deepseek-chat-v3.1', alias: 'deepseek-v3.1', auth_type: 'apikey', provider: 'openrouter'})
  })

  it('POST /v1/responses (JSON and SSE); chat SSE ends with [DONE]; unknown model 400; bad key 401', async () => {
    env = await startSurface()
    const r = JSON.parse((await post('/v1/responses', {model: 'claude-sonnet-4-5-20250929', input: 'abcd', instructions: 'efgh'})).text)
    expect(r).toMatchObject({object: 'response', status: 'completed', model: 'claude-sonnet-4-5-20250929', usage: {input_tokens: 2, output_tokens: 11, total_tokens: 13}})
    expect(r.output[0].content[0]).toEqual({type: 'output_text', text: 'This is a simulated reply from cpactl sim.', annotations: []})
    const streamed = await post('/v1/responses', {model: 'grok-4', input: 'x', stream: true})
    expect(streamed.headers.get('content-type')).toBe('text/event-stream')
    expect(streamed.text.match(/^event: (\S+)$/gm)).toEqual(['event: response.created', 'event: response.output_text.delta', 'event: response.completed'])
    const chat = await post('/v1/chat/completions', {model: 'grok-4', messages: [{role: 'user', content: 'x'}], stream: true})
    expect(chat.text.endsWith('data: [DONE]\n\n')).toBe(true)
    expect(JSON.parse(chat.text.split('\n\n')[1]!.slice('data: '.length)).usage).toEqual({prompt_tokens: 1, completion_tokens: 11, total_tokens: 12})
    expect(await post('/v1/chat/completions', {model: 'no-such-model', messages: []})).toMatchObject({status: 400})
    expect(JSON.parse((await post('/v1/chat/completions', {model: 'no-such-model', messages: []})).text)).toEqual({
      error: {message: 'unknown provider for model no-such-model', type: 'invalid_request_error', code: 'model_not_found', param: 'model'},
    })
    expect((await post('/v1/responses', {model: 'grok-4', input: 'x'}, 'wrong')).status).toBe(401)
    const records = await pop()
    expect(records.map(x => [x.endpoint, x.model])).toEqual([
      ['POST /v1/responses', 'claude-sonnet-4-5-20250929'],
      ['POST /v1/responses', 'grok-4'],
      ['POST /v1/chat/completions', 'grok-4'],
    ])
    // claude semantics: cache read/creation independent of input; the breakdown is the same
    expect(records[0]).toMatchObject({tokens: {input_tokens: 2, output_tokens: 11}, token_breakdown: {input: {total_tokens: 2}, output: {total_tokens: 11}}})
  })

  it('nothing is published while usage-statistics-enabled is false', async () => {
    env = await startSurface()
    await pop()
    await call(env, 'PUT', '/usage-statistics-enabled', {json: {value: false}})
    expect((await post('/v1/chat/completions', {model: 'gpt-5', messages: 'x'})).status).toBe(200)
    await call(env, 'PUT', '/usage-statistics-enabled', {json: {value: true}})
    expect(await pop()).toEqual([])
  })
})

describe('key-less routes and CORS', () => {
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
