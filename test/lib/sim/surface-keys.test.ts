import {createHash} from 'node:crypto'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {defaultProviderConfig} from '../../../src/lib/sim/default-accounts.js'
import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv
beforeEach(async () => {
  env = await startSurface({seed: 42})
})
afterEach(async () => {
  await env.close()
})

const idx = (seed: string) => createHash('sha256').update(seed).digest('hex').slice(0, 16)

describe('/api-keys', () => {
  it('GET returns the config list; PUT replaces it (array or non-empty items)', async () => {
    expect(await call(env, 'GET', '/api-keys')).toMatchObject({status: 200, json: {'api-keys': ['sk-client-1']}})
    expect(await call(env, 'PUT', '/api-keys', {json: ['k1', 'k2']})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(env.config()['api-keys']).toEqual(['k1', 'k2'])
    expect(await call(env, 'PUT', '/api-keys', {json: {items: ['k3']}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect((await call(env, 'GET', '/api-keys')).json).toEqual({'api-keys': ['k3']})
    expect(await call(env, 'PUT', '/api-keys', {json: {items: []}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    expect(await call(env, 'PUT', '/api-keys', {json: {keys: ['x']}})).toMatchObject({status: 400, json: {error: 'invalid body'}})
    expect(await call(env, 'PUT', '/api-keys', {json: []})).toMatchObject({status: 200})
    expect((await call(env, 'GET', '/api-keys')).json).toEqual({'api-keys': []})
  })

  it('PATCH replaces by index, replaces a match, appends when old is absent; 400 missing fields', async () => {
    await call(env, 'PUT', '/api-keys', {json: ['a', 'b']})
    expect(await call(env, 'PATCH', '/api-keys', {json: {index: 1, value: 'B'}})).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(env.config()['api-keys']).toEqual(['a', 'B'])
    await call(env, 'PATCH', '/api-keys', {json: {old: 'a', new: 'A'}})
    expect(env.config()['api-keys']).toEqual(['A', 'B'])
    await call(env, 'PATCH', '/api-keys', {json: {old: 'zzz', new: 'C'}})
    expect(env.config()['api-keys']).toEqual(['A', 'B', 'C'])
    expect(await call(env, 'PATCH', '/api-keys', {json: {index: 9, value: 'X'}})).toMatchObject({status: 400, json: {error: 'missing fields'}})
    expect(await call(env, 'PATCH', '/api-keys', {json: {new: 'X'}})).toMatchObject({status: 400, json: {error: 'missing fields'}})
    expect(await call(env, 'PATCH', '/api-keys', {body: 'nope', headers: {'content-type': 'application/json'}})).toMatchObject({
      status: 400,
      json: {error: 'invalid body'},
    })
    expect(env.config()['api-keys']).toEqual(['A', 'B', 'C'])
  })

  it('DELETE by index or value; 400 missing index or value', async () => {
    await call(env, 'PUT', '/api-keys', {json: ['a', 'b', 'c', 'b']})
    expect(await call(env, 'DELETE', '/api-keys?index=0')).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(env.config()['api-keys']).toEqual(['b', 'c', 'b'])
    await call(env, 'DELETE', '/api-keys?value=b')
    expect(env.config()['api-keys']).toEqual(['c'])
    expect(await call(env, 'DELETE', '/api-keys')).toMatchObject({status: 400, json: {error: 'missing index or value'}})
    expect(await call(env, 'DELETE', '/api-keys?index=7')).toMatchObject({status: 400, json: {error: 'missing index or value'}})
  })
})

describe('provider keys', () => {
  const cfg = defaultProviderConfig(42) as any

  it('GET lists config entries with their live auth-index (kebab-case), including openai-compat key entries', async () => {
    const gemini = await call(env, 'GET', '/gemini-api-key')
    const geminiKey = cfg['gemini-api-key'][0]['api-key']
    expect(gemini).toMatchObject({status: 200, json: {'gemini-api-key': [{'api-key': geminiKey, 'auth-index': idx(`gemini-api-key:+${geminiKey}`)}]}})
    const compat = await call(env, 'GET', '/openai-compatibility')
    const entry = cfg['openai-compatibility'][0]
    const key = entry['api-key-entries'][0]['api-key']
    expect(compat.json['openai-compatibility']).toEqual([
      {...entry, 'api-key-entries': [{'api-key': key, 'auth-index': idx(`openai-compatibility:${entry['base-url']}+${key}`)}]},
    ])
    for (const family of ['codex-api-key', 'claude-api-key', 'xai-api-key', 'vertex-api-key', 'interactions-api-key']) {
      expect((await call(env, 'GET', `/${family}`)).json).toEqual({[family]: []})
    }
    // the index reported is the one the registry (and usage records) use
    expect(env.accounts.byIndex(idx(`gemini-api-key:+${geminiKey}`))?.provider).toBe('gemini')
  })

  it('PUT replaces a list; codex drops entries without base-url; the new credential appears in the registry', async () => {
    const put = await call(env, 'PUT', '/codex-api-key', {
      json: [
        {'api-key': 'sk-codex-1', 'base-url': 'https://api.openai.com/v1'},
        {'api-key': 'sk-codex-dropped'},
      ],
    })
    expect(put).toMatchObject({status: 200, json: {status: 'ok'}})
    const got = await call(env, 'GET', '/codex-api-key')
    expect(got.json).toEqual({
      'codex-api-key': [{'api-key': 'sk-codex-1', 'base-url': 'https://api.openai.com/v1', 'auth-index': idx('codex-api-key:https://api.openai.com/v1+sk-codex-1')}],
    })
    expect(env.accounts.byIndex(idx('codex-api-key:https://api.openai.com/v1+sk-codex-1'))).toMatchObject({provider: 'codex', authType: 'apikey', source: 'sk-codex-1'})
  })

  it('DELETE follows the family rules', async () => {
    await call(env, 'PUT', '/gemini-api-key', {json: [{'api-key': 'g1'}, {'api-key': 'g1', 'base-url': 'https://x'}, {'api-key': 'g2'}]})
    expect(await call(env, 'DELETE', '/gemini-api-key?api-key=g1')).toMatchObject({status: 400, json: {error: 'multiple items match api-key; base-url is required'}})
    expect(await call(env, 'DELETE', '/gemini-api-key?api-key=g1&base-url=https://x')).toMatchObject({status: 200})
    expect(await call(env, 'DELETE', '/gemini-api-key?api-key=ghost')).toMatchObject({status: 404, json: {error: 'item not found'}})
    expect(await call(env, 'DELETE', '/gemini-api-key')).toMatchObject({status: 400, json: {error: 'missing api-key or index'}})
    expect((env.config()['gemini-api-key'] as any[]).map((e) => e['api-key'])).toEqual(['g1', 'g2'])
    await call(env, 'PUT', '/claude-api-key', {json: [{'api-key': 'c1', 'base-url': 'https://api.anthropic.com'}]})
    expect(await call(env, 'DELETE', '/claude-api-key?api-key=unknown')).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(env.config()['claude-api-key']).toHaveLength(1)
  })

  it('PATCH edits one entry; 404 item not found; weight <= 0 valid, non-integer or > 1,000,000 refused', async () => {
    const key = cfg['gemini-api-key'][0]['api-key']
    expect(await call(env, 'PATCH', '/gemini-api-key', {json: {match: key, value: {weight: 3, prefix: 'team'}}})).toMatchObject({status: 200})
    expect((env.config()['gemini-api-key'] as any[])[0]).toMatchObject({'api-key': key, weight: 3, prefix: 'team'})
    expect(await call(env, 'PATCH', '/gemini-api-key', {json: {match: 'ghost', value: {weight: 3}}})).toMatchObject({status: 404, json: {error: 'item not found'}})
    for (const w of [0, -2]) {
      expect((await call(env, 'PATCH', '/gemini-api-key', {json: {index: 0, value: {weight: w}}})).status).toBe(200)
      expect((env.config()['gemini-api-key'] as any[])[0].weight).toBe(w)
    }
    expect(await call(env, 'PATCH', '/gemini-api-key', {json: {index: 0, value: {weight: 1.5}}})).toMatchObject({status: 400, json: {error: 'weight must be an integer'}})
    expect(await call(env, 'PATCH', '/gemini-api-key', {json: {index: 0, value: {weight: 1_000_001}}})).toMatchObject({status: 400, json: {error: 'weight must not exceed 1000000'}})
    expect(await call(env, 'PUT', '/codex-api-key', {json: [{'api-key': 'a', 'base-url': 'https://c'}, {'api-key': 'b', 'base-url': 'https://c', weight: 2_000_000}]})).toMatchObject({
      status: 400,
      json: {error: 'codex-api-key[1].weight: weight must not exceed 1000000'},
    })
    expect(await call(env, 'PUT', '/codex-api-key', {json: [{'api-key': 'a', 'base-url': 'https://c', weight: 0.5}]})).toMatchObject({status: 400, json: {error: 'invalid body'}})
  })
})

describe('/api-key-usage', () => {
  it('maps provider → "<base_url>|<api_key>" → counters with 20 buckets, for config keys only', async () => {
    const gemini = env.accounts.list().find((a) => a.provider === 'gemini')!
    const openrouter = env.accounts.list().find((a) => a.provider === 'openrouter')!
    const codexFile = env.accounts.list().find((a) => a.provider === 'codex')!
    env.accounts.recordOutcome(gemini.authIndex, false, env.clock.now)
    env.accounts.recordOutcome(gemini.authIndex, false, env.clock.now)
    env.accounts.recordOutcome(gemini.authIndex, true, env.clock.now - 15 * 60_000)
    env.accounts.recordOutcome(codexFile.authIndex, false, env.clock.now)
    const res = await call(env, 'GET', '/api-key-usage')
    expect(res.status).toBe(200)
    expect(Object.keys(res.json).sort()).toEqual(['gemini', 'openrouter'])
    const g = res.json.gemini[`|${gemini.source}`]
    expect(g.success).toBe(2)
    expect(g.failed).toBe(1)
    expect(g.recent_requests).toHaveLength(20)
    expect(g.recent_requests[19]).toMatchObject({success: 2, failed: 0})
    expect(g.recent_requests.reduce((s: number, b: any) => s + b.failed, 0)).toBe(1)
    const base = (defaultProviderConfig(42) as any)['openai-compatibility'][0]['base-url']
    expect(res.json.openrouter[`${base}|${openrouter.source}`]).toMatchObject({success: 0, failed: 0})
  })
})

describe('POST /reset-quota', () => {
  it('answers with the credential models; 400/404 errors', async () => {
    const claude = env.accounts.list().find((a) => a.provider === 'claude')!
    expect(await call(env, 'POST', '/reset-quota', {json: {auth_index: claude.authIndex}})).toMatchObject({
      status: 200,
      json: {status: 'ok', auth_index: claude.authIndex, models: claude.models},
    })
    expect(env.accounts.quotaResets(claude.authIndex)).toBe(1)
    const gemini = env.accounts.list().find((a) => a.provider === 'gemini')!
    expect((await call(env, 'POST', '/reset-quota', {json: {auth_index: gemini.authIndex}})).status).toBe(200)
    expect(await call(env, 'POST', '/reset-quota', {json: {}})).toMatchObject({status: 400, json: {error: 'auth_index is required'}})
    expect(await call(env, 'POST', '/reset-quota', {body: '{', headers: {'content-type': 'application/json'}})).toMatchObject({
      status: 400,
      json: {error: 'invalid request body'},
    })
    expect(await call(env, 'POST', '/reset-quota', {json: {auth_index: 'ffffffffffffffff'}})).toMatchObject({status: 404, json: {error: 'auth not found'}})
  })
})

describe('/meta-api-key (v8 gateways, added after 7.2.140)', () => {
  it('codex entry shape; an empty base-url takes the Meta default; empty and dca: keys are dropped; v7.2.140 has no such route', async () => {
    await env.close()
    env = await startSurface({seed: 42, sim: {version: '8.0.23'}})
    expect(await call(env, 'GET', '/meta-api-key')).toMatchObject({status: 200, json: {'meta-api-key': []}})
    const put = await call(env, 'PUT', '/meta-api-key', {json: [{'api-key': ' mk-1 ', prefix: 'm'}, {'api-key': 'dca:identity'}, {'api-key': ''}, {'api-key': 'mk-2', 'base-url': 'https://meta.example/v1'}]})
    expect(put).toMatchObject({status: 200, json: {status: 'ok'}})
    const META = 'https://api.meta.ai/v1'
    expect((await call(env, 'GET', '/meta-api-key')).json).toEqual({
      'meta-api-key': [
        {'api-key': 'mk-1', prefix: 'm', 'base-url': META, 'auth-index': idx(`meta-api-key:${META}+mk-1`)},
        {'api-key': 'mk-2', 'base-url': 'https://meta.example/v1', 'auth-index': idx('meta-api-key:https://meta.example/v1+mk-2')},
      ],
    })
    // the keys are credentials: one account each, provider meta
    expect(env.accounts.list().filter(a => a.provider === 'meta').map(a => [a.authIndex, a.authType, a.models[0]])).toEqual([
      [idx(`meta-api-key:${META}+mk-1`), 'apikey', 'muse-spark-1.3'],
      [idx('meta-api-key:https://meta.example/v1+mk-2'), 'apikey', 'muse-spark-1.3'],
    ])
    // PATCH: an emptied base-url resets to the default instead of deleting the entry
    expect(await call(env, 'PATCH', '/meta-api-key', {json: {match: 'mk-2', value: {'base-url': '', weight: 3}}})).toMatchObject({status: 200})
    expect(env.config()['meta-api-key']).toEqual([
      {'api-key': 'mk-1', prefix: 'm', 'base-url': META},
      {'api-key': 'mk-2', 'base-url': META, weight: 3},
    ])
    expect(await call(env, 'PATCH', '/meta-api-key', {json: {match: 'nope', value: {}}})).toMatchObject({status: 404, json: {error: 'item not found'}})
    // DELETE: two entries share the key ⇒ base-url required; with it every match goes; an unknown key is ok; a bad index is 400
    await call(env, 'PATCH', '/meta-api-key', {json: {index: 0, value: {'api-key': 'mk-2'}}})
    expect(await call(env, 'DELETE', '/meta-api-key?api-key=mk-2')).toMatchObject({status: 400, json: {error: 'multiple items match api-key; base-url is required'}})
    expect(await call(env, 'DELETE', '/meta-api-key?index=5')).toMatchObject({status: 400, json: {error: 'missing api-key or index'}})
    expect(await call(env, 'DELETE', '/meta-api-key?api-key=unknown')).toMatchObject({status: 200, json: {status: 'ok'}})
    expect(await call(env, 'DELETE', `/meta-api-key?api-key=mk-2&base-url=${encodeURIComponent(META)}`)).toMatchObject({status: 200})
    expect(env.config()['meta-api-key']).toEqual([])
    await env.close()

    env = await startSurface({seed: 42, sim: {version: '7.2.140'}})
    const r = await call(env, 'GET', '/meta-api-key')
    expect({status: r.status, text: r.text}).toEqual({status: 404, text: ''})
  })
})
