/**
 * Progress of long work that lower layers report without knowing about terminals (e.g. a store migration
 * walking millions of events): they call `reportProgress`; the command base registers a sink that draws a bar
 * on an interactive stderr (never under CI, TERM=dumb, a pipe or --json). Without a sink nothing is printed.
 */
import {formatInt} from './output.js'

export type ProgressSink = (label: string, done: number, total: number) => void

let sink: ProgressSink | null = null

export function setProgressSink(next: ProgressSink | null): void {
  sink = next
}

export function reportProgress(label: string, done: number, total: number): void {
  sink?.(label, done, total)
}

const WIDTH = 28

/** One line per label, redrawn in place: `label [#######.....] 45% 1,234,567 / 2,700,000`, newline at 100 %. */
export function stderrBar(write: (text: string) => void = (t) => process.stderr.write(t)): ProgressSink {
  let last = ''
  return (label, done, total) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1
    const fill = Math.round(frac * WIDTH)
    const line = `${label} [${'#'.repeat(fill)}${'.'.repeat(WIDTH - fill)}] ${Math.floor(frac * 100)}% ${formatInt(done)} / ${formatInt(total)}`
    if (line === last) return
    last = line
    write(`\r${line}${frac >= 1 ? '\n' : ''}`)
  }
}
