/**
 * Simulated log directory of the gateway (/logs, /request-error-logs, /request-log-by-id): `main.log` with
 * rotated siblings, the `error-*.log` request-error files and the per-request `*-<request_id>.log` files.
 *
 * Held in memory (the simulator never needs them on disk). The registry owns one store
 * (`registry.logs`); the core wires `sim.log(line)` to `registry.appendLog(line)`.
 *
 * Read semantics (as the gateway's handler): files are read oldest first (rotated files, then
 * main.log). Without a cursor, `limit` alone gives a tail and `line-count` counts every line of every
 * file; with `after`, lines whose timestamp is not later are skipped (untimestamped lines follow the
 * previous line) and `latest-timestamp` is at least `after`. `next-cursor` is opaque (base64url JSON:
 * generation + line offset + latest timestamp); with a cursor, up to `limit` lines after it are returned.
 * A cursor into a main.log that was rotated or truncated (DELETE /logs) since gives a fresh tail with
 * `cursor-reset: true` — the simulator always resets after a rotation, as the contract describes.
 */
import {fromWallClock, stamp} from './local-time.js'

export interface LogReadOptions {
  /** Unix seconds: only lines whose `[YYYY-MM-DD HH:MM:SS` timestamp is strictly later. */
  after?: number
  /** > 0: at most this many lines (the newest ones). */
  limit?: number
  cursor?: string
}

export interface LogReadResult {
  lines: string[]
  'line-count': number
  'latest-timestamp': number
  'next-cursor': string
  'cursor-reset'?: true
}

export interface RequestLogFile {
  name: string
  content: string
  /** ms since epoch */
  modified: number
}

export interface SimLogStore {
  /** Append a line to main.log. Lines without a `[YYYY-MM-DD HH:MM:SS` prefix get `[<local time>] [info] `. */
  append(line: string, at?: number): void
  /** Move main.log to a rotated file and start a new generation. */
  rotate(): void
  /** DELETE /logs: remove rotated files, truncate main.log; returns the number of removed files. */
  clear(): number
  read(opts: LogReadOptions): LogReadResult
  /** All main.log lines of the current generation. */
  lines(): string[]
  rotatedCount(): number
  /** Record a request log file. `error` files are listed by /request-error-logs. */
  addRequestLog(requestId: string, content: string, opts?: {error?: boolean; at?: number}): RequestLogFile
  errorLogs(): RequestLogFile[]
  errorLog(name: string): RequestLogFile | undefined
  requestLogById(id: string): RequestLogFile | undefined
}

/** `YYYY-MM-DD HH:MM:SS` in server local time (the process zone unless an offset is given). */
export function localStamp(ms: number, tzOffsetMinutes?: number): string {
  return stamp(ms, tzOffsetMinutes)
}

/** File-name stamp `YYYY-MM-DDTHHMMSS` in server local time. */
function fileStamp(ms: number, tzOffsetMinutes?: number): string {
  return stamp(ms, tzOffsetMinutes).replace(' ', 'T').replaceAll(':', '')
}

const STAMP_RE = /^\[?(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/

/** Unix seconds of a line's leading server-local timestamp, or undefined. */
export function lineTimestamp(line: string, tzOffsetMinutes?: number): number | undefined {
  const m = STAMP_RE.exec(line)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m
  const ms = fromWallClock({year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s)}, tzOffsetMinutes)
  return Math.floor(ms / 1000)
}

interface Cursor {
  v: 1
  file: string
  gen: number
  /** line offset into the file */
  offset: number
  latest: number
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function decodeCursor(raw: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(raw.trim(), 'base64url').toString('utf8')) as Partial<Cursor>
    if (c.v !== 1 || typeof c.gen !== 'number' || typeof c.offset !== 'number' || c.offset < 0) return undefined
    return {v: 1, file: String(c.file ?? 'main.log'), gen: c.gen, offset: c.offset, latest: typeof c.latest === 'number' ? c.latest : 0}
  } catch {
    return undefined
  }
}

export function createLogStore(opts: {now: () => number; enabled?: () => boolean; tzOffsetMinutes?: number}): SimLogStore {
  const tz = opts.tzOffsetMinutes
  let generation = 1
  let main: string[] = []
  /** oldest first */
  let rotated: Array<{name: string; lines: string[]}> = []
  const requestLogs: RequestLogFile[] = []

  const allFiles = () => [...rotated.map((r) => r.lines), main]
  const maxTs = (lines: string[], start = 0) => {
    let latest = start
    for (const l of lines) {
      const ts = lineTimestamp(l, tz)
      if (ts !== undefined && ts > latest) latest = ts
    }
    return latest
  }
  const endCursor = (latest: number) => encodeCursor({v: 1, file: 'main.log', gen: generation, offset: main.length, latest})

  /** Newest `limit` lines across all files (all lines when limit is 0). */
  const tail = (limit: number) => {
    const lines = allFiles().flat()
    return limit > 0 && lines.length > limit ? lines.slice(lines.length - limit) : lines
  }

  const store: SimLogStore = {
    append(line, at = opts.now()) {
      if (opts.enabled && !opts.enabled()) return
      for (const one of line.split('\n')) {
        if (one === '') continue
        main.push(STAMP_RE.test(one) ? one : `[${localStamp(at, tz)}] [info] ${one}`)
      }
    },
    rotate() {
      // rotated names follow the gateway's timestamp pattern main-YYYY-MM-DDTHH-MM-SS.log
      rotated.push({name: `main-${localStamp(opts.now(), tz).replace(' ', 'T').replaceAll(':', '-')}.log`, lines: main})
      main = []
      generation++
    },
    clear() {
      const removed = rotated.length
      rotated = []
      main = []
      generation++
      return removed
    },
    read({after, limit = 0, cursor}) {
      const cutoff = after !== undefined && after > 0 ? after : 0
      if (cursor !== undefined && cursor.trim() !== '') {
        const c = decodeCursor(cursor)
        if (c && c.gen === generation && c.offset <= main.length) {
          const lines = limit > 0 ? main.slice(c.offset, c.offset + limit) : main.slice(c.offset)
          if (lines.length === 0) return {lines: [], 'line-count': 0, 'latest-timestamp': c.latest, 'next-cursor': cursor}
          const latest = maxTs(lines, c.latest)
          return {
            lines,
            'line-count': lines.length,
            'latest-timestamp': latest,
            'next-cursor': encodeCursor({v: 1, file: 'main.log', gen: generation, offset: c.offset + lines.length, latest}),
          }
        }
        // the file rotated (or was truncated) since the cursor: a fresh tail, flagged `cursor-reset: true`
        const lines = tail(limit)
        const latest = maxTs(lines, c?.latest ?? 0)
        return {lines, 'line-count': lines.length, 'latest-timestamp': latest, 'next-cursor': endCursor(latest), 'cursor-reset': true}
      }
      if (cutoff === 0 && limit > 0) {
        const lines = tail(limit)
        const latest = maxTs(lines)
        return {lines, 'line-count': allFiles().flat().length, 'latest-timestamp': latest, 'next-cursor': endCursor(latest)}
      }
      // full scan: every line counts toward line-count; lines without a timestamp follow the previous one
      const all = allFiles().flat()
      let include = false
      let lines: string[] = []
      for (const l of all) {
        const ts = lineTimestamp(l, tz)
        if (ts !== undefined) include = cutoff === 0 || ts > cutoff
        if (cutoff === 0 || include) lines.push(l)
      }
      if (limit > 0 && lines.length > limit) lines = lines.slice(lines.length - limit)
      let latest = maxTs(all)
      if (latest === 0 || latest < cutoff) latest = cutoff
      return {lines, 'line-count': all.length, 'latest-timestamp': latest, 'next-cursor': endCursor(latest)}
    },
    lines: () => [...main],
    rotatedCount: () => rotated.length,
    addRequestLog(requestId, content, {error = false, at = opts.now()} = {}) {
      const file: RequestLogFile = {
        // v8 request ids are UUIDv7: file names carry their last 8 characters; v7 ids are 8 hex
        name: `${error ? 'error' : 'v1-responses'}-${fileStamp(at, tz)}-${requestId.slice(-8)}.log`,
        content,
        modified: at,
      }
      requestLogs.push(file)
      return file
    },
    errorLogs: () =>
      requestLogs.filter((f) => f.name.startsWith('error-')).sort((a, b) => b.modified - a.modified),
    errorLog: (name) => requestLogs.find((f) => f.name === name && f.name.startsWith('error-')),
    requestLogById: (id) => requestLogs.find((f) => f.name.endsWith(`-${id.slice(-8)}.log`)),
  }
  return store
}
