/**
 * EventRepository over SQLite (types.ts): the collector's batch transaction and the bulk ingest (both through
 * ingest.ts, events and rollups together), and every read of raw events — the report engine's scans, the
 * drill-down list, usage export, the latest failure of a group, totals. Reads are keyset-paginated statements
 * (never one read transaction held across pages, which would pin the WAL while a collector writes).
 */
import {BugError} from '../cli/errors.js'
import type {Connection} from './connection.js'
import type {BatchWriter} from './ingest.js'
import {dailyThrough} from './rollup-write.js'
import type {
  BatchCounts,
  EventListQuery,
  EventRow,
  ExportQuery,
  IngestContext,
  IngestResult,
  LatestFailure,
  ScanQuery,
  StoredEvent,
  StoreTotals,
  UsageRow,
} from './rows.js'
import {bucketsAt, filterSql, inList, RAW_COLUMNS} from './sql-filters.js'
import type {BatchTransaction, EventRepository, IngestOptions} from './types.js'

/** Rows per page of a raw scan. */
const SCAN_PAGE = 5000

/** The raw-event columns of a scan, in the order usageRow reads them (both backends). */
export const RAW_SELECT = `SELECT ts, instance, provider, model, api_key_hash, auth_index, service_tier, response_service_tier,
  failed, fail_status_code, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, latency_ms, ttft_ms, id
  FROM usage_events`

export function usageRow(r: unknown[]): UsageRow {
  const lat = r[16] as number | null
  const ttft = r[17] as number | null
  const hasTtft = ttft !== null && ttft > 0
  return {
    raw: true,
    ts: r[0] as number,
    instance: r[1] as string,
    provider: (r[2] as string | null) ?? '',
    model: (r[3] as string | null) ?? '',
    apiKeyHash: (r[4] as string | null) ?? '',
    authIndex: (r[5] as string | null) ?? '',
    serviceTier: (r[6] as string | null) ?? '',
    responseServiceTier: (r[7] as string | null) ?? '',
    band: null,
    status: (r[9] as number | null) ?? 0,
    requests: 1,
    failed: r[8] as number,
    ...bucketsAt(r, 10),
    latencySum: lat ?? 0,
    latencyCount: lat === null ? 0 : 1,
    ttftSum: hasTtft ? ttft : 0,
    ttftCount: hasTtft ? 1 : 0,
    lastTs: r[0] as number,
    latencyMs: lat,
    ttftMs: hasTtft ? ttft : null,
  }
}

/** The columns eventRow reads (both backends). */
export const EVENT_LIST_SELECT = `SELECT id, ts, instance, request_id, provider, model, alias, endpoint, auth_index, source, api_key_hash, failed,
  fail_status_code, latency_ms, ttft_ms, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, total, service_tier,
  response_service_tier, reasoning_effort, fail_summary FROM usage_events`

/** The query of EventRepository.list: newest first, keyset-paginated (both backends). */
export function eventListSql(q: EventListQuery): {sql: string; params: unknown[]} {
  const params: unknown[] = [q.since, q.until]
  let sql = `${EVENT_LIST_SELECT} WHERE ts >= ? AND ts < ?`
  sql += filterSql(q.filters, params, RAW_COLUMNS)
  if (q.before) {
    sql += ' AND (ts < ? OR (ts = ? AND id < ?))'
    params.push(q.before.ts, q.before.ts, q.before.id)
  }
  sql += ' ORDER BY ts DESC, id DESC LIMIT ?'
  params.push(q.limit)
  return {sql, params}
}

/** A `report events` row from its columns (both backends). */
export function eventRow(r: Record<string, unknown>): EventRow {
  return {
    id: r.id as number,
    ts: r.ts as number,
    instance: r.instance as string,
    requestId: r.request_id as string | null,
    provider: r.provider as string | null,
    model: r.model as string | null,
    alias: r.alias as string | null,
    endpoint: r.endpoint as string | null,
    authIndex: r.auth_index as string | null,
    source: r.source as string | null,
    apiKeyHash: r.api_key_hash as string | null,
    failed: r.failed === 1,
    statusCode: r.fail_status_code as number | null,
    latencyMs: r.latency_ms as number | null,
    ttftMs: r.ttft_ms as number | null,
    uncachedInput: r.uncached_input as number,
    cacheRead: r.cache_read as number,
    cacheWrite: r.cache_write as number,
    outputTotal: r.output_total as number,
    reasoning: r.reasoning as number,
    unclassified: r.unclassified as number,
    total: r.total as number,
    serviceTier: r.service_tier as string | null,
    responseServiceTier: r.response_service_tier as string | null,
    reasoningEffort: r.reasoning_effort as string | null,
    failSummary: r.fail_summary as string | null,
  }
}

export class SqliteEvents implements EventRepository {
  private writerInstance: BatchWriter | null = null

  /**
   * `Writer` is ingest.ts's BatchWriter, which index.ts loads only for a store opened for writing: a report
   * (read-only) does not load the write path's modules (normaliser, its thread, the row encoders).
   */
  constructor(
    private readonly c: Connection,
    private readonly Writer: typeof BatchWriter | null,
  ) {}

  private get writer(): BatchWriter {
    if (!this.Writer) throw new BugError('the batch writer of a read-only store was asked for')
    this.writerInstance ??= new this.Writer(this.c.db)
    return this.writerInstance
  }

  /** Write payloads inside a transaction the caller holds (spool recovery, dead-letter retry). */
  writeIn(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean} = {}): BatchCounts {
    return this.writer.write(payloads, ctx, options)
  }

  /** Start the batch writer's normaliser thread now: it boots while the collector connects (~100 ms). */
  prepareBatches(): void {
    if (this.Writer) this.writer.startThread()
  }

  batch<T>(fn: (tx: BatchTransaction) => Promise<T>): Promise<T> {
    // the daily fold of the hours earlier batches left behind runs first, before `fn` pops: the pop→commit
    // window holds only this batch's own work
    return this.c.writeAround(() => {
      this.writer.catchUp()
      return fn({write: (payloads, ctx) => this.writer.writeBatch(payloads, ctx, {advance: false})})
    })
  }

  /** Stop the batch writer's normaliser thread (the store is closing). */
  async close(): Promise<void> {
    await this.writerInstance?.close()
  }

  async ingest(instance: string, payloads: readonly unknown[], options: IngestOptions = {}): Promise<IngestResult> {
    const ctx: IngestContext = {instance, runId: options.runId ?? null, receivedAt: options.receivedAt ?? Date.now()}
    const n = this.c.write('ingest records', () => this.writer.write(payloads, ctx))
    return {received: n.received, added: n.inserted, duplicates: n.duplicates, deadLettered: n.deadLettered, controlSkipped: n.controlSkipped}
  }

  /**
   * Rows with ts in [since, until) (and `where`, whose parameters are `params`) in (ts, id) order, in keyset
   * pages: each page is one short statement, so no read transaction stays open between pages.
   */
  private async *keyset<R>(select: string, where: string, params: unknown[], since: number, until: number, page: number, key: (row: R) => [number, number], raw: boolean): AsyncIterable<R[]> {
    const first = this.c.db.prepare(`${select} WHERE ts >= ? AND ts < ?${where} ORDER BY ts, id LIMIT ?`).raw(raw)
    const next = this.c.db.prepare(`${select} WHERE ts >= ? AND ts < ? AND (ts > ? OR id > ?)${where} ORDER BY ts, id LIMIT ?`).raw(raw)
    let rows = first.all(since, until, ...params, page) as R[]
    while (rows.length > 0) {
      yield rows
      if (rows.length < page) return
      const [ts, id] = key(rows[rows.length - 1])
      rows = next.all(ts, until, ts, id, ...params, page) as R[]
    }
  }

  async *scan(q: ScanQuery): AsyncIterable<UsageRow[]> {
    const params: unknown[] = []
    const where = filterSql(q.filters, params, RAW_COLUMNS)
    for await (const rows of this.keyset<unknown[]>(RAW_SELECT, where, params, q.since, q.until, SCAN_PAGE, (r) => [r[0] as number, r[18] as number], true)) {
      yield rows.map(usageRow)
    }
  }

  async list(q: EventListQuery): Promise<EventRow[]> {
    const {sql, params} = eventListSql(q)
    return (this.c.db.prepare(sql).all(...params) as Array<Record<string, unknown>>).map(eventRow)
  }

  exportPages(q: ExportQuery): AsyncIterable<StoredEvent[]> {
    const params: unknown[] = []
    const where = inList('instance', q.instances, params)
    const since = q.since ?? Number.MIN_SAFE_INTEGER
    const until = q.until ?? Number.MAX_SAFE_INTEGER
    return this.keyset<StoredEvent>('SELECT * FROM usage_events', where, params, since, until, q.page ?? 2000, (r) => [r.ts, r.id], false)
  }

  async count(q: ExportQuery): Promise<number> {
    const params: unknown[] = [q.since ?? Number.MIN_SAFE_INTEGER, q.until ?? Number.MAX_SAFE_INTEGER]
    const sql = `SELECT COUNT(*) AS n FROM usage_events WHERE ts >= ? AND ts < ?${inList('instance', q.instances, params)}`
    return (this.c.db.prepare(sql).get(...params) as {n: number}).n
  }

  async latestFailures(q: {groups: ReadonlyArray<{authIndex: string; model: string; status: number}>; since: number; until: number; instances?: string[]}): Promise<Array<LatestFailure | null>> {
    const inst: unknown[] = []
    const where = inList('instance', q.instances, inst)
    // records served without a credential carry auth_index "" (older stores may hold NULL): one group either way
    const stmt = this.c.db.prepare(`SELECT ts, fail_summary, request_id FROM usage_events
      WHERE COALESCE(auth_index, '') = ? AND ts >= ? AND ts < ? AND failed = 1 AND COALESCE(fail_status_code, 0) = ? AND COALESCE(model, '') = ?${where}
      ORDER BY ts DESC LIMIT 1`)
    return q.groups.map((g) => {
      const r = stmt.get(g.authIndex, q.since, q.until, g.status, g.model, ...inst) as {ts: number; fail_summary: string | null; request_id: string | null} | undefined
      return r ? {ts: r.ts, summary: r.fail_summary, requestId: r.request_id} : null
    })
  }

  async totals(instance?: string | null): Promise<StoreTotals> {
    const where = instance ? 'WHERE instance = ?' : ''
    const args = instance ? [instance] : []
    const row = this.c.db.prepare(`SELECT COUNT(*) AS n, MIN(ts) AS o, MAX(ts) AS w FROM usage_events ${where}`).get(...args) as {n: number; o: number | null; w: number | null}
    return {events: row.n, oldestTs: row.o, newestTs: row.w, instances: await this.instances()}
  }

  async instances(): Promise<string[]> {
    // Daily tables hold only the days before the watermark; later days live in the hourly table.
    const rows = this.c.db
      .prepare('SELECT DISTINCT instance FROM collector_runs UNION SELECT DISTINCT instance FROM report_model_daily UNION SELECT DISTINCT instance FROM report_model_hourly WHERE start_ms >= ? ORDER BY 1')
      .all(dailyThrough(this.c.db)) as Array<{instance: string}>
    return rows.map((r) => r.instance)
  }
}
