/**
 * The only module that writes to stdout (stdout carries only the result). Everything a script must not parse —
 * warnings, progress, hints — goes to stderr through `writeErr`/`warn`, in every mode.
 */
import {createRequire} from 'node:module'
import {stripVTControlCharacters} from 'node:util'

import {Chalk} from 'chalk'

export interface Streams {
  out: NodeJS.WritableStream & {isTTY?: boolean; columns?: number}
  err: NodeJS.WritableStream & {isTTY?: boolean; columns?: number}
}

const streams: Streams = {out: process.stdout, err: process.stderr}

export function writeOut(text: string): void {
  streams.out.write(text.endsWith('\n') ? text : text + '\n')
}

/** Bytes exactly as given (downloads to stdout): no newline added. */
export function writeRaw(data: string | Buffer): void {
  streams.out.write(data)
}

/** Columns of the terminal on stdout (formatters take their width from here), default 100 when not a TTY. */
export function terminalWidth(fallback = 100): number {
  return streams.out.isTTY && streams.out.columns ? streams.out.columns : fallback
}

export function writeErr(text: string): void {
  clearProgressLine()
  streams.err.write(text.endsWith('\n') ? text : text + '\n')
}

/** A warning on stderr; shown under --json as well (oclif's this.warn is muted there). */
export function warn(message: string): void {
  writeErr(`${paint('Warning:', 'warning', 'err')} ${message}`)
}

export function stdoutIsTTY(): boolean {
  return Boolean(streams.out.isTTY)
}

export function stderrIsTTY(): boolean {
  return Boolean(streams.err.isTTY)
}

export function stdinIsTTY(): boolean {
  return Boolean(process.stdin.isTTY)
}

/** Ask one question on the terminal (the question on stderr, the answer from stdin); callers check TTYs first. */
export async function askOnTerminal(question: string): Promise<string> {
  const {createInterface} = await import('node:readline/promises')
  clearProgressLine()
  const rl = createInterface({input: process.stdin, output: streams.err})
  try {
    return await rl.question(question)
  } finally {
    rl.close()
  }
}

/** Colour only on a TTY, never with NO_COLOR / TERM=dumb / CLICOLOR=0; FORCE_COLOR forces it on. */
export function colorEnabled(stream: 'out' | 'err' = 'out', env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true
  if (env.CLICOLOR_FORCE && env.CLICOLOR_FORCE !== '0') return true
  if (env.NO_COLOR) return false
  if (env.TERM === 'dumb') return false
  if (env.CLICOLOR === '0') return false
  return stream === 'out' ? stdoutIsTTY() : stderrIsTTY()
}

export type Tone = 'error' | 'warning' | 'ok' | 'muted'

const painters = {on: new Chalk({level: 1}), off: new Chalk({level: 0})}

/**
 * Colour text for a stream (chalk), only when colorEnabled() says so for that stream; otherwise the text comes
 * back unchanged. JSON is never painted (oclif prints the result itself) and TSV/CSV tables strip colour.
 */
export function paint(text: string, tone: Tone | null, stream: 'out' | 'err' = 'out', env: NodeJS.ProcessEnv = process.env): string {
  if (tone === null || text === '' || !colorEnabled(stream, env)) return text
  const c = painters.on
  if (tone === 'error') return c.red.bold(text)
  if (tone === 'warning') return c.yellow(text)
  if (tone === 'ok') return c.green(text)
  return c.dim(text)
}

/** The tone of a severity or check status: fail/error red, warn/warning yellow, pass/ok green, skip/info dim. */
export function severityTone(severity: string): Tone | null {
  switch (severity.toLowerCase()) {
    case 'fail':
    case 'failed':
    case 'error':
    case 'critical':
      return 'error'
    case 'warn':
    case 'warning':
      return 'warning'
    case 'pass':
    case 'ok':
      return 'ok'
    case 'skip':
    case 'info':
      return 'muted'
    default:
      return null
  }
}

/** The tone of a failure rate (0..1): at least 10% red, at least 1% yellow, below that no colour. */
export function failureRateTone(rate: number | null | undefined): Tone | null {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return null
  return rate >= 0.1 ? 'error' : rate >= 0.01 ? 'warning' : null
}

/** Progress output is allowed only on an interactive stderr outside CI. */
export function progressEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return stderrIsTTY() && !env.CI && env.TERM !== 'dumb'
}

export interface Progress {
  /** Redraw the progress line (at most every `intervalMs`; the first and a forced update always draw). */
  update(text: string, force?: boolean): void
  /** Erase the line; call once when the work ends (also on failure). */
  done(): void
}

/** Whether a progress line is on screen (stderr lines written meanwhile erase it first; the next update redraws). */
let progressShown = false

function clearProgressLine(): void {
  if (!progressShown) return
  streams.err.write('\r\u001B[2K')
  progressShown = false
}

/**
 * The one progress renderer: a single line on stderr, redrawn in place, shown only where progressEnabled()
 * allows (an interactive stderr, CI unset, TERM not dumb) and never under --json (`enabled: false`);
 * everywhere else it is silent. Never part of the result: stdout is untouched.
 */
export function startProgress(options: {enabled?: boolean; env?: NodeJS.ProcessEnv; intervalMs?: number; now?: () => number} = {}): Progress {
  const on = (options.enabled ?? true) && progressEnabled(options.env)
  const interval = options.intervalMs ?? 100
  const now = options.now ?? Date.now
  let last = -Infinity
  let drawn = false
  return {
    update(text, force = false) {
      if (!on) return
      const t = now()
      if (drawn && !force && t - last < interval) return
      last = t
      drawn = true
      const width = streams.err.columns ? streams.err.columns - 1 : text.length
      streams.err.write(`\r\u001B[2K${text.length > width ? text.slice(0, width) : text}`)
      progressShown = true
    },
    done() {
      if (on) clearProgressLine()
    },
  }
}

export interface Column<Row> {
  key: string
  header: string
  /** Cell text; default String(row[key]) with null/undefined as ''. */
  get?: (row: Row) => unknown
  align?: 'left' | 'right'
}

export interface TableOptions {
  csv?: boolean
  noHeader?: boolean
  /** Force a mode (tests): 'tty' table, 'tsv' piped rows, 'csv'. */
  mode?: 'tty' | 'tsv' | 'csv'
}

function cellText<Row>(col: Column<Row>, row: Row): string {
  const v = col.get ? col.get(row) : (row as Record<string, unknown>)[col.key]
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return v.toISOString()
  return String(v)
}

export function csvEscape(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

/** Render rows as text without writing it (used by renderTable and by tests). */
export function formatTable<Row>(columns: Column<Row>[], rows: Row[], options: TableOptions = {}): string {
  const mode = options.mode ?? (options.csv ? 'csv' : stdoutIsTTY() ? 'tty' : 'tsv')
  const header = columns.map((c) => c.header)
  // cells may be painted for the terminal; machine-readable modes never carry colour
  const body = rows.map((r) => columns.map((c) => (mode === 'tty' ? cellText(c, r) : stripVTControlCharacters(cellText(c, r)))))
  if (mode === 'csv') {
    const lines = (options.noHeader ? [] : [header]).concat(body).map((cells) => cells.map(csvEscape).join(','))
    return lines.join('\r\n') + (lines.length > 0 ? '\r\n' : '')
  }
  if (mode === 'tsv') {
    const clean = (s: string) => s.replaceAll(/[\t\r\n]/g, ' ')
    const lines = (options.noHeader ? [] : [header]).concat(body).map((cells) => cells.map(clean).join('\t'))
    return lines.join('\n') + (lines.length > 0 ? '\n' : '')
  }
  const require = createRequire(import.meta.url)
  const Table = require('cli-table3') as typeof import('cli-table3')
  const table = new Table({
    head: options.noHeader ? [] : header,
    style: {head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2},
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
      'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
    },
    colAligns: columns.map((c) => c.align ?? 'left'),
  })
  for (const cells of body) table.push(cells)
  return table.toString().split('\n').map((l) => l.trimEnd()).join('\n') + '\n'
}

export function renderTable<Row>(columns: Column<Row>[], rows: Row[], options: TableOptions = {}): void {
  if (rows.length === 0 && !options.csv && (options.mode ?? (stdoutIsTTY() ? 'tty' : 'tsv')) === 'tty') {
    writeErr('No results.')
    return
  }
  streams.out.write(formatTable(columns, rows, options))
}

/** Key/value block for single resources in human mode. */
export function renderKeyValues(pairs: Array<[string, unknown]>): void {
  const width = Math.max(0, ...pairs.map(([k]) => k.length))
  const lines = pairs.map(([k, v]) => `${k.padEnd(width)}  ${v === null || v === undefined ? '-' : String(v)}`)
  writeOut(lines.join('\n'))
}

export function formatUsd(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-'
  return `$${value.toFixed(digits)}`
}

export function formatInt(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-'
  return Math.round(value).toLocaleString('en-US')
}

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '-'
  return `${(value * 100).toFixed(digits)}%`
}

/** Replace the streams (tests only). Returns a restore function. */
export function setStreamsForTesting(next: Partial<Streams>): () => void {
  const prev = {...streams}
  Object.assign(streams, next)
  return () => Object.assign(streams, prev)
}
