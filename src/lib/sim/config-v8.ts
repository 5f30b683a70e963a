import YAML, {type Document, isMap, isNode, isPair, isScalar, isSeq, type Pair, type Scalar, YAMLMap} from 'yaml'

/**
 * The simulated gateway's own v8 config model (cpa-gateway-v8.md §2.4, §2.5, §4, §5), written from the reference
 * and independent of cpactl's client code:
 *
 * - the legacy → v8 key map (§4.4, docs-era destinations) and the provider-key grouping (§4.3, one group per
 *   legacy entry named `<provider>-<n>`);
 * - migration of a YAML document in place (moved keys take their comments along; unknown sections are
 *   commented out at the end of the file; `config-version: 8` is set);
 * - the effective legacy view of any layout (what the runtime — and every v0 route — sees: v8 wins by presence);
 * - validation in the gateway's order: typed parse (⇒ 422) then strict v8 validation (⇒ 400), with the
 *   gateway's error strings.
 *
 * Revisions (§0.1): `early` builds know the docs-era roots only; `later` builds also accept `client`, `upstream`,
 * `models`, `server.github-token`, `oauth.settings`.
 */

export type V8Revision = 'early' | 'later'

type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)

// ---------------------------------------------------------------------------------------------- key map

/** Legacy dotted path → v8 dotted path (§4.4). Subtrees move whole; more specific entries come first. */
export const LEGACY_TO_V8: ReadonlyArray<readonly [string, string]> = [
  ['host', 'server.host'],
  ['port', 'server.port'],
  ['trusted-proxies', 'server.trusted-proxies'],
  ['tls', 'server.tls'],
  ['commercial-mode', 'server.commercial-mode'],
  ['discovery', 'server.discovery'],
  ['remote-management', 'management'],
  ['api-keys', 'access.api-keys'],
  ['credential-concurrency', 'credentials.concurrency'],
  ['credential-in-flight', 'credentials.in-flight'],
  ['force-model-prefix', 'routing.force-model-prefix'],
  ['request-retry', 'routing.retry.request-retry'],
  ['max-retry-credentials', 'routing.retry.max-retry-credentials'],
  ['max-retry-interval', 'routing.retry.max-retry-interval'],
  ['disable-cooling', 'routing.cooldown.disable-cooling'],
  ['save-cooldown-status', 'routing.cooldown.save-cooldown-status'],
  ['transient-error-cooldown-seconds', 'routing.cooldown.transient-error-cooldown-seconds'],
  ['proxy-url', 'requests.proxy-url'],
  ['passthrough-headers', 'requests.passthrough-headers'],
  ['nonstream-keepalive-interval', 'requests.nonstream-keepalive-interval'],
  ['streaming', 'requests.streaming'],
  ['payload', 'requests.payload'],
  ['auth-dir', 'oauth.auth-dir'],
  ['auth-auto-refresh-workers', 'oauth.auth-auto-refresh-workers'],
  ['oauth-model-alias', 'oauth.model-alias'],
  ['oauth-excluded-models', 'oauth.excluded-models'],
  ['oauth-request-scoped-errors', 'oauth.request-scoped-errors'],
  ['oauth-settings', 'oauth.settings'],
  ['ws-auth', 'oauth.providers.aistudio.ws-auth'],
  ['codex-header-defaults', 'oauth.providers.codex.header-defaults'],
  ['codex', 'oauth.providers.codex'],
  ['claude-header-defaults', 'oauth.providers.claude.header-defaults'],
  ['disable-claude-cloak-mode', 'oauth.providers.claude.disable-claude-cloak-mode'],
  ['claude-code', 'oauth.providers.claude.claude-code'],
  ['claude', 'oauth.providers.claude'],
  ['antigravity-signature-cache-enabled', 'oauth.providers.antigravity.signature-cache-enabled'],
  ['antigravity-signature-bypass-strict', 'oauth.providers.antigravity.signature-bypass-strict'],
  ['quota-exceeded.antigravity-credits', 'oauth.providers.antigravity.antigravity-credits'],
  ['antigravity', 'oauth.providers.antigravity'],
  ['xai', 'oauth.providers.xai'],
  ['devin', 'oauth.providers.devin'],
  ['disable-image-generation', 'multimedia.disable-image-generation'],
  ['gpt-image-2-base-model', 'multimedia.gpt-image-2-base-model'],
  ['video-result-auth-cache-ttl', 'multimedia.video-result-auth-cache-ttl'],
  ['debug', 'observability.logs.debug'],
  ['logging-to-file', 'observability.logs.logging-to-file'],
  ['logs-max-total-size-mb', 'observability.logs.logs-max-total-size-mb'],
  ['error-logs-max-files', 'observability.logs.error-logs-max-files'],
  ['request-log', 'observability.logs.request-log'],
  ['usage-statistics-enabled', 'observability.usage.usage-statistics-enabled'],
  ['redis-usage-queue-retention-seconds', 'observability.usage.redis-usage-queue-retention-seconds'],
  ['pprof', 'observability.pprof'],
]

/** Legacy provider-key families and their `api-keys.<provider>` (§4.3, §4.4). */
export const KEY_FAMILIES: ReadonlyArray<readonly [string, string]> = [
  ['gemini-api-key', 'gemini'],
  ['interactions-api-key', 'interactions'],
  ['vertex-api-key', 'vertex'],
  ['codex-api-key', 'codex'],
  ['claude-api-key', 'claude'],
  ['xai-api-key', 'xai'],
  ['meta-api-key', 'meta'],
  ['openai-compatibility', 'openai-compatibility'],
]
const PROVIDERS = new Set(KEY_FAMILIES.map(([, p]) => p))

/** Fields of a group shared by its keys (§4.3); a key may override any of them. */
export const SHARED_KEY_FIELDS = ['priority', 'prefix', 'proxy-url', 'headers', 'models', 'excluded-models', 'disable-cooling', 'request-retry', 'request-scoped-errors']

/** Per-provider key fields besides `api-key`, `weight` and the shared overrides (§4.3). */
const KEY_FIELDS: Record<string, string[]> = {
  codex: ['websockets', 'alpha-search', 'disable-codex-cloaking'],
  claude: ['rebuild-mid-system-message', 'cloak', 'fingerprint-profile', 'experimental-cch-signing'],
  xai: ['websockets', 'alpha-search'],
  gemini: [],
  interactions: [],
  vertex: [],
  meta: [],
}

const DOCS_ROOTS = ['config-version', 'server', 'management', 'access', 'credentials', 'routing', 'requests', 'oauth', 'multimedia', 'observability', 'api-keys', 'plugins', 'quota-exceeded']
const LATER_ROOTS = ['client', 'upstream', 'models']

export function allowedRoots(revision: V8Revision): Set<string> {
  return new Set(revision === 'later' ? [...DOCS_ROOTS, ...LATER_ROOTS] : DOCS_ROOTS)
}

// ------------------------------------------------------------------------------------------- v8 schema

/** Leaf types of the typed decode (§4.2). `map` = free-form mapping, `list` = any list, `any` = any value. */
type Leaf = 'bool' | 'int' | 'string' | 'strings' | 'list' | 'map' | 'any'
type Spec = Leaf | {[key: string]: Spec}

const HEADER_DEFAULTS_CLAUDE: Spec = {
  'user-agent': 'string',
  'package-version': 'string',
  'runtime-version': 'string',
  os: 'string',
  arch: 'string',
  timeout: 'string',
  timezone: 'string',
  'stabilize-device-profile': 'bool',
}

function schema(revision: V8Revision): {[key: string]: Spec} {
  const later = revision === 'later'
  return {
    'config-version': 'int',
    server: {
      host: 'string',
      port: 'int',
      'trusted-proxies': 'strings',
      tls: {enable: 'bool', cert: 'string', key: 'string'},
      'commercial-mode': 'bool',
      discovery: {
        enabled: 'bool',
        'service-name': 'string',
        'service-type': 'string',
        subtypes: 'strings',
        interfaces: {include: 'strings', exclude: 'strings'},
        'auth-required': 'bool',
        'advertise-management': 'bool',
      },
      ...(later ? {'github-token': 'string' as Spec} : {}),
    },
    management: {
      'allow-remote': 'bool',
      'secret-key': 'string',
      'disable-control-panel': 'bool',
      'disable-auto-update-panel': 'bool',
      'base-url': 'string',
      'panel-github-repository': 'string',
    },
    access: {'api-keys': 'strings'},
    credentials: {
      concurrency: {
        'lifecycle-config-revision': 'int',
        'observation-barrier-revision': 'int',
        'cpa-heartbeat-timeout': 'string',
        'cpa-cancel-bound': 'string',
        'reclaim-grace': 'string',
        'cleanup-interval': 'string',
        'release-flush-interval': 'string',
        'release-max-backoff': 'string',
        'busy-retry-min': 'string',
        'busy-retry-max': 'string',
        'max-limit': 'int',
      },
      'in-flight': {
        'snapshot-interval': 'string',
        'stale-after': 'string',
        'max-part-bytes': 'int',
        'max-part-count': 'int',
        'max-revision-bytes': 'int',
        'max-aggregate-groups': 'int',
        'max-details': 'int',
        'max-string-bytes': 'int',
        'staging-retention': 'string',
      },
    },
    routing: {
      strategy: 'string',
      'session-affinity': 'bool',
      'session-affinity-ttl': 'string',
      'session-affinity-subagents': 'bool',
      'force-model-prefix': 'bool',
      retry: {'request-retry': 'int', 'max-retry-credentials': 'int', 'max-retry-interval': 'int'},
      cooldown: {'disable-cooling': 'bool', 'save-cooldown-status': 'bool', 'transient-error-cooldown-seconds': 'int'},
    },
    requests: {
      'proxy-url': 'string',
      'passthrough-headers': 'bool',
      'nonstream-keepalive-interval': 'int',
      streaming: {'keepalive-seconds': 'int', 'bootstrap-retries': 'int'},
      payload: {default: 'list', 'default-raw': 'list', override: 'list', 'override-raw': 'list', filter: 'list'},
    },
    multimedia: {'disable-image-generation': 'any', 'gpt-image-2-base-model': 'string', 'video-result-auth-cache-ttl': 'string'},
    observability: {
      logs: {debug: 'bool', 'request-log': 'bool', 'logging-to-file': 'bool', 'logs-max-total-size-mb': 'int', 'error-logs-max-files': 'int'},
      usage: {'usage-statistics-enabled': 'bool', 'redis-usage-queue-retention-seconds': 'int'},
      pprof: {enable: 'bool', addr: 'string'},
    },
    plugins: {enabled: 'bool', dir: 'string', 'store-sources': 'strings', 'store-auth': 'list', configs: 'map', 'auth-revision': 'int'},
    oauth: {
      'auth-dir': 'string',
      'auth-auto-refresh-workers': 'int',
      'model-alias': 'map',
      'excluded-models': 'map',
      'request-scoped-errors': 'map',
      ...(later ? {settings: 'map' as Spec} : {}),
      providers: {
        aistudio: {'ws-auth': 'bool'},
        codex: {
          'response-steering': 'bool',
          'identity-confuse': 'bool',
          'disable-codex-cloaking': 'bool',
          'stream-bootstrap-buffering': 'bool',
          'optimize-multi-agent-v2': 'bool',
          'orphan-delegation-compatibility': 'bool',
          'model-level-cooling': 'bool',
          'stream-bootstrap-timeout': 'string',
          'header-defaults': {'user-agent': 'string', 'beta-features': 'string'},
          'live-media-relay': {
            enabled: 'bool',
            'max-sessions': 'int',
            'disable-private-remote-ips': 'bool',
            'public-ip': 'string',
            'udp-port-min': 'int',
            'udp-port-max': 'int',
            'ice-servers': 'list',
          },
        },
        claude: {
          'model-level-cooling': 'bool',
          'disable-claude-cloak-mode': 'bool',
          'claude-code': {'disable-cloaking-model-list': 'bool'},
          'header-defaults': HEADER_DEFAULTS_CLAUDE,
        },
        antigravity: {
          'antigravity-credits': 'bool',
          'signature-cache-enabled': 'bool',
          'signature-bypass-strict': 'bool',
          'sensitive-words': 'strings',
          'connection-pool': {enabled: 'bool', 'idle-conn-timeout': 'string', 'max-idle-conns-per-host': 'int'},
        },
        xai: {'inject-x-search': 'bool'},
        devin: {'sensitive-words': 'strings'},
      },
    },
    'quota-exceeded': {'switch-project': 'bool', 'switch-preview-model': 'bool'},
    ...(later
      ? {
          client: {codex: {'optimize-multi-agent-v2': 'bool', 'enable-apply-patch': 'bool'}},
          upstream: {codex: 'map', claude: 'map', xai: 'map'},
          models: {catalog: 'any'},
        }
      : {}),
  }
}

// ---------------------------------------------------------------------------------------- path helpers

export function getPath(obj: unknown, path: string | string[]): unknown {
  const parts = typeof path === 'string' ? path.split('.') : path
  let cur: unknown = obj
  for (const p of parts) {
    if (!isObj(cur) || !(p in cur)) return undefined
    cur = cur[p]
  }
  return cur
}

function hasPath(obj: unknown, path: string[]): boolean {
  let cur: unknown = obj
  for (const p of path) {
    if (!isObj(cur) || !(p in cur)) return false
    cur = cur[p]
  }
  return true
}

function setPath(obj: Obj, path: string[], value: unknown): void {
  let cur = obj
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {}
    cur = cur[p] as Obj
  }
  cur[path[path.length - 1]] = value
}

/** Remove a key and the ancestor mappings it left empty. */
function deletePath(obj: Obj, path: string[]): boolean {
  if (path.length === 0 || !isObj(obj) || !(path[0] in obj)) return false
  if (path.length === 1) {
    delete obj[path[0]]
    return true
  }
  const child = obj[path[0]]
  if (!isObj(child) || !deletePath(child, path.slice(1))) return false
  if (Object.keys(child).length === 0) delete obj[path[0]]
  return true
}

// -------------------------------------------------------------------------------------- key grouping

/** §4.4: one group per legacy entry, `<provider>-<n>`; the group gets base-url and the shared fields. */
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

/** The runtime's flat legacy entries of a provider's groups (§4.3: a missing or null key field inherits). */
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

// ------------------------------------------------------------------------------------ effective view

/** Is the document in v8 layout (root `config-version: 8`)? Reading never migrates (§4.5). */
export function isV8Marked(js: unknown): boolean {
  return isObj(js) && js['config-version'] === 8
}

/**
 * The effective runtime config of any layout in legacy names (what GET /v0/management/config shows and what
 * the simulator itself runs on): where a key exists under both spellings, the v8 value wins (§4.5); provider
 * groups are expanded to one entry per key (v8 §1.3).
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

// ----------------------------------------------------------------------------------- AST migration

/** A pair's key as text (keys set through the API are plain strings, parsed ones are Scalars). */
function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String((pair.key as Scalar).value) : String(pair.key)
}

function renameKey(pair: Pair, name: string): void {
  if (isScalar(pair.key)) {
    ;(pair.key as Scalar).value = name
    // the blank line before a moved key would be indented into its new section
    ;(pair.key as Scalar).spaceBefore = false
  } else pair.key = name
}

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && keyName(p as Pair) === key) as Pair | undefined
}

function mapAt(doc: Document, parts: string[], create: boolean): YAMLMap | undefined {
  if (!isMap(doc.contents)) return undefined
  let cur: YAMLMap = doc.contents
  for (const part of parts) {
    let pair = pairOf(cur, part)
    if (!pair) {
      if (!create) return undefined
      pair = doc.createPair(part, new YAMLMap())
      cur.items.push(pair)
    }
    if (!isMap(pair.value)) {
      if (!create) return undefined
      pair.value = new YAMLMap()
    }
    cur = pair.value as YAMLMap
  }
  return cur
}

/** Remove the pair at `parts` and prune the ancestors it left empty; returns the removed pair. */
function takePair(doc: Document, parts: string[]): Pair | undefined {
  const parent = mapAt(doc, parts.slice(0, -1), false)
  if (!parent) return undefined
  const pair = pairOf(parent, parts[parts.length - 1])
  if (!pair) return undefined
  parent.items = parent.items.filter((p) => p !== pair)
  for (let depth = parts.length - 1; depth > 0; depth--) {
    const m = mapAt(doc, parts.slice(0, depth), false)
    if (!m || m.items.length > 0) break
    const up = mapAt(doc, parts.slice(0, depth - 1), false)
    const emptied = up && pairOf(up, parts[depth - 1])
    if (!up || !emptied) break
    // the emptied section's own comments travel with the moved key
    const k = emptied.key as Scalar | undefined
    const moved = pair.key as Scalar | undefined
    if (k?.commentBefore && moved) moved.commentBefore = [k.commentBefore, moved.commentBefore].filter(Boolean).join('\n')
    up.items = up.items.filter((p) => p !== emptied)
  }
  return pair
}

/** Move the node at legacy `from` to `to` (v8 wins by presence: an existing destination drops the legacy copy). */
function movePath(doc: Document, from: string[], to: string[]): void {
  const srcParent = mapAt(doc, from.slice(0, -1), false)
  const srcPair = srcParent && pairOf(srcParent, from[from.length - 1])
  if (!srcPair) return
  const dstParent = mapAt(doc, to.slice(0, -1), false)
  const dstPair = dstParent && pairOf(dstParent, to[to.length - 1])
  if (dstPair) {
    if (isMap(srcPair.value) && isMap(dstPair.value)) {
      for (const child of [...(srcPair.value as YAMLMap).items]) {
        const key = keyName(child as Pair)
        movePath(doc, [...from, key], [...to, key])
      }
    }
    takePair(doc, from)
    return
  }
  const pair = takePair(doc, from)
  if (!pair) return
  const target = mapAt(doc, to.slice(0, -1), true)!
  renameKey(pair, to[to.length - 1])
  target.items.push(pair)
}

/** The JS value of a pair value: a parsed Node, or a raw JS value stored through the API (`map.set`). */
function jsOf(value: unknown): unknown {
  return isNode(value) ? (value as {toJSON: () => unknown}).toJSON() : structuredClone(value ?? null)
}

function yamlOf(key: string, value: unknown): string {
  return YAML.stringify({[key]: value}).trimEnd()
}

/**
 * Migrate a document to the v8 layout in place (§4.4, §4.5, §2.4 step 8): legacy keys move (with their
 * comments), legacy provider lists become groups, unknown sections and unknown fields of known sections are
 * commented out at the end of the file, `config-version: 8` is set. Returns the commented-out sections.
 */
export function migrateDocument(doc: Document, revision: V8Revision): string[] {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as YAMLMap
  const root = doc.contents as YAMLMap
  // the file's header comment stays at the top (the parser attaches it to the first key when no blank line follows)
  const first = root.items[0] as Pair | undefined
  if (first && isScalar(first.key) && (first.key as Scalar).commentBefore && !doc.commentBefore) {
    doc.commentBefore = (first.key as Scalar).commentBefore ?? null
    ;(first.key as Scalar).commentBefore = undefined
  }
  // the deprecated allow flag is the inverse of disable-private-remote-ips
  const relay = mapAt(doc, ['codex', 'live-media-relay'], false)
  const allow = relay && pairOf(relay, 'allow-private-remote-ips')
  if (relay && allow) {
    if (!pairOf(relay, 'disable-private-remote-ips') && isScalar(allow.value)) {
      renameKey(allow, 'disable-private-remote-ips')
      ;(allow.value as Scalar).value = !(allow.value as Scalar).value
    } else relay.items = relay.items.filter((p) => p !== allow)
  }
  // client keys first: the root `api-keys` name is reused for the provider groups
  const clientKeys = pairOf(root, 'api-keys')
  if (clientKeys && isSeq(clientKeys.value)) movePath(doc, ['api-keys'], ['access', 'api-keys'])
  for (const [legacy, v8] of LEGACY_TO_V8) {
    if (legacy === 'api-keys') continue
    movePath(doc, legacy.split('.'), v8.split('.'))
  }
  for (const [family, provider] of KEY_FAMILIES) {
    const pair = pairOf(root, family)
    if (!pair) continue
    const existing = mapAt(doc, ['api-keys'], false)
    if (!existing || !pairOf(existing, provider)) {
      const entries = jsOf(pair.value)
      mapAt(doc, ['api-keys'], true)!.items.push(doc.createPair(provider, groupLegacyKeys(Array.isArray(entries) ? entries : [], provider)))
    }
    root.items = root.items.filter((p) => p !== pair)
  }
  // unknown sections and unknown fields of known sections: archived as comments at the end (§2.4 step 8)
  const archived: string[] = []
  const notes: string[] = []
  const walk = (map: YAMLMap, spec: {[k: string]: Spec}, path: string[]) => {
    for (const item of [...map.items]) {
      const pair = item as Pair
      const key = keyName(pair)
      const childSpec = spec[key]
      if (childSpec === undefined) {
        const section = [...path, key].join('.')
        archived.push(section)
        // the library prefixes each line of a document comment with '#'
        notes.push(` ${yamlOf(section, jsOf(pair.value)).replaceAll('\n', '\n ')}`)
        map.items = map.items.filter((p) => p !== pair)
        continue
      }
      if (typeof childSpec === 'object' && isMap(pair.value)) walk(pair.value as YAMLMap, childSpec, [...path, key])
    }
  }
  const s = schema(revision)
  walk(root, {...s, 'api-keys': 'any'}, [])
  if (notes.length > 0) doc.comment = [doc.comment, ...notes].filter(Boolean).join('\n')
  const version = pairOf(root, 'config-version')
  if (version) version.value = doc.createNode(8)
  else root.items.unshift(doc.createPair('config-version', 8))
  return archived
}

// ----------------------------------------------------------------------------------------- validation

function yamlTag(v: unknown): string {
  if (v === null) return '!!null'
  if (Array.isArray(v)) return '!!seq'
  if (typeof v === 'object') return '!!map'
  if (typeof v === 'boolean') return '!!bool'
  if (typeof v === 'number') return Number.isInteger(v) ? '!!int' : '!!float'
  return '!!str'
}

function unmarshalError(path: string, v: unknown, into: string): string {
  const shown = typeof v === 'object' && v !== null ? '' : ` \`${String(v)}\``
  return `yaml: unmarshal errors:\n  cannot unmarshal ${yamlTag(v)}${shown} into ${into} (${path})`
}

const YAML_BOOL_TEXT = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE)$/

function leafError(leaf: Leaf, v: unknown, path: string): string | undefined {
  if (v === null || leaf === 'any') return undefined
  switch (leaf) {
    case 'bool':
      return typeof v === 'boolean' || (typeof v === 'string' && YAML_BOOL_TEXT.test(v)) ? undefined : unmarshalError(path, v, 'bool')
    case 'int':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : unmarshalError(path, v, 'int')
    case 'string':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : unmarshalError(path, v, 'string')
    case 'strings':
      if (!Array.isArray(v)) return unmarshalError(path, v, '[]string')
      return v.some((x) => x !== null && typeof x === 'object') ? unmarshalError(path, v, '[]string') : undefined
    case 'list':
      return Array.isArray(v) ? undefined : unmarshalError(path, v, 'a list')
    case 'map':
      return isObj(v) ? undefined : unmarshalError(path, v, 'a mapping')
  }
}

/** Typed decode of known fields (non-strict: unknown fields pass here). */
function typedWalk(value: unknown, spec: Spec, path: string[]): string | undefined {
  const where = path.join('.')
  if (typeof spec === 'string') return leafError(spec, value, where)
  // a section: a mapping (routing may be null: "null means defaults" for the shared legacy section)
  if (!isObj(value)) {
    if (value === null && where === 'routing') return undefined
    return `${where} must be a mapping`
  }
  for (const [k, v] of Object.entries(value)) {
    if (!(k in spec)) continue
    const err = typedWalk(v, spec[k], [...path, k])
    if (err) return err
  }
  return undefined
}

function weightError(w: unknown, where: string): string | undefined {
  if (w === undefined || w === null) return undefined
  if (typeof w !== 'number' || !Number.isInteger(w)) return `${where}.weight: weight must be an integer`
  if (w > 1_000_000) return `${where}.weight: weight must not exceed 1000000`
  return undefined
}

/**
 * ParseConfigBytes (§2.4 step 7, failure ⇒ 422 `invalid_config`): the root and known sections are mappings,
 * `config-version` is the integer 8, provider groups have the group shape, typed fields have their types,
 * weights are integers ≤ 1,000,000, a plaintext secret fits bcrypt. Legacy names still present are decoded too
 * (a mixed file loads), so their types are checked by `legacyTypes` (the v0 schema).
 */
export function typedParse(js: unknown, revision: V8Revision, legacyTypes: (legacy: Obj) => string | undefined): string | undefined {
  if (!isObj(js)) return 'config must be a mapping'
  if ('config-version' in js && js['config-version'] !== 8) return 'unsupported config-version (expected 8)'
  const s = schema(revision)
  for (const [k, v] of Object.entries(js)) {
    if (k === 'api-keys' || k === 'config-version' || !(k in s)) continue
    const err = typedWalk(v, s[k], [k])
    if (err) return err
  }
  const groups = js['api-keys']
  if (isObj(groups)) {
    for (const [provider, list] of Object.entries(groups)) {
      if (!PROVIDERS.has(provider)) continue
      if (!Array.isArray(list)) return `api-keys.${provider} must be a list`
      for (const [i, g] of list.entries()) {
        if (!isObj(g)) return `api-keys.${provider}[${i}] must be a mapping`
        if (!Array.isArray(g.keys)) return `api-keys.${provider}[${i}].keys must be a list`
        for (const [j, key] of g.keys.entries()) {
          if (!isObj(key)) return `api-keys.${provider} key must be a mapping`
          const werr = weightError(key.weight, `api-keys.${provider}.keys[${j}]`)
          if (werr) return werr
        }
        if (provider === 'openai-compatibility') continue
        for (const field of Object.keys(g)) {
          if (field !== 'name' && field !== 'base-url' && field !== 'keys' && !SHARED_KEY_FIELDS.includes(field)) {
            return `api-keys.${provider}: unsupported group field ${field}`
          }
        }
        for (const key of g.keys as Obj[]) if ('base-url' in key) return `api-keys.${provider}: base-url belongs to the group`
      }
    }
  }
  const legacy = legacyView(js)
  const legacyErr = legacyTypes(legacy)
  if (legacyErr) return legacyErr
  const secret = getPath(js, 'management.secret-key') ?? getPath(js, 'remote-management.secret-key')
  if (typeof secret === 'string' && !/^\$2[aby]\$/.test(secret) && Buffer.byteLength(secret) > 72) return 'bcrypt: password length exceeds 72 bytes'
  return undefined
}

function firstLeaf(value: unknown, path: string[]): string[] {
  if (isObj(value)) {
    const keys = Object.keys(value)
    if (keys.length > 0) return firstLeaf(value[keys[0]], [...path, keys[0]])
  }
  return path
}

function strictWalk(value: unknown, spec: Spec, path: string[]): string | undefined {
  if (typeof spec === 'string' || !isObj(value)) return undefined
  for (const [k, v] of Object.entries(value)) {
    if (!(k in spec)) return `yaml: unmarshal errors:\n  field ${k} not found in type config.${path.join('.')}`
    const err = strictWalk(v, spec[k], [...path, k])
    if (err) return err
  }
  return undefined
}

/**
 * ValidateV8Config (§2.4 step 7, failure ⇒ 400 `invalid_config`): no legacy names, no unknown root sections,
 * no unknown API-key providers, no unknown fields anywhere (strict decode).
 */
export function strictValidate(js: Obj, revision: V8Revision): string | undefined {
  for (const [legacy, v8] of LEGACY_TO_V8) {
    const parts = legacy.split('.')
    if (!hasPath(js, parts)) continue
    if (legacy === 'api-keys' && !Array.isArray(js['api-keys'])) continue
    const leaf = firstLeaf(getPath(js, parts), parts)
    const rest = leaf.slice(parts.length)
    return `legacy field ${leaf.join('.')} is not accepted by v8; use ${[v8, ...rest].join('.')}`
  }
  const roots = allowedRoots(revision)
  for (const key of Object.keys(js)) if (!roots.has(key)) return `unknown v8 configuration section ${key}`
  const groups = js['api-keys']
  if (isObj(groups)) {
    for (const provider of Object.keys(groups)) if (!PROVIDERS.has(provider)) return `unknown API-key provider ${provider}`
    for (const [provider, list] of Object.entries(groups)) {
      if (!Array.isArray(list) || provider === 'openai-compatibility') continue
      const allowed = new Set(['api-key', 'weight', ...SHARED_KEY_FIELDS, ...(KEY_FIELDS[provider] ?? [])])
      for (const g of list) {
        for (const key of isObj(g) && Array.isArray(g.keys) ? g.keys : []) {
          for (const field of Object.keys(isObj(key) ? key : {})) {
            if (!allowed.has(field) && field !== 'auth_index' && field !== 'auth-index') {
              return `yaml: unmarshal errors:\n  field ${field} not found in type config.${provider}Key`
            }
          }
        }
      }
    }
  }
  const s = schema(revision)
  for (const [k, v] of Object.entries(js)) {
    if (k === 'api-keys' || !(k in s)) continue
    const err = strictWalk(v, s[k], [k])
    if (err) return err
  }
  return undefined
}

/** The Home-owned read-only fields (§2.4 step 6), as slash paths. */
export const READ_ONLY_FIELDS = ['credentials/concurrency/lifecycle-config-revision', 'credentials/concurrency/observation-barrier-revision', 'plugins/auth-revision']

export function readOnlyViolation(before: Obj, after: Obj): string | undefined {
  for (const field of READ_ONLY_FIELDS) {
    const parts = field.split('/')
    if (JSON.stringify(getPath(before, parts) ?? null) !== JSON.stringify(getPath(after, parts) ?? null)) return field
  }
  return undefined
}

/** Clone a Document (comments included). */
export function cloneDocument(doc: Document): Document {
  return doc.clone() as Document
}
