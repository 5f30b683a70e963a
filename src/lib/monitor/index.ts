/**
 * Monitoring from the shell (issue 15): `cpactl metrics` (exposition of the store, printed, written for the
 * textfile collector or served) and `cpactl check …` (one-line verdicts with notifications on change).
 * Commands call exactly one entry point here.
 */
import {UsageError} from '../cli/errors.js'
import type {Warning} from '../cli/warnings.js'
import type {ExpositionFormat} from './exposition.js'
import {metricsExposition, writeFileAtomic} from './metrics.js'
import {parseListen, serveMetrics, type ServeResult} from './server.js'

export interface MetricsRunOptions {
  storePath: string
  format: ExpositionFormat
  maxSeries: number
  output: string | null
  /** Octal text, e.g. '0644'. */
  fileMode: string
  listen: string | null
  listenPublic: boolean
  signal: AbortSignal
  onListening?: (url: string) => void
  onScrapeError?: (message: string) => void
  now?: () => number
}

export interface MetricsResult {
  format: ExpositionFormat
  contentType: string
  /** Samples in the (last) exposition; with --listen, 0. */
  series: number
  foldedModels: string[]
  /** The file written (--output), else null. */
  output: string | null
  /** --listen: where it served and how many scrapes it answered, else null. */
  listen: ServeResult | null
  warnings: Warning[]
  /** The exposition when printed to stdout, else null. */
  text: string | null
}

function fileMode(text: string): number {
  if (!/^0?[0-7]{3}$/.test(text.trim())) throw new UsageError(`invalid --file-mode '${text}': use an octal mode such as 0644 or 0640`, {code: 'invalid_mode'})
  return Number.parseInt(text.trim(), 8)
}

export async function runMetrics(o: MetricsRunOptions): Promise<MetricsResult> {
  const base = {storePath: o.storePath, maxSeries: o.maxSeries, now: o.now}
  if (o.listen !== null) {
    const listen = await serveMetrics({
      address: parseListen(o.listen),
      allowPublic: o.listenPublic,
      defaultFormat: o.format,
      render: (format) => metricsExposition({...base, format}),
      signal: o.signal,
      onListening: o.onListening,
      onError: o.onScrapeError,
    })
    return {format: o.format, contentType: '', series: 0, foldedModels: [], output: null, listen, warnings: [], text: null}
  }
  const mode = o.output === null ? 0 : fileMode(o.fileMode)
  const exp = await metricsExposition({...base, format: o.format})
  if (o.output !== null) writeFileAtomic(o.output, exp.text, mode)
  return {
    format: o.format,
    contentType: exp.contentType,
    series: exp.series,
    foldedModels: exp.foldedModels,
    output: o.output,
    listen: null,
    warnings: exp.warnings,
    text: o.output === null ? exp.text : null,
  }
}
