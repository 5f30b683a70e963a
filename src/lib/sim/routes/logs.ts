/**
 * Logs: `/logs` GET (after / limit / cursor, `cursor-reset`) and DELETE, both 400
 * `logging to file disabled` unless `logging-to-file` is true; `/request-error-logs` (empty while
 * `request-log` is true), `/request-error-logs/:name`, `/request-log-by-id/:id`.
 * Storage: the registry's simulated log directory (src/lib/sim/log-files.ts).
 */
import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, lastSegment, ok, registryOf} from './http.js'

const loggingToFile = (sim: SimContext) => sim.config()['logging-to-file'] === true

function getLogs(req: SimRequest, sim: SimContext): SimResponse {
  if (!loggingToFile(sim)) return fail(400, 'logging to file disabled')
  const limitRaw = (req.query.get('limit') ?? '').trim()
  let limit = 0
  if (limitRaw !== '') {
    if (!/^[+-]?\d+$/.test(limitRaw)) return fail(400, 'invalid limit: must be a positive integer')
    limit = Number(limitRaw)
    if (limit <= 0) return fail(400, 'invalid limit: must be greater than zero')
  }
  const afterRaw = (req.query.get('after') ?? '').trim()
  const after = /^\d+$/.test(afterRaw) ? Number(afterRaw) : undefined
  const cursor = (req.query.get('cursor') ?? '').trim()
  return ok(registryOf(sim).logs.read({after, limit, cursor: cursor === '' ? undefined : cursor}))
}

function deleteLogs(_req: SimRequest, sim: SimContext): SimResponse {
  if (!loggingToFile(sim)) return fail(400, 'logging to file disabled')
  const removed = registryOf(sim).logs.clear()
  return ok({success: true, message: 'Logs cleared successfully', removed})
}

function requestErrorLogs(_req: SimRequest, sim: SimContext): SimResponse {
  if (sim.config()['request-log'] === true) return ok({files: []})
  const files = registryOf(sim)
    .logs.errorLogs()
    .map((f) => ({name: f.name, size: Buffer.byteLength(f.content), modified: Math.floor(f.modified / 1000)}))
  return ok({files})
}

function download(name: string, content: string): SimResponse {
  return {
    status: 200,
    headers: {'content-type': 'text/plain; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`},
    body: Buffer.from(content),
  }
}

function requestErrorLog(req: SimRequest, sim: SimContext): SimResponse {
  const name = lastSegment(req).trim()
  if (name === '' || name.includes('/') || name.includes('\\')) return fail(400, 'invalid log file name')
  if (!name.startsWith('error-') || !name.endsWith('.log')) return fail(404, 'log file not found')
  const file = registryOf(sim).logs.errorLog(name)
  if (!file) return fail(404, 'log file not found')
  return download(file.name, file.content)
}

/**
 * Only the path form is registered (`/request-log-by-id/:id`; v8 `/observability/logs/requests/:id`): the
 * handler's `?id=` fallback is unreachable, so `/request-log-by-id?id=x` is an unknown route (corrected 2026-12).
 * A file matches when its name ends in `-<id>.log`; v8 log names use the last 8 characters of a UUIDv7 request
 * id, so the full id works too.
 */
function requestLogById(req: SimRequest, sim: SimContext): SimResponse {
  const id = lastSegment(req).trim()
  if (id === '') return fail(400, 'missing request ID')
  if (id.includes('/') || id.includes('\\')) return fail(400, 'invalid request ID')
  const file = registryOf(sim).logs.requestLogById(id)
  if (!file) return fail(404, 'log file not found for the given request ID')
  return download(file.name, file.content)
}

export const logRoutes: SimRoute[] = [
  {method: 'GET', path: '/logs', handler: getLogs},
  {method: 'DELETE', path: '/logs', handler: deleteLogs},
  {method: 'GET', path: '/request-error-logs', handler: requestErrorLogs},
  {method: 'GET', path: '/request-error-logs/:name', handler: requestErrorLog},
  {method: 'GET', path: '/request-log-by-id/:id', handler: requestLogById},
]
