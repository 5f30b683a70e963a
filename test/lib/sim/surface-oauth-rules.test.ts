/**
 * The OAuth rule maps, model definitions per channel and Vertex import.
 */
import {afterEach, describe, expect, it} from 'vitest'

import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv

afterEach(async () => {
  await env?.close()
})

describe('/oauth-excluded-models', () => {
  it('GET null when empty; PUT map or items normalises; PATCH one provider; DELETE ?provider=', async () => {
    env = await startSurface()
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': null})
    expect(await call(env, 'PUT', '/oauth-excluded-models', {json: {' Claude ': [' Claude-3-5-Haiku-* ', 'claude-3-5-haiku-*', ''], codex: []}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': {claude: ['claude-3-5-haiku-*']}})
    expect(env.config()['oauth-excluded-models']).toEqual({claude: ['claude-3-5-haiku-*']})
    expect((await call(env, 'GET', '/config.yaml')).text).toContain('oauth-excluded-models:')

    await call(env, 'PUT', '/oauth-excluded-models', {json: {items: {xai: ['grok-3-mini']}}})
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': {xai: ['grok-3-mini']}})

    expect((await call(env, 'PATCH', '/oauth-excluded-models', {json: {provider: 'Codex', models: ['GPT-5-Codex-Mini']}})).status).toBe(200)
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': {xai: ['grok-3-mini'], codex: ['gpt-5-codex-mini']}})
    expect(await call(env, 'PATCH', '/oauth-excluded-models', {json: {provider: 'kimi', models: []}})).toMatchObject({status: 404, json: {error: 'provider not found'}})
    expect((await call(env, 'PATCH', '/oauth-excluded-models', {json: {provider: 'xai', models: []}})).status).toBe(200)
    expect(await call(env, 'PATCH', '/oauth-excluded-models', {json: {models: ['x']}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    expect(await call(env, 'PATCH', '/oauth-excluded-models', {json: {provider: ' ', models: ['x']}})).toMatchObject({status: 400, json: {error: 'invalid provider'}})

    expect(await call(env, 'DELETE', '/oauth-excluded-models?channel=codex')).toMatchObject({status: 400, json: {error: 'missing provider'}})
    expect(await call(env, 'DELETE', '/oauth-excluded-models?provider=kimi')).toMatchObject({status: 404, json: {error: 'provider not found'}})
    expect((await call(env, 'DELETE', '/oauth-excluded-models?provider=CODEX')).status).toBe(200)
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': null})
    expect(env.config()['oauth-excluded-models']).toBeUndefined()
    expect(await call(env, 'PUT', '/oauth-excluded-models', {json: ['x']})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    // like Go's fallback decode into {items}: a mistyped map is read as an empty wrapper and clears the rules
    await call(env, 'PUT', '/oauth-excluded-models', {json: {claude: ['a']}})
    expect(await call(env, 'PUT', '/oauth-excluded-models', {json: {claude: 'x'}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect((await call(env, 'GET', '/oauth-excluded-models')).json).toEqual({'oauth-excluded-models': null})
  })
})

describe('/oauth-model-alias', () => {
  it('sanitises aliases (name ≠ alias, unique alias per channel), PATCH by channel or provider, DELETE by either', async () => {
    env = await startSurface()
    const aliases = [
      {name: ' gpt-5-codex ', alias: 'codex-latest', fork: true, 'display-name': ' Codex '},
      {name: 'gpt-5', alias: 'CODEX-LATEST'},
      {name: 'gpt-5', alias: 'gpt-5'},
      {name: '', alias: 'x'},
      {name: 'gpt-5', alias: 'five', 'force-mapping': true},
    ]
    expect((await call(env, 'PATCH', '/oauth-model-alias', {json: {channel: 'Codex', aliases}})).status).toBe(200)
    const expected = [
      {name: 'gpt-5-codex', alias: 'codex-latest', fork: true, 'display-name': 'Codex'},
      {name: 'gpt-5', alias: 'five', 'force-mapping': true},
    ]
    expect((await call(env, 'GET', '/oauth-model-alias')).json).toEqual({'oauth-model-alias': {codex: expected}})
    expect((await call(env, 'PATCH', '/oauth-model-alias', {json: {provider: 'claude', aliases: [{name: 'claude-opus-4-1-20250805', alias: 'opus'}]}})).status).toBe(200)
    expect(await call(env, 'PATCH', '/oauth-model-alias', {json: {aliases: []}})).toMatchObject({status: 400, json: {error: 'invalid channel'}})
    expect(await call(env, 'PATCH', '/oauth-model-alias', {json: {channel: 'kimi', aliases: []}})).toMatchObject({status: 404, json: {error: 'channel not found'}})
    expect(await call(env, 'PATCH', '/oauth-model-alias', {json: {channel: 'kimi', aliases: [{name: 1}]}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    expect(await call(env, 'DELETE', '/oauth-model-alias')).toMatchObject({status: 400, json: {error: 'missing channel'}})
    expect((await call(env, 'DELETE', '/oauth-model-alias?provider=claude')).status).toBe(200)
    expect((await call(env, 'GET', '/oauth-model-alias')).json).toEqual({'oauth-model-alias': {codex: expected}})
    expect((await call(env, 'DELETE', '/oauth-model-alias?channel=codex')).status).toBe(200)
    expect(await call(env, 'DELETE', '/oauth-model-alias?channel=codex')).toMatchObject({status: 404, json: {error: 'channel not found'}})
  })
})

describe('/oauth-request-scoped-errors', () => {
  it('keeps rules with a status, a pattern and an action; gated at v7.2.138', async () => {
    env = await startSurface()
    const rules = [
      {status: 400, match: [' context_length_exceeded ', ''], action: ' STOP '},
      {status: 429, 'match-regexr': ['rate.*limit'], action: 'continue-and-cooldown'},
      {status: 0, match: ['x'], action: 'stop'},
      {status: 500, action: 'stop'},
      {status: 500, match: ['x']},
    ]
    expect((await call(env, 'PUT', '/oauth-request-scoped-errors', {json: {items: {Claude: rules}}})).status).toBe(200)
    expect((await call(env, 'GET', '/oauth-request-scoped-errors')).json).toEqual({
      'oauth-request-scoped-errors': {
        claude: [
          {status: 400, match: ['context_length_exceeded'], action: 'stop'},
          {status: 429, 'match-regexr': ['rate.*limit'], action: 'continue-and-cooldown'},
        ],
      },
    })
    expect(await call(env, 'PATCH', '/oauth-request-scoped-errors', {json: {channel: 'codex', rules: [{status: 1.5}]}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    await env.close()
    env = await startSurface({sim: {version: '7.2.137'}})
    const old = await call(env, 'GET', '/oauth-request-scoped-errors')
    expect({status: old.status, text: old.text}).toEqual({status: 404, text: ''})
    expect((await call(env, 'GET', '/oauth-model-alias')).status).toBe(200)
  })
})

describe('GET /model-definitions/:channel', () => {
  it('answers the channel lower-cased with ModelInfo objects; aliases x-ai/grok; 400 for unknown channels', async () => {
    env = await startSurface()
    const codex = await call(env, 'GET', '/model-definitions/Codex')
    expect(codex.status).toBe(200)
    expect(codex.json.channel).toBe('codex')
    expect(codex.json.models.map((m: {id: string}) => m.id)).toEqual(['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1', 'gpt-5.4', 'gpt-5.4-mini'])
    expect(codex.json.models[0]).toMatchObject({id: 'gpt-5-codex', object: 'model', owned_by: 'openai', type: 'openai', display_name: 'GPT 5 Codex', context_length: 272_000})
    for (const channel of ['claude', 'gemini', 'gemini-interactions', 'vertex', 'aistudio', 'kimi', 'antigravity', 'xai', 'x-ai', 'grok']) {
      const r = await call(env, 'GET', `/model-definitions/${channel}`)
      expect({channel, status: r.status, echoed: r.json.channel, any: r.json.models.length > 0}).toEqual({channel, status: 200, echoed: channel, any: true})
    }
    expect((await call(env, 'GET', '/model-definitions/grok')).json.models).toEqual((await call(env, 'GET', '/model-definitions/xai')).json.models)
    expect(await call(env, 'GET', '/model-definitions/openai')).toMatchObject({status: 400, json: {error: 'unknown channel', channel: 'openai'}})
  })
})

describe('POST /vertex/import', () => {
  const sa = {
    type: 'service_account',
    project_id: 'imported-proj',
    private_key_id: 'k1',
    private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
    client_email: 'svc@imported-proj.iam.gserviceaccount.com',
  }
  const form = (content: string | undefined, location?: string) => {
    const f = new FormData()
    if (content !== undefined) f.append('file', new Blob([content], {type: 'application/json'}), 'sa.json')
    if (location) f.append('location', location)
    return f
  }

  it('saves vertex-<project>.json and lists it as a vertex credential', async () => {
    env = await startSurface()
    const r = await call(env, 'POST', '/vertex/import', {body: form(JSON.stringify(sa), 'europe-west4')})
    expect(r.status).toBe(200)
    expect(r.json).toEqual({status: 'ok', 'auth-file': `${env.authDir}/vertex-imported-proj.json`, project_id: 'imported-proj', email: sa.client_email, location: 'europe-west4'})
    const listed = (await call(env, 'GET', '/auth-files?name=vertex-imported-proj.json')).json.files[0]
    expect(listed).toMatchObject({type: 'vertex', project_id: 'imported-proj', label: 'imported-proj (svc@imported-proj.iam.gserviceaccount.com)'})
    const q = await call(env, 'POST', '/vertex/import?location=asia-east1', {body: form(JSON.stringify({...sa, project_id: 'p2'}))})
    expect(q.json.location).toBe('asia-east1')
    expect((await call(env, 'POST', '/vertex/import', {body: form(JSON.stringify({...sa, project_id: 'p3'}))})).json.location).toBe('us-central1')
  })

  it('errors: file required, invalid json, invalid service account, project_id missing', async () => {
    env = await startSurface()
    expect(await call(env, 'POST', '/vertex/import', {body: form(undefined, 'x')})).toMatchObject({status: 400, json: {error: 'file required'}})
    expect(await call(env, 'POST', '/vertex/import', {body: form('{nope')})).toMatchObject({status: 400, json: {error: 'invalid json'}})
    expect(await call(env, 'POST', '/vertex/import', {body: form(JSON.stringify({...sa, private_key: ''}))})).toMatchObject({
      status: 400,
      json: {error: 'invalid service account', message: 'service account missing private_key'},
    })
    expect(await call(env, 'POST', '/vertex/import', {body: form(JSON.stringify({...sa, project_id: ' '}))})).toMatchObject({status: 400, json: {error: 'project_id missing'}})
  })
})
