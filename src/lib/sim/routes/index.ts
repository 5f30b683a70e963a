/**
 * THE route table of the simulated gateway: every route it serves is registered here, nowhere else, and
 * the HTTP layer (../http.ts) dispatches only through these lists. test/lib/sim/route-coverage.test.ts
 * compares them with the route lists of cpa-gateway.md (v7) and cpa-gateway-v8.md (v8: /v0 and /v8), so a
 * route added to the simulator without an entry here cannot be served, and one missing from the reference's
 * lists fails the test.
 *
 * - `managementRoutes`: below `/v0/management` (§3; paths here are relative to that prefix). Each route
 *   carries the first gateway version that registers it (`since`, §11; `v8` for the routes added after 7.2.140,
 *   cpa-gateway-v8.md §1.3); `routesForVersion` keeps what a given simulated version serves. `access: 'open'`
 *   routes skip the management key (§3.9). On a v8 gateway the same handlers are also served below
 *   `/v8/management` through the route map (route-map.ts), next to the v8-only config tree.
 * - `publicRoutes`: outside `/v0/management` (§2.2 and the client API `/v1`), no management key.
 *
 * Handlers receive an already-authenticated request (the core did §1.3, set the X-CPA-* headers and parsed
 * the query) and return a response description. Route paths contain at most one `:param` segment, or end
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
    ...configRoutes(deps.config, {latestVersion: deps.latestVersion}), // §3.1
    ...apiCallRoutes, // §3.1 /reset-quota, §3.7
    ...apiKeyRoutes, // §3.2
    ...providerKeyRoutes, // §3.3
    ...oauthRuleRoutes, // §3.4
    ...authFileRoutes, // §3.5
    ...credentialRefreshRoutes, // v8 §2.6
    ...vertexImportRoutes, // §3.5
    ...modelDefinitionRoutes, // §3.5
    ...oauthManagementRoutes(deps.oauth), // §3.6, §3.9
    ...logRoutes, // §3.8
    ...usageQueueRoutes(deps.usageQueue), // §3.10
    ...pluginRoutes(deps.plugins), // §3.11
    ...quotaRoutes(deps.plugins), // v8 §2.7, §2.13
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
