/**
 * MaintenanceRepository over SQLite (types.ts): info, prune (raw events go, rollups stay), vacuum, and
 * backups with VACUUM INTO (a consistent, compacted copy taken inside one read transaction, so collectors keep
 * writing meanwhile; the copy is created 0600 before SQLite fills it, and comes out in rollback-journal mode,
 * so opening it read-only leaves no side files).
 */
import {closeSync, existsSync, openSync, rmSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

import {UsageError} from '../cli/errors.js'
import {ensurePrivateDir} from '../files/private.js'
import type {Connection} from './connection.js'
import {schemaVersion, storeError} from './db.js'
import {DAY_MS} from './rollup-cells.js'
import {allTime} from './rollups.js'
import {dailyThrough} from './rollup-write.js'
import type {BackupResult, PruneResult, StoreInfo, VacuumResult} from './records.js'
import type {MaintenanceRepository} from './types.js'

function fileSize(path: string): number {
  let n = 0
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      n += statSync(p).size
    } catch {
      // companion files may not exist
    }
  }
  return n
}

export const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString())

/** The queries behind StoreInfo (both backends). */
export const INFO_SQL = {
  raw: 'SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events',
  /** Binds the daily watermark twice (rollups.ts allTime). */
  instances: `SELECT instance, SUM(requests) AS events, MIN(start_ms) AS first, MAX(last_ts) AS last FROM (${allTime('model', 'instance, requests, start_ms, last_ts')}) t GROUP BY instance ORDER BY instance`,
  deadLetters:
    'SELECT SUM(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END) AS waiting, SUM(CASE WHEN resolved_at IS NULL THEN 0 ELSE 1 END) AS resolved, MIN(CASE WHEN resolved_at IS NULL THEN received_at END) AS oldest FROM usage_dead_letters',
  lastRun: 'SELECT instance, started_at, status, inserted FROM collector_runs ORDER BY started_at DESC LIMIT 1',
  prices: 'SELECT COUNT(*) AS n FROM prices',
  aliases: 'SELECT COUNT(*) AS n FROM api_key_aliases',
}

export interface InfoParts {
  path: string
  kind: string
  sizeBytes: number
  schemaVersion: number
  raw: {n: number; o: number | null; w: number | null}
  instances: Array<{instance: string; events: number; first: number; last: number}>
  deadLetters: {waiting: number | null; resolved: number | null; oldest: number | null}
  lastRun: {instance: string; started_at: number; status: string; inserted: number} | undefined
  rawCompleteFrom: number
  prices: number
  aliases: number
}

export function infoFrom(p: InfoParts): StoreInfo {
  const instances = p.instances.map((r) => ({instance: r.instance, events: r.events, firstSeen: iso(r.first), lastSeen: iso(r.last)}))
  const dl = p.deadLetters
  const run = p.lastRun
  return {
    path: p.path,
    kind: p.kind,
    sizeBytes: p.sizeBytes,
    schemaVersion: p.schemaVersion,
    rawEvents: p.raw.n,
    totalEvents: instances.reduce((s, i) => s + i.events, 0),
    oldestRawEvent: iso(p.raw.o),
    newestEvent: iso(Math.max(p.raw.w ?? 0, ...instances.map((i) => (i.lastSeen ? Date.parse(i.lastSeen) : 0))) || null),
    rawCompleteFrom: p.rawCompleteFrom > 0 ? iso(p.rawCompleteFrom) : null,
    instances,
    deadLetters: {waiting: dl.waiting ?? 0, resolved: dl.resolved ?? 0, oldestWaiting: iso(dl.oldest)},
    prices: p.prices,
    aliases: p.aliases,
    lastRun: run ? {instance: run.instance, startedAt: iso(run.started_at)!, status: run.status, inserted: run.inserted} : null,
  }
}

/** The UTC midnight at or before now − olderThanMs: raw events before it are pruned. */
export const pruneCutoff = (now: number, olderThanMs: number): number => Math.floor((now - olderThanMs) / DAY_MS) * DAY_MS

export class SqliteMaintenance implements MaintenanceRepository {
  constructor(private readonly c: Connection) {}

  private count(sql: string, ...args: unknown[]): number {
    return (this.c.db.prepare(sql).get(...args) as {n: number | null}).n ?? 0
  }

  private rawCompleteFrom(): number {
    const r = this.c.db.prepare("SELECT value FROM report_state WHERE key = 'raw_complete_from'").get() as {value: number} | undefined
    return r?.value ?? 0
  }

  async info(): Promise<StoreInfo> {
    const db = this.c.db
    return infoFrom({
      path: this.c.location,
      kind: 'sqlite',
      sizeBytes: fileSize(this.c.location),
      schemaVersion: schemaVersion(db),
      raw: db.prepare(INFO_SQL.raw).get() as InfoParts['raw'],
      instances: db.prepare(INFO_SQL.instances).all(dailyThrough(db), dailyThrough(db)) as InfoParts['instances'],
      deadLetters: db.prepare(INFO_SQL.deadLetters).get() as InfoParts['deadLetters'],
      lastRun: db.prepare(INFO_SQL.lastRun).get() as InfoParts['lastRun'],
      rawCompleteFrom: this.rawCompleteFrom(),
      prices: this.count(INFO_SQL.prices),
      aliases: this.count(INFO_SQL.aliases),
    })
  }

  /**
   * Delete raw events older than `olderThanMs` (cut at the UTC midnight before). The rollups already hold
   * them (they are maintained with the events), so long-range reports keep working; reports say where raw
   * events are missing (raw_complete_from). Deletes in batches, one transaction each.
   */
  async prune(olderThanMs: number, options: {dryRun?: boolean; now?: number; batch?: number} = {}): Promise<PruneResult> {
    const db = this.c.db
    const now = options.now ?? Date.now()
    const cutoff = pruneCutoff(now, olderThanMs)
    const candidates = this.count('SELECT COUNT(*) AS n FROM usage_events WHERE ts < ?', cutoff)
    const dlCandidates = this.count('SELECT COUNT(*) AS n FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ?', cutoff)
    if (options.dryRun) {
      const total = this.count('SELECT COUNT(*) AS n FROM usage_events')
      return {cutoff: iso(cutoff)!, deleted: candidates, remaining: total - candidates, deadLettersDeleted: dlCandidates, dryRun: true}
    }
    const batch = options.batch ?? 50_000
    const del = db.prepare('DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE ts < ? LIMIT ?)')
    const mark = db.prepare("INSERT INTO report_state (key, value) VALUES ('raw_complete_from', ?) ON CONFLICT (key) DO UPDATE SET value = MAX(value, excluded.value)")
    let deleted = 0
    for (let first = true; ; first = false) {
      const n = this.c.write('prune events', () => {
        if (first) mark.run(cutoff)
        return del.run(cutoff, batch).changes
      })
      deleted += n
      if (n < batch) break
    }
    const dl = this.c.write('prune dead letters', () => db.prepare('DELETE FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ?').run(cutoff).changes)
    const remaining = this.count('SELECT COUNT(*) AS n FROM usage_events')
    try {
      db.pragma('wal_checkpoint(TRUNCATE)')
    } catch {
      // a reader holds the WAL; the next writer checkpoints
    }
    return {cutoff: iso(cutoff)!, deleted, remaining, deadLettersDeleted: dl, dryRun: false}
  }

  /** VACUUM (rewrites the file; needs no other connection) and truncate the WAL. */
  async vacuum(): Promise<VacuumResult> {
    this.c.writable('vacuum')
    const before = fileSize(this.c.location)
    try {
      this.c.db.exec('VACUUM')
      this.c.db.pragma('wal_checkpoint(TRUNCATE)')
      this.c.db.pragma('optimize')
    } catch (error) {
      throw storeError(error, this.c.location, 'vacuum')
    }
    return {sizeBefore: before, sizeAfter: fileSize(this.c.location)}
  }

  async backup(dest: string, options: {force?: boolean} = {}): Promise<BackupResult> {
    if (existsSync(dest) && !options.force) throw new UsageError(`${dest} exists`, {code: 'file_exists', hint: 'pass --force to replace it'})
    ensurePrivateDir(dirname(dest))
    for (const p of [dest, `${dest}-wal`, `${dest}-shm`, `${dest}-journal`]) rmSync(p, {force: true})
    // created empty and private first: the copy holds usage and is never readable by others, not even briefly
    closeSync(openSync(dest, 'wx', 0o600))
    try {
      this.c.db.prepare('VACUUM INTO ?').run(dest)
    } catch (error) {
      rmSync(dest, {force: true})
      throw storeError(error, dest, 'write the backup')
    }
    return {path: dest, bytes: statSync(dest).size}
  }
}
