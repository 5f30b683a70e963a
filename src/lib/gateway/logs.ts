/**
 * Gateway logs: `/logs` with its cursor, request-error log files and request logs by id.
 * `/logs` answers 400 `logging to file disabled` while `logging-to-file` is false: that becomes a
 * ConfigError (exit 3, code `logging_disabled`) that says how to turn it on.
 */
import {ConfigError, RejectedError} from '../cli/errors.js'
import {requestFileBytes} from './auth-files.js'
import type {GatewayClient} from './client.js'

export interface LogsPage {
  lines: string[]
  lineCount: number
  /** Unix seconds of the newest line seen (server local wall clock read as local time by the gateway). */
  latestTimestamp: number
  nextCursor: string
  /** The file rotated (or was cleared) since the cursor: `lines` is a fresh tail. */
  cursorReset: boolean
}

export interface LogsQuery {
  /** Unix seconds; lines stamped later than this (the gateway compares its local-time stamps). */
  after?: number
  limit?: number
  cursor?: string
}

export function loggingDisabledError(): ConfigError {
  return new ConfigError('logging to file is off on the gateway, so there is no log to read', {
    code: 'logging_disabled',
    hint: 'turn it on with: cpactl config set logging-to-file true',
  })
}

export async function getLogs(client: GatewayClient, query: LogsQuery = {}): Promise<LogsPage> {
  const res = await client.call<Record<string, unknown>>('logsRead', {
    query: {after: query.after, limit: query.limit, cursor: query.cursor},
    passStatuses: [400],
  })
  const d = (res.data ?? {}) as Record<string, unknown>
  if (res.status === 400) {
    const error = typeof d.error === 'string' ? d.error : ''
    if (/logging to file disabled/i.test(error)) throw loggingDisabledError()
    throw new RejectedError(error || 'GET /logs answered 400', 400, {details: {status: 400, gatewayError: error}})
  }
  const lines = Array.isArray(d.lines) ? d.lines.map(String) : []
  return {
    lines,
    lineCount: typeof d['line-count'] === 'number' ? d['line-count'] : lines.length,
    latestTimestamp: typeof d['latest-timestamp'] === 'number' ? d['latest-timestamp'] : 0,
    nextCursor: typeof d['next-cursor'] === 'string' ? d['next-cursor'] : '',
    cursorReset: d['cursor-reset'] === true,
  }
}

export interface ErrorLogFile {
  name: string
  size: number
  /** Unix seconds. */
  modified: number
}

/** GET /request-error-logs: newest first; always empty while `request-log` is true. */
export async function listErrorLogs(client: GatewayClient): Promise<ErrorLogFile[]> {
  const res = await client.call<{files?: unknown}>('errorLogsList')
  const files = Array.isArray(res.data?.files) ? res.data.files : []
  return files
    .filter((f): f is Record<string, unknown> => Boolean(f) && typeof f === 'object')
    .map((f) => ({name: String(f.name ?? ''), size: Number(f.size ?? 0), modified: Number(f.modified ?? 0)}))
}

/** GET /request-error-logs/:name (only `error-*.log` names). */
export async function downloadErrorLog(client: GatewayClient, name: string): Promise<Buffer> {
  return (await requestFileBytes(client, 'errorLogDownload', {params: {name}})).content
}

/** GET /request-log-by-id/:id: the first log file named `*-<id>.log`. */
export async function getRequestLog(client: GatewayClient, id: string): Promise<{name: string | null; content: Buffer}> {
  const res = await requestFileBytes(client, 'requestLogById', {params: {id}})
  const disposition = res.headers['content-disposition'] ?? ''
  const m = /filename="?([^";]+)"?/.exec(disposition)
  return {name: m ? m[1] : null, content: res.content}
}
