/**
 * Plugins and the plugin store, NoRoute dispatch to plugins and plugin resources (`/v0/resource/plugins/*`,
 * no key): a gateway with plugins off (the default) and with the scripted plugins (`plugins: true`).
 */
import {afterEach, describe, expect, it} from 'vitest'

import {SUITE_IS_V8} from '../../helpers/sim.js'
import {call, startSurface, type SurfaceEnv} from './surface-harness.js'

let env: SurfaceEnv

afterEach(async () => {
  await env?.close()
})

describe('plugins off (default)', () => {
  it('GET /plugins: plugins_enabled false, the default dir, no plugins; X-CPA-SUPPORT-PLUGIN: 1', async () => {
    env = await startSurface()
    const r = await call(env, 'GET', '/plugins')
    expect(r.status).toBe(200)
    expect(r.json).toEqual({plugins_enabled: false, plugins_dir: 'plugins', plugins: []})
    expect(r.headers.get('x-cpa-support-plugin')).toBe('1')
    expect(await call(env, 'GET', '/plugins/nothing/config')).toMatchObject({status: 404, json: {error: 'plugin_not_found', message: 'plugin not found'}})
    expect(await call(env, 'DELETE', '/plugins/nothing')).toMatchObject({status: 404, json: {error: 'plugin_not_found'}})
    expect(await call(env, 'GET', '/plugins/-bad/config')).toMatchObject({status: 400, json: {error: 'invalid_plugin_id', message: 'invalid plugin id'}})
  })

  it('the store lists the scripted registry; installing writes config and the file, not loaded while plugins are off', async () => {
    env = await startSurface()
    const store = (await call(env, 'GET', '/plugin-store')).json
    expect(store.plugins_enabled).toBe(false)
    expect(store.sources).toEqual([{id: 'official', name: 'Official', url: 'https://raw.githubusercontent.com/router-for-me/CLIProxyAPI-Plugins-Store/main/registry.json'}])
    expect(store.plugins.map((p: {store_id: string; installed: boolean}) => [p.store_id, p.installed])).toEqual([
      ['official/sim-insights', false],
      ['official/sim-login', false],
      ['official/sim-quota', false],
      ['official/sim-extra', false],
    ])
    const install = await call(env, 'POST', '/plugin-store/sim-extra/install', {json: {version: 'v0.3.0'}})
    expect(install.status).toBe(200)
    expect(install.json).toEqual({
      status: 'installed',
      source_id: 'official',
      source_name: 'Official',
      source_url: store.sources[0].url,
      id: 'sim-extra',
      version: '0.3.0',
      install_type: 'github-release',
      path: 'plugins/sim-extra.so',
      plugins_enabled: false,
      restart_required: false,
    })
    expect((await call(env, 'GET', '/plugins')).json.plugins).toEqual([
      {
        id: 'sim-extra',
        path: 'plugins/sim-extra.so',
        configured: true,
        registered: false,
        enabled: true,
        effective_enabled: false,
        supports_oauth: false,
        oauth_provider: '',
        logo: '',
        config_fields: [],
        menus: [],
        metadata: null,
        // later 8.0.x builds add the quota fields (supports_quota, quota_provider)
        ...(SUITE_IS_V8 ? {supports_quota: false} : {}),
      },
    ])
    expect(env.config().plugins).toEqual({enabled: false, dir: 'plugins', configs: {'sim-extra': {enabled: true}}})
    expect(await call(env, 'POST', '/plugin-store/nope/install')).toMatchObject({status: 404, json: {error: 'plugin_not_found', message: 'plugin not found in registry'}})
    expect(await call(env, 'POST', '/plugin-store/sim-extra/install?source=elsewhere')).toMatchObject({status: 404, json: {error: 'plugin_store_source_not_found'}})
    expect(await call(env, 'POST', '/plugin-store/sim-extra/install?version=1.0.0', {json: {version: '2.0.0'}})).toMatchObject({status: 400, json: {error: 'invalid_request'}})
  })

  it('plugin routes are version-gated: none before v7.1.47, no store before v7.1.69', async () => {
    env = await startSurface({sim: {version: '7.1.47'}})
    expect((await call(env, 'GET', '/plugins')).status).toBe(200)
    const store = await call(env, 'GET', '/plugin-store')
    expect({status: store.status, text: store.text}).toEqual({status: 404, text: ''})
    expect(store.headers.get('x-cpa-support-plugin')).toBeNull()
  })
})

describe('scripted plugins (plugins: true)', () => {
  it('lists the installed plugins with metadata, menus and config fields; the store offers an update', async () => {
    env = await startSurface({sim: {plugins: true}})
    const list = (await call(env, 'GET', '/plugins')).json
    expect(list.plugins_enabled).toBe(true)
    expect(list.plugins.map((p: {id: string; effective_enabled: boolean}) => [p.id, p.effective_enabled])).toEqual([
      ['sim-insights', true],
      ['sim-login', true],
      ['sim-quota', true],
    ])
    const login = list.plugins[1]
    expect(login).toMatchObject({path: 'plugins/sim-login.so', configured: true, registered: true, enabled: true, supports_oauth: true, oauth_provider: 'sim-login'})
    expect(login.metadata).toEqual({
      name: 'Sim Login',
      version: '1.0.0',
      author: 'cpactl sim',
      github_repository: 'https://github.com/cpactl/sim-login',
      logo: '',
      config_fields: [{name: 'client-id', type: 'string', enum_values: [], description: 'OAuth client id'}],
    })
    expect(list.plugins[0].menus).toEqual([{path: '/v0/resource/plugins/sim-insights/index.html', menu: 'Insights', description: 'Simulated plugin page'}])
    const store = (await call(env, 'GET', '/plugin-store')).json.plugins
    expect(store.map((p: {id: string; installed_version: string; update_available: boolean}) => [p.id, p.installed_version, p.update_available])).toEqual([
      ['sim-insights', '1.0.0', false],
      ['sim-login', '1.0.0', true],
      ['sim-quota', '1.0.0', false],
      ['sim-extra', '', false],
    ])
    expect(await call(env, 'POST', '/plugin-store/sim-login/install')).toMatchObject({
      status: 409,
      json: {error: 'plugin_update_requires_restart', restart_required: true},
    })
  })

  it('config GET/PUT/PATCH (null deletes a key) and enabled toggle; the plugin OAuth URL follows effective_enabled', async () => {
    env = await startSurface({sim: {plugins: true}})
    expect((await call(env, 'GET', '/plugins/sim-insights/config')).json).toEqual({enabled: true, priority: 0, 'refresh-seconds': 60})
    expect((await call(env, 'PATCH', '/plugins/sim-insights/config', {json: {'refresh-seconds': 30, priority: null, theme: 'dark'}})).json).toEqual({status: 'ok'})
    expect((await call(env, 'GET', '/plugins/sim-insights/config')).json).toEqual({enabled: true, 'refresh-seconds': 30, theme: 'dark'})
    expect(await call(env, 'PUT', '/plugins/sim-insights/config', {json: {enabled: 'yes'}})).toMatchObject({status: 400, json: {error: 'invalid_config'}})
    expect(await call(env, 'PUT', '/plugins/sim-insights/config', {json: [1]})).toMatchObject({status: 400, json: {error: 'invalid_body'}})
    expect(await call(env, 'PUT', '/plugins/sim-insights/config', {body: 'null', headers: {'content-type': 'application/json'}})).toMatchObject({
      status: 400,
      json: {error: 'invalid_body', message: 'body must be a JSON object'},
    })
    expect((await call(env, 'PUT', '/plugins/sim-insights/config', {json: {enabled: true}})).status).toBe(200)
    expect((await call(env, 'GET', '/plugins/sim-insights/config')).json).toEqual({enabled: true})

    const auth = await call(env, 'GET', '/sim-login-auth-url')
    expect(auth.status).toBe(200)
    expect(auth.json.state).toMatch(/^sim-login-[0-9a-f]{24}$/)
    expect(auth.headers.get('x-cpa-version')).toBe(env.sim.version)
    // plugin flows complete through /oauth-callback with the plugin provider
    expect((await call(env, 'POST', '/oauth-callback', {json: {provider: 'sim-login', state: auth.json.state, code: 'c'}})).json).toEqual({status: 'ok'})
    expect((await call(env, 'GET', `/get-auth-status?state=${auth.json.state}`)).json).toEqual({status: 'ok'})
    expect((await call(env, 'GET', '/auth-files')).json.files.some((f: {name: string}) => f.name === 'sim-login-login-1@example.com.json')).toBe(true)

    expect(await call(env, 'PATCH', '/plugins/sim-login/enabled', {json: {}})).toMatchObject({status: 400, json: {error: 'invalid_body', message: 'enabled is required'}})
    expect((await call(env, 'PATCH', '/plugins/sim-login/enabled', {json: {enabled: false}})).status).toBe(200)
    const off = await call(env, 'GET', '/sim-login-auth-url')
    expect({status: off.status, text: off.text}).toEqual({status: 404, text: ''})
    expect(env.config().plugins).toMatchObject({enabled: true, configs: {'sim-login': {enabled: false, priority: 0}}})
  })

  it('plugin management route and resource page; delete removes file and config', async () => {
    env = await startSurface({sim: {plugins: true}})
    expect((await call(env, 'GET', '/sim-insights/summary')).json).toEqual({plugin: 'sim-insights', refresh_seconds: 60, installed: ['sim-insights', 'sim-login', 'sim-quota']})
    const page = await fetch(`${env.url}/v0/resource/plugins/sim-insights/index.html`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Sim Insights')
    expect((await fetch(`${env.url}/v0/resource/plugins/sim-insights/missing.js`)).status).toBe(404)
    const del = await call(env, 'DELETE', '/plugins/sim-insights')
    expect(del.json).toEqual({status: 'deleted', id: 'sim-insights', path: 'plugins/sim-insights.so', file_deleted: true, configured_removed: true, restart_required: false})
    expect((await call(env, 'GET', '/plugins')).json.plugins.map((p: {id: string}) => p.id)).toEqual(['sim-login', 'sim-quota'])
    const gone = await call(env, 'GET', '/sim-insights/summary')
    expect({status: gone.status, text: gone.text}).toEqual({status: 404, text: ''})
    expect((await fetch(`${env.url}/v0/resource/plugins/sim-insights/index.html`)).status).toBe(404)
  })
})
