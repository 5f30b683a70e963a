import {readFileSync, statSync, existsSync} from 'node:fs'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {fileAuthIndex} from '../../../src/lib/sim/auth-index.js'
import {codexIdTokenClaims} from '../../../src/lib/sim/jwt.js'
import {configAuthIds} from '../../../src/lib/sim/routes/auth-files-status.js'
import {call, startSurface, type SurfaceEnv} from './surface-harness.js'
import {V7} from '../../helpers/sim.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface()
})
afterEach(async () => {
  await env.close()
})

const fileNames = () => env.accounts.files().map((f) => f.name)

describe('GET /auth-files', () => {
  it('lists file-backed credentials only, sorted by name case-insensitively, with the documented fields', async () => {
    const codex = env.accounts.files().find((f) => f.type === 'codex')!
    const codexIndex = fileAuthIndex('codex', join(env.authDir, codex.name))
    env.accounts.recordOutcome(codexIndex, false, env.clock.now)
    env.accounts.recordOutcome(codexIndex, true, env.clock.now)
    // an upper-case name sorts between lower-case ones
    const up = await call(env, 'POST', '/auth-files?name=Claude-Upper@example.com.json', {json: {type: 'claude', email: 'Upper@example.com', access_token: 'tok'}})
    expect(up).toMatchObject({status: 200, json: {status: 'ok'}})

    const res = await call(env, 'GET', '/auth-files')
    expect(res.status).toBe(200)
    const files = res.json.files as Array<Record<string, any>>
    const names = files.map((f) => f.name)
    expect(names).toEqual([...names].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)))
    expect(names).toHaveLength(10)
    expect(files.some((f) => f.type === 'gemini' || f.provider === 'openrouter')).toBe(false)

    const entry = files.find((f) => f.name === codex.name)!
    const raw = readFileSync(join(env.authDir, codex.name))
    const content = JSON.parse(raw.toString('utf8'))
    const claims = codexIdTokenClaims(content.id_token)!
    expect(entry).toMatchObject({
      id: codex.name,
      auth_index: codexIndex,
      name: codex.name,
      type: 'codex',
      provider: 'codex',
      label: content.email,
      status: 'active',
      status_message: '',
      disabled: false,
      unavailable: false,
      runtime_only: false,
      source: 'file',
      size: raw.length,
      success: 1,
      failed: 1,
      email: content.email,
      account_type: 'oauth',
      account: content.email,
      path: join(env.authDir, codex.name),
      id_token: {
        chatgpt_account_id: content.account_id,
        plan_type: claims.plan_type,
        chatgpt_subscription_active_start: claims.chatgpt_subscription_active_start,
        chatgpt_subscription_active_until: claims.chatgpt_subscription_active_until,
      },
    })
    expect(entry.recent_requests).toHaveLength(20)
    expect(entry.recent_requests[19]).toMatchObject({success: 1, failed: 1})
    expect(entry.last_refresh).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/)
    const vertex = files.find((f) => f.type === 'vertex')!
    expect(vertex.project_id).toBe(JSON.parse(readFileSync(join(env.authDir, vertex.name), 'utf8')).project_id)
    expect(vertex.id_token).toBeUndefined()
  })

  it('filters by name (file name or id) and by exact auth_index', async () => {
    const [a, b] = env.accounts.files()
    const ia = fileAuthIndex(a!.type, join(env.authDir, a!.name))
    const ib = fileAuthIndex(b!.type, join(env.authDir, b!.name))
    expect((await call(env, 'GET', `/auth-files?name=${encodeURIComponent(a!.name)}`)).json.files.map((f: any) => f.name)).toEqual([a!.name])
    expect((await call(env, 'GET', `/auth-files?auth_index=${ib}`)).json.files.map((f: any) => f.name)).toEqual([b!.name])
    expect((await call(env, 'GET', `/auth-files?name=${encodeURIComponent(a!.name)}&auth_index=${ib}`)).json.files).toEqual([])
    expect((await call(env, 'GET', `/auth-files?name=${encodeURIComponent(a!.name)}&auth_index=${ia}`)).json.files).toHaveLength(1)
    expect((await call(env, 'GET', '/auth-files?name=missing.json')).json.files).toEqual([])
  })
})

describe('GET /auth-files/models and /auth-files/download', () => {
  it('returns the models of a credential; 400 without name; [] for unknown names', async () => {
    const claude = env.accounts.files().find((f) => f.type === 'claude')!
    const res = await call(env, 'GET', `/auth-files/models?name=${encodeURIComponent(claude.name)}`)
    expect(res.status).toBe(200)
    expect(res.json.models.map((m: any) => m.id)).toEqual(['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'])
    expect(res.json.models[0]).toEqual({id: 'claude-sonnet-4-5-20250929', display_name: 'claude-sonnet-4-5-20250929', type: 'claude', owned_by: 'anthropic'})
    expect(await call(env, 'GET', '/auth-files/models')).toMatchObject({status: 400, json: {error: 'name is required'}})
    expect(await call(env, 'GET', '/auth-files/models?name=nope.json')).toMatchObject({status: 200, json: {models: []}})
  })

  it('downloads raw bytes as an attachment, with the documented errors', async () => {
    const f = env.accounts.files()[0]!
    const res = await call(env, 'GET', `/auth-files/download?name=${encodeURIComponent(f.name)}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${f.name}"`)
    expect(res.text).toBe(readFileSync(join(env.authDir, f.name), 'utf8'))
    expect(await call(env, 'GET', '/auth-files/download?name=..%2Fx.json')).toMatchObject({status: 400, json: {error: 'invalid name'}})
    expect(await call(env, 'GET', '/auth-files/download?name=')).toMatchObject({status: 400, json: {error: 'invalid name'}})
    expect(await call(env, 'GET', '/auth-files/download?name=a.txt')).toMatchObject({status: 400, json: {error: 'name must end with .json'}})
    expect(await call(env, 'GET', '/auth-files/download?name=missing.json')).toMatchObject({status: 404, json: {error: 'file not found'}})
  })
})

describe('POST /auth-files (upload)', () => {
  const json = (o: unknown) => new Blob([JSON.stringify(o)], {type: 'application/json'})

  it('uploads one multipart file as 0600 and registers it', async () => {
    const form = new FormData()
    form.append('file', json({type: 'xai', email: 'new@example.com', access_token: 'xai-tok'}), 'xai-new@example.com.json')
    const res = await call(env, 'POST', '/auth-files', {body: form})
    expect(res).toMatchObject({status: 200, json: {status: 'ok'}})
    const path = join(env.authDir, 'xai-new@example.com.json')
    expect(statSync(path).mode & 0o777).toBe(0o600)
    const listed = await call(env, 'GET', '/auth-files?name=xai-new@example.com.json')
    expect(listed.json.files[0]).toMatchObject({type: 'xai', email: 'new@example.com', auth_index: fileAuthIndex('xai', path)})
  })

  it('uploads several parts (any field names) in field-name order', async () => {
    const form = new FormData()
    form.append('zeta', json({type: 'claude', email: 'z@example.com'}), 'claude-z@example.com.json')
    form.append('alpha', json({type: 'claude', email: 'a@example.com'}), 'claude-a@example.com.json')
    const res = await call(env, 'POST', '/auth-files', {body: form})
    expect(res).toMatchObject({status: 200, json: {status: 'ok', uploaded: 2, files: ['claude-a@example.com.json', 'claude-z@example.com.json']}})
  })

  it('answers 207 partial with per-file errors for non-.json parts and invalid JSON', async () => {
    const form = new FormData()
    form.append('a', json({type: 'claude', email: 'ok@example.com'}), 'claude-ok@example.com.json')
    form.append('b', new Blob(['hello']), 'notes.txt')
    form.append('c', new Blob(['{broken']), 'broken.json')
    form.append('d', new Blob(['[1,2]']), 'array.json')
    const res = await call(env, 'POST', '/auth-files', {body: form})
    expect(res.status).toBe(207)
    expect(res.json.status).toBe('partial')
    expect(res.json.uploaded).toBe(1)
    expect(res.json.files).toEqual(['claude-ok@example.com.json'])
    expect(res.json.failed.map((f: any) => f.name)).toEqual(['notes.txt', 'broken.json', 'array.json'])
    expect(res.json.failed[0].error).toBe('file must be .json')
    expect(res.json.failed[1].error).toMatch(/^invalid auth file: /)
    expect(res.json.failed[2].error).toMatch(/^invalid auth file: /)
    expect(existsSync(join(env.authDir, 'broken.json'))).toBe(false)
    expect(existsSync(join(env.authDir, 'notes.txt'))).toBe(false)
  })

  it('single-part errors: 400 file must be .json; 500 invalid content; 400 no files uploaded', async () => {
    const one = new FormData()
    one.append('file', new Blob(['x']), 'x.txt')
    expect(await call(env, 'POST', '/auth-files', {body: one})).toMatchObject({status: 400, json: {error: 'file must be .json'}})
    const bad = new FormData()
    bad.append('file', new Blob(['nope']), 'bad.json')
    const r = await call(env, 'POST', '/auth-files', {body: bad})
    expect(r.status).toBe(500)
    expect(r.json.error).toMatch(/^invalid auth file: /)
    const none = new FormData()
    none.append('field', 'just text')
    expect(await call(env, 'POST', '/auth-files', {body: none})).toMatchObject({status: 400, json: {error: 'no files uploaded'}})
  })

  it('raw JSON upload with ?name= and its errors', async () => {
    expect(await call(env, 'POST', '/auth-files', {json: {type: 'claude'}})).toMatchObject({status: 400, json: {error: 'invalid name'}})
    expect(await call(env, 'POST', '/auth-files?name=a%2Fb.json', {json: {type: 'claude'}})).toMatchObject({status: 400, json: {error: 'invalid name'}})
    expect(await call(env, 'POST', '/auth-files?name=a.yaml', {json: {type: 'claude'}})).toMatchObject({status: 400, json: {error: 'name must end with .json'}})
    const r = await call(env, 'POST', '/auth-files?name=raw.json', {body: 'not json', headers: {'content-type': 'application/json'}})
    expect(r.status).toBe(500)
    expect(await call(env, 'POST', '/auth-files?name=raw.json', {json: {type: 'kimi', access_token: 'k'}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(JSON.parse(readFileSync(join(env.authDir, 'raw.json'), 'utf8'))).toEqual({type: 'kimi', access_token: 'k'})
  })
})

describe('DELETE /auth-files', () => {
  it('deletes one by name; 404 auth file not found; 400 invalid name', async () => {
    const f = env.accounts.files()[0]!
    expect(await call(env, 'DELETE', `/auth-files?name=${encodeURIComponent(f.name)}`)).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(existsSync(join(env.authDir, f.name))).toBe(false)
    expect(fileNames()).not.toContain(f.name)
    expect(await call(env, 'DELETE', `/auth-files?name=${encodeURIComponent(f.name)}`)).toMatchObject({status: 404, json: {error: 'auth file not found'}})
    expect(await call(env, 'DELETE', '/auth-files')).toMatchObject({status: 400, json: {error: 'invalid name'}})
  })

  it('deletes several (repeatable name, JSON body object or array) with 207 partial', async () => {
    const [a, b, c, d] = fileNames()
    const q = `/auth-files?name=${encodeURIComponent(a!)}&name=${encodeURIComponent(b!)}`
    expect(await call(env, 'DELETE', q)).toMatchObject({status: 200, json: {status: 'ok', deleted: 2, files: [a, b]}})
    expect(await call(env, 'DELETE', '/auth-files', {json: {name: c, names: ['ghost.json']}})).toMatchObject({
      status: 207,
      json: {status: 'partial', deleted: 1, files: [c], failed: [{name: 'ghost.json', error: 'auth file not found'}]},
    })
    expect(await call(env, 'DELETE', '/auth-files', {json: [d]})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(await call(env, 'DELETE', '/auth-files', {body: '{oops', headers: {'content-type': 'application/json'}})).toMatchObject({
      status: 400,
      json: {error: 'invalid request body'},
    })
  })

  it('deletes all with all=true', async () => {
    const count = fileNames().length
    expect(await call(env, 'DELETE', '/auth-files?all=true')).toMatchObject({status: 200, json: {status: 'ok', deleted: count}})
    expect((await call(env, 'GET', '/auth-files')).json.files).toEqual([])
    expect(await call(env, 'DELETE', '/auth-files?all=*')).toMatchObject({status: 200, json: {status: 'ok', deleted: 0}})
  })
})

describe('PATCH /auth-files/status', () => {
  it('disables and re-enables a file-backed credential, in memory and in the file', async () => {
    const f = env.accounts.files().find((x) => x.type === 'codex')!
    const idx = fileAuthIndex('codex', join(env.authDir, f.name))
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: f.name, auth_index: idx, disabled: true}})).toMatchObject({
      status: 200,
      json: {status: 'ok', disabled: true},
    })
    expect(JSON.parse(readFileSync(join(env.authDir, f.name), 'utf8')).disabled).toBe(true)
    const listed = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(f.name)}`)).json.files[0]
    expect(listed).toMatchObject({status: 'disabled', status_message: 'disabled via management API', disabled: true})
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: f.name, disabled: false}})).toMatchObject({status: 200, json: {status: 'ok', disabled: false}})
    expect((await call(env, 'GET', `/auth-files?name=${encodeURIComponent(f.name)}`)).json.files[0]).toMatchObject({
      status: 'active',
      status_message: '',
      disabled: false,
    })
  })

  it('validates: name is required, disabled is required, 404 for unknown or mismatching auth_index', async () => {
    const f = env.accounts.files()[0]!
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {disabled: true}})).toMatchObject({status: 400, json: {error: 'name is required'}})
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: f.name}})).toMatchObject({status: 400, json: {error: 'disabled is required'}})
    expect(await call(env, 'PATCH', '/auth-files/status', {body: 'x', headers: {'content-type': 'application/json'}})).toMatchObject({
      status: 400,
      json: {error: 'invalid request body'},
    })
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: 'ghost.json', disabled: true}})).toMatchObject({
      status: 404,
      json: {error: 'auth file not found'},
    })
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: f.name, auth_index: '0000000000000000', disabled: true}})).toMatchObject({
      status: 404,
      json: {error: 'auth file not found'},
    })
  })

  it('a config API key needs its internal auth ID as name; an auth_index as name is 404', async () => {
    const gemini = env.accounts.list().find((a) => a.provider === 'gemini')!
    // what a client that only knows the auth_index would send: never found
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: gemini.authIndex, auth_index: gemini.authIndex, disabled: true}})).toMatchObject({
      status: 404,
      json: {error: 'auth file not found'},
    })
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: gemini.id, auth_index: gemini.authIndex, disabled: true}})).toMatchObject({status: 404})
    expect((env.config()['gemini-api-key'] as any[])[0]['excluded-models']).toBeUndefined()
    // the internal ID (computed as the gateway's synthesizer does) toggles "*"
    const ids = [...configAuthIds(env.config()).entries()]
    const [id] = ids.find(([, ref]) => ref.family === 'gemini-api-key')!
    expect(id).toMatch(/^gemini:apikey:[0-9a-f]{12}$/)
    const res = await call(env, 'PATCH', '/auth-files/status', {json: {name: id, auth_index: gemini.authIndex, disabled: true}})
    expect(res).toMatchObject({status: 200, json: {status: 'ok', disabled: true, via: 'config:excluded-models', excluded_pattern: '*'}})
    expect((env.config()['gemini-api-key'] as any[])[0]['excluded-models']).toEqual(['*'])
    expect(env.accounts.byIndex(gemini.authIndex)!.disabled).toBe(true)
    await call(env, 'PATCH', '/auth-files/status', {json: {name: id, disabled: false}})
    expect((env.config()['gemini-api-key'] as any[])[0]['excluded-models']).toBeUndefined()
    // openai-compatibility keys cannot be toggled there at all
    const [compat] = ids.find(([, ref]) => ref.family === 'openai-compatibility')!
    expect(await call(env, 'PATCH', '/auth-files/status', {json: {name: compat, disabled: true}})).toMatchObject({status: 404, json: {error: 'config api key entry not found'}})
  })
})

describe('PATCH /auth-files/fields', () => {
  const read = (name: string) => JSON.parse(readFileSync(join(env.authDir, name), 'utf8'))

  it('writes fields, canonicalises legacy kebab keys, creates dotted paths, merges headers', async () => {
    const f = env.accounts.files().find((x) => x.type === 'claude')!
    const res = await call(env, 'PATCH', '/auth-files/fields', {
      json: {
        name: f.name,
        'proxy-url': 'socks5://127.0.0.1:1080',
        'excluded-models': ['claude-opus-*'],
        'request-retry': 2,
        priority: 5,
        note: 'primary',
        'cloak.mode': 'auto',
        headers: {'X-One': '1', 'X-Two': '2'},
        weight: 10,
      },
    })
    expect(res).toMatchObject({status: 200, json: {status: 'ok'}})
    const md = read(f.name)
    expect(md).toMatchObject({
      proxy_url: 'socks5://127.0.0.1:1080',
      excluded_models: ['claude-opus-*'],
      request_retry: 2,
      priority: 5,
      note: 'primary',
      cloak: {mode: 'auto'},
      headers: {'X-One': '1', 'X-Two': '2'},
      weight: 10,
    })
    expect(md['proxy-url']).toBeUndefined()
    expect(md['request-retry']).toBeUndefined()
    const listed = (await call(env, 'GET', `/auth-files?name=${encodeURIComponent(f.name)}`)).json.files[0]
    expect(listed).toMatchObject({priority: 5, note: 'primary', weight: 10, request_retry: 2})

    // headers merge; empty value deletes; weight null and negative request_retry delete
    await call(env, 'PATCH', '/auth-files/fields', {json: {name: f.name, headers: {'X-One': '', 'X-Three': '3'}, weight: null, request_retry: -1}})
    const md2 = read(f.name)
    expect(md2.headers).toEqual({'X-Two': '2', 'X-Three': '3'})
    expect(md2.weight).toBeUndefined()
    expect(md2.request_retry).toBeUndefined()
  })

  it('weight <= 0 is valid and stored as 0 (excluded from weighted round-robin)', async () => {
    const f = env.accounts.files()[0]!
    for (const [sent, stored] of [[0, 0], [-4, 0], [7, 7]]) {
      expect((await call(env, 'PATCH', '/auth-files/fields', {json: {name: f.name, weight: sent}})).status).toBe(200)
      expect(JSON.parse(readFileSync(f.path, 'utf8')).weight).toBe(stored)
    }
  })

  it('validates with the documented errors', async () => {
    const name = env.accounts.files()[0]!.name
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{}, 400, 'name is required'],
      [{name: ''}, 400, 'name is required'],
      [{name}, 400, 'no fields to update'],
      [{name, weight: 'heavy'}, 400, 'weight must be an integer'],
      [{name, weight: 1.5}, 400, 'weight must be an integer: 1.5'],
      [{name, weight: 1_000_001}, 400, 'weight must not exceed 1000000'],
      [{name, 'weight.x': 1}, 400, 'weight does not support nested fields'],
      [{name, request_retry: 'two'}, 400, 'request_retry must be an integer or null'],
      [{name, 'api-key': 'a', api_key: 'b'}, 400, 'auth file fields "api-key" and "api_key" refer to the same field'],
      [{name: 'ghost.json', note: 'x'}, 404, 'auth file not found'],
    ]
    for (const [body, status, error] of cases) {
      const res = await call(env, 'PATCH', '/auth-files/fields', {json: body})
      expect({body, status: res.status, error: res.json.error}).toEqual({body, status, error})
    }
  })
})

describe('auth-file changes reload clients ({"refresh":true} to subscribers)', () => {
  it('pushes {"refresh":true} to usage subscribers after an upload and a delete (RESP: a v7 gateway)', async () => {
    await env.close()
    env = await startSurface({sim: {version: V7}})
    const {connect} = await import('node:net')
    const {KEY} = await import('./surface-harness.js')
    const port = Number(new URL(env.url).port)
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', (d) => (received += d.toString('utf8')))
    const frame = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`
    const waitFor = async (pred: () => boolean) => {
      for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => setTimeout(r, 10))
      expect(pred()).toBe(true)
    }
    const refreshes = () => received.split('{"refresh":true}').length - 1
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
      socket.write(frame('AUTH', KEY) + frame('SUBSCRIBE', 'usage'))
      await waitFor(() => received.includes('{"support_refresh":true}'))
      expect(refreshes()).toBe(0)
      await call(env, 'POST', '/auth-files?name=claude-r@example.com.json', {json: {type: 'claude', email: 'r@example.com'}})
      await waitFor(() => refreshes() === 1)
      await call(env, 'DELETE', '/auth-files?name=claude-r@example.com.json')
      await waitFor(() => refreshes() === 2)
      // a failed delete changes nothing and reloads nothing
      await call(env, 'DELETE', '/auth-files?name=claude-r@example.com.json')
      await new Promise((r) => setTimeout(r, 50))
      expect(refreshes()).toBe(2)
    } finally {
      socket.destroy()
    }
  })
})
