import {chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {dirname} from 'node:path'

/** Create a directory (and parents) with mode 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
}

/** Write a file atomically with mode 0600 (temp file + rename), creating its directory 0700. */
export function writePrivateFile(path: string, content: string | Buffer): void {
  ensurePrivateDir(dirname(path))
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, content, {mode: 0o600})
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}

/** True when group or others can read/write the file (POSIX only). */
export function isGroupOrWorldAccessible(path: string): boolean {
  if (process.platform === 'win32') return false
  return (statSync(path).mode & 0o077) !== 0
}
