/**
 * The PostgreSQL implementation of `Store` (../types.ts), for teams: several gateways, a collector next to each,
 * reports from any host (issue 13). Opening connects (typed errors: unreachable 5, authentication 3), checks
 * the schema version (a newer one: exit 3 "upgrade cpactl"), and — unless read-only — applies pending
 * migrations under an advisory lock. A read-only store runs its session with default_transaction_read_only, so
 * a report can write nothing, and refuses a database without cpactl's schema or with an outdated one.
 *
 * The spool (payloads popped but not committed) is local: files under `<dataDir>/spool/`, named after the
 * server and database, mode 0600, ingested by the next run on this host.
 */
import {join} from 'node:path'

import {ConfigError} from '../../cli/errors.js'
import {resolveDirs} from '../../files/dirs.js'
import {FileSpool} from '../spool.js'
import {addCounts, emptyCounts} from '../rows.js'
import type {Store} from '../types.js'
import {parsePgUrl, type PgTarget} from './config.js'
import {connectPg, PgConnection} from './connection.js'
import {PgCheckStates} from './check-states.js'
import {PgDeadLetters} from './dead-letters.js'
import {PgEvents} from './events.js'
import {PgInspections} from './inspections.js'
import {PgMaintenance} from './maintenance.js'
import {PgNames} from './names.js'
import {PgPrices} from './prices.js'
import {PgRollups} from './rollups.js'
import {PgRuns} from './runs.js'
import {appliedMigrations, migratePg, PG_SCHEMA_VERSION, pgMigrations, tooNew} from './schema.js'

export interface OpenPgOptions {
  readonly?: boolean
  /** Refuse a database without cpactl's schema instead of creating it (implied by readonly). */
  mustExist?: boolean
}

/** Where this host keeps the spool of a PostgreSQL store (a base name; spool.ts adds the suffixes). */
export function pgSpoolBase(t: PgTarget, dataDir = resolveDirs(process.env).dataDir): string {
  const name = `${t.host}_${t.port}_${t.database}`.replace(/[^A-Za-z0-9._-]/g, '_')
  return join(dataDir, 'spool', `postgres-${name}`)
}

export class PgStore implements Store {
  readonly kind = 'postgres'
  readonly location: string
  readonly readonly: boolean
  readonly events: PgEvents
  readonly rollups: PgRollups
  readonly runs: PgRuns
  readonly deadLetters: PgDeadLetters
  readonly spool: FileSpool
  readonly prices: PgPrices
  readonly aliases: PgNames
  readonly inspections: PgInspections
  readonly maintenance: PgMaintenance
  readonly checks: PgCheckStates

  constructor(readonly connection: PgConnection) {
    const c = connection
    this.location = c.location
    this.readonly = c.readonly
    this.runs = new PgRuns(c)
    this.events = new PgEvents(c, () => this.runs.collecting())
    this.rollups = new PgRollups(c)
    this.deadLetters = new PgDeadLetters(c, this.events)
    const base = pgSpoolBase(c.target)
    this.spool = new FileSpool(
      base,
      (action) => c.writable(action),
      (byInstance, runId) =>
        c.tx('ingest a spool file', async () => {
          const n = emptyCounts()
          for (const [instance, g] of byInstance) addCounts(n, await this.events.writeIn(g.payloads, {instance, runId, receivedAt: g.receivedAt}, {recovered: true}))
          return n
        }),
    )
    this.prices = new PgPrices(c)
    this.aliases = new PgNames(c)
    this.inspections = new PgInspections(c, this.rollups)
    this.maintenance = new PgMaintenance(c)
    this.checks = new PgCheckStates(c)
  }

  async close(): Promise<void> {
    await this.connection.close()
  }
}

/** Schema version and pending migrations of a database, read without changing anything. */
export async function pgSchemaStatus(url: string): Promise<{version: number; pending: Array<{id: number; name: string}>}> {
  const t = parsePgUrl(url)
  const c = new PgConnection(await connectPg(t, {readonly: true}), t, true)
  try {
    const applied = await appliedMigrations(c)
    return {version: Math.max(0, ...applied), pending: pgMigrations.filter((m) => !applied.includes(m.id))}
  } finally {
    await c.close()
  }
}

export async function openPgStore(url: string, options: OpenPgOptions = {}): Promise<PgStore> {
  const t = parsePgUrl(url)
  const readonly = Boolean(options.readonly)
  const c = new PgConnection(await connectPg(t, {readonly}), t, readonly)
  try {
    const applied = await appliedMigrations(c)
    const version = Math.max(0, ...applied)
    if (version > PG_SCHEMA_VERSION) throw tooNew(c.location, version)
    if (applied.length === 0 && (readonly || options.mustExist)) {
      throw new ConfigError(`no cpactl store in ${c.location} yet`, {code: 'store_missing', hint: 'collect usage first (cpactl collect --store URL), or move a store there with cpactl store copy'})
    }
    if (pgMigrations.some((m) => !applied.includes(m.id))) {
      if (readonly) {
        throw new ConfigError(`the store ${c.location} needs migrating (schema ${version}) before it can be read`, {
          code: 'store_outdated',
          hint: 'run cpactl store migrate (collect and the other writing commands migrate it too)',
        })
      }
      await migratePg(c)
    }
  } catch (error) {
    await c.close()
    throw error
  }
  return new PgStore(c)
}
