/**
 * CheckStateRepository over PostgreSQL (../types.ts; table check_states, migration 2), the counterpart of
 * ../check-states.ts: the same rows, read in the same (byte) order of targets, written in one statement.
 */
import {checkStateRecord, checkStateRow, checkStateUpsert, type CheckStateRow} from '../check-states.js'
import type {CheckStateRecord} from '../records.js'
import type {CheckStateRepository} from '../types.js'
import type {PgConnection} from './connection.js'

export class PgCheckStates implements CheckStateRepository {
  constructor(private readonly c: PgConnection) {}

  async list(check: string, receiver: string): Promise<CheckStateRecord[]> {
    // COLLATE "C": targets in byte order, as SQLite sorts them (the database's collation may differ)
    const rows = await this.c.query<CheckStateRow & Record<string, unknown>>(
      'SELECT * FROM check_states WHERE check_name = ? AND receiver = ? ORDER BY target COLLATE "C"',
      [check, receiver],
      'read check states',
    )
    return rows.map(checkStateRecord)
  }

  async save(records: readonly CheckStateRecord[]): Promise<void> {
    if (records.length === 0) return
    this.c.writable('record check states')
    // one statement (atomic on its own); a key given twice keeps its last record, as a row-by-row upsert would
    const rows = new Map<string, CheckStateRow>()
    for (const r of records) rows.set(JSON.stringify([r.check, r.target, r.receiver]), checkStateRow(r))
    await this.c.query(checkStateUpsert('SELECT check_name, target, receiver, state, summary, since, updated_at FROM json_populate_recordset(NULL::check_states, ?::json)'), [JSON.stringify([...rows.values()])], 'record check states')
  }
}
