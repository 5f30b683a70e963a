/**
 * Entry points of `cpactl metrics`: read the store (read-only, like the reports: a metrics run never writes,
 * never migrates), render the exposition, and print it, write it atomically for node_exporter's textfile
 * collector, or serve it over HTTP (server.ts).
 */
import {randomBytes} from 'node:crypto'
import {closeSync, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import {ConfigError} from '../cli/errors.js'
import {loadPriceBook, readStore} from '../report/context.js'
import {renderExposition, type Exposition, type ExpositionFormat} from './exposition.js'
import {readMetricsData} from './metrics-data.js'

export interface MetricsOptions {
  storePath: string
  format: ExpositionFormat
  maxSeries: number
  now?: () => number
}

/** One exposition of the store as it is now. */
export async function metricsExposition(o: MetricsOptions): Promise<Exposition> {
  return readStore(o.storePath, async (store) => {
    const data = await readMetricsData(store, await loadPriceBook(store), (o.now ?? Date.now)())
    return renderExposition(data, {format: o.format, maxSeries: o.maxSeries})
  })
}

/**
 * Write `text` to `path` atomically: a temporary file in the same directory (its name does not end in .prom, so
 * the textfile collector never reads it half-written), fsync, then rename over the target. `mode` is the final
 * file's mode (the collector usually runs as another user, so the default is world-readable: the file holds
 * aggregate counters only, no key or e-mail).
 */
export function writeFileAtomic(path: string, text: string, mode = 0o644): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | null = null
  try {
    fd = openSync(tmp, 'wx', mode)
    fchmodSync(fd, mode) // whatever the umask
    writeSync(fd, text)
    fsyncSync(fd)
    closeSync(fd)
    fd = null
    renameSync(tmp, path)
  } catch (error) {
    if (fd !== null) closeSync(fd)
    try {
      unlinkSync(tmp)
    } catch {
      // never created
    }
    const e = error as NodeJS.ErrnoException
    throw new ConfigError(`cannot write the metrics file ${path}: ${e.message}`, {code: 'output_unwritable', hint: 'check that the directory exists and is writable'})
  }
}
