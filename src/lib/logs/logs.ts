/**
 * `cpactl logs …`: tail with the gateway's cursor (a rotation or a clear answers
 * `cursor-reset` with a fresh tail, which is de-duplicated against what was already printed), follow mode,
 * request-error log files and request logs by id. Log lines carry the gateway's local wall-clock time.
 */
import {RejectedError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {getSetting} from '../gateway/config.js'
import {downloadErrorLog, getLogs, getRequestLog, listErrorLogs} from '../gateway/logs.js'
import {writeSecretFile} from '../files/secret-file.js'
import {makeWarning, reportWarning} from '../cli/warnings.js'

export interface LogTailResult {
  lines: string[]
  /** Lines in the gateway's log files (all files) when tailing without a cursor. */
  lineCount: number
  /** Pass to --cursor to continue after these lines. */
  nextCursor: string
  /** The log rotated or was cleared since the given cursor: `lines` is a fresh tail. */
  cursorReset: boolean
  /** Newest line time as the gateway reports it (ISO UTC), null when no line had a timestamp. */
  latestTime: string | null
}

const toIso = (unix: number) => (unix > 0 ? new Date(unix * 1000).toISOString() : null)

export async function tailLogs(client: GatewayClient, options: {lines?: number; cursor?: string} = {}): Promise<LogTailResult> {
  const page = await getLogs(client, {limit: options.lines ?? 50, cursor: options.cursor})
  return {lines: page.lines, lineCount: page.lineCount, nextCursor: page.nextCursor, cursorReset: page.cursorReset, latestTime: toIso(page.latestTimestamp)}
}

/**
 * The lines of `batch` not printed yet: `batch` may start with lines already shown (a fresh tail after a
 * rotation keeps the rotated file's lines). Finds the last printed line in `batch`, confirmed by the lines
 * before it, and returns what follows; everything when it is not there (the log was cleared).
 */
export function dropOverlap(printed: readonly string[], batch: readonly string[]): string[] {
  if (printed.length === 0 || batch.length === 0) return [...batch]
  const last = printed[printed.length - 1]
  for (let p = batch.length - 1; p >= 0; p--) {
    if (batch[p] !== last) continue
    const depth = Math.min(p, printed.length - 1, 20)
    let same = true
    for (let k = 1; k <= depth && same; k++) same = batch[p - k] === printed[printed.length - 1 - k]
    if (same) return batch.slice(p + 1)
  }
  return [...batch]
}

export interface FollowOptions {
  /** Lines of the initial tail. */
  lines?: number
  cursor?: string
  intervalMs?: number
  /** Stop after this long (otherwise until the signal aborts). */
  stopAfterMs?: number
  signal?: AbortSignal
  onLines(lines: string[]): void
  /** Called when the gateway reports a rotation/clear. */
  onReset?(): void
}

export interface FollowSummary {
  printed: number
  polls: number
  resets: number
  nextCursor: string
}

const PAGE = 1000

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, {once: true})
  })
}

/** Print the tail, then poll with the cursor until stopped. */
export async function followLogs(client: GatewayClient, options: FollowOptions): Promise<FollowSummary> {
  const started = Date.now()
  const interval = options.intervalMs ?? 1000
  const recent: string[] = []
  const summary: FollowSummary = {printed: 0, polls: 0, resets: 0, nextCursor: ''}
  const emit = (lines: string[]) => {
    if (lines.length === 0) return
    options.onLines(lines)
    summary.printed += lines.length
    recent.push(...lines)
    if (recent.length > 200) recent.splice(0, recent.length - 200)
  }
  const first = await getLogs(client, {limit: options.lines ?? 50, cursor: options.cursor})
  summary.polls++
  emit(first.lines)
  let cursor = first.nextCursor
  const stopped = () => Boolean(options.signal?.aborted) || (options.stopAfterMs !== undefined && Date.now() - started >= options.stopAfterMs)
  while (!stopped()) {
    const left = options.stopAfterMs === undefined ? interval : Math.min(interval, Math.max(0, options.stopAfterMs - (Date.now() - started)))
    await sleep(left, options.signal)
    if (options.signal?.aborted) break
    // drain: several pages when a burst arrived
    for (;;) {
      const page = await getLogs(client, {cursor, limit: PAGE})
      summary.polls++
      if (page.cursorReset) {
        summary.resets++
        options.onReset?.()
        emit(dropOverlap(recent, page.lines))
      } else emit(page.lines)
      if (page.nextCursor) cursor = page.nextCursor
      if (page.cursorReset || page.lines.length < PAGE) break
    }
  }
  summary.nextCursor = cursor
  return summary
}

export interface ErrorLogRow {
  name: string
  size: number
  /** ISO UTC. */
  modified: string
}

/**
 * The request-error logs (a list). While `request-log` is on the gateway keeps every request's log and lists no
 * error logs: a `request_log_on` warning (stderr) says so.
 */
export async function listErrorLogFiles(client: GatewayClient): Promise<ErrorLogRow[]> {
  const files = (await listErrorLogs(client)).map((f) => ({name: f.name, size: f.size, modified: new Date(f.modified * 1000).toISOString()}))
  let requestLog: boolean | null = null
  try {
    requestLog = (await getSetting(client, 'request-log')) === true
  } catch (error) {
    if (!(error instanceof RejectedError)) throw error
  }
  if (requestLog) reportWarning(makeWarning('request_log_on', 'request-log is on: the gateway logs every request and lists no error logs here; read one with cpactl logs request ID'))
  return files
}

export interface LogFileResult {
  name: string | null
  bytes: number
  /** File written, or '-' when the content went to standard output. */
  path: string
}

export interface LogOutputOptions {
  /** A file (written 0600) or '-' / undefined for standard output. */
  output?: string
  force?: boolean
  toStdout?: (data: Buffer) => void
}

function deliver(name: string | null, data: Buffer, options: LogOutputOptions): LogFileResult {
  if (options.output === undefined || options.output === '-') {
    if (!options.toStdout) throw new UsageError('with --json the log content is not printed; pass -o FILE to save it', {code: 'json_needs_file'})
    options.toStdout(data)
    return {name, bytes: data.length, path: '-'}
  }
  writeSecretFile(options.output, data, {force: options.force})
  return {name, bytes: data.length, path: options.output}
}

export async function fetchErrorLog(client: GatewayClient, name: string, options: LogOutputOptions = {}): Promise<LogFileResult> {
  if (!/^error-[^/\\]+\.log$/.test(name)) throw new UsageError(`'${name}' is not a request-error log name (error-….log); see cpactl logs errors`, {code: 'invalid_name'})
  return deliver(name, await downloadErrorLog(client, name), options)
}

export async function fetchRequestLog(client: GatewayClient, id: string, options: LogOutputOptions = {}): Promise<LogFileResult> {
  const t = id.trim()
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(t)) throw new UsageError(`'${id}' is not a request id (the request_id of a usage record: 8 hex on v7, a UUIDv7 on v8)`, {code: 'invalid_id'})
  try {
    const log = await getRequestLog(client, t)
    return deliver(log.name, log.content, options)
  } catch (error) {
    if (error instanceof RejectedError && error.status === 404) {
      throw new RejectedError(`no request log for id ${t} (${error.message})`, 404, {
        code: 'not_found',
        hint: 'the gateway writes a log for every request only while request-log is true (cpactl config set request-log true); otherwise only failed requests have one (cpactl logs errors)',
      })
    }
    throw error
  }
}
