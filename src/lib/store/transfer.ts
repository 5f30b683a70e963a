/**
 * What `store copy` needs of a backend, and nothing else sees (issue 13): plain statements over the shared
 * schema (the SQL that both dialects accept), a transaction, and the insert of stored events as they are —
 * every column and the same event hash, dedup through the unique index, newly inserted events moving the
 * rollups (rollup-cells.ts) when asked. Histograms cross as histogram.ts's encoding (Buffers) whatever a
 * backend keeps. The SQLite port is here; the PostgreSQL one is postgres/transfer.ts.
 */
import type {Statement} from './db.js'
import {EVENT_COLUMNS} from './event-columns.js'
import {RollupCells} from './rollup-cells.js'
import {RollupWriter} from './rollup-write.js'
import type {SqliteStore} from './sqlite-store.js'
import {storedInput, storedRow, type TransferPort} from './transfer-port.js'
import type {Store} from './types.js'

function sqlitePort(store: SqliteStore): TransferPort {
  const c = store.connection
  const db = c.db
  let insert: Statement | null = null
  let writer: RollupWriter | null = null
  const cells = new RollupCells()
  return {
    kind: 'sqlite',
    all: async (sql, params = []) => {
      // an INSERT without RETURNING returns no rows here, as it does on PostgreSQL (better-sqlite3 refuses .all() on it)
      const statement = db.prepare(sql)
      if (!statement.reader) {
        statement.run(...params)
        return []
      }
      return statement.all(...params) as Array<Record<string, unknown>>
    },
    run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
    tx: (fn) => c.writeAround(fn),
    async insertEvents(rows, rollups) {
      insert ??= db.prepare(`INSERT OR IGNORE INTO usage_events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`)
      writer ??= new RollupWriter(db)
      cells.dailyThrough = Number.NEGATIVE_INFINITY // hourly cells only: rebuildDaily folds the days
      let n = 0
      for (const e of rows) {
        if (insert.run(storedRow(e)).changes === 0) continue
        n++
        if (rollups) cells.add(e.instance, storedInput(e))
      }
      writer.flush(cells)
      return n
    },
    async rebuildDaily() {
      writer ??= new RollupWriter(db)
      const w = writer
      await c.writeAround(async () => {
        for (const t of ['report_model_daily', 'report_key_daily', 'report_account_daily', 'report_hist_daily']) db.prepare(`DELETE FROM ${t}`).run()
        db.prepare("INSERT INTO report_state (key, value) VALUES ('daily_through', 0) ON CONFLICT (key) DO UPDATE SET value = 0").run()
        cells.dailyThrough = 0
        w.advance(cells, (db.prepare('SELECT MAX(last_ts) AS n FROM report_model_hourly').get() as {n: number | null}).n)
      })
    },
  }
}

/** The transfer port of an open store (read-only stores only read). */
export async function transferPort(store: Store): Promise<TransferPort> {
  if (store.kind === 'postgres') return (await import('./postgres/transfer.js')).pgTransferPort(store as never)
  return sqlitePort(store as SqliteStore)
}
