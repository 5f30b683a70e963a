/**
 * The SQLite implementation of `Store` (types.ts) over better-sqlite3: one connection, shared by the
 * repositories through `Connection`. Opening (file modes, pragmas, migrations) is db.ts; the schema is in
 * migrations/. Nothing outside src/lib/store sees the handle.
 */
import {SqliteCheckStates} from './check-states.js'
import type {Connection} from './connection.js'
import {SqliteDeadLetters} from './dead-letters.js'
import {SqliteEvents} from './events.js'
import type {BatchWriter} from './ingest.js'
import {SqliteInspections} from './inspections.js'
import {SqliteMaintenance} from './maintenance.js'
import {SqliteNames} from './names.js'
import {SqlitePrices} from './prices.js'
import {SqliteRollups} from './rollups.js'
import {SqliteRuns} from './runs.js'
import {SqliteSpool} from './spool.js'
import type {Store} from './types.js'

export class SqliteStore implements Store {
  readonly kind = 'sqlite'
  readonly location: string
  readonly readonly: boolean
  readonly events: SqliteEvents
  readonly rollups: SqliteRollups
  readonly runs: SqliteRuns
  readonly deadLetters: SqliteDeadLetters
  readonly spool: SqliteSpool
  readonly prices: SqlitePrices
  readonly aliases: SqliteNames
  readonly inspections: SqliteInspections
  readonly maintenance: SqliteMaintenance
  readonly checks: SqliteCheckStates

  /** `Writer`: the batch writer (ingest.ts) of a store opened for writing, null for a read-only one (events.ts). */
  constructor(readonly connection: Connection, Writer: typeof BatchWriter | null) {
    const c = connection
    this.location = c.location
    this.readonly = c.readonly
    this.events = new SqliteEvents(c, Writer)
    this.rollups = new SqliteRollups(c)
    this.runs = new SqliteRuns(c)
    this.deadLetters = new SqliteDeadLetters(c, this.events)
    this.spool = new SqliteSpool(c, this.events)
    this.prices = new SqlitePrices(c)
    this.aliases = new SqliteNames(c)
    this.inspections = new SqliteInspections(c, this.rollups)
    this.maintenance = new SqliteMaintenance(c)
    this.checks = new SqliteCheckStates(c)
  }

  async close(): Promise<void> {
    await this.events.close()
    const db = this.connection.db
    if (!db.open) return
    try {
      if (!this.readonly) db.pragma('wal_checkpoint(PASSIVE)')
    } catch {
      // a busy checkpoint is harmless; the next writer checkpoints
    }
    db.close()
  }
}
