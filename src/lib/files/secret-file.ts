/**
 * Writing credential-bearing files (auth-file downloads, request logs): mode 0600 from the first byte, never
 * silently overwriting.
 */
import {closeSync, fchmodSync, openSync, writeSync} from 'node:fs'

import {UsageError} from '../cli/errors.js'

export function writeSecretFile(path: string, data: Buffer, options: {force?: boolean} = {}): void {
  let fd: number
  try {
    fd = openSync(path, options.force ? 'w' : 'wx', 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new UsageError(`${path} already exists`, {code: 'file_exists', hint: 'choose another -o path or pass --force to overwrite'})
    throw new UsageError(`cannot write ${path}: ${code ?? (error as Error).message}`, {code: 'file_unwritable'})
  }
  try {
    // an existing file keeps its old mode on open(): tighten it before any byte is written
    fchmodSync(fd, 0o600)
    writeSync(fd, data)
  } finally {
    closeSync(fd)
  }
}
