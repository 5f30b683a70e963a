/**
 * MaintenanceRepository over PostgreSQL (the counterpart of ../maintenance.ts): `info` adds the server version,
 * every table's size and the raw events per instance; `prune` has SQLite's semantics (raw events before a UTC
 * midnight go, in batches, the rollups keep them, raw_complete_from moves); `vacuum` runs VACUUM (ANALYZE);
 * backups are pg_dump's job: `backup` refuses (exit 2) and names the command to use.
 */
import {UsageError} from '../../cli/errors.js'
import {INFO_SQL, infoFrom, iso, pruneCutoff, type InfoParts} from '../maintenance.js'
import type {BackupResult, PruneResult, StoreInfo, VacuumResult} from '../records.js'
import type {MaintenanceRepository} from '../types.js'
import {pgDumpCommand, type PgTarget} from './config.js'
import type {PgConnection} from './connection.js'
import {dailyThroughPg} from './rollups.js'
import {PG_SCHEMA_VERSION} from './schema.js'

/** The store's tables (what `info` sizes and `store copy` carries). */
export const PG_TABLES = [
  'usage_events', 'usage_dead_letters', 'collector_runs', 'collector_locks', 'prices', 'api_key_aliases', 'api_key_hints', 'account_labels',
  'report_model_hourly', 'report_model_daily', 'report_key_hourly', 'report_key_daily', 'report_account_hourly', 'report_account_daily',
  'report_hist_hourly', 'report_hist_daily', 'report_account_sources', 'report_state', 'inspection_runs', 'inspection_results',
  'inspection_ownership', 'schema_migrations',
]

/** `store backup` on PostgreSQL: exit 2, naming the pg_dump command that does the job. */
export function pgBackupError(t: PgTarget, dest: string): UsageError {
  const cmd = pgDumpCommand(t, dest)
  return new UsageError(`a PostgreSQL store is backed up with pg_dump, not by cpactl: ${cmd}`, {
    code: 'backup_with_pg_dump',
    hint: `run: ${cmd}  (restore with pg_restore --dbname=URL ${dest}; the password comes from PGPASSWORD or ~/.pgpass)`,
    details: {command: cmd, schemaVersion: PG_SCHEMA_VERSION},
  })
}

export class PgMaintenance implements MaintenanceRepository {
  constructor(private readonly c: PgConnection) {}

  private async count(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.c.one<{n: number | null}>(sql, params, 'count rows'))?.n ?? 0
  }

  private async databaseSize(): Promise<number> {
    return this.count('SELECT pg_database_size(current_database()) AS n')
  }

  async info(): Promise<StoreInfo> {
    const c = this.c
    const version = await c.one<{v: number}>('SELECT COALESCE(MAX(id), 0) AS v FROM schema_migrations', [], 'read the schema version')
    const state = await c.one<{value: number}>("SELECT value FROM report_state WHERE key = 'raw_complete_from'")
    const info = infoFrom({
      path: c.location,
      kind: 'postgres',
      sizeBytes: await this.databaseSize(),
      schemaVersion: version?.v ?? 0,
      raw: (await c.one<InfoParts['raw']>(INFO_SQL.raw))!,
      instances: await c.query<InfoParts['instances'][number]>(INFO_SQL.instances.replace('ORDER BY instance', 'ORDER BY instance COLLATE "C"'), [await dailyThroughPg(c), await dailyThroughPg(c)]),
      deadLetters: (await c.one<InfoParts['deadLetters']>(INFO_SQL.deadLetters))!,
      lastRun: await c.one<NonNullable<InfoParts['lastRun']>>(INFO_SQL.lastRun),
      rawCompleteFrom: state?.value ?? 0,
      prices: await this.count(INFO_SQL.prices),
      aliases: await this.count(INFO_SQL.aliases),
    })
    const raw = new Map((await c.query<{instance: string; n: number}>('SELECT instance, COUNT(*) AS n FROM usage_events GROUP BY instance')).map((r) => [r.instance, r.n]))
    for (const i of info.instances) i.rawEvents = raw.get(i.instance) ?? 0
    info.serverVersion = (await c.one<{v: string}>('SELECT version() AS v'))!.v
    info.tables = await c.query<{table: string; bytes: number; rows: number}>(
      `SELECT t AS "table", pg_total_relation_size(t::regclass) AS bytes, GREATEST(c.reltuples, 0)::bigint AS rows
       FROM unnest(?::text[]) AS u(t) JOIN pg_class c ON c.oid = t::regclass ORDER BY bytes DESC, t`,
      [PG_TABLES],
      'size the tables',
    )
    return info
  }

  async prune(olderThanMs: number, options: {dryRun?: boolean; now?: number; batch?: number} = {}): Promise<PruneResult> {
    const now = options.now ?? Date.now()
    const cutoff = pruneCutoff(now, olderThanMs)
    const candidates = await this.count('SELECT COUNT(*) AS n FROM usage_events WHERE ts < ?', [cutoff])
    const dlCandidates = await this.count('SELECT COUNT(*) AS n FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ?', [cutoff])
    if (options.dryRun) {
      const total = await this.count('SELECT COUNT(*) AS n FROM usage_events')
      return {cutoff: iso(cutoff)!, deleted: candidates, remaining: total - candidates, deadLettersDeleted: dlCandidates, dryRun: true}
    }
    const batch = options.batch ?? 50_000
    let deleted = 0
    for (let first = true; ; first = false) {
      const n = await this.c.tx('prune events', async () => {
        if (first) {
          await this.c.query(
            "INSERT INTO report_state (key, value) VALUES ('raw_complete_from', ?) ON CONFLICT (key) DO UPDATE SET value = GREATEST(report_state.value, excluded.value)",
            [cutoff],
          )
        }
        return (await this.c.query('DELETE FROM usage_events WHERE id IN (SELECT id FROM usage_events WHERE ts < ? LIMIT ?) RETURNING 1', [cutoff, batch])).length
      })
      deleted += n
      if (n < batch) break
    }
    const dl = await this.c.tx('prune dead letters', async () =>
      (await this.c.query('DELETE FROM usage_dead_letters WHERE resolved_at IS NOT NULL AND received_at < ? RETURNING 1', [cutoff])).length,
    )
    const remaining = await this.count('SELECT COUNT(*) AS n FROM usage_events')
    return {cutoff: iso(cutoff)!, deleted, remaining, deadLettersDeleted: dl, dryRun: false}
  }

  /** VACUUM (ANALYZE) of the whole database: space of pruned rows becomes reusable, statistics are fresh. */
  async vacuum(): Promise<VacuumResult> {
    this.c.writable('vacuum')
    const before = await this.databaseSize()
    await this.c.query('VACUUM (ANALYZE)', [], 'vacuum')
    return {sizeBefore: before, sizeAfter: await this.databaseSize()}
  }

  async backup(dest: string): Promise<BackupResult> {
    throw pgBackupError(this.c.target, dest)
  }
}
