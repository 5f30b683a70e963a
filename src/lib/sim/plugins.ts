/**
 * The simulated plugin host and plugin store (the /plugins and /plugin-store routes, plugin routes served by
 * the NoRoute handler, static resources under `/v0/resource/plugins/*` without a key).
 *
 * By default the simulated gateway is a plugin-capable build (`X-CPA-SUPPORT-PLUGIN: 1`) with plugins
 * switched off and none installed: `GET /plugins` answers `plugins_enabled: false` and an empty list.
 * `--plugins` (SimulatorOptions.plugins) installs three scripted plugins and switches plugins on:
 * - `sim-login`: an OAuth provider plugin (`GET /v0/management/sim-login-auth-url`, a redirect flow; on v8
 *   also `/v8/management/oauth/auth-url?provider=sim-login`);
 * - `sim-insights`: a resource page (`/v0/resource/plugins/sim-insights/index.html`, its menu entry) and a
 *   plugin management route (`GET /v0/management/sim-insights/summary`);
 * - `sim-quota`: a quota provider for Codex credentials (`/quota/*`,
 *   `/plugins/sim-quota/quota`, early builds' `/credentials/quota/*`), reading the credential's scripted
 *   `wham/usage` answer (routes/quota.ts).
 * The scripted store (one source, "Official") lists them plus `sim-extra`, which is not installed; the
 * store offers `sim-login` 1.1.0 over the installed 1.0.0, so an update is available. Installing never
 * downloads anything.
 *
 * Host model: when `plugins.enabled` is true every discovered plugin is loaded (registered, metadata
 * known); it is effective when its `plugins.configs.<id>.enabled` is true as well.
 */
import {homedir} from 'node:os'
import {posix} from 'node:path'

export interface ScriptedPlugin {
  id: string
  name: string
  description: string
  author: string
  repository: string
  /** Version the store offers (the latest release). */
  latest: string
  /** Version installed by `--plugins` (when it ships pre-installed). */
  preinstalled?: string
  supportsOAuth: boolean
  oauthProvider: string
  menus: Array<{path: string; menu: string; description: string}>
  configFields: Array<{name: string; type: string; enum_values: string[]; description: string}>
  /** Extra keys of the plugin's default config (`plugins.configs.<id>`). */
  defaults: Record<string, unknown>
  tags: string[]
  /** A quota provider (answers the quota routes for one provider): the credential provider it covers. */
  quota?: {provider: string; displayName: string; supportedProviders: string[]; supportsReset: boolean}
}

export const STORE_SOURCE = {
  id: 'official',
  name: 'Official',
  url: 'https://raw.githubusercontent.com/router-for-me/CLIProxyAPI-Plugins-Store/main/registry.json',
}

export const SCRIPTED_PLUGINS: ScriptedPlugin[] = [
  {
    id: 'sim-insights',
    name: 'Sim Insights',
    description: 'Simulated plugin: a resource page and a management route.',
    author: 'cpactl sim',
    repository: 'cpactl/sim-insights',
    latest: '1.0.0',
    preinstalled: '1.0.0',
    supportsOAuth: false,
    oauthProvider: '',
    menus: [{path: '/v0/resource/plugins/sim-insights/index.html', menu: 'Insights', description: 'Simulated plugin page'}],
    configFields: [{name: 'refresh-seconds', type: 'integer', enum_values: [], description: 'How often the page refreshes'}],
    defaults: {'refresh-seconds': 60},
    tags: ['simulated', 'dashboard'],
  },
  {
    id: 'sim-login',
    name: 'Sim Login',
    description: 'Simulated plugin: an OAuth provider.',
    author: 'cpactl sim',
    repository: 'cpactl/sim-login',
    latest: '1.1.0',
    preinstalled: '1.0.0',
    supportsOAuth: true,
    oauthProvider: 'sim-login',
    menus: [],
    configFields: [{name: 'client-id', type: 'string', enum_values: [], description: 'OAuth client id'}],
    defaults: {},
    tags: ['simulated', 'oauth'],
  },
  {
    id: 'sim-quota',
    name: 'Sim Quota',
    description: 'Simulated plugin: a quota provider for Codex credentials.',
    author: 'cpactl sim',
    repository: 'cpactl/sim-quota',
    latest: '1.0.0',
    preinstalled: '1.0.0',
    supportsOAuth: false,
    oauthProvider: '',
    menus: [],
    configFields: [],
    defaults: {},
    tags: ['simulated', 'quota'],
    quota: {provider: 'codex', displayName: 'Codex usage (simulated plugin)', supportedProviders: ['codex'], supportsReset: true},
  },
  {
    id: 'sim-extra',
    name: 'Sim Extra',
    description: 'Simulated plugin available in the store, not installed.',
    author: 'cpactl sim',
    repository: 'cpactl/sim-extra',
    latest: '0.3.0',
    supportsOAuth: false,
    oauthProvider: '',
    menus: [],
    configFields: [],
    defaults: {},
    tags: ['simulated'],
  },
]

/** The gateway's plugin id rule. */
export function validPluginId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)
}

/** `plugins.dir` as the gateway resolves it: trimmed, default `plugins`, `~` expanded, cleaned (not made absolute). */
export function resolvePluginsDir(dir: unknown): string {
  let d = typeof dir === 'string' ? dir.trim() : ''
  if (d === '') d = 'plugins'
  if (d.startsWith('~')) {
    const rest = d.slice(1).replace(/^[/\\]+/, '').replaceAll('\\', '/')
    return rest === '' ? posix.normalize(homedir()) : posix.normalize(posix.join(homedir(), rest))
  }
  const cleaned = posix.normalize(d)
  return cleaned.length > 1 ? cleaned.replace(/\/+$/, '') : cleaned
}

export interface InstalledPlugin {
  version: string
}

/** Plugin files present in the simulated plugins dir (the scripted host's "discovery"). */
export class SimPluginFiles {
  private readonly files = new Map<string, InstalledPlugin>()

  constructor(preinstall: boolean) {
    if (preinstall) for (const p of SCRIPTED_PLUGINS) if (p.preinstalled) this.files.set(p.id, {version: p.preinstalled})
  }

  installed(id: string): InstalledPlugin | undefined {
    return this.files.get(id)
  }

  ids(): string[] {
    return [...this.files.keys()]
  }

  install(id: string, version: string): void {
    this.files.set(id, {version})
  }

  remove(id: string): boolean {
    return this.files.delete(id)
  }

  /** Path of a plugin file in `dir`. */
  static path(dir: string, id: string): string {
    return `${dir}/${id}.so`
  }
}

export function scriptedPlugin(id: string): ScriptedPlugin | undefined {
  return SCRIPTED_PLUGINS.find(p => p.id === id)
}

/** Initial `plugins` config section of a simulator started with plugins. */
export function pluginsConfigSection(): Record<string, unknown> {
  const configs: Record<string, unknown> = {}
  for (const p of SCRIPTED_PLUGINS) if (p.preinstalled) configs[p.id] = {enabled: true, priority: 0, ...p.defaults}
  return {enabled: true, dir: 'plugins', configs}
}

/** The simulated plugin page (`/v0/resource/plugins/sim-insights/index.html`). */
export const INSIGHTS_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Sim Insights</title></head><body style="font-family:sans-serif"><h1>Sim Insights</h1><p>A page served by a simulated plugin of <code>cpactl sim</code>.</p></body></html>'

/** Compare dotted numeric versions (`1.10.0` > `1.9.2`); non-numeric parts compare as text. */
export function versionNewer(candidate: string, installed: string): boolean {
  const a = candidate.replace(/^v/i, '').split(/[.+-]/)
  const b = installed.replace(/^v/i, '').split(/[.+-]/)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '0'
    const y = b[i] ?? '0'
    if (x === y) continue
    const nx = Number(x)
    const ny = Number(y)
    if (Number.isFinite(nx) && Number.isFinite(ny)) return nx > ny
    return x > y
  }
  return false
}
