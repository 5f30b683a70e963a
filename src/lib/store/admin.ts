/**
 * Entry points of the `store` commands, by store path: each opens the store the way its job needs — read-only
 * to look (info, dead-letter list, backup: a consistent snapshot needs no write access), writable to change it
 * (prune, vacuum, dead-letter retry, migrate) — runs one repository method and closes it.
 */
import {existsSync} from 'node:fs'

import {ConfigError} from '../cli/errors.js'
import {schemaStatus} from './db.js'
import {withStore} from './index.js'

export {copyStore, type CopyResult} from './copy.js'
import {classifyLocation, maskLocation} from './location.js'
import type {BackupResult, DeadLetter, DeadLetterQuery, MigrationProgress, PruneResult, RetryResult, StoreInfo, VacuumResult} from './records.js'

export const storeInfoAt = (path: string): Promise<StoreInfo> => withStore({path, readonly: true}, (s) => s.maintenance.info())

export const pruneStoreAt = (path: string, olderThanMs: number, options: {dryRun?: boolean} = {}): Promise<PruneResult> =>
  withStore({path, mustExist: true}, (s) => s.maintenance.prune(olderThanMs, options))

export const vacuumStoreAt = (path: string): Promise<VacuumResult> => withStore({path, mustExist: true}, (s) => s.maintenance.vacuum())

export async function backupStoreAt(path: string, dest: string, options: {force?: boolean} = {}): Promise<BackupResult> {
  if (classifyLocation(path).kind === 'postgres') {
    // pg_dump's job: say which command, without connecting first (exit 2 even when the server is down)
    const {pgBackupError} = await import('./postgres/maintenance.js')
    const {parsePgUrl} = await import('./postgres/config.js')
    throw pgBackupError(parsePgUrl(path), dest)
  }
  return withStore({path, readonly: true}, (s) => s.maintenance.backup(dest, options))
}

export const listDeadLettersAt = (path: string, q: DeadLetterQuery): Promise<{items: DeadLetter[]; total: number}> =>
  withStore({path, readonly: true}, (s) => s.deadLetters.list(q))

export const retryDeadLettersAt = (path: string, q: {ids?: number[]; instance?: string} = {}): Promise<RetryResult> =>
  withStore({path, mustExist: true}, (s) => s.deadLetters.retry(q))

export interface MigrateResult {
  path: string
  schemaBefore: number
  schemaAfter: number
  /** Migrations applied now (ids and names); empty when the store was current. */
  applied: Array<{id: number; name: string}>
}

/** Bring an existing store to this version's schema (resumable; progress through `onProgress`). */
export async function migrateStoreAt(path: string, onProgress?: (p: MigrationProgress) => void): Promise<MigrateResult> {
  const pg = classifyLocation(path).kind === 'postgres'
  const status = pg ? (await import('./postgres/pg-store.js')).pgSchemaStatus : schemaStatus
  if (!pg && !existsSync(path)) throw new ConfigError(`no store at ${path} yet`, {code: 'store_missing', hint: 'nothing to migrate: collect usage first (cpactl collect), or pass --store'})
  const before = await status(path)
  await withStore({path, mustExist: true, onMigrationProgress: onProgress}, async () => undefined)
  const after = await status(path)
  return {path: maskLocation(path), schemaBefore: before.version, schemaAfter: after.version, applied: before.pending.map((m) => ({id: m.id, name: m.name}))}
}
