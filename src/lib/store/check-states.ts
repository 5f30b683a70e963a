/**
 * CheckStateRepository over SQLite (types.ts; table check_states, migration 005): the last state each check
 * delivered per target and notification receiver. The only thing `cpactl check` ever writes. The row shape and
 * the upsert are shared with the PostgreSQL backend (postgres/check-states.ts).
 */
import type {Connection} from './connection.js'
import type {CheckStateRecord, CheckStateValue} from './records.js'
import type {CheckStateRepository} from './types.js'

export interface CheckStateRow {
  check_name: string
  target: string
  receiver: string
  state: string
  summary: string
  since: number
  updated_at: number
}

export function checkStateRecord(r: CheckStateRow): CheckStateRecord {
  return {
    check: r.check_name,
    target: r.target,
    receiver: r.receiver,
    state: r.state as CheckStateValue,
    summary: r.summary,
    since: r.since,
    updatedAt: r.updated_at,
  }
}

export function checkStateRow(r: CheckStateRecord): CheckStateRow {
  return {check_name: r.check, target: r.target, receiver: r.receiver, state: r.state, summary: r.summary, since: r.since, updated_at: r.updatedAt}
}

/** Insert or replace by (check, target, receiver); `rows` is the source of the new rows (VALUES or a SELECT). */
export const checkStateUpsert = (rows: string): string =>
  `INSERT INTO check_states (check_name, target, receiver, state, summary, since, updated_at) ${rows}
   ON CONFLICT (check_name, target, receiver) DO UPDATE SET state = excluded.state, summary = excluded.summary, since = excluded.since, updated_at = excluded.updated_at`

export class SqliteCheckStates implements CheckStateRepository {
  constructor(private readonly c: Connection) {}

  async list(check: string, receiver: string): Promise<CheckStateRecord[]> {
    const rows = this.c.db.prepare('SELECT * FROM check_states WHERE check_name = ? AND receiver = ? ORDER BY target').all(check, receiver) as CheckStateRow[]
    return rows.map(checkStateRecord)
  }

  async save(records: readonly CheckStateRecord[]): Promise<void> {
    if (records.length === 0) return
    this.c.write('record check states', () => {
      const upsert = this.c.db.prepare(checkStateUpsert('VALUES (?, ?, ?, ?, ?, ?, ?)'))
      for (const r of records) upsert.run(r.check, r.target, r.receiver, r.state, r.summary, r.since, r.updatedAt)
    })
  }
}
