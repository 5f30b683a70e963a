/**
 * Store maintenance (issue 5): info, prune (raw events go, rollups stay), vacuum, online backup, and the dead
 * letters (list, retry after an upgrade). Everything here is SQL over the store's own connection.
 */
import {chmodSync, existsSync, statSync} from 'node:fs'

import {UsageError} from '../cli/errors.js'
import {createNormalizer} from '../usage/normalize.js'
import type {SqliteStore} from './index.js'
import {schemaVersion} from './db.js'
import {DAY_MS, refreshReportRollups, reportState, setRawCompleteFrom} from './reports.js'

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

export interface InstanceInfo {
  instance: string
  /** Events counted in the rollups (includes pruned ones). */
  events: number
  firstSeen: string | null
  lastSeen: string | null
}

export interface StoreInfo {
  path: string
  /** Database plus WAL and shared-memory files, bytes. */
  sizeBytes: number
  schemaVersion: number
  /** Raw events present (pruned ones excluded). */
  rawEvents: number
  /** Events ever stored, from the rollups (pruned ones included). */
  totalEvents: number
  oldestRawEvent: string | null
  newestEvent: string | null
  /** Raw events before this time may have been pruned (null: never pruned). */
  rawCompleteFrom: string | null
  instances: InstanceInfo[]
  deadLetters: {waiting: number; resolved: number; oldestWaiting: string | null}
  prices: number
  aliases: number
  lastRun: {instance: string; startedAt: string; status: string; inserted: number} | null
}

export function storeInfo(store: SqliteStore): StoreInfo {
  const db = store.db
  refreshReportRollups(db)
  const raw = db.prepare('SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events').get() as {n: number; o: number | null; w: number | null}
  const instances = (
    db.prepare('SELECT instance, SUM(requests) AS events, MIN(start_ms) AS first, MAX(last_ts) AS last FROM report_model_daily GROUP BY instance ORDER BY instance').all() as Array<{
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
  const {rawCompleteFrom} = reportState(db)
  return {
    path: store.location,
    sizeBytes: fileSize(store.location),
    schemaVersion: schemaVersion(db),
    rawEvents: raw.n,
    totalEvents: instances.reduce((s, i) => s + i.events, 0),
    oldestRawEvent: iso(raw.o),
    newestEvent: iso(Math.max(raw.w ?? 0, ...instances.map((i) => (i.lastSeen ? Date.parse(i.lastSeen) : 0))) || null),
    rawCompleteFrom: rawCompleteFrom > 0 ? iso(rawCompleteFrom) : null,
    instances,
    deadLetters: {waiting: dl.waiting ?? 0, resolved: dl.resolved ?? 0, oldestWaiting: iso(dl.oldest)},
    prices: (db.prepare('SELECT COUNT(*) AS n FROM prices').get() as {n: number}).n,
    aliases: (db.prepare('SELECT COUNT(*) AS n FROM api_key_aliases').get() as {n: number}).n,
    lastRun: run ? {instance: run.instance, startedAt: iso(run.started_at)!, status: run.status, inserted: run.inserted} : null,
  }
}

export interface PruneResult {
  /** Raw events before this instant (a UTC midnight) are deleted. */
  cutoff: string
  deleted: number
  remaining: number
  /** Resolved dead letters older than the cutoff, deleted too. */
  deadLettersDeleted: number
  dryRun: boolean
}

/**
 * Delete raw events older than `olderThanMs` (cut at the UTC midnight before), after folding everything into
 * the report rollups, so long-range reports keep working. The newest-id event is always kept: SQLite gives
 * new rows max(id)+1, and the rollups' checkpoint relies on ids never going back.
 */
export function pruneEvents(store: SqliteStore, olderThanMs: number, options: {dryRun?: boolean; now?: number; batch?: number} = {}): PruneResult {
  const db = store.db
  const now = options.now ?? Date.now()
  const cutoff = Math.floor((now - olderThanMs) / DAY_MS) * DAY_MS
  refreshReportRollups(db)
  const maxId = (db.prepare('SELECT MAX(id) AS m FROM usage_events').get() as {m: number | null}).m ?? 0
  const candidates = (db.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE ts < ? AND id <> ?').get(cutoff, maxId) as {n: number}).n
  const dlCandidates = (db.prepare('SELECT COUNT(*) AS n FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ?').get(cutoff) as {n: number}).n
  if (options.dryRun) {
    const total = (db.prepare('SELECT COUNT(*) AS n FROM usage_events').get() as {n: number}).n
    return {cutoff: iso(cutoff)!, deleted: candidates, remaining: total - candidates, deadLettersDeleted: dlCandidates, dryRun: true}
  }
  const batch = options.batch ?? 50_000
  // only events already folded into the rollups are deleted (an import racing with the prune waits its turn)
  const del = db.prepare(
    "DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE ts < ? AND id <> ? AND id <= (SELECT value FROM report_state WHERE key = 'derived_upto_id') LIMIT ?)",
  )
  let deleted = 0
  for (;;) {
    db.exec('BEGIN IMMEDIATE')
    try {
      if (deleted === 0) setRawCompleteFrom(db, cutoff)
      const n = del.run(cutoff, maxId, batch).changes
      db.exec('COMMIT')
      deleted += n
      if (n < batch) break
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
    refreshReportRollups(db)
  }
  const dl = db.prepare('DELETE FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ?').run(cutoff).changes
  const remaining = (db.prepare('SELECT COUNT(*) AS n FROM usage_events').get() as {n: number}).n
  try {
    db.pragma('wal_checkpoint(TRUNCATE)')
  } catch {
    // a reader holds the WAL; the next writer checkpoints
  }
  return {cutoff: iso(cutoff)!, deleted, remaining, deadLettersDeleted: dl, dryRun: false}
}

export interface VacuumResult {
  sizeBefore: number
  sizeAfter: number
}

/** VACUUM (rewrites the file; needs no other connection) and truncate the WAL. */
export function vacuumStore(store: SqliteStore): VacuumResult {
  const before = fileSize(store.location)
  store.db.exec('VACUUM')
  store.db.pragma('wal_checkpoint(TRUNCATE)')
  store.db.pragma('optimize')
  return {sizeBefore: before, sizeAfter: fileSize(store.location)}
}

export interface BackupResult {
  path: string
  bytes: number
  pages: number
}

/** SQLite's online backup API: a consistent copy while collectors keep writing. Mode 0600. */
export async function backupStore(store: SqliteStore, dest: string, options: {force?: boolean; onProgress?: (done: number, total: number) => void} = {}): Promise<BackupResult> {
  if (existsSync(dest) && !options.force) throw new UsageError(`${dest} exists`, {code: 'file_exists', hint: 'pass --force to replace it'})
  const {dirname} = await import('node:path')
  const {ensurePrivateDir} = await import('../config/files.js')
  ensurePrivateDir(dirname(dest))
  if (existsSync(dest)) {
    const {rmSync} = await import('node:fs')
    for (const p of [dest, `${dest}-wal`, `${dest}-shm`]) rmSync(p, {force: true})
  }
  const res = await store.db.backup(dest, {
    progress: ({totalPages, remainingPages}) => {
      options.onProgress?.(totalPages - remainingPages, totalPages)
      return 1000
    },
  })
  chmodSync(dest, 0o600)
  return {path: dest, bytes: statSync(dest).size, pages: res.totalPages}
}

export interface DeadLetter {
  id: number
  instance: string
  receivedAt: string
  runId: number | null
  reason: string
  /** Redacted payload (client keys replaced by their hash, credentials scrubbed). */
  payload: string
  resolvedAt: string | null
}

export function listDeadLetters(store: SqliteStore, q: {all?: boolean; limit: number; instance?: string}): {items: DeadLetter[]; total: number} {
  const where: string[] = []
  const params: unknown[] = []
  if (!q.all) where.push('resolved_at IS NULL')
  if (q.instance) {
    where.push('instance = ?')
    params.push(q.instance)
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
  const total = (store.db.prepare(`SELECT COUNT(*) AS n FROM usage_dead_letters ${w}`).get(...params) as {n: number}).n
  const rows = store.db.prepare(`SELECT * FROM usage_dead_letters ${w} ORDER BY id DESC LIMIT ?`).all(...params, q.limit) as Array<{
    id: number
    instance: string
    received_at: number
    run_id: number | null
    reason: string
    payload: string
    resolved_at: number | null
  }>
  return {
    items: rows.map((r) => ({id: r.id, instance: r.instance, receivedAt: iso(r.received_at)!, runId: r.run_id, reason: r.reason, payload: r.payload, resolvedAt: iso(r.resolved_at)})),
    total,
  }
}

export interface RetryResult {
  tried: number
  /** Parsed now and stored as new events. */
  recovered: number
  /** Parsed now, but the event was already stored. */
  duplicates: number
  /** Still not a valid record (kept, waiting). */
  stillFailing: number
  /** Reasons of the ones still failing, most common first. */
  reasons: Array<{reason: string; count: number}>
}

/** Re-parse waiting dead letters with this version's normaliser; the ones that parse go through ingest. */
export async function retryDeadLetters(store: SqliteStore, q: {ids?: number[]; instance?: string; now?: number} = {}): Promise<RetryResult> {
  const db = store.db
  const where: string[] = ['resolved_at IS NULL']
  const params: unknown[] = []
  if (q.ids && q.ids.length > 0) {
    where.push(`id IN (${q.ids.map(() => '?').join(', ')})`)
    params.push(...q.ids)
  }
  if (q.instance) {
    where.push('instance = ?')
    params.push(q.instance)
  }
  const rows = db.prepare(`SELECT id, instance, payload FROM usage_dead_letters WHERE ${where.join(' AND ')} ORDER BY id`).all(...params) as Array<{
    id: number
    instance: string
    payload: string
  }>
  const normalizer = createNormalizer()
  const res: RetryResult = {tried: rows.length, recovered: 0, duplicates: 0, stillFailing: 0, reasons: []}
  const reasons = new Map<string, number>()
  const byInstance = new Map<string, Array<{id: number; payload: string}>>()
  for (const r of rows) {
    const c = normalizer.classify(r.payload)
    if (c.kind !== 'record') {
      res.stillFailing++
      const reason = c.kind === 'control' ? 'control payload' : c.reason
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
      continue
    }
    const list = byInstance.get(r.instance) ?? []
    list.push({id: r.id, payload: r.payload})
    byInstance.set(r.instance, list)
  }
  const resolve = db.prepare('UPDATE usage_dead_letters SET resolved_at = ? WHERE id = ?')
  for (const [instance, list] of byInstance) {
    for (let i = 0; i < list.length; i += 1000) {
      const part = list.slice(i, i + 1000)
      const r = await store.ingestRecords(instance, part.map((p) => p.payload))
      res.recovered += r.added
      res.duplicates += r.duplicates
      const now = q.now ?? Date.now()
      db.transaction(() => {
        for (const p of part) resolve.run(now, p.id)
      })()
    }
  }
  res.reasons = [...reasons.entries()].map(([reason, count]) => ({reason, count})).sort((a, b) => b.count - a.count)
  return res
}

// ------------------------------------------------------------------------------ entry points (by path)

async function withExisting<T>(path: string, fn: (store: SqliteStore) => T | Promise<T>): Promise<T> {
  const {openExistingStore} = await import('../report/context.js')
  const store = await openExistingStore(path)
  try {
    return await fn(store)
  } finally {
    await store.close()
  }
}

export const storeInfoAt = (path: string) => withExisting(path, storeInfo)
export const pruneStoreAt = (path: string, olderThanMs: number, options: {dryRun?: boolean} = {}) => withExisting(path, (s) => pruneEvents(s, olderThanMs, options))
export const vacuumStoreAt = (path: string) => withExisting(path, vacuumStore)
export const backupStoreAt = (path: string, dest: string, options: {force?: boolean; onProgress?: (done: number, total: number) => void} = {}) =>
  withExisting(path, (s) => backupStore(s, dest, options))
export const listDeadLettersAt = (path: string, q: {all?: boolean; limit: number; instance?: string}) => withExisting(path, (s) => listDeadLetters(s, q))
export const retryDeadLettersAt = (path: string, q: {ids?: number[]; instance?: string} = {}) => withExisting(path, (s) => retryDeadLetters(s, q))
