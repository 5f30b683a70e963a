import {KEY_FAMILIES, LEGACY_TO_V8, SHARED_KEY_FIELDS} from './config-v8-keys.js'
import {deletePath, getPath, hasPath, isObj, type Obj, setPath} from './config-v8-paths.js'

/**
 * The simulated gateway's own v8 config model (the /config tree, /config.yaml, the v8 layout and its migration),
 * written from the gateway's documented behaviour and independent of cpactl's client code:
 *
 * - the legacy → v8 key map (docs-era destinations) and the provider-key grouping (`api-keys.<provider>`,
 *   one group per legacy entry named `<provider>-<n>`);
 * - migration of a YAML document in place (moved keys take their comments along; unknown sections are
 *   commented out at the end of the file; `config-version: 8` is set);
 * - the effective legacy view of any layout (what the runtime — and every v0 route — sees: v8 wins by presence);
 * - validation in the gateway's order: typed parse (⇒ 422) then strict v8 validation (⇒ 400), with the
 *   gateway's error strings.
 *
 * Revisions of 8.0.x: `early` builds know the docs-era roots only; `later` builds also accept `client`, `upstream`,
 * `models`, `server.github-token`, `oauth.settings`.
 */


/** Migration makes one group per legacy entry, `<provider>-<n>`; the group gets base-url and the shared fields. */
export function groupLegacyKeys(entries: unknown[], provider: string): Obj[] {
  return entries.map((raw, i) => {
    const entry = isObj(raw) ? structuredClone(raw) : {}
    delete entry['auth-index']
    if (provider === 'openai-compatibility') {
      const group: Obj = {...entry}
      const keys = Array.isArray(entry['api-key-entries']) ? entry['api-key-entries'] : []
      delete group['api-key-entries']
      group.keys = keys.map((k) => {
        const key = isObj(k) ? {...k} : {}
        delete key['auth-index']
        return key
      })
      return group
    }
    const group: Obj = {name: `${provider}-${i + 1}`}
    const key: Obj = {}
    for (const [field, value] of Object.entries(entry)) {
      if (field === 'base-url' || SHARED_KEY_FIELDS.includes(field)) group[field] = value
      else key[field] = value
    }
    group.keys = [key]
    return group
  })
}

/** The runtime's flat legacy entries of a provider's groups (a missing or null key field inherits the group value). */
export function expandGroups(groups: unknown, provider: string): Obj[] {
  if (!Array.isArray(groups)) return []
  const out: Obj[] = []
  for (const g of groups) {
    if (!isObj(g)) continue
    const keys = Array.isArray(g.keys) ? g.keys : []
    if (provider === 'openai-compatibility') {
      const item: Obj = {}
      for (const [k, v] of Object.entries(g)) if (k !== 'keys' && k !== 'auth_index' && k !== 'auth-index') item[k] = v
      item['api-key-entries'] = keys.filter(isObj).map((k) => {
        const c: Obj = {...k}
        delete c.auth_index
        delete c['auth-index']
        return c
      })
      out.push(item)
      continue
    }
    for (const k of keys) {
      if (!isObj(k)) continue
      const item: Obj = {}
      for (const [field, value] of Object.entries(g)) if (field === 'base-url' || SHARED_KEY_FIELDS.includes(field)) item[field] = value
      for (const [field, value] of Object.entries(k)) {
        if (field === 'auth_index' || field === 'auth-index' || value === null) continue
        item[field] = value
      }
      out.push(item)
    }
  }
  return out
}


/** Is the document in v8 layout (root `config-version: 8`)? Reading (or setting the marker by hand) never migrates. */
export function isV8Marked(js: unknown): boolean {
  return isObj(js) && js['config-version'] === 8
}

/**
 * The effective runtime config of any layout in legacy names (what GET /v0/management/config shows and what
 * the simulator itself runs on): where a key exists under both spellings, the v8 value wins (even `false` or `0`);
 * provider groups are expanded to one entry per key and the group `name` is dropped.
 */
export function legacyView(js: unknown): Obj {
  if (!isObj(js)) return {}
  const out = structuredClone(js)
  delete out['config-version']
  const upstream = isObj(out['api-keys']) ? (out['api-keys'] as Obj) : null
  if (upstream) delete out['api-keys']
  // the specific v8 paths first (oauth.providers.codex.header-defaults before oauth.providers.codex)
  const ordered = [...LEGACY_TO_V8].sort((a, b) => b[1].split('.').length - a[1].split('.').length)
  const moved: Array<[string[], unknown]> = []
  for (const [legacy, v8] of ordered) {
    const v8Parts = v8.split('.')
    if (!hasPath(out, v8Parts)) continue
    const value = getPath(out, v8Parts)
    deletePath(out, v8Parts)
    moved.push([legacy.split('.'), value])
  }
  for (const [legacy, value] of moved.reverse()) {
    const current = getPath(out, legacy)
    setPath(out, legacy, isObj(current) && isObj(value) ? {...current, ...value} : value)
  }
  const relay = getPath(out, 'codex.live-media-relay')
  if (isObj(relay) && typeof relay['disable-private-remote-ips'] === 'boolean') {
    relay['allow-private-remote-ips'] = !relay['disable-private-remote-ips']
    delete relay['disable-private-remote-ips']
  }
  if (upstream) {
    for (const [family, provider] of KEY_FAMILIES) {
      if (provider in upstream) out[family] = expandGroups(upstream[provider], provider)
    }
  }
  for (const root of ['server', 'management', 'access', 'credentials', 'requests', 'multimedia', 'observability', 'oauth']) {
    if (isObj(out[root]) && Object.keys(out[root] as Obj).length === 0) delete out[root]
  }
  return out
}

/** The v8 path of a legacy path (for v0 writes on a migrated file, restoreV8Layout). null: no v8 name. */
export function v8PathOf(legacy: string[]): string[] | null {
  const dotted = legacy.join('.')
  for (const [l, v] of LEGACY_TO_V8) {
    if (dotted === l) return v.split('.')
    if (dotted.startsWith(`${l}.`)) return [...v.split('.'), ...dotted.slice(l.length + 1).split('.')]
  }
  return null
}

export function providerOfFamily(family: string): string | undefined {
  return KEY_FAMILIES.find(([f]) => f === family)?.[1]
}

