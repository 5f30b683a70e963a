/**
 * MaintenanceRepository over SQLite (types.ts): info, prune (raw events go, rollups stay), vacuum, and
 * backups with VACUUM INTO (a consistent, compacted copy taken inside one read transaction, so collectors keep
 * writing meanwhile; the copy is created 0600 before SQLite fills it, and comes out in rollback-journal mode,
 * so opening it read-only leaves no side files).
 */
import {closeSync, existsSync, openSync, rmSync, statSync} from 'node:fs'
import {dirname} from 'node:path'

import {UsageError} from '../cli/errors.js'
import {ensurePrivateDir} from '../config/files.js'
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

const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString())

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
    const raw = db.prepare('SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events').get() as {n: number; o: number | null; w: number | null}
    const through = dailyThrough(db)
    const instances = (
      db
        .prepare(`SELECT instance, SUM(requests) AS events, MIN(start_ms) AS first, MAX(last_ts) AS last FROM (${allTime('model', 'instance, requests, start_ms, last_ts')}) GROUP BY instance ORDER BY instance`)
        .all(through, through) as Array<{
        instance: string
        events: number
        first: number
        last: number
      }>
    ).map((r) => ({instance: r.instance, events: r.events, firstSeen: iso(r.first), lastSeen: iso(r.last)}))
    const dl = db.prepare('SELECT SUM(resolved_at IS NULL) AS waiting, SUM(resolved_at IS NOT NULL) AS resolved, MIN(CASE WHEN resolved_at IS NULL THEN received_at END) AS oldest FROM usage_dead_letters').get() as {
      waiting: number | null
      resolved: number | null
      oldest: number | null
    }
    const run = db.prepare('SELECT instance, started_at, status, inserted FROM collector_runs ORDER BY started_at DESC LIMIT 1').get() as
      | {instance: string; started_at: number; status: string; inserted: number}
      | undefined
    const rawCompleteFrom = this.rawCompleteFrom()
    return {
      path: this.c.location,
      kind: 'sqlite',
      sizeBytes: fileSize(this.c.location),
      schemaVersion: schemaVersion(db),
      rawEvents: raw.n,
      totalEvents: instances.reduce((s, i) => s + i.events, 0),
      oldestRawEvent: iso(raw.o),
      newestEvent: iso(Math.max(raw.w ?? 0, ...instances.map((i) => (i.lastSeen ? Date.parse(i.lastSeen) : 0))) || null),
      rawCompleteFrom: rawCompleteFrom > 0 ? iso(rawCompleteFrom) : null,
      instances,
      deadLetters: {waiting: dl.waiting ?? 0, resolved: dl.resolved ?? 0, oldestWaiting: iso(dl.oldest)},
      prices: this.count('SELECT COUNT(*) AS n FROM prices'),
      aliases: this.count('SELECT COUNT(*) AS n FROM api_key_aliases'),
      lastRun: run ? {instance: run.instance, startedAt: iso(run.started_at)!, status: run.status, inserted: run.inserted} : null,
    }
  }

  /**
   * Delete raw events older than `olderThanMs` (cut at the UTC midnight before). The rollups already hold
   * them (they are maintained with the events), so long-range reports keep working; reports say where raw
   * events are missing (raw_complete_from). Deletes in batches, one transaction each.
   */
  async prune(olderThanMs: number, options: {dryRun?: boolean; now?: number; batch?: number} = {}): Promise<PruneResult> {
    const db = this.c.db
    const now = options.now ?? Date.now()
    const cutoff = Math.floor((now - olderThanMs) / DAY_MS) * DAY_MS
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
