/**
 * Route lists transcribed by hand from /work/shared/reference/cpa-gateway.md (the v7.2.140 contract) and
 * cpa-gateway-v8.md (the v8 delta), for the route-coverage test. Deliberately NOT derived from the simulator:
 * a route the simulator adds, drops or misspells shows up as a difference.
 */

const m = (methods: string, path: string): string[] => methods.split('/').map(method => `${method} ${path}`)

/** Every method + path registered under /v0/management by v7.2.140 (58 paths, 129 pairs). */
export const V0_MANAGEMENT_ROUTES: string[] = [
  // Config, version, general settings
  ...m('GET', '/config'),
  ...m('GET/PUT', '/config.yaml'),
  ...m('GET', '/latest-version'),
  ...m('GET/PUT/PATCH', '/debug'),
  ...m('GET/PUT/PATCH', '/logging-to-file'),
  ...m('GET/PUT/PATCH', '/logs-max-total-size-mb'),
  ...m('GET/PUT/PATCH', '/error-logs-max-files'),
  ...m('GET/PUT/PATCH', '/usage-statistics-enabled'),
  ...m('GET/PUT/PATCH/DELETE', '/proxy-url'),
  ...m('GET/PUT/PATCH', '/request-log'),
  ...m('GET/PUT/PATCH', '/ws-auth'),
  ...m('GET/PUT/PATCH', '/request-retry'),
  ...m('GET/PUT/PATCH', '/max-retry-credentials'),
  ...m('GET/PUT/PATCH', '/max-retry-interval'),
  ...m('GET/PUT/PATCH', '/force-model-prefix'),
  ...m('GET/PUT/PATCH', '/routing/strategy'),
  ...m('GET/PUT/PATCH', '/quota-exceeded/switch-project'),
  ...m('GET/PUT/PATCH', '/quota-exceeded/switch-preview-model'),
  ...m('POST', '/reset-quota'),
  // Client API keys
  ...m('GET/PUT/PATCH/DELETE', '/api-keys'),
  ...m('GET', '/api-key-usage'),
  // Upstream provider keys
  ...m('GET/PUT/PATCH/DELETE', '/gemini-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/interactions-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/claude-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/codex-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/xai-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/vertex-api-key'),
  ...m('GET/PUT/PATCH/DELETE', '/openai-compatibility'),
  // OAuth model rules
  ...m('GET/PUT/PATCH/DELETE', '/oauth-excluded-models'),
  ...m('GET/PUT/PATCH/DELETE', '/oauth-model-alias'),
  ...m('GET/PUT/PATCH/DELETE', '/oauth-request-scoped-errors'),
  // Auth files
  ...m('GET/POST/DELETE', '/auth-files'),
  ...m('GET', '/auth-files/models'),
  ...m('GET', '/auth-files/download'),
  ...m('PATCH', '/auth-files/status'),
  ...m('PATCH', '/auth-files/fields'),
  ...m('POST', '/vertex/import'),
  ...m('GET', '/model-definitions/:channel'),
  // OAuth login flows
  ...m('GET', '/anthropic-auth-url'),
  ...m('GET', '/codex-auth-url'),
  ...m('GET', '/antigravity-auth-url'),
  ...m('GET', '/xai-auth-url'),
  ...m('GET', '/kimi-auth-url'),
  ...m('GET', '/get-auth-status'),
  ...m('DELETE', '/oauth-session'),
  // API-call proxy
  ...m('POST', '/api-call'),
  // Logs
  ...m('GET/DELETE', '/logs'),
  ...m('GET', '/request-error-logs'),
  ...m('GET', '/request-error-logs/:name'),
  ...m('GET', '/request-log-by-id/:id'),
  // OAuth callback (no management key)
  ...m('GET/POST', '/oauth-callback'),
  // Usage
  ...m('GET', '/usage-queue'),
  // Plugins
  ...m('GET', '/plugins'),
  ...m('GET/PUT/PATCH', '/plugins/:id/config'),
  ...m('PATCH', '/plugins/:id/enabled'),
  ...m('DELETE', '/plugins/:id'),
  ...m('GET', '/plugin-store'),
  ...m('POST', '/plugin-store/:id/install'),
]

/** The first version registering a route (routes of older releases not listed here exist since ≤ v6.9.38). */
export const ROUTE_SINCE: Array<{route: RegExp; since: string}> = [
  {route: /^[A-Z]+ \/max-retry-credentials$/, since: '7.2.140'},
  {route: /^[A-Z]+ \/oauth-request-scoped-errors$/, since: '7.2.138'},
  {route: /^[A-Z]+ \/xai-api-key$/, since: '7.2.73'},
  {route: /^DELETE \/oauth-session$/, since: '7.2.64'},
  {route: /^[A-Z]+ \/interactions-api-key$/, since: '7.2.51'},
  {route: /^POST \/reset-quota$/, since: '7.2.22'},
  {route: /^[A-Z]+ \/plugin-store/, since: '7.1.69'},
  {route: /^[A-Z]+ \/plugins/, since: '7.1.47'},
  {route: /^GET \/usage-queue$/, since: '6.10.8'},
  {route: /^GET \/api-key-usage$/, since: '6.9.47'},
]

/**
 * Routes outside /v0/management that need no management key. Left out of the simulator:
 * `GET /keep-alive` exists only on a gateway started in the foreground with the hidden `-password` flag.
 */
export const V0_PUBLIC_ROUTES: string[] = [
  ...m('GET/HEAD', '/healthz'),
  ...m('GET', '/'),
  ...m('GET', '/management.html'),
  ...m('GET', '/anthropic/callback'),
  ...m('GET', '/codex/callback'),
  ...m('GET', '/antigravity/callback'),
  '* /v0/resource/plugins/*',
]

/** The client API routes the simulator serves (scripted; `GET /` names the OpenAI ones). */
export const CLIENT_API_ROUTES: string[] = [...m('GET', '/v1/models'), ...m('POST', '/v1/chat/completions'), ...m('POST', '/v1/responses')]

/**
 * The routes a v8 gateway registers under /v0/management beyond the 129 of v7.2.140
 * ("added since 7.2.140, all absent in 7.2.140"). `/meta-api-key` has the methods of every other provider-key
 * family.
 */
export const V0_ADDED_AFTER_7_2_140: string[] = [
  ...m('GET/PUT/PATCH/DELETE', '/meta-api-key'),
  ...m('GET', '/kimi-ai-auth-url'),
  ...m('GET', '/devin-auth-url'),
  ...m('GET', '/meta-auth-url'),
  ...m('POST', '/auth-files/refresh'),
  ...m('GET', '/quota/providers'),
  ...m('POST', '/quota/fetch'),
  ...m('POST', '/quota/reset'),
  ...m('GET/POST/DELETE', '/plugins/:id/quota'),
  ...m('POST', '/plugins/:id/quota/reset'),
]

/**
 * Every route below /v8/management of a later 8.0.x build.
 * The folded OAuth routes are listed without their query (`/oauth/auth-url?provider=` = `GET /oauth/auth-url`).
 */
export const V8_MANAGEMENT_ROUTES: string[] = [
  ...m('GET', '/server/latest-version'),
  ...m('POST', '/requests/api-call'),
  ...m('POST', '/routing/cooldown/reset'),
  ...m('GET', '/routing/model-definitions/:channel'),
  ...m('GET/DELETE', '/observability/logs'),
  ...m('GET', '/observability/logs/errors'),
  ...m('GET', '/observability/logs/errors/:name'),
  ...m('GET', '/observability/logs/requests/:id'),
  ...m('GET', '/observability/usage/api-keys'),
  ...m('GET', '/observability/usage/queue'),
  ...m('GET/POST/DELETE', '/credentials'),
  ...m('GET', '/credentials/models'),
  ...m('GET', '/credentials/download'),
  ...m('PATCH', '/credentials/status'),
  ...m('PATCH', '/credentials/fields'),
  ...m('POST', '/credentials/refresh'),
  ...m('GET', '/oauth/auth-url'),
  ...m('POST', '/oauth/import'),
  ...m('GET', '/oauth/status'),
  ...m('DELETE', '/oauth/session'),
  ...m('GET/POST', '/oauth/callback'),
  ...m('GET', '/plugins'),
  ...m('DELETE', '/plugins/:id'),
  ...m('GET/POST/DELETE', '/plugins/:id/quota'),
  ...m('GET', '/plugins/store'),
  ...m('POST', '/plugins/store/:id/install'),
  ...m('GET/PUT/PATCH', '/config'),
  ...m('GET/PUT/PATCH/DELETE', '/config/*path'),
  ...m('GET/PUT', '/config.yaml'),
]

/** Early 8.0.x builds register these too (later builds answer a bare 404). */
export const V8_EARLY_ONLY_ROUTES: string[] = [...m('GET', '/credentials/quota/providers'), ...m('POST', '/credentials/quota/fetch'), ...m('POST', '/credentials/quota/reset')]
