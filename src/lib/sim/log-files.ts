/**
 * Simulated log directory of the gateway (cpa-gateway.md §3.8): `main.log` with rotated siblings, the
 * `error-*.log` request-error files and the per-request `*-<request_id>.log` files.
 *
 * Held in memory (the simulator never needs them on disk). The registry owns one store
 * (`registry.logs`); the core wires `sim.log(line)` to `registry.appendLog(line)`.
 *
 * Cursor semantics (§3.8): `next-cursor` is opaque (`<generation>.<line offset>`); a cursor from an older
 * generation of main.log (rotation or DELETE /logs truncation happened since) yields a fresh tail with
 * `cursor-reset: true`.
 */

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

const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** `YYYY-MM-DD HH:MM:SS` in server local time. */
export function localStamp(ms: number): string {
  const d = new Date(ms)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** File-name stamp `YYYY-MM-DDTHHMMSS` in server local time. */
function fileStamp(ms: number): string {
  return localStamp(ms).replace(' ', 'T').replaceAll(':', '')
}

const STAMP_RE = /^\[(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/

/** Unix seconds of a line's leading local timestamp, or undefined. */
export function lineTimestamp(line: string): number | undefined {
  const m = STAMP_RE.exec(line)
  if (!m) return undefined
  const [, y, mo, d, h, mi, s] = m
  return Math.floor(new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime() / 1000)
}

export function createLogStore(opts: {now: () => number; enabled?: () => boolean}): SimLogStore {
  let generation = 1
  let main: string[] = []
  let rotated: Array<{name: string; lines: string[]}> = []
  const requestLogs: RequestLogFile[] = []

  const cursorOf = () => `${generation}.${main.length}`

  const latest = (lines: string[]) => {
    for (let i = lines.length - 1; i >= 0; i--) {
      const ts = lineTimestamp(lines[i]!)
      if (ts !== undefined) return ts
    }
    return 0
  }

  const store: SimLogStore = {
    append(line, at = opts.now()) {
      if (opts.enabled && !opts.enabled()) return
      for (const one of line.split('\n')) {
        if (one === '') continue
        main.push(STAMP_RE.test(one) ? one : `[${localStamp(at)}] [info] ${one}`)
      }
    },
    rotate() {
      rotated.push({name: `main-${fileStamp(opts.now())}-${generation}.log`, lines: main})
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
    read({after, limit, cursor}) {
      let lines: string[]
      let reset = false
      if (cursor !== undefined && cursor !== '') {
        const m = /^(\d+)\.(\d+)$/.exec(cursor)
        const gen = m ? Number(m[1]) : -1
        const offset = m ? Number(m[2]) : -1
        if (gen === generation && offset <= main.length) {
          lines = main.slice(offset)
        } else {
          reset = true
          lines = main
        }
      } else {
        lines = main
      }
      if (after !== undefined) {
        lines = lines.filter((l) => {
          const ts = lineTimestamp(l)
          return ts !== undefined && ts > after
        })
      }
      if (limit !== undefined && limit > 0 && lines.length > limit) lines = lines.slice(lines.length - limit)
      const out: LogReadResult = {
        lines: [...lines],
        'line-count': lines.length,
        'latest-timestamp': latest(lines),
        'next-cursor': cursorOf(),
      }
      if (reset) out['cursor-reset'] = true
      return out
    },
    lines: () => [...main],
    rotatedCount: () => rotated.length,
    addRequestLog(requestId, content, {error = false, at = opts.now()} = {}) {
      const file: RequestLogFile = {
        name: `${error ? 'error' : 'v1-request'}-${fileStamp(at)}-${requestId}.log`,
        content,
        modified: at,
      }
      requestLogs.push(file)
      return file
    },
    errorLogs: () =>
      requestLogs.filter((f) => f.name.startsWith('error-')).sort((a, b) => b.modified - a.modified || (a.name < b.name ? 1 : -1)),
    errorLog: (name) => requestLogs.find((f) => f.name === name && f.name.startsWith('error-')),
    requestLogById: (id) => requestLogs.find((f) => f.name.endsWith(`-${id}.log`)),
  }
  return store
}
