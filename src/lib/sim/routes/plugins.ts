/**
 * Plugin and plugin-store routes (plugins since v7.1.47, the store since v7.1.69),
 * plus what the gateway's NoRoute handler dispatches to plugins after management auth (it runs for any
 * unregistered `/v0/management` path, v7.1.47+: plugin OAuth URLs, then plugin management routes) and the
 * key-less plugin resources (`/v0/resource/plugins/*`: any method, 404 when no plugin serves the path).
 * State and the scripted plugins: ../plugins.ts. Per-plugin settings live in the config
 * (`plugins.configs.<id>`), so GET /config and /config.yaml show them.
 */
import type {ConfigState} from '../config-state.js'
import {INSIGHTS_PAGE, resolvePluginsDir, SCRIPTED_PLUGINS, type ScriptedPlugin, scriptedPlugin, SimPluginFiles, STORE_SOURCE, validPluginId, versionNewer} from '../plugins.js'
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {isRecord, lastSegment, ok} from './http.js'
import {type OAuthRouteDeps, startRedirectFlow} from './oauth-flows.js'

export interface PluginRouteDeps {
  files: SimPluginFiles
  config: ConfigState
  oauth: OAuthRouteDeps
}

/** `{"error": code, "message": text}`, the plugin routes' error shape. */
function pluginError(status: number, error: string, message: string, extra: Record<string, unknown> = {}): SimResponse {
  return {status, body: {error, message, ...extra}}
}

function pluginId(req: SimRequest): string | SimResponse {
  const id = lastSegment(req).trim()
  return validPluginId(id) ? id : pluginError(400, 'invalid_plugin_id', 'invalid plugin id')
}

interface Snapshot {
  enabled: boolean
  dir: string
  configs: Record<string, Record<string, unknown>>
}

function snapshot(deps: PluginRouteDeps): Snapshot {
  const configs = deps.config.get(['plugins', 'configs'])
  const out: Record<string, Record<string, unknown>> = {}
  if (isRecord(configs)) for (const [id, v] of Object.entries(configs)) out[id] = isRecord(v) ? v : {}
  return {enabled: deps.config.get(['plugins', 'enabled']) === true, dir: resolvePluginsDir(deps.config.get(['plugins', 'dir'])), configs: out}
}

/** Loaded by the host: plugins on and the file discovered. */
function registered(deps: PluginRouteDeps, s: Snapshot, id: string): boolean {
  return s.enabled && deps.files.installed(id) !== undefined && scriptedPlugin(id) !== undefined
}

function effective(deps: PluginRouteDeps, s: Snapshot, id: string): boolean {
  return registered(deps, s, id) && s.configs[id]?.enabled === true
}

/**
 * The plugin host of the simulated gateway runs while `plugins.enabled` is true (a plugin-capable build;
 * whether a real gateway keeps its host up with plugins off is not documented: the simulator does not).
 */
export function pluginHostRunning(deps: PluginRouteDeps): boolean {
  return snapshot(deps).enabled
}

/** The loaded, enabled plugins that provide quota (the providers `GET /quota/providers` lists), in id order. */
export function quotaPlugins(deps: PluginRouteDeps): ScriptedPlugin[] {
  const s = snapshot(deps)
  return SCRIPTED_PLUGINS.filter(p => p.quota && effective(deps, s, p.id)).sort((a, b) => (a.id < b.id ? -1 : 1))
}

/** Start the OAuth flow of an effective plugin OAuth provider, or undefined when none serves `provider`. */
export function pluginOAuthStart(deps: PluginRouteDeps, req: SimRequest, provider: string): SimResponse | undefined {
  const s = snapshot(deps)
  const plugin = SCRIPTED_PLUGINS.find(p => p.supportsOAuth && p.oauthProvider === provider && effective(deps, s, p.id))
  return plugin ? startRedirectFlow(deps.oauth, req, plugin.oauthProvider, 'plugin') : undefined
}

function listEntry(deps: PluginRouteDeps, s: Snapshot, id: string, quotaFields = false): Record<string, unknown> {
  const file = deps.files.installed(id)
  const isRegistered = registered(deps, s, id)
  const meta = isRegistered ? scriptedPlugin(id) : undefined
  const enabled = s.configs[id]?.enabled === true
  return {
    id,
    path: file ? SimPluginFiles.path(s.dir, id) : '',
    configured: id in s.configs,
    registered: isRegistered,
    enabled,
    effective_enabled: s.enabled && enabled && isRegistered,
    supports_oauth: meta?.supportsOAuth ?? false,
    oauth_provider: meta?.oauthProvider ?? '',
    logo: '',
    config_fields: meta ? structuredClone(meta.configFields) : [],
    menus: meta ? structuredClone(meta.menus) : [],
    metadata: meta
      ? {name: meta.name, version: file!.version, author: meta.author, github_repository: `https://github.com/${meta.repository}`, logo: '', config_fields: structuredClone(meta.configFields)}
      : null,
    // later 8.0.x builds add `supports_quota` and `quota_provider` to `GET /plugins`
    ...(quotaFields ? {supports_quota: meta?.quota !== undefined, ...(meta?.quota ? {quota_provider: meta.quota.provider} : {})} : {}),
  }
}

function listPlugins(deps: PluginRouteDeps, sim: SimContext): SimResponse {
  const s = snapshot(deps)
  const ids = [...new Set([...deps.files.ids(), ...Object.keys(s.configs)])].sort()
  return ok({plugins_enabled: s.enabled, plugins_dir: s.dir, plugins: ids.map(id => listEntry(deps, s, id, sim.v8Revision === 'later'))})
}

function getPluginConfig(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  const s = snapshot(deps)
  if (id in s.configs) return ok(s.configs[id])
  if (registered(deps, s, id) || deps.files.installed(id)) return ok({})
  return pluginError(404, 'plugin_not_found', 'plugin not found')
}

/** The request body as a JSON object (Go json.Decoder into map[string]any). */
function objectBody(req: SimRequest): {ok: true; value: Record<string, unknown>} | {ok: false; response: SimResponse} {
  const text = req.body.toString('utf8')
  const bad = (message: string) => ({ok: false as const, response: pluginError(400, 'invalid_body', message)})
  let v: unknown
  try {
    v = JSON.parse(text)
  } catch (error) {
    return bad(text.trim() === '' ? 'EOF' : (error as Error).message)
  }
  if (v === null) return bad('body must be a JSON object')
  if (!isRecord(v)) return bad(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type map[string]interface {}`)
  return {ok: true, value: v}
}

/** The typed keys of a plugin instance config (`enabled` bool, `priority` int). */
function configProblem(cfg: Record<string, unknown>): string | undefined {
  if (cfg.enabled !== undefined && cfg.enabled !== null && typeof cfg.enabled !== 'boolean') return 'decode plugin config: enabled must be a boolean'
  if (cfg.priority !== undefined && cfg.priority !== null && !(typeof cfg.priority === 'number' && Number.isInteger(cfg.priority))) {
    return 'decode plugin config: priority must be an integer'
  }
  return undefined
}

function writeConfig(deps: PluginRouteDeps, id: string, cfg: Record<string, unknown>): SimResponse {
  const problem = configProblem(cfg)
  if (problem) return pluginError(400, 'invalid_config', problem)
  deps.config.set(['plugins', 'configs', id], cfg)
  return ok({status: 'ok'})
}

function putPluginConfig(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  const body = objectBody(req)
  if (!body.ok) return body.response
  return writeConfig(deps, id, body.value)
}

function patchPluginConfig(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  const body = objectBody(req)
  if (!body.ok) return body.response
  const merged: Record<string, unknown> = {...snapshot(deps).configs[id]}
  for (const [k, v] of Object.entries(body.value)) {
    if (v === null) delete merged[k]
    else merged[k] = v
  }
  return writeConfig(deps, id, merged)
}

function patchPluginEnabled(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  let body: unknown
  try {
    body = JSON.parse(req.body.toString('utf8'))
  } catch {
    body = undefined
  }
  if (!isRecord(body) || typeof body.enabled !== 'boolean') return pluginError(400, 'invalid_body', 'enabled is required')
  return writeConfig(deps, id, {...snapshot(deps).configs[id], enabled: body.enabled})
}

function deletePlugin(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  const s = snapshot(deps)
  const configured = id in s.configs
  const file = deps.files.installed(id)
  if (!file && !configured) return pluginError(404, 'plugin_not_found', 'plugin not found')
  const path = file ? SimPluginFiles.path(s.dir, id) : ''
  const fileDeleted = deps.files.remove(id)
  if (configured) deps.config.delete(['plugins', 'configs', id])
  return ok({status: 'deleted', id, path, file_deleted: fileDeleted, configured_removed: configured, restart_required: false})
}

function storeEntry(deps: PluginRouteDeps, s: Snapshot, p: (typeof SCRIPTED_PLUGINS)[number]): Record<string, unknown> {
  const file = deps.files.installed(p.id)
  const local = listEntry(deps, s, p.id)
  return {
    store_id: `${STORE_SOURCE.id}/${p.id}`,
    source_id: STORE_SOURCE.id,
    source_name: STORE_SOURCE.name,
    source_url: STORE_SOURCE.url,
    id: p.id,
    name: p.name,
    description: p.description,
    author: p.author,
    version: p.latest,
    repository: p.repository,
    install_type: 'github-release',
    auth_required: false,
    auth_configured: false,
    platforms: [
      {goos: 'linux', goarch: 'amd64'},
      {goos: 'linux', goarch: 'arm64'},
      {goos: 'darwin', goarch: 'arm64'},
    ],
    license: 'MIT',
    tags: [...p.tags],
    installed: file !== undefined,
    installed_version: file?.version ?? '',
    path: local.path,
    configured: local.configured,
    registered: local.registered,
    enabled: local.enabled,
    effective_enabled: local.effective_enabled,
    update_available: file !== undefined && versionNewer(p.latest, file.version),
  }
}

function listStore(deps: PluginRouteDeps): SimResponse {
  const s = snapshot(deps)
  return ok({plugins_enabled: s.enabled, plugins_dir: s.dir, sources: [{...STORE_SOURCE}], plugins: SCRIPTED_PLUGINS.map(p => storeEntry(deps, s, p))})
}

function installFromStore(deps: PluginRouteDeps, req: SimRequest): SimResponse {
  const id = pluginId(req)
  if (typeof id !== 'string') return id
  const queryVersion = (req.query.get('version') ?? '').trim()
  let version = queryVersion
  const text = req.body.toString('utf8').trim()
  if (text !== '') {
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch (error) {
      return pluginError(400, 'invalid_request', `decode install request: ${(error as Error).message}`)
    }
    const bodyVersion = isRecord(body) && typeof body.version === 'string' ? body.version.trim() : ''
    const norm = (v: string) => v.replace(/^v/i, '')
    if (queryVersion === '') version = bodyVersion
    else if (bodyVersion !== '' && norm(bodyVersion) !== norm(queryVersion)) {
      return pluginError(400, 'invalid_request', `version query "${queryVersion}" does not match request body version "${bodyVersion}"`)
    }
  }
  const source = (req.query.get('source') ?? '').trim()
  if (source !== '' && source !== STORE_SOURCE.id) return pluginError(404, 'plugin_store_source_not_found', 'plugin store source not found')
  const plugin = scriptedPlugin(id)
  if (!plugin) return pluginError(404, 'plugin_not_found', 'plugin not found in registry')
  const target = version === '' ? plugin.latest : version.replace(/^v/i, '')
  if (!/^[0-9][0-9A-Za-z.+-]*$/.test(target)) return pluginError(502, 'plugin_install_failed', `release ${version} not found`)
  const s = snapshot(deps)
  if (registered(deps, s, id)) {
    return pluginError(409, 'plugin_update_requires_restart', 'loaded plugin cannot be overwritten while the server is running', {restart_required: true})
  }
  deps.files.install(id, target)
  deps.config.set(['plugins', 'configs', id], {...plugin.defaults, ...s.configs[id], enabled: true})
  return ok({
    status: 'installed',
    source_id: STORE_SOURCE.id,
    source_name: STORE_SOURCE.name,
    source_url: STORE_SOURCE.url,
    id,
    version: target,
    install_type: 'github-release',
    path: SimPluginFiles.path(s.dir, id),
    plugins_enabled: s.enabled,
    restart_required: false,
  })
}

export function pluginRoutes(deps: PluginRouteDeps): SimRoute[] {
  return [
    {method: 'GET', path: '/plugins', since: 'plugins', handler: (_req, sim) => listPlugins(deps, sim)},
    {method: 'GET', path: '/plugin-store', since: 'pluginStore', handler: () => listStore(deps)},
    {method: 'POST', path: '/plugin-store/:id/install', since: 'pluginStore', handler: req => installFromStore(deps, req)},
    {method: 'DELETE', path: '/plugins/:id', since: 'plugins', handler: req => deletePlugin(deps, req)},
    {method: 'PATCH', path: '/plugins/:id/enabled', since: 'plugins', handler: req => patchPluginEnabled(deps, req)},
    {method: 'GET', path: '/plugins/:id/config', since: 'plugins', handler: req => getPluginConfig(deps, req)},
    {method: 'PUT', path: '/plugins/:id/config', since: 'plugins', handler: req => putPluginConfig(deps, req)},
    {method: 'PATCH', path: '/plugins/:id/config', since: 'plugins', handler: req => patchPluginConfig(deps, req)},
  ]
}

/**
 * NoRoute dispatch to plugins after management auth (the gateway's NoRoute handler, v7.1.47+): a plugin OAuth URL
 * (`/<provider>-auth-url`) or a plugin management route. Undefined when no effective plugin serves the path.
 */
export function pluginNoRoute(deps: PluginRouteDeps, req: SimRequest): SimResponse | undefined {
  const s = snapshot(deps)
  const auth = /^\/([a-z0-9-]+)-auth-url$/.exec(req.path.toLowerCase())
  if (auth && req.method === 'GET') {
    const started = pluginOAuthStart(deps, req, auth[1])
    if (started) return started
  }
  if (req.method === 'GET' && req.path === '/sim-insights/summary' && effective(deps, s, 'sim-insights')) {
    return ok({plugin: 'sim-insights', refresh_seconds: s.configs['sim-insights']?.['refresh-seconds'] ?? 60, installed: deps.files.ids().sort()})
  }
  return undefined
}

/** `/v0/resource/plugins/<id>/<file>` (no key): a loaded plugin's static resources, else undefined (⇒ 404). */
export function pluginResource(deps: PluginRouteDeps, path: string): SimResponse | undefined {
  const s = snapshot(deps)
  if (path === '/v0/resource/plugins/sim-insights/index.html' && registered(deps, s, 'sim-insights')) {
    return {status: 200, headers: {'content-type': 'text/html; charset=utf-8'}, body: INSIGHTS_PAGE}
  }
  return undefined
}
