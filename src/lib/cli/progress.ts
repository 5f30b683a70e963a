/**
 * Progress of long work that lower layers report without knowing about terminals (e.g. a store migration
 * walking millions of events): they call `reportProgress`; the command base registers a sink that draws a bar
 * through the one progress renderer (output.ts startProgress: an interactive stderr only, never under CI,
 * TERM=dumb, a pipe or --json). Without a sink nothing is printed.
 */
import {formatInt, type Progress} from './output.js'

export type ProgressSink = (label: string, done: number, total: number) => void

let sink: ProgressSink | null = null

export function setProgressSink(next: ProgressSink | null): void {
  sink = next
}

export function reportProgress(label: string, done: number, total: number): void {
  sink?.(label, done, total)
}

const WIDTH = 28

/** `label [#######.....] 45% 1,234,567 / 2,700,000` */
export function barLine(label: string, done: number, total: number): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1
  const fill = Math.round(frac * WIDTH)
  return `${label} [${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${Math.floor(frac * 100)}% ${formatInt(done)} / ${formatInt(total)}`
}

/** A sink drawing the bar on the given progress line, redrawn only when it changes, erased at 100 %. */
export function progressSink(progress: Progress): ProgressSink {
  let last = ''
  return (label, done, total) => {
    const line = barLine(label, done, total)
    if (line === last) return
    last = line
    if (total > 0 && done >= total) progress.done()
    else progress.update(line, done === 0)
  }
}
