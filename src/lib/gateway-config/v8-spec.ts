/**
 * The v8 config tree as data: every section and key, its type, the value that
 * applies when the key is absent (`default`), and what is not known about the gateway's handling of it
 * (UNKNOWN until checked on a live gateway). One tree feeds the
 * zod schema (v8-schema.ts), `config check`, `config migrate`, and value typing and defaults for
 * `config get/set`. Closed maps reject unknown keys (the gateway decodes v8 writes strictly); `open` maps are
 * those whose field list is known only in part, so unknown keys there are not reported.
 */

import {STRATEGY_ALIASES, V8_STRATEGIES} from '../gateway/config-keymap.js'

export type V8Scalar = 'bool' | 'int' | 'string' | 'duration' | 'any'

export interface V8Meta {
  /** The value that applies when the key is absent (a GET answers 404). undefined: none known. */
  default?: unknown
  /** The example config's value, where it differs from the absent default. */
  example?: unknown
  /** Owned by Home: a write answers 400 read_only_field. */
  readOnly?: boolean
  /** Only in later 8.0.x builds; an early v8 gateway rejects it as unknown. */
  later?: boolean
  /** What is UNKNOWN about the gateway's handling of this key. */
  unknown?: string
}

export type V8Spec = V8Meta &
  (
    | {kind: V8Scalar}
    | {
        kind: 'enum'
        values: ReadonlyArray<string | boolean>
        aliases?: Readonly<Record<string, string>>
        /** The gateway accepts any string here; `config check` warns about other values instead of failing. */
        lenient?: boolean
      }
    | {kind: 'list'; of: V8Spec}
    | {kind: 'map'; fields: Readonly<Record<string, V8Spec>>; open?: boolean; role?: 'group' | 'key'; provider?: string}
    | {kind: 'record'; of: V8Spec}
  )

export type V8MapSpec = Extract<V8Spec, {kind: 'map'}>

const bool = (d?: boolean, meta: V8Meta = {}): V8Spec => ({kind: 'bool', default: d, ...meta})
const int = (d?: number, meta: V8Meta = {}): V8Spec => ({kind: 'int', default: d, ...meta})
const str = (d?: string, meta: V8Meta = {}): V8Spec => ({kind: 'string', default: d, ...meta})
const dur = (d?: string, meta: V8Meta = {}): V8Spec => ({kind: 'duration', default: d, ...meta})
const any = (meta: V8Meta = {}): V8Spec => ({kind: 'any', ...meta})
const list = (of: V8Spec, d?: unknown[], meta: V8Meta = {}): V8Spec => ({kind: 'list', of, default: d, ...meta})
const strs = (d?: string[], meta: V8Meta = {}): V8Spec => list(str(), d, meta)
const map = (fields: Record<string, V8Spec>, extra: Partial<V8MapSpec> = {}): V8Spec => ({kind: 'map', fields, ...extra})
const rec = (of: V8Spec, meta: V8Meta = {}): V8Spec => ({kind: 'record', of, ...meta})

/** A Go duration (`250ms`, `1h30m`, `0`), the format of every `duration` key. */
export const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/

export const SCOPED_ERROR_ACTIONS = ['stop', 'stop-and-cooldown', 'continue', 'continue-and-cooldown'] as const

const scopedErrorRule = map(
  {status: any({unknown: 'type of status (code or list)'}), match: strs(), 'match-regexr': strs(), action: {kind: 'enum', values: SCOPED_ERROR_ACTIONS, lenient: true}},
  {open: true},
)

const thinking = map({levels: strs(), min: int(), max: int(), 'zero-allowed': bool(), 'dynamic-allowed': bool()}, {open: true})
const modelFields = {name: str(), alias: str(), 'display-name': str(), 'max-context-length': int(), 'force-mapping': bool(), 'is-compat': bool(), thinking}
const models = (extra: Record<string, V8Spec> = {}) => list(map({...modelFields, ...extra}, {open: true}))

/** Fields a group shares with its keys (a key may override them; a missing or null key field inherits). */
const sharedFields: Record<string, V8Spec> = {
  priority: int(0),
  prefix: str(),
  'proxy-url': str(),
  headers: rec(str()),
  models: models(),
  'excluded-models': strs(),
  'disable-cooling': bool(),
  'request-retry': int(),
  'request-scoped-errors': list(scopedErrorRule),
}
export const SHARED_GROUP_FIELDS: readonly string[] = Object.keys(sharedFields)

export const API_KEY_PROVIDERS = ['gemini', 'interactions', 'vertex', 'codex', 'claude', 'xai', 'meta', 'openai-compatibility'] as const
export type ApiKeyProvider = (typeof API_KEY_PROVIDERS)[number]

/** Per-provider key fields. */
const providerKeyFields: Record<string, Record<string, V8Spec>> = {
  codex: {websockets: bool(), 'alpha-search': bool(), 'disable-codex-cloaking': bool()},
  claude: {
    'rebuild-mid-system-message': bool(),
    cloak: map({mode: {kind: 'enum', values: ['auto', 'always', 'never']}, 'strict-mode': bool(), 'sensitive-words': strs(), 'cache-user-id': any({unknown: 'type of cache-user-id'})}),
    'fingerprint-profile': {kind: 'enum', values: ['', 'claude-code-cli'], aliases: {'oauth-cli': 'claude-code-cli'}},
    'experimental-cch-signing': bool(),
  },
  xai: {websockets: bool()},
}

/** Providers whose groups are dropped silently without base-url. */
export const BASE_URL_REQUIRED_PROVIDERS: readonly string[] = ['codex', 'xai', 'openai-compatibility']

function groupSpec(provider: ApiKeyProvider): V8Spec {
  const weight = int(1)
  if (provider === 'openai-compatibility') {
    const key = map({'api-key': str(), 'proxy-url': str(), weight}, {role: 'key', provider})
    const extraModels = {image: any(), 'input-modalities': strs(), 'output-modalities': strs(), 'use-max-completion-tokens': bool()}
    return map(
      {name: str(), 'base-url': str(), keys: list(key), ...sharedFields, models: models(extraModels), disabled: bool(false), 'support-prompt-cache-key': bool()},
      {open: true, role: 'group', provider},
    )
  }
  const key = map({'api-key': str(), weight, ...sharedFields, ...providerKeyFields[provider]}, {role: 'key', provider})
  const groupModels: Record<string, V8Spec> = provider === 'codex' ? {models: models({'support-configuration-update': bool()})} : {}
  return map({name: str(), 'base-url': str(), keys: list(key), ...sharedFields, ...groupModels}, {role: 'group', provider})
}

const headerDefaultsClaude = map({
  'user-agent': str(),
  'package-version': str(),
  'runtime-version': str(),
  os: str(),
  arch: str(),
  timeout: str(),
  timezone: str(),
  'stabilize-device-profile': bool(),
})

const codexBehaviour: Record<string, V8Spec> = {
  'response-steering': bool(false),
  'identity-confuse': bool(false),
  'disable-codex-cloaking': bool(false),
  'stream-bootstrap-buffering': bool(false),
  'orphan-delegation-compatibility': bool(false),
  'model-level-cooling': bool(false),
  'stream-bootstrap-timeout': str('0'),
}

/** The root sections in the order `config migrate` writes them (that of the docs-era v8 example config). */
export const V8_SECTIONS: Readonly<Record<string, V8Spec>> = {
  'config-version': {kind: 'int', default: 8},
  server: map({
    host: str(''),
    port: int(8317),
    'trusted-proxies': strs([]),
    tls: map({enable: bool(false), cert: str(''), key: str('')}),
    'commercial-mode': bool(false),
    discovery: map({
      enabled: bool(false),
      'service-name': str(''),
      'service-type': str('_ai-gateway._tcp'),
      subtypes: strs(undefined, {unknown: 'the full default list ([_chat…, _responses, _messages, _generate-content, _interactions])'}),
      interfaces: map({include: strs([]), exclude: strs([])}),
      'auth-required': bool(true),
      'advertise-management': bool(false),
    }),
    'github-token': str(undefined, {later: true}),
  }),
  management: map({
    'allow-remote': bool(false),
    'secret-key': str(''),
    'disable-control-panel': bool(false),
    'disable-auto-update-panel': bool(false),
    'base-url': str(undefined, {unknown: 'default is http://127.0.0.1:<server.port> (TUI only)'}),
    'panel-github-repository': str('https://github.com/router-for-me/Cli-Proxy-API-Management-Center'),
  }),
  access: map({'api-keys': strs([])}),
  credentials: map({
    concurrency: map({
      'lifecycle-config-revision': int(undefined, {readOnly: true}),
      'observation-barrier-revision': int(undefined, {readOnly: true}),
      'cpa-heartbeat-timeout': dur('3s'),
      'cpa-cancel-bound': dur('5s'),
      'reclaim-grace': dur('5s'),
      'cleanup-interval': dur('5s'),
      'release-flush-interval': dur('250ms'),
      'release-max-backoff': dur('2s'),
      'busy-retry-min': dur('250ms'),
      'busy-retry-max': dur('1s'),
      'max-limit': int(1_000_000),
    }),
    'in-flight': map({
      'snapshot-interval': dur('2s'),
      'stale-after': dur('10s'),
      'max-part-bytes': int(262_144),
      'max-part-count': int(64),
      'max-revision-bytes': int(16_777_216),
      'max-aggregate-groups': int(100_000),
      'max-details': int(10_000),
      'max-string-bytes': int(256),
      'staging-retention': dur('1m'),
    }),
  }),
  routing: map({
    strategy: {kind: 'enum', values: V8_STRATEGIES, aliases: STRATEGY_ALIASES, lenient: true, default: 'round-robin'},
    'session-affinity': bool(false),
    'session-affinity-ttl': dur('1h'),
    'session-affinity-subagents': bool(true),
    'force-model-prefix': bool(false),
    retry: map({'request-retry': int(0, {example: 3}), 'max-retry-credentials': int(0), 'max-retry-interval': int(0, {example: 30})}),
    cooldown: map({'disable-cooling': bool(false), 'save-cooldown-status': bool(false), 'transient-error-cooldown-seconds': int(0)}),
  }),
  requests: map({
    'proxy-url': str(''),
    'passthrough-headers': bool(false),
    'nonstream-keepalive-interval': int(0),
    streaming: map({'keepalive-seconds': int(0), 'bootstrap-retries': int(0)}),
    payload: map(
      Object.fromEntries(
        ['default', 'default-raw', 'override', 'override-raw', 'filter'].map((k) => [
          k,
          list(
            map({
              models: list(
                map({name: str(), protocol: str(), 'from-protocol': str(), headers: rec(any()), match: any(), 'not-match': any(), exist: any(), 'not-exist': any()}),
              ),
              params: any(),
            }),
          ),
        ]),
      ),
    ),
  }),
  multimedia: map({
    'disable-image-generation': {kind: 'enum', values: [false, true, 'chat', 'passthrough'], default: false},
    'gpt-image-2-base-model': str('gpt-5.4-mini'),
    'video-result-auth-cache-ttl': dur('3h'),
  }),
  observability: map({
    logs: map({debug: bool(false), 'request-log': bool(false), 'logging-to-file': bool(false), 'logs-max-total-size-mb': int(0), 'error-logs-max-files': int(10)}),
    usage: map({'usage-statistics-enabled': bool(false), 'redis-usage-queue-retention-seconds': int(60)}),
    pprof: map({enable: bool(false), addr: str('127.0.0.1:8316')}),
    'accounting-outbox': any({later: true, unknown: 'fields and attribution of observability.accounting-outbox'}),
  }),
  plugins: map({
    enabled: bool(false),
    dir: str('plugins'),
    'store-sources': strs(),
    'store-auth': list(
      map({
        match: str(),
        'apply-to': list({kind: 'enum', values: ['registry', 'metadata', 'artifact']}),
        type: {kind: 'enum', values: ['none', 'bearer', 'basic', 'header', 'github-token']},
        'token-env': str(),
        'username-env': str(),
        'password-env': str(),
        'header-name': str(),
        'header-value-env': str(),
        'allow-insecure': bool(),
      }),
    ),
    configs: rec(map({enabled: bool(false), priority: int(0)}, {open: true})),
    'auth-revision': int(undefined, {readOnly: true}),
  }),
  'quota-exceeded': map({'switch-project': bool(false), 'switch-preview-model': bool(false)}),
  oauth: map({
    'auth-dir': str('~/.cli-proxy-api'),
    'auth-auto-refresh-workers': int(16),
    'model-alias': rec(list(map({name: str(), alias: str(), fork: bool(), 'display-name': str(), 'force-mapping': bool()}))),
    'excluded-models': rec(strs()),
    'request-scoped-errors': rec(list(scopedErrorRule)),
    settings: rec(list(map({name: str(), alias: str(), 'max-context-length': int()}, {open: true})), {later: true}),
    providers: map({
      aistudio: map({'ws-auth': bool(true)}),
      codex: map({
        ...codexBehaviour,
        'optimize-multi-agent-v2': bool(false),
        'header-defaults': map({'user-agent': str(), 'beta-features': str()}),
        'live-media-relay': map({
          enabled: bool(false),
          'max-sessions': int(32),
          'disable-private-remote-ips': bool(false),
          'public-ip': str(),
          'udp-port-min': int(0),
          'udp-port-max': int(0),
          'ice-servers': list(map({urls: strs(), username: str(), credential: str()})),
        }),
      }),
      claude: map({
        'model-level-cooling': bool(false),
        'disable-claude-cloak-mode': bool(false),
        'claude-code': map({'disable-cloaking-model-list': bool(false)}),
        'header-defaults': headerDefaultsClaude,
      }),
      antigravity: map({
        'antigravity-credits': bool(true),
        'signature-cache-enabled': bool(true),
        'signature-bypass-strict': bool(false),
        'sensitive-words': strs(),
        'connection-pool': map({enabled: bool(false), 'idle-conn-timeout': dur('30s'), 'max-idle-conns-per-host': int(2)}),
      }),
      xai: map({'inject-x-search': bool(false)}),
      devin: map({'sensitive-words': strs()}),
    }),
  }),
  'api-keys': map(Object.fromEntries(API_KEY_PROVIDERS.map((p) => [p, list(groupSpec(p))]))),
  client: map({codex: map({'optimize-multi-agent-v2': bool(false), 'enable-apply-patch': bool()}, {open: true})}, {later: true, open: true, unknown: 'the full field list of client.*'}),
  upstream: map(
    {
      codex: map(codexBehaviour, {open: true}),
      claude: map({'model-level-cooling': bool(false), 'disable-cloaking-model-list': bool(false), 'disable-claude-cloak-mode': bool(false), 'header-defaults': headerDefaultsClaude}, {open: true}),
      xai: map({'inject-x-search': bool(false)}, {open: true}),
    },
    {later: true, open: true, unknown: 'the full field list of upstream.* per build'},
  ),
  models: map({catalog: any({unknown: 'shape of models.catalog'})}, {later: true, open: true, unknown: 'the shape of models.*'}),
}

export const V8_ROOT: V8MapSpec = {kind: 'map', fields: V8_SECTIONS}
export const V8_ROOT_NAMES: readonly string[] = Object.keys(V8_SECTIONS)

/** Roots that only a v8 file has (routing, plugins, quota-exceeded and a list-valued api-keys are shared). */
export const V8_ONLY_ROOTS: readonly string[] = V8_ROOT_NAMES.filter((r) => !['routing', 'plugins', 'quota-exceeded', 'api-keys', 'config-version'].includes(r))
