/**
 * DeadLetterRepository over SQLite (types.ts): payloads that did not parse or validate (usage_dead_letters,
 * migration 001) — the summary `collect status` shows, the list, and the retry after an upgrade, which
 * ingests what parses now and marks those letters resolved in the same transaction.
 */
import type {Connection} from './connection.js'
import type {SqliteEvents} from './events.js'
import type {DeadLetter, DeadLetterQuery, DeadLetterSummary, RetryResult} from './records.js'
import type {DeadLetterRepository} from './types.js'

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString())

export interface DeadLetterRow {
  id: number
  instance: string
  received_at: number
  run_id: number | null
  reason: string
  payload: string
  resolved_at: number | null
}

export function deadLetter(r: DeadLetterRow): DeadLetter {
  return {id: r.id, instance: r.instance, receivedAt: iso(r.received_at)!, runId: r.run_id, reason: r.reason, payload: r.payload, resolvedAt: iso(r.resolved_at)}
}

/** WHERE clause of DeadLetterRepository.list (both backends). */
export function deadLetterWhere(q: DeadLetterQuery): {w: string; params: unknown[]} {
  const where: string[] = []
  const params: unknown[] = []
  if (!q.all) where.push('resolved_at IS NULL')
  if (q.instance) {
    where.push('instance = ?')
    params.push(q.instance)
  }
  return {w: where.length ? `WHERE ${where.join(' AND ')}` : '', params}
}

/** The waiting letters a retry looks at (both backends). */
export function retrySelectSql(q: {ids?: number[]; instance?: string}): {sql: string; params: unknown[]} {
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
  return {sql: `SELECT id, instance, payload FROM usage_dead_letters WHERE ${where.join(' AND ')} ORDER BY id`, params}
}

/**
 * Re-parse letters with this version's normaliser: the ones that parse now, per instance; the reasons of the rest.
 * The normaliser loads here, not with the store: a report's start-up does not pay for it (issue 12).
 */
export async function planRetry(rows: ReadonlyArray<{id: number; instance: string; payload: string}>): Promise<{
  res: RetryResult
  byInstance: Map<string, Array<{id: number; payload: string}>>
  reasons: Map<string, number>
}> {
  const {createNormalizer} = await import('../usage/normalize.js')
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
  return {res, byInstance, reasons}
}

export function finishRetry(res: RetryResult, reasons: Map<string, number>): RetryResult {
  res.reasons = [...reasons.entries()].map(([reason, count]) => ({reason, count})).sort((a, b) => b.count - a.count)
  return res
}

/** The statements of DeadLetterRepository.summary (both backends; `collate` orders equal counts by reason). */
export function summarySql(instance: string | null | undefined, collate: string): {agg: string; reasons: string; args: unknown[]} {
  const where = instance ? 'WHERE resolved_at IS NULL AND instance = ?' : 'WHERE resolved_at IS NULL'
  return {
    agg: `SELECT COUNT(*) AS n, MIN(received_at) AS o, MAX(received_at) AS w FROM usage_dead_letters ${where}`,
    reasons: `SELECT reason, COUNT(*) AS count FROM usage_dead_letters ${where} GROUP BY reason ORDER BY count DESC, reason${collate} LIMIT 10`,
    args: instance ? [instance] : [],
  }
}

/** Letters per retry transaction. */
export const RETRY_CHUNK = 1000

export class SqliteDeadLetters implements DeadLetterRepository {
  constructor(
    private readonly c: Connection,
    private readonly events: SqliteEvents,
  ) {}

  async summary(instance?: string | null): Promise<DeadLetterSummary> {
    const q = summarySql(instance, '')
    const agg = this.c.db.prepare(q.agg).get(...q.args) as {n: number; o: number | null; w: number | null}
    const reasons = this.c.db.prepare(q.reasons).all(...q.args) as Array<{reason: string; count: number}>
    return {waiting: agg.n, oldestAt: agg.o, newestAt: agg.w, reasons}
  }

  async list(q: DeadLetterQuery): Promise<{items: DeadLetter[]; total: number}> {
    const {w, params} = deadLetterWhere(q)
    const total = (this.c.db.prepare(`SELECT COUNT(*) AS n FROM usage_dead_letters ${w}`).get(...params) as {n: number}).n
    const rows = this.c.db.prepare(`SELECT * FROM usage_dead_letters ${w} ORDER BY id DESC LIMIT ?`).all(...params, q.limit) as DeadLetterRow[]
    return {
      items: rows.map(deadLetter),
      total,
    }
  }

  async retry(q: {ids?: number[]; instance?: string; now?: number} = {}): Promise<RetryResult> {
    this.c.writable('retry dead letters')
    const {sql, params} = retrySelectSql(q)
    const rows = this.c.db.prepare(sql).all(...params) as Array<{id: number; instance: string; payload: string}>
    const {res, byInstance, reasons} = await planRetry(rows)
    const resolve = this.c.db.prepare('UPDATE usage_dead_letters SET resolved_at = ? WHERE id = ?')
    const now = q.now ?? Date.now()
    for (const [instance, list] of byInstance) {
      for (let i = 0; i < list.length; i += RETRY_CHUNK) {
        const part = list.slice(i, i + RETRY_CHUNK)
        const counts = this.c.write('retry dead letters', () => {
          const n = this.events.writeIn(
            part.map((p) => p.payload),
            {instance, runId: null, receivedAt: now},
          )
          for (const p of part) resolve.run(now, p.id)
          return n
        })
        res.recovered += counts.inserted
        res.duplicates += counts.duplicates
      }
    }
    return finishRetry(res, reasons)
  }
}
