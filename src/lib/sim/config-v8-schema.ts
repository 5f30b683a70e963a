/** The v8 config schema per revision: each key's type, used by typed parse and strict validation. */
import type {V8Revision} from './config-v8-paths.js'
// ------------------------------------------------------------------------------------------- v8 schema

/**
 * Leaf types of the typed decode (a wrong type is a 422 `invalid_config`). `map` = free-form mapping,
 * `list` = any list, `any` = any value.
 */
export type Leaf = 'bool' | 'int' | 'string' | 'strings' | 'list' | 'map' | 'any'
export type Spec = Leaf | {[key: string]: Spec}

export const HEADER_DEFAULTS_CLAUDE: Spec = {
  'user-agent': 'string',
  'package-version': 'string',
  'runtime-version': 'string',
  os: 'string',
  arch: 'string',
  timeout: 'string',
  timezone: 'string',
  'stabilize-device-profile': 'bool',
}

export function schema(revision: V8Revision): {[key: string]: Spec} {
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
