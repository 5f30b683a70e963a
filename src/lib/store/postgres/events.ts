/**
 * EventRepository over PostgreSQL (../types.ts; the counterpart of ../events.ts, same queries and row shapes):
 * the collector's batch transaction and the bulk ingest (ingest.ts, events and rollups together), and the
 * keyset-paginated reads of raw events.
 */
import {eventListSql, eventRow, RAW_SELECT, usageRow} from '../events.js'
import type {BatchCounts, EventListQuery, EventRow, ExportQuery, IngestContext, IngestResult, LatestFailure, ScanQuery, StoredEvent, StoreTotals, UsageRow} from '../rows.js'
import {filterSql, inList, RAW_COLUMNS} from '../sql-filters.js'
import type {BatchTransaction, EventRepository, IngestOptions} from '../types.js'
import type {PgConnection} from './connection.js'
import {catchUpWatermark, PgBatchWriter} from './ingest.js'
import {dailyThroughPg} from './rollups.js'

const SCAN_PAGE = 5000
/** Bulk ingest: payloads per statement group (keeps parameter arrays and RETURNING sets moderate). */
const INGEST_CHUNK = 5000

export class PgEvents implements EventRepository {
  private writerInstance: PgBatchWriter | null = null

  /** `collecting`: the instance whose collector lock this process holds (runs.ts), if any. */
  constructor(
    private readonly c: PgConnection,
    private readonly collecting: () => string | null = () => null,
  ) {}

  get writer(): PgBatchWriter {
    this.writerInstance ??= new PgBatchWriter(this.c)
    return this.writerInstance
  }

  /** Write payloads inside a transaction the caller holds (spool recovery, dead-letter retry). */
  writeIn(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean} = {}): Promise<BatchCounts> {
    return this.writer.write(payloads, ctx, options)
  }

  /** Nothing to prepare: the batch writer normalises in this thread. */
  prepareBatches(): void {}

  batch<T>(fn: (tx: BatchTransaction) => Promise<T>): Promise<T> {
    return this.c.tx('write a batch', async () => {
      // upkeep before `fn` pops (../types.ts rule 3): the daily fold of the hours the collector's earlier batches
      // left behind, so the pop→commit window holds only this batch's own work
      const instance = this.collecting()
      const caughtUp = instance === null ? undefined : await catchUpWatermark(this.c, instance)
      return fn({write: (payloads, ctx) => this.writer.write(payloads, ctx, ctx.instance === instance ? {caughtUp} : {})})
    })
  }

  async ingest(instance: string, payloads: readonly unknown[], options: IngestOptions = {}): Promise<IngestResult> {
    const ctx: IngestContext = {instance, runId: options.runId ?? null, receivedAt: options.receivedAt ?? Date.now()}
    const out: IngestResult = {received: 0, added: 0, duplicates: 0, deadLettered: 0, controlSkipped: 0}
    await this.c.tx('ingest records', async () => {
      for (let i = 0; i < payloads.length || i === 0; i += INGEST_CHUNK) {
        const n = await this.writer.write(payloads.slice(i, i + INGEST_CHUNK), ctx)
        out.received += n.received
        out.added += n.inserted
        out.duplicates += n.duplicates
        out.deadLettered += n.deadLettered
        out.controlSkipped += n.controlSkipped
      }
    })
    return out
  }

  /**
   * Rows with ts in [since, until) (and `where`, whose parameters are `params`) in (ts, id) order, in keyset
   * pages (the counterpart of ../events.ts keyset): each page is one short statement.
   */
  private async *keyset<R>(select: string, where: string, params: unknown[], since: number, until: number, page: number, key: (row: R) => [number, number], raw: boolean, what: string): AsyncIterable<R[]> {
    const read = (sql: string, values: unknown[]) => (raw ? this.c.rows(sql, values, what) : this.c.query(sql, values, what)) as Promise<R[]>
    let rows = await read(`${select} WHERE ts >= ? AND ts < ?${where} ORDER BY ts, id LIMIT ?`, [since, until, ...params, page])
    while (rows.length > 0) {
      yield rows
      if (rows.length < page) return
      const [ts, id] = key(rows[rows.length - 1])
      rows = await read(`${select} WHERE ts >= ? AND ts < ? AND (ts > ? OR id > ?)${where} ORDER BY ts, id LIMIT ?`, [ts, until, ts, id, ...params, page])
    }
  }

  async *scan(q: ScanQuery): AsyncIterable<UsageRow[]> {
    const params: unknown[] = []
    const where = filterSql(q.filters, params, RAW_COLUMNS)
    for await (const rows of this.keyset<unknown[]>(RAW_SELECT, where, params, q.since, q.until, SCAN_PAGE, (r) => [r[0] as number, r[18] as number], true, 'scan events')) {
      yield rows.map(usageRow)
    }
  }

  async list(q: EventListQuery): Promise<EventRow[]> {
    const {sql, params} = eventListSql(q)
    return (await this.c.query(sql, params, 'list events')).map(eventRow)
  }

  exportPages(q: ExportQuery): AsyncIterable<StoredEvent[]> {
    const params: unknown[] = []
    const where = inList('instance', q.instances, params)
    const since = q.since ?? Number.MIN_SAFE_INTEGER
    const until = q.until ?? Number.MAX_SAFE_INTEGER
    return this.keyset<StoredEvent>('SELECT * FROM usage_events', where, params, since, until, q.page ?? 2000, (r) => [r.ts, r.id], false, 'export events')
  }

  async count(q: ExportQuery): Promise<number> {
    const params: unknown[] = [q.since ?? Number.MIN_SAFE_INTEGER, q.until ?? Number.MAX_SAFE_INTEGER]
    const sql = `SELECT COUNT(*) AS n FROM usage_events WHERE ts >= ? AND ts < ?${inList('instance', q.instances, params)}`
    return (await this.c.one<{n: number}>(sql, params, 'count events'))!.n
  }

  /** One pass over the failed events of the range (DISTINCT ON per group), not one scan per group. */
  async latestFailures(q: {groups: ReadonlyArray<{authIndex: string; model: string; status: number}>; since: number; until: number; instances?: string[]}): Promise<Array<LatestFailure | null>> {
    if (q.groups.length === 0) return []
    const params: unknown[] = [q.since, q.until]
    const where = inList('instance', q.instances, params)
    const rows = await this.c.query<{a: string; s: number; m: string; ts: number; fail_summary: string | null; request_id: string | null}>(
      `SELECT DISTINCT ON (a, s, m) a, s, m, ts, fail_summary, request_id FROM
         (SELECT COALESCE(auth_index, '') AS a, COALESCE(fail_status_code, 0) AS s, COALESCE(model, '') AS m, ts, id, fail_summary, request_id
          FROM usage_events WHERE ts >= ? AND ts < ? AND failed = 1${where}) f
       ORDER BY a, s, m, ts DESC, id DESC`,
      params,
      'find the latest failures',
    )
    const latest = new Map(rows.map((r) => [`${r.a}\u0000${r.s}\u0000${r.m}`, r]))
    return q.groups.map((g) => {
      const r = latest.get(`${g.authIndex}\u0000${g.status}\u0000${g.model}`)
      return r ? {ts: r.ts, summary: r.fail_summary, requestId: r.request_id} : null
    })
  }

  async totals(instance?: string | null): Promise<StoreTotals> {
    const where = instance ? 'WHERE instance = ?' : ''
    const row = (await this.c.one<{n: number; o: number | null; w: number | null}>(`SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events ${where}`, instance ? [instance] : [], 'count events'))!
    return {events: row.n, oldestTs: row.o, newestTs: row.w, instances: await this.instances()}
  }

  async instances(): Promise<string[]> {
    // the daily tables hold each instance's days before its watermark, the hourly ones the hours after it (at or
    // after the lowest watermark); COLLATE "C": byte order, as SQLite sorts
    const rows = await this.c.query<{instance: string}>(
      `SELECT instance FROM (SELECT DISTINCT instance FROM collector_runs UNION SELECT DISTINCT instance FROM report_model_daily
         UNION SELECT DISTINCT instance FROM report_model_hourly WHERE start_ms >= ?) i ORDER BY instance COLLATE "C"`,
      [await dailyThroughPg(this.c)],
      'list instances',
    )
    return rows.map((r) => r.instance)
  }
}
