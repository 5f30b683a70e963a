import {validateConfig} from './config-schema.js'
import type {ConfigState} from './config-state.js'
import {configTreeRoutes} from './config-tree.js'
import {migrateDocument} from './config-v8-migrate.js'
import type {V8Revision} from './config-v8-paths.js'
import type {FaultInjector} from './faults.js'
import {compileRoutes, type CompiledRoute} from './http.js'
import type {OAuthSessions} from './oauth-sessions.js'
import type {Observer} from './observe.js'
import type {SimPluginFiles} from './plugins.js'
import type {UsageFifo} from './queue.js'
import type {ClientApiDeps} from './routes/client-api.js'
import {managementRoutes, publicRoutes, type RouteTableDeps, routesForVersion} from './routes/index.js'
import {pluginOAuthStart, pluginResource} from './routes/plugins.js'
import {v8RouteTable} from './routes/route-map.js'
import type {SimRoute} from './types.js'

export interface RouteTables {
  /** Below /v0/management. */
  v0: CompiledRoute[]
  /** Below /v8/management; null on a v7 gateway. */
  v8: CompiledRoute[] | null
  /** Outside both (no management key). */
  public: CompiledRoute[]
}

/** The routes a simulator serves, as `Simulator.routeList()` reports them. */
export interface RouteList {
  management: Array<{method: string; path: string}>
  v8: Array<{method: string; path: string}> | null
  public: Array<{method: string; path: string; simOnly: boolean}>
}

/** What the route handlers of a simulator work on. */
export function routeTableDeps(parts: {
  version: string
  config: ConfigState
  latestVersion: () => string | null
  fifo: UsageFifo
  observer: Observer
  injector: FaultInjector
  oauthSessions: OAuthSessions
  pluginFiles: SimPluginFiles
  panelFile: string | undefined
  clientApi: ClientApiDeps
}): RouteTableDeps {
  const {config, fifo, observer, injector} = parts
  const oauth = {sessions: parts.oauthSessions, version: parts.version}
  const plugins = {files: parts.pluginFiles, config, oauth}
  return {
    config,
    latestVersion: parts.latestVersion,
    usageQueue: {
      pop: count => {
        const items = fifo.pop(count)
        observer.popped += items.length
        return items
      },
      dropThisReply: () => injector.dropThisReply(),
    },
    oauth,
    plugins,
    public: {
      panelFile: parts.panelFile,
      controlPanelDisabled: () => config.get('remote-management.disable-control-panel') === true,
      pluginResource: path => pluginResource(plugins, path),
    },
    clientApi: parts.clientApi,
  }
}

/**
 * The route tables: every v0 handler this version registers (routes/index.ts), on a v8 gateway the same
 * handlers under their v8 paths plus the v8-only routes (routes/route-map.ts), and the public routes. Every v8 route marks its request
 * as a v8 one, so any v8 operation that saves config migrates a legacy file to the v8 layout.
 */
export function buildRouteTables(
  deps: RouteTableDeps,
  gateway: {version: string; v8Revision: V8Revision | null; config: ConfigState; injector: FaultInjector},
): RouteTables {
  const management = managementTables(deps, gateway)
  return {...management, public: compileRoutes(publicRoutes(deps))}
}

function managementTables(
  deps: RouteTableDeps,
  gateway: {version: string; v8Revision: V8Revision | null; config: ConfigState; injector: FaultInjector},
): Omit<RouteTables, 'public'> {
  const {config, injector} = gateway
  const all = managementRoutes(deps)
  const handlers = routesForVersion(all, gateway.version)
  const v0 = compileRoutes(handlers)
  if (gateway.v8Revision === null) {
    v8RouteTable(all, [], {revision: 'later'}) // the map must be complete whatever the simulated version
    return {v0, v8: null}
  }
  const revision = gateway.v8Revision
  const v8Only = configTreeRoutes(config, {revision, legacyTypes: (legacy) => validateConfig(legacy), fault: (stage) => injector.configTreeFault(stage)})
  const migrating = (route: SimRoute): SimRoute => ({
    ...route,
    handler: async (req, ctx) => {
      const before = config.writes()
      const res = await route.handler(req, ctx)
      if (res.status < 300 && config.writes() !== before && !config.isV8Layout()) {
        const doc = config.document()
        migrateDocument(doc, revision)
        config.commitDocument(doc)
      }
      return res
    },
  })
  const plugins = deps.plugins
  return {
    v0,
    v8: compileRoutes(
      v8RouteTable(handlers, v8Only, {
        revision,
        wrap: migrating,
        // plugin routes are served only below /v0, except plugin OAuth providers, which log in through
        // /v8/management/oauth/auth-url?provider=<plugin> (every other query value becomes their metadata)
        otherValues: {'/oauth/auth-url': (provider, req) => pluginOAuthStart(plugins, req, provider)},
      }),
    ),
  }
}

/** Method and path of every route in the tables (`simOnly` marks public routes the real gateway lacks). */
export function listRoutes(tables: RouteTables): RouteList {
  return {
    management: tables.v0.map(r => ({method: r.method, path: r.path})),
    v8: tables.v8?.map(r => ({method: r.method, path: r.path})) ?? null,
    public: tables.public.map(r => ({method: r.method, path: r.path, simOnly: r.simOnly === true})),
  }
}
