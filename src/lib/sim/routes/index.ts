/**
 * THE route table of the simulated gateway: every route it serves is registered here, nowhere else, and
 * the HTTP layer (../http.ts) dispatches only through these lists. test/lib/sim/route-coverage.test.ts
 * compares them with the route lists of cpa-gateway.md (v7) and cpa-gateway-v8.md (v8: /v0 and /v8), so a
 * route added to the simulator without an entry here cannot be served, and one missing from the reference's
 * lists fails the test.
 *
 * - `managementRoutes`: below `/v0/management` (paths here are relative to that prefix). Each route
 *   carries the first gateway version that registers it (`since`, from the gateway's version history; `v8` for
 *   the v0 routes v8 gateways added after 7.2.140); `routesForVersion` keeps what a given simulated version
 *   serves. `access: 'open'` routes skip the management key (the OAuth callback: only the availability check
 *   applies). On a v8 gateway the same handlers are also served below
 *   `/v8/management` through the route map (route-map.ts), next to the v8-only config tree.
 * - `publicRoutes`: outside `/v0/management` (`/healthz`, `/`, the provider OAuth callback pages,
 *   `/v0/resource/plugins/*` and the client API `/v1`), no management key.
 *
 * Handlers receive an already-authenticated request (the core ran the gateway's management-key check order:
 * ban, remote access, key set, key match; it set the X-CPA-* headers and parsed the query) and return a response description. Route paths contain at most one `:param` segment, or end
 * in `/*` (prefix match); a handler may return a Promise.
 */
import type {ConfigState} from '../config-state.js'
import {configRoutes} from './config.js'
import type {SimRoute} from '../types.js'
import {hasFeature} from '../version.js'
import {apiCallRoutes} from './api-call.js'
import {apiKeyRoutes} from './api-keys.js'
import {authFileRoutes} from './auth-files.js'
import {type ClientApiDeps, clientApiRoutes} from './client-api.js'
import {credentialRefreshRoutes} from './credential-refresh.js'
import {logRoutes} from './logs.js'
import {modelDefinitionRoutes} from './model-definitions.js'
import {oauthManagementRoutes, oauthPublicRoutes, type OAuthRouteDeps} from './oauth-flows.js'
import {oauthRuleRoutes} from './oauth-rules.js'
import {pluginRoutes, type PluginRouteDeps} from './plugins.js'
import {providerKeyRoutes} from './provider-keys.js'
import {type PublicRouteDeps, publicRoutes as unauthenticatedRoutes} from './public.js'
import {quotaRoutes} from './quota.js'
import {type UsageQueueDeps, usageQueueRoutes} from './usage-queue.js'
import {vertexImportRoutes} from './vertex-import.js'

export interface RouteTableDeps {
  config: ConfigState
  /** What /latest-version reports (without `v`); null simulates a failed GitHub call (502). */
  latestVersion(): string | null
  usageQueue: UsageQueueDeps
  oauth: OAuthRouteDeps
  plugins: PluginRouteDeps
  public: PublicRouteDeps
  clientApi: ClientApiDeps
}

/** Every route below /v0/management, for all simulated versions (filter with `routesForVersion`). */
export function managementRoutes(deps: RouteTableDeps): SimRoute[] {
  return [
    ...configRoutes(deps.config, {latestVersion: deps.latestVersion}), // config, version, simple settings
    ...apiCallRoutes, // /api-call, /reset-quota
    ...apiKeyRoutes, // client API keys, /api-key-usage
    ...providerKeyRoutes, // upstream provider keys
    ...oauthRuleRoutes, // OAuth model rule maps
    ...authFileRoutes, // auth files
    ...credentialRefreshRoutes, // force a token refresh (added after 7.2.140)
    ...vertexImportRoutes, // vertex service-account import
    ...modelDefinitionRoutes, // static model metadata per channel
    ...oauthManagementRoutes(deps.oauth), // OAuth login flows and the OAuth callback
    ...logRoutes, // logs
    ...usageQueueRoutes(deps.usageQueue), // the HTTP usage-queue pop
    ...pluginRoutes(deps.plugins), // plugins and the plugin store
    ...quotaRoutes(deps.plugins), // gateway-side and per-plugin quota (added after 7.2.140)
  ]
}

/** Every route outside /v0/management (no management key). */
export function publicRoutes(deps: RouteTableDeps): SimRoute[] {
  return [...unauthenticatedRoutes(deps.public), ...oauthPublicRoutes(deps.oauth), ...clientApiRoutes(deps.clientApi)]
}

/** The routes a gateway of `version` registers. */
export function routesForVersion(routes: SimRoute[], version: string): SimRoute[] {
  return routes.filter(r => r.since === undefined || hasFeature(version, r.since))
}
