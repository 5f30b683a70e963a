/** The legacy → v8 key map, the provider key families and the allowed v8 roots per revision. */
import type {V8Revision} from './config-v8-paths.js'

/** Legacy dotted path → v8 dotted path (the docs-era map). Subtrees move whole; more specific entries come first. */
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

/** Legacy provider-key families and their `api-keys.<provider>` (providers: gemini, interactions, vertex, codex,
 * claude, xai, meta, openai-compatibility). */
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
export const PROVIDERS = new Set(KEY_FAMILIES.map(([, p]) => p))

/** Fields of a group shared by its keys (a missing or null key field inherits); a key may override any of them. */
export const SHARED_KEY_FIELDS = ['priority', 'prefix', 'proxy-url', 'headers', 'models', 'excluded-models', 'disable-cooling', 'request-retry', 'request-scoped-errors']

/** Per-provider key fields besides `api-key`, `weight` and the shared overrides. */
export const KEY_FIELDS: Record<string, string[]> = {
  codex: ['websockets', 'alpha-search', 'disable-codex-cloaking'],
  claude: ['rebuild-mid-system-message', 'cloak', 'fingerprint-profile', 'experimental-cch-signing'],
  xai: ['websockets', 'alpha-search'],
  gemini: [],
  interactions: [],
  vertex: [],
  meta: [],
}

export const DOCS_ROOTS = ['config-version', 'server', 'management', 'access', 'credentials', 'routing', 'requests', 'oauth', 'multimedia', 'observability', 'api-keys', 'plugins', 'quota-exceeded']
export const LATER_ROOTS = ['client', 'upstream', 'models']

export function allowedRoots(revision: V8Revision): Set<string> {
  return new Set(revision === 'later' ? [...DOCS_ROOTS, ...LATER_ROOTS] : DOCS_ROOTS)
}
