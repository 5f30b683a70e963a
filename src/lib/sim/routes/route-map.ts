/**
 * The simulator's one management route map: every route a simulated gateway serves, with its path under
 * `/v0/management` and under `/v8/management` (v8's operational route map, plus the v0 config endpoints that
 * became v8 config paths). One row per route:
 *
 * - `v0` and `v8` both set: the v8 route is served by the **same handler** as the v0 route (same shapes, status
 *   codes and error strings);
 * - `v8: null`: the route has no v8 name (settings, list endpoints that became config paths, …): v0 only;
 * - `v0: null`: a v8-only route (the config tree, quota); its handler is registered under the v8 path;
 * - a v8 path ending in `?provider=<p>` folds several v0 routes into one v8 route that dispatches on that
 *   query value (`/oauth/auth-url?provider=claude` ← `/anthropic-auth-url`);
 * - `early: true`: only early 8.0.x builds register the v8 path (`/credentials/quota/*`; later builds answer 404);
 *   the v0 route stays on every v8 build.
 *
 * The route table of routes/index.ts says which handlers exist and since when; this map only says where
 * each one lives on v8. A v0 handler is served under /v8/management only through this map, and the
 * simulator refuses to start when a registered v0 route has no row here (v8-routes.test.ts asserts it), so
 * a new v0 route joins with one row: `{method, v0: '/new-route', v8: '/its/v8/path' | null}`.
 *
 * Written from the reference (not from cpactl's client table in src/lib/gateway/operations.ts).
 */
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail} from './http.js'

export interface RouteMapRow {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** Path below /v0/management (`:param` segments allowed), or null for a v8-only route. */
  v0: string | null
  /** Path below /v8/management, or null when v8 has no route for it. `*path` = the rest of the path. */
  v8: string | null
  /** The v8 path exists on early 8.0.x builds only (later builds removed it). */
  early?: true
}

const SIMPLE_SETTING_PATHS = [
  '/debug',
  '/logging-to-file',
  '/logs-max-total-size-mb',
  '/error-logs-max-files',
  '/usage-statistics-enabled',
  '/proxy-url',
  '/request-log',
  '/ws-auth',
  '/request-retry',
  '/max-retry-credentials',
  '/max-retry-interval',
  '/force-model-prefix',
  '/routing/strategy',
  '/quota-exceeded/switch-project',
  '/quota-exceeded/switch-preview-model',
]

// `/meta-api-key` was added after 7.2.140; its v8 name is the config path `api-keys/meta`
const PROVIDER_KEY_PATHS = ['/gemini-api-key', '/interactions-api-key', '/codex-api-key', '/claude-api-key', '/xai-api-key', '/vertex-api-key', '/meta-api-key', '/openai-compatibility']

const rows = (method: RouteMapRow['method'], paths: string[], v8: string | null = null): RouteMapRow[] => paths.map((v0) => ({method, v0, v8}))

export const ROUTE_MAP: RouteMapRow[] = [
  // usage: the HTTP queue pop and the upstream API-key counters
  {method: 'GET', v0: '/usage-queue', v8: '/observability/usage/queue'},
  {method: 'GET', v0: '/api-key-usage', v8: '/observability/usage/api-keys'},

  // config: the legacy views and setters have no v8 route; v8 has the config tree instead
  {method: 'GET', v0: '/config', v8: null},
  {method: 'GET', v0: '/config.yaml', v8: null},
  {method: 'PUT', v0: '/config.yaml', v8: null},
  {method: 'GET', v0: '/latest-version', v8: '/server/latest-version'},
  ...rows('GET', SIMPLE_SETTING_PATHS),
  ...rows('PUT', SIMPLE_SETTING_PATHS),
  ...rows('PATCH', SIMPLE_SETTING_PATHS),
  {method: 'DELETE', v0: '/proxy-url', v8: null},

  // client keys and provider keys: config paths on v8 (`access/api-keys`, `api-keys/<provider>`)
  ...rows('GET', ['/api-keys']),
  ...rows('PUT', ['/api-keys']),
  ...rows('PATCH', ['/api-keys']),
  ...rows('DELETE', ['/api-keys']),
  ...rows('GET', PROVIDER_KEY_PATHS),
  ...rows('PUT', PROVIDER_KEY_PATHS),
  ...rows('PATCH', PROVIDER_KEY_PATHS),
  ...rows('DELETE', PROVIDER_KEY_PATHS),

  // auth files = credentials on v8
  {method: 'GET', v0: '/auth-files', v8: '/credentials'},
  {method: 'POST', v0: '/auth-files', v8: '/credentials'},
  {method: 'DELETE', v0: '/auth-files', v8: '/credentials'},
  {method: 'GET', v0: '/auth-files/models', v8: '/credentials/models'},
  {method: 'GET', v0: '/auth-files/download', v8: '/credentials/download'},
  {method: 'PATCH', v0: '/auth-files/status', v8: '/credentials/status'},
  {method: 'PATCH', v0: '/auth-files/fields', v8: '/credentials/fields'},
  {method: 'POST', v0: '/auth-files/refresh', v8: '/credentials/refresh'}, // added after 7.2.140

  // gateway-side quota (added after 7.2.140): the v8 names exist on early 8.0.x builds only,
  // the v0 routes on every v8 build (`/quota/*` is v0-only)
  {method: 'GET', v0: '/quota/providers', v8: '/credentials/quota/providers', early: true},
  {method: 'POST', v0: '/quota/fetch', v8: '/credentials/quota/fetch', early: true},
  {method: 'POST', v0: '/quota/reset', v8: '/credentials/quota/reset', early: true},

  // logs
  {method: 'GET', v0: '/logs', v8: '/observability/logs'},
  {method: 'DELETE', v0: '/logs', v8: '/observability/logs'},
  {method: 'GET', v0: '/request-error-logs', v8: '/observability/logs/errors'},
  {method: 'GET', v0: '/request-error-logs/:name', v8: '/observability/logs/errors/:name'},
  {method: 'GET', v0: '/request-log-by-id/:id', v8: '/observability/logs/requests/:id'},

  // requests and routing: the API-call proxy and the quota/cooldown reset
  {method: 'POST', v0: '/api-call', v8: '/requests/api-call'},
  {method: 'POST', v0: '/reset-quota', v8: '/routing/cooldown/reset'},

  // model definitions
  {method: 'GET', v0: '/model-definitions/:channel', v8: '/routing/model-definitions/:channel'},

  // OAuth login flows and the callback: one auth-url route dispatching on ?provider=, import on ?provider=vertex
  {method: 'GET', v0: '/anthropic-auth-url', v8: '/oauth/auth-url?provider=claude'},
  {method: 'GET', v0: '/codex-auth-url', v8: '/oauth/auth-url?provider=codex'},
  {method: 'GET', v0: '/antigravity-auth-url', v8: '/oauth/auth-url?provider=antigravity'},
  {method: 'GET', v0: '/kimi-auth-url', v8: '/oauth/auth-url?provider=kimi'},
  {method: 'GET', v0: '/xai-auth-url', v8: '/oauth/auth-url?provider=xai'},
  // added after 7.2.140
  {method: 'GET', v0: '/kimi-ai-auth-url', v8: '/oauth/auth-url?provider=kimi-ai'},
  {method: 'GET', v0: '/devin-auth-url', v8: '/oauth/auth-url?provider=devin'},
  {method: 'GET', v0: '/meta-auth-url', v8: '/oauth/auth-url?provider=meta'},
  {method: 'POST', v0: '/vertex/import', v8: '/oauth/import?provider=vertex'},
  {method: 'GET', v0: '/get-auth-status', v8: '/oauth/status'},
  {method: 'DELETE', v0: '/oauth-session', v8: '/oauth/session'},
  {method: 'GET', v0: '/oauth-callback', v8: '/oauth/callback'},
  {method: 'POST', v0: '/oauth-callback', v8: '/oauth/callback'},
  // OAuth rule maps: config paths oauth/{excluded-models,model-alias,request-scoped-errors} on v8
  ...(['GET', 'PUT', 'PATCH', 'DELETE'] as const).flatMap((m) => rows(m, ['/oauth-excluded-models', '/oauth-model-alias', '/oauth-request-scoped-errors'])),

  // plugins: enable and settings are config paths on v8 (plugins/configs/<id>)
  {method: 'GET', v0: '/plugins', v8: '/plugins'},
  {method: 'DELETE', v0: '/plugins/:id', v8: '/plugins/:id'},
  {method: 'GET', v0: '/plugin-store', v8: '/plugins/store'},
  {method: 'POST', v0: '/plugin-store/:id/install', v8: '/plugins/store/:id/install'},
  {method: 'PATCH', v0: '/plugins/:id/enabled', v8: null},
  {method: 'GET', v0: '/plugins/:id/config', v8: null},
  {method: 'PUT', v0: '/plugins/:id/config', v8: null},
  {method: 'PATCH', v0: '/plugins/:id/config', v8: null},
  // plugin quota (added after 7.2.140): no `POST …/quota/reset` on v8
  {method: 'GET', v0: '/plugins/:id/quota', v8: '/plugins/:id/quota'},
  {method: 'POST', v0: '/plugins/:id/quota', v8: '/plugins/:id/quota'},
  {method: 'DELETE', v0: '/plugins/:id/quota', v8: '/plugins/:id/quota'},
  {method: 'POST', v0: '/plugins/:id/quota/reset', v8: null},

  // v8 only: the config tree (`/config`, `/config/*path`, `/config.yaml`). No `DELETE /config`: deleting the root is `DELETE /config/`
  // (the catch-all with an empty path) ⇒ 400 cannot_delete_config
  {method: 'GET', v0: null, v8: '/config'},
  {method: 'PUT', v0: null, v8: '/config'},
  {method: 'PATCH', v0: null, v8: '/config'},
  {method: 'GET', v0: null, v8: '/config/*path'},
  {method: 'PUT', v0: null, v8: '/config/*path'},
  {method: 'PATCH', v0: null, v8: '/config/*path'},
  {method: 'DELETE', v0: null, v8: '/config/*path'},
  {method: 'GET', v0: null, v8: '/config.yaml'},
  {method: 'PUT', v0: null, v8: '/config.yaml'},
]

/** The row of a v0 route, or undefined when it is not in the map. */
export function rowForV0(method: string, v0Path: string): RouteMapRow | undefined {
  return ROUTE_MAP.find((r) => r.method === method && r.v0 === v0Path)
}

/** The row of a v8-only route. */
export function rowForV8(method: string, v8Path: string): RouteMapRow | undefined {
  return ROUTE_MAP.find((r) => r.method === method && r.v8 === v8Path)
}

export interface V8TableOptions {
  /** Which 8.0.x revision: rows marked `early` are served by early builds only. */
  revision: 'early' | 'later'
  /** What every v8 operation does on top of its handler (a v8 operation that saves config migrates the file). */
  wrap?: (route: SimRoute) => SimRoute
  /**
   * Per folded v8 path (`/oauth/auth-url`): the answer for a query value no v0 route serves, or undefined for
   * the `<param>_not_found` 404 (plugin OAuth providers; an unknown provider is 404 `provider_not_found`).
   */
  otherValues?: Record<string, (value: string, req: SimRequest, sim: SimContext) => SimResponse | undefined>
}

/**
 * The routes below /v8/management: each v0 handler under its v8 path (same handler), the
 * `?provider=` rows folded into one dispatching route each, then the v8-only routes. Throws when a v0 handler
 * or a v8-only route has no row: the map must stay complete.
 */
export function v8RouteTable(v0Handlers: SimRoute[], v8Only: SimRoute[], opts: V8TableOptions): SimRoute[] {
  const wrap = opts.wrap ?? ((r: SimRoute) => r)
  const out: SimRoute[] = []
  const byProvider = new Map<string, {method: string; param: string; handlers: Map<string, SimRoute>}>()
  for (const h of v0Handlers) {
    const row = rowForV0(h.method, h.path)
    if (!row) throw new Error(`simulator: ${h.method} ${h.path} has no row in src/lib/sim/routes/route-map.ts`)
    if (!row.v8 || (row.early && opts.revision !== 'early')) continue
    const q = /^(.*)\?([a-z_]+)=(.+)$/.exec(row.v8)
    if (!q) {
      out.push(wrap({...h, path: row.v8}))
      continue
    }
    const key = `${h.method} ${q[1]}`
    const entry = byProvider.get(key) ?? {method: h.method, param: q[2], handlers: new Map<string, SimRoute>()}
    entry.handlers.set(q[3], h)
    byProvider.set(key, entry)
  }
  for (const [key, entry] of byProvider) {
    const path = key.slice(entry.method.length + 1)
    const other = opts.otherValues?.[path]
    out.push(wrap({method: entry.method, path, handler: (req: SimRequest, sim): SimResponse | Promise<SimResponse> => {
      const value = (req.query.get(entry.param) ?? '').trim().toLowerCase()
      if (value === '') return fail(400, `${entry.param} is required`)
      const target = entry.handlers.get(value)
      if (target) return target.handler(req, sim)
      return other?.(value, req, sim) ?? fail(404, `${entry.param}_not_found`)
    }}))
  }
  for (const r of v8Only) {
    if (!rowForV8(r.method, r.path)) throw new Error(`simulator: v8 ${r.method} ${r.path} has no row in src/lib/sim/routes/route-map.ts`)
    out.push(wrap(r))
  }
  return out
}
