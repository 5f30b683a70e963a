/**
 * Routes outside `/v0/management` that need no management key: `/healthz`, `/`,
 * `/management.html` and the plugin resources. The provider callback pages live in oauth-flows.ts, the
 * client API in client-api.ts.
 *
 * `/management.html`: the gateway downloads the official management panel from GitHub on first request
 * and answers 404 when it cannot. The simulator downloads nothing: it serves the file given as
 * `panelFile` (`cpactl sim start --panel-file management.html`, one origin for panel and API), else 404
 * like an offline gateway; `remote-management.disable-control-panel: true` ⇒ 404 either way.
 */
import {readFileSync} from 'node:fs'

import type {SimRequest, SimResponse, SimRoute} from '../types.js'
import {ok} from './http.js'

export interface PublicRouteDeps {
  /** Path of a management panel page to serve at /management.html. */
  panelFile?: string
  controlPanelDisabled(): boolean
  /** A plugin resource below /v0/resource/plugins/, or undefined (⇒ 404). */
  pluginResource(path: string): SimResponse | undefined
}

const ROOT = {
  message: 'CLI Proxy API Server',
  endpoints: ['POST /v1/chat/completions', 'POST /v1/completions', 'GET /v1/models'],
}

function managementPage(deps: PublicRouteDeps): SimResponse {
  if (deps.controlPanelDisabled() || !deps.panelFile) return {status: 404}
  let page: Buffer
  try {
    page = readFileSync(deps.panelFile)
  } catch {
    return {status: 404}
  }
  return {status: 200, headers: {'content-type': 'text/html; charset=utf-8'}, body: page}
}

export function publicRoutes(deps: PublicRouteDeps): SimRoute[] {
  const health = () => ok({status: 'ok'})
  return [
    {method: 'GET', path: '/healthz', handler: health},
    {method: 'HEAD', path: '/healthz', handler: health},
    {method: 'GET', path: '/', handler: () => ok(ROOT)},
    {method: 'GET', path: '/management.html', handler: () => managementPage(deps)},
    {method: '*', path: '/v0/resource/plugins/*', handler: (req: SimRequest) => deps.pluginResource(req.path) ?? {status: 404}},
  ]
}
