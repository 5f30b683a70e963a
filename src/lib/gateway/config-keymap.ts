/**
 * The gateway's config names, defined once: the legacy → v8 key map (the docs-era v8 layout),
 * the provider-key families and the routing strategy names. It lives in the gateway layer so that both sides
 * read the same data: the operation table (operations.ts: setting and provider-key routes) and the config
 * services in gateway-config/ (`config migrate`, `check`, `get/set/unset`, `diff`, `apply`). Paths are dotted; a move of
 * a mapping moves its whole subtree (`tls` → `server.tls`), and more specific moves come first. Pure data, no
 * imports.
 */

export interface KeyMove {
  /** Dotted legacy path. */
  legacy: string
  /** Dotted v8 path. */
  v8: string
  /** The v8 key means the opposite (allow-private-remote-ips → disable-private-remote-ips). */
  invert?: true
}

const under = (to: string, keys: string[]): KeyMove[] => keys.map((k) => ({legacy: k, v8: `${to}.${k}`}))

export const KEY_MOVES: readonly KeyMove[] = [
  {legacy: 'codex.live-media-relay.allow-private-remote-ips', v8: 'oauth.providers.codex.live-media-relay.disable-private-remote-ips', invert: true},
  {legacy: 'quota-exceeded.antigravity-credits', v8: 'oauth.providers.antigravity.antigravity-credits'},
  ...under('server', ['host', 'port', 'trusted-proxies', 'tls', 'commercial-mode', 'discovery']),
  {legacy: 'remote-management', v8: 'management'},
  {legacy: 'api-keys', v8: 'access.api-keys'},
  {legacy: 'credential-concurrency', v8: 'credentials.concurrency'},
  {legacy: 'credential-in-flight', v8: 'credentials.in-flight'},
  {legacy: 'force-model-prefix', v8: 'routing.force-model-prefix'},
  ...under('routing.retry', ['request-retry', 'max-retry-credentials', 'max-retry-interval']),
  ...under('routing.cooldown', ['disable-cooling', 'save-cooldown-status', 'transient-error-cooldown-seconds']),
  ...under('requests', ['proxy-url', 'passthrough-headers', 'nonstream-keepalive-interval', 'streaming', 'payload']),
  ...under('oauth', ['auth-dir', 'auth-auto-refresh-workers']),
  {legacy: 'oauth-model-alias', v8: 'oauth.model-alias'},
  {legacy: 'oauth-excluded-models', v8: 'oauth.excluded-models'},
  {legacy: 'oauth-request-scoped-errors', v8: 'oauth.request-scoped-errors'},
  {legacy: 'oauth-settings', v8: 'oauth.settings'},
  {legacy: 'ws-auth', v8: 'oauth.providers.aistudio.ws-auth'},
  {legacy: 'codex-header-defaults', v8: 'oauth.providers.codex.header-defaults'},
  {legacy: 'codex', v8: 'oauth.providers.codex'},
  {legacy: 'claude-code', v8: 'oauth.providers.claude.claude-code'},
  {legacy: 'disable-claude-cloak-mode', v8: 'oauth.providers.claude.disable-claude-cloak-mode'},
  {legacy: 'claude-header-defaults', v8: 'oauth.providers.claude.header-defaults'},
  {legacy: 'claude', v8: 'oauth.providers.claude'},
  {legacy: 'antigravity-signature-cache-enabled', v8: 'oauth.providers.antigravity.signature-cache-enabled'},
  {legacy: 'antigravity-signature-bypass-strict', v8: 'oauth.providers.antigravity.signature-bypass-strict'},
  {legacy: 'antigravity', v8: 'oauth.providers.antigravity'},
  {legacy: 'xai', v8: 'oauth.providers.xai'},
  {legacy: 'devin', v8: 'oauth.providers.devin'},
  ...under('multimedia', ['disable-image-generation', 'gpt-image-2-base-model', 'video-result-auth-cache-ttl']),
  ...under('observability.logs', ['debug', 'logging-to-file', 'logs-max-total-size-mb', 'error-logs-max-files', 'request-log']),
  ...under('observability.usage', ['usage-statistics-enabled', 'redis-usage-queue-retention-seconds']),
  {legacy: 'pprof', v8: 'observability.pprof'},
]

/**
 * Legacy provider-key lists → `api-keys.<provider>` groups: one group per legacy entry, named `<provider>-<n>`.
 * `v0Route`: the v7.2.140 gateway has a `/v0/management/<legacy>` list route for it
 * (`/meta-api-key` came later, with v8).
 */
export const KEY_FAMILIES = [
  {legacy: 'gemini-api-key', provider: 'gemini', v0Route: true},
  {legacy: 'interactions-api-key', provider: 'interactions', v0Route: true},
  {legacy: 'vertex-api-key', provider: 'vertex', v0Route: true},
  {legacy: 'codex-api-key', provider: 'codex', v0Route: true},
  {legacy: 'claude-api-key', provider: 'claude', v0Route: true},
  {legacy: 'xai-api-key', provider: 'xai', v0Route: true},
  {legacy: 'meta-api-key', provider: 'meta', v0Route: false},
  {legacy: 'openai-compatibility', provider: 'openai-compatibility', v0Route: true},
] as const satisfies ReadonlyArray<{legacy: string; provider: string; v0Route: boolean}>

export type KeyFamily = (typeof KEY_FAMILIES)[number]

/** openai-compatibility entries keep their name; their `api-key-entries` become `keys`. */
export const OPENAI_COMPAT_KEYS_FIELD = {legacy: 'api-key-entries', v8: 'keys'} as const

/** Roots with the same name in both layouts (their content is unchanged, apart from the moves above). */
export const SHARED_ROOTS: readonly string[] = ['routing', 'plugins', 'quota-exceeded']

/** Legacy settings that have no v8 name: they stay under quota-exceeded and are editable through v0 only. */
export const NO_V8_NAME: readonly string[] = ['quota-exceeded.switch-project', 'quota-exceeded.switch-preview-model']

/** Every legacy top-level key the map knows, plus the shared roots. */
export const LEGACY_ROOTS: readonly string[] = [...new Set([...KEY_MOVES.map((m) => m.legacy.split('.')[0]), ...KEY_FAMILIES.map((f) => f.legacy), ...SHARED_ROOTS])]

export interface LegacyResolution {
  /** The v8 path parts. */
  v8: string[]
  /** The legacy move that applied (null when the path was already a v8 path). */
  move: KeyMove | null
  /** A legacy provider-key list: the v8 value is a list of groups, not the legacy entries. */
  family: KeyFamily | null
}

/**
 * A path as the user typed it → its v8 path. Legacy names map through KEY_MOVES (longest legacy prefix
 * wins); `routing.strategy` and other shared-root paths stay as they are.
 */
export function legacyToV8(parts: readonly string[]): LegacyResolution {
  const family = KEY_FAMILIES.find((f) => f.legacy === parts[0]) ?? null
  if (family) return {v8: ['api-keys', family.provider, ...parts.slice(1)], move: null, family}
  let best: KeyMove | null = null
  for (const m of KEY_MOVES) {
    const lp = m.legacy.split('.')
    // below the root, api-keys is the v8 mapping of provider groups, never the legacy client-key list
    if (m.legacy === 'api-keys' && parts.length > 1) continue
    if (lp.length > parts.length || !lp.every((p, i) => p === parts[i])) continue
    if (!best || lp.length > best.legacy.split('.').length) best = m
  }
  if (!best) return {v8: [...parts], move: null, family: null}
  const rest = parts.slice(best.legacy.split('.').length)
  return {v8: [...best.v8.split('.'), ...rest], move: best, family: null}
}

/** The v8 dotted path of a legacy dotted name (`request-retry` → `routing.retry.request-retry`). */
export function v8PathOf(legacy: string): string {
  return legacyToV8(legacy.split('.')).v8.join('.')
}

/**
 * Routing strategies and the aliases the gateway accepts (v0 `/routing/strategy` takes `rr`, `roundrobin`, `wrr`,
 * `weightedroundrobin`, `ff`, `fillfirst`; in a v8 config file `rr`/`roundrobin` are UNKNOWN, so writes send the
 * canonical name).
 */
export const V8_STRATEGIES = ['round-robin', 'weighted-round-robin', 'fill-first'] as const
export const STRATEGY_ALIASES: Readonly<Record<string, string>> = {
  rr: 'round-robin',
  roundrobin: 'round-robin',
  wrr: 'weighted-round-robin',
  weightedroundrobin: 'weighted-round-robin',
  ff: 'fill-first',
  fillfirst: 'fill-first',
}

/** Any accepted spelling (lowercase; `''` = the default) → the canonical strategy. */
export const ROUTING_STRATEGIES: Readonly<Record<string, string>> = {
  '': 'round-robin',
  ...Object.fromEntries(V8_STRATEGIES.map((s) => [s, s])),
  ...STRATEGY_ALIASES,
}
