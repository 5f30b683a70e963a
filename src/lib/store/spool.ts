/**
 * The spool: where popped payloads go when their batch cannot be committed (a pop is
 * destructive, so a failed write after a pop would lose data). Files sit beside the store as
 * `<store>.spool-<ms>-<pid>.jsonl`, mode 0600, one JSON line `{"i": instance, "t": receivedAt, "p": payload}`
 * per payload, fsynced before the collector reports the failure. The next run ingests and deletes them before
 * its first pop. Payloads are kept as popped (they are the only copy); the file lives only until that re-ingest.
 *
 * A full disk is the likeliest reason a commit fails, and then a spool file could not be written either. So
 * a collector first reserves room for one spilled batch (`<store>.spool-reserve`, zeros, 0600): if even that
 * cannot be written the disk is full before anything is popped; if a commit fails later, the reserve is
 * deleted to make room for the spool file.
 */
import {closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync} from 'node:fs'
import {basename, dirname, join} from 'node:path'

import type {Connection} from './connection.js'
import {storeError} from './db.js'
import type {SqliteEvents} from './events.js'
import {addCounts, emptyCounts, type BatchCounts, type SpoolRecovery} from './rows.js'
import type {SpoolRepository} from './types.js'

export interface SpoolEntry {
  instance: string
  receivedAt: number
  payload: unknown
}

export function spoolPrefix(storePath: string): string {
  return `${basename(storePath)}.spool-`
}

/** Write payloads to a new spool file (0600, fsynced); returns its path. */
export function writeSpool(storePath: string, instance: string, receivedAt: number, payloads: readonly unknown[]): string {
  mkdirSync(dirname(storePath), {recursive: true, mode: 0o700})
  const path = join(dirname(storePath), `${spoolPrefix(storePath)}${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}.jsonl`)
  const fd = openSync(path, 'wx', 0o600)
  try {
    const lines = payloads.map((p) => JSON.stringify({i: instance, t: receivedAt, p})).join('\n') + '\n'
    writeSync(fd, lines)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  return path
}

/** Spool files waiting beside this store, oldest first. */
export function listSpools(storePath: string): string[] {
  const dir = dirname(storePath)
  const prefix = spoolPrefix(storePath)
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  return names
    .filter((n) => n.startsWith(prefix) && n.endsWith('.jsonl'))
    .sort()
    .map((n) => join(dir, n))
}

/** Parse a spool file. A torn last line (crash while writing) is skipped; nothing else is. */
export function readSpool(path: string): SpoolEntry[] {
  const text = readFileSync(path, 'utf8')
  const out: SpoolEntry[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.trim() === '') continue
    try {
      const e = JSON.parse(line) as {i?: unknown; t?: unknown; p?: unknown}
      out.push({instance: String(e.i ?? ''), receivedAt: typeof e.t === 'number' ? e.t : Date.now(), payload: e.p})
    } catch {
      if (i < lines.length - 2) out.push({instance: '', receivedAt: Date.now(), payload: line}) // dead-lettered, not dropped
    }
  }
  // one spool file holds one instance (writeSpool): a garbled line inherits it
  const instance = out.find((e) => e.instance !== '')?.instance ?? ''
  for (const e of out) if (e.instance === '') e.instance = instance
  return out
}

export function removeSpool(path: string): void {
  unlinkSync(path)
}

export function reservePath(storePath: string): string {
  return `${storePath}.spool-reserve`
}

/** Write `bytes` of zeros (fsynced) as the spill reserve; throws ENOSPC when the disk cannot hold them. */
export function reserveSpool(storePath: string, bytes: number): void {
  const path = reservePath(storePath)
  mkdirSync(dirname(storePath), {recursive: true, mode: 0o700})
  const fd = openSync(path, 'w', 0o600)
  try {
    const chunk = Buffer.alloc(Math.min(bytes, 1 << 20))
    for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left))
    fsyncSync(fd)
  } catch (error) {
    closeSync(fd)
    rmSync(path, {force: true})
    throw error
  }
  closeSync(fd)
}

export function releaseSpoolReserve(storePath: string): void {
  rmSync(reservePath(storePath), {force: true})
}

/**
 * SpoolRepository over spool files named after `base` (beside a SQLite store; under the data directory for a
 * PostgreSQL one). A backend supplies its writable check and the transaction that ingests one file.
 */
export class FileSpool implements SpoolRepository {
  constructor(
    private readonly base: string,
    private readonly writable: (action: string) => void,
    private readonly ingestFile: (groups: Map<string, {receivedAt: number; payloads: unknown[]}>, runId: number | null) => Promise<BatchCounts>,
    private readonly fail: (error: unknown, action: string) => Error = (error, action) => storeError(error, base, action),
  ) {}

  async reserve(bytes: number): Promise<void> {
    this.writable('reserve room for a spilled batch')
    try {
      reserveSpool(this.base, bytes)
    } catch (error) {
      throw this.fail(error, 'reserve room for a spilled batch')
    }
  }

  async release(): Promise<void> {
    releaseSpoolReserve(this.base)
  }

  async spill(instance: string, receivedAt: number, payloads: readonly unknown[]): Promise<string> {
    releaseSpoolReserve(this.base)
    return writeSpool(this.base, instance, receivedAt, payloads)
  }

  async recover(runId: number | null): Promise<SpoolRecovery> {
    const total = emptyCounts()
    let files = 0
    for (const file of listSpools(this.base)) {
      const byInstance = new Map<string, {receivedAt: number; payloads: unknown[]}>()
      for (const e of readSpool(file)) {
        const g = byInstance.get(e.instance) ?? {receivedAt: e.receivedAt, payloads: []}
        g.payloads.push(e.payload)
        byInstance.set(e.instance, g)
      }
      const counts = await this.ingestFile(byInstance, runId)
      removeSpool(file)
      addCounts(total, counts)
      files++
    }
    return {files, counts: total}
  }

  async pending(): Promise<number> {
    return listSpools(this.base).length
  }
}

/** The spool of a SQLite store: files beside it, each ingested in one write transaction. */
export class SqliteSpool extends FileSpool {
  constructor(c: Connection, events: SqliteEvents) {
    super(
      c.location,
      (action) => c.writable(action),
      async (byInstance, runId) =>
        c.write('ingest a spool file', () => {
          const n = emptyCounts()
          for (const [instance, g] of byInstance) addCounts(n, events.writeIn(g.payloads, {instance, runId, receivedAt: g.receivedAt}, {recovered: true}))
          return n
        }),
    )
  }
}
