/**
 * DeadLetterRepository over PostgreSQL (the counterpart of ../dead-letters.ts: same queries, same retry plan):
 * the summary, the list, and the retry that ingests what parses now and marks those letters resolved in the
 * same transaction.
 */
import {deadLetter, deadLetterWhere, finishRetry, planRetry, RETRY_CHUNK, retrySelectSql, summarySql, type DeadLetterRow} from '../dead-letters.js'
import type {DeadLetter, DeadLetterQuery, DeadLetterSummary, RetryResult} from '../records.js'
import type {DeadLetterRepository} from '../types.js'
import type {PgConnection} from './connection.js'
import type {PgEvents} from './events.js'

export class PgDeadLetters implements DeadLetterRepository {
  constructor(
    private readonly c: PgConnection,
    private readonly events: PgEvents,
  ) {}

  async summary(instance?: string | null): Promise<DeadLetterSummary> {
    const q = summarySql(instance, ' COLLATE "C"')
    const agg = (await this.c.one<{n: number; o: number | null; w: number | null}>(q.agg, q.args, 'summarise dead letters'))!
    const reasons = await this.c.query<{reason: string; count: number}>(q.reasons, q.args, 'summarise dead letters')
    return {waiting: agg.n, oldestAt: agg.o, newestAt: agg.w, reasons}
  }

  async list(q: DeadLetterQuery): Promise<{items: DeadLetter[]; total: number}> {
    const {w, params} = deadLetterWhere(q)
    const total = (await this.c.one<{n: number}>(`SELECT COUNT(*) AS n FROM usage_dead_letters ${w}`, params, 'count dead letters'))!.n
    const rows = await this.c.query<DeadLetterRow>(`SELECT * FROM usage_dead_letters ${w} ORDER BY id DESC LIMIT ?`, [...params, q.limit], 'list dead letters')
    return {items: rows.map(deadLetter), total}
  }

  async retry(q: {ids?: number[]; instance?: string; now?: number} = {}): Promise<RetryResult> {
    this.c.writable('retry dead letters')
    const {sql, params} = retrySelectSql(q)
    const {res, byInstance, reasons} = await planRetry(await this.c.query<{id: number; instance: string; payload: string}>(sql, params, 'read dead letters'))
    const now = q.now ?? Date.now()
    for (const [instance, list] of byInstance) {
      for (let i = 0; i < list.length; i += RETRY_CHUNK) {
        const part = list.slice(i, i + RETRY_CHUNK)
        const counts = await this.c.tx('retry dead letters', async () => {
          const n = await this.events.writeIn(
            part.map((p) => p.payload),
            {instance, runId: null, receivedAt: now},
          )
          await this.c.query('UPDATE usage_dead_letters SET resolved_at = ? WHERE id = ANY(?::bigint[])', [now, part.map((p) => p.id)])
          return n
        })
        res.recovered += counts.inserted
        res.duplicates += counts.duplicates
      }
    }
    return finishRetry(res, reasons)
  }
}
