/** Routes that read and write the config: `GET /config`, `GET/PUT /config.yaml`, the simple settings, `/latest-version`. */
import {isPlainObject, normalizeStrategy} from '../config-schema.js'
import type {ConfigState} from '../config-state.js'
import type {SimRequest, SimResponse, SimRoute} from '../types.js'
import type {SimFeature} from '../version.js'

export interface SimpleSetting {
  url: string
  path: string[]
  responseKey: string
  kind: 'bool' | 'int' | 'string'
  normalize?: (v: never) => unknown
  deletable?: boolean
  since?: SimFeature
}

/** The simple settings (config, version, general settings): GET → `{"<key>": value}`, PUT/PATCH `{"value": …}` → `{"status":"ok"}`. */
export const SIMPLE_SETTINGS: SimpleSetting[] = [
  {url: '/debug', path: ['debug'], responseKey: 'debug', kind: 'bool'},
  {url: '/logging-to-file', path: ['logging-to-file'], responseKey: 'logging-to-file', kind: 'bool'},
  {
    url: '/logs-max-total-size-mb',
    path: ['logs-max-total-size-mb'],
    responseKey: 'logs-max-total-size-mb',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 0 : v),
  },
  {
    url: '/error-logs-max-files',
    path: ['error-logs-max-files'],
    responseKey: 'error-logs-max-files',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 10 : v),
  },
  {url: '/usage-statistics-enabled', path: ['usage-statistics-enabled'], responseKey: 'usage-statistics-enabled', kind: 'bool'},
  {url: '/proxy-url', path: ['proxy-url'], responseKey: 'proxy-url', kind: 'string', deletable: true},
  {url: '/request-log', path: ['request-log'], responseKey: 'request-log', kind: 'bool'},
  {url: '/ws-auth', path: ['ws-auth'], responseKey: 'ws-auth', kind: 'bool'},
  {url: '/request-retry', path: ['request-retry'], responseKey: 'request-retry', kind: 'int'},
  {
    url: '/max-retry-credentials',
    path: ['max-retry-credentials'],
    responseKey: 'max-retry-credentials',
    kind: 'int',
    normalize: (v: number) => (v < 0 ? 0 : v),
    since: 'maxRetryCredentials',
  },
  {url: '/max-retry-interval', path: ['max-retry-interval'], responseKey: 'max-retry-interval', kind: 'int'},
  {url: '/force-model-prefix', path: ['force-model-prefix'], responseKey: 'force-model-prefix', kind: 'bool'},
  {url: '/routing/strategy', path: ['routing', 'strategy'], responseKey: 'strategy', kind: 'string'},
  {url: '/quota-exceeded/switch-project', path: ['quota-exceeded', 'switch-project'], responseKey: 'switch-project', kind: 'bool'},
  {
    url: '/quota-exceeded/switch-preview-model',
    path: ['quota-exceeded', 'switch-preview-model'],
    responseKey: 'switch-preview-model',
    kind: 'bool',
  },
]

export const ok = (body: unknown, status = 200): SimResponse => ({status, body})
export const fail = (status: number, error: string, message?: string): SimResponse => ({
  status,
  body: message === undefined ? {error} : {error, message},
})

/** Parse a `{"value": …}` body of the expected JSON type; undefined ⇒ 400 invalid body. */
export function readValue(req: SimRequest, kind: SimpleSetting['kind']): unknown {
  let body: unknown
  try {
    body = JSON.parse(req.body.toString('utf8'))
  } catch {
    return undefined
  }
  if (!isPlainObject(body) || !('value' in body)) return undefined
  const v = body.value
  if (kind === 'bool' && typeof v === 'boolean') return v
  if (kind === 'int' && typeof v === 'number' && Number.isSafeInteger(v)) return v
  if (kind === 'string' && typeof v === 'string') return v
  return undefined
}

export interface ConfigRouteOptions {
  /** What /latest-version reports (without `v`); null simulates a failed GitHub call (502). */
  latestVersion: () => string | null
}

export function configRoutes(state: ConfigState, opts: ConfigRouteOptions): SimRoute[] {
  const routes: SimRoute[] = [
    {method: 'GET', path: '/config', handler: () => ok(state.publicJson())},
    {
      method: 'GET',
      path: '/config.yaml',
      handler: () => ({
        status: 200,
        headers: {'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store'},
        body: state.text(),
      }),
    },
    {
      method: 'PUT',
      path: '/config.yaml',
      handler(req) {
        const result = state.replace(req.body.toString('utf8'))
        if (!result.ok) return fail(result.status, result.error, result.message)
        return ok({ok: true, changed: ['config']})
      },
    },
    {
      method: 'GET',
      path: '/latest-version',
      handler() {
        const latest = opts.latestVersion()
        if (latest === null) return fail(502, 'request_failed', 'simulated: GitHub release lookup failed')
        return ok({'latest-version': latest.startsWith('v') ? latest : `v${latest}`})
      },
    },
  ]
  for (const s of SIMPLE_SETTINGS) {
    routes.push({method: 'GET', path: s.url, since: s.since, handler: () => ok({[s.responseKey]: state.get(s.path)})})
    const write = (req: SimRequest): SimResponse => {
      let value = readValue(req, s.kind)
      if (value === undefined) return fail(400, 'invalid body')
      if (s.url === '/routing/strategy') {
        const canonical = normalizeStrategy(value as string)
        if (canonical === undefined) return fail(400, 'invalid strategy')
        value = canonical
      }
      if (s.normalize) value = s.normalize(value as never)
      state.set(s.path, value)
      return ok({status: 'ok'})
    }
    routes.push({method: 'PUT', path: s.url, since: s.since, handler: write}, {method: 'PATCH', path: s.url, since: s.since, handler: write})
    if (s.deletable) {
      routes.push({
        method: 'DELETE',
        path: s.url,
        handler() {
          state.set(s.path, '')
          return ok({status: 'ok'})
        },
      })
    }
  }
  return routes
}
