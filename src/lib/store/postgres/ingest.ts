/**
 * Writing usage into PostgreSQL, inside the caller's transaction (the counterpart of ../ingest.ts, same
 * classification and arithmetic):
 *   1. the new events: `INSERT … SELECT FROM json_populate_recordset … ON CONFLICT DO NOTHING RETURNING` per
 *      chunk of INSERT_CHUNK events (dedup through the unique (ts, instance, event_hash) index; only the rows it
 *      returns are new), each sent on the pipelined session as soon as its chunk is classified, so the server
 *      inserts while this process prepares the next chunk (CPU of both sides overlaps within the batch);
 *   2. one statement of data-modifying CTEs: an `INSERT … ON CONFLICT DO UPDATE` per rollup table for the cells
 *      of the newly inserted events (rollup-cells.ts), the dead letters and the run's counters.
 * Rows travel as JSON (parsed by the server, typed by the tables themselves), and both statements are named, so
 * a session parses and plans them once.
 */
import {createNormalizer, eventHash, payloadText, redactPayload, type Normalizer, type UsageEvent} from '../../usage/index.js'
import {EVENT_COLUMNS, fillEventRow} from '../event-columns.js'
import {BASE_DIMS, CUBE_EXTRA, CUBES, DAY_MS, floorTo, GRAIN_CUBES, GRAINS, HOUR_MS, SUM_COLS, RollupCells, type HistCell} from '../rollup-cells.js'
import {emptyCounts, type BatchCounts, type IngestContext} from '../rows.js'
import type {PgConnection} from './connection.js'

/** `bucket << 32 | count` entries of dense counts, sorted by bucket (null when every count is 0). */
export function histEntries(dense: ArrayLike<number>): number[] | null {
  const out: number[] = []
  for (let k = 0; k < dense.length; k++) if (dense[k] > 0) out.push(k * 4294967296 + dense[k])
  return out.length === 0 ? null : out
}

/** Entries back to dense counts (added into `into`). */
export function addEntries(into: Float64Array, entries: readonly number[] | null): void {
  if (!entries) return
  for (const v of entries) {
    const k = Math.floor(v / 4294967296)
    into[k] += v - k * 4294967296
  }
}

const rowsOf = (table: string, n: number, cols: readonly string[]) => `SELECT ${cols.join(', ')} FROM json_populate_recordset(NULL::${table}, $${n}::json)`

/**
 * Every rollup table, the dead letters and the run's counters in one statement (data-modifying CTEs over JSON
 * parameters): one round trip and one plan per batch. $1…$6 cubes, $7/$8 histograms, $9 sources, $10 dead
 * letters, $11 the run's counters ({…} or null).
 */
function batchSql(): string {
  const ctes: string[] = []
  let n = 0
  for (const grain of GRAINS) {
    for (const cube of GRAIN_CUBES[grain]) {
      const table = `report_${cube}_${grain}`
      const dims = [...BASE_DIMS, ...CUBE_EXTRA[cube]]
      const cols = [...dims, ...SUM_COLS, 'last_ts']
      ctes.push(`c${++n} AS (INSERT INTO ${table} AS t (${cols.join(', ')}) ${rowsOf(table, n, cols)}
        ON CONFLICT (${dims.join(', ')}) DO UPDATE SET ${SUM_COLS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')}, last_ts = GREATEST(t.last_ts, excluded.last_ts))`)
    }
  }
  for (const grain of GRAINS) {
    const table = `report_hist_${grain}`
    const cols = ['start_ms', 'instance', 'dim', 'value', 'lat_hist', 'ttft_hist']
    ctes.push(`c${++n} AS (INSERT INTO ${table} AS t (${cols.join(', ')}) ${rowsOf(table, n, cols)}
      ON CONFLICT (dim, start_ms, value, instance) DO UPDATE SET
      lat_hist = cpactl_hist_merge(t.lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(t.ttft_hist, excluded.ttft_hist))`)
  }
  const src = ['instance', 'auth_index', 'source', 'last_ts']
  ctes.push(`c${++n} AS (INSERT INTO report_account_sources AS t (${src.join(', ')}) ${rowsOf('report_account_sources', n, src)}
    ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = GREATEST(t.last_ts, excluded.last_ts))`)
  const dl = ['instance', 'received_at', 'run_id', 'reason', 'payload']
  ctes.push(`c${++n} AS (INSERT INTO usage_dead_letters (${dl.join(', ')}) ${rowsOf('usage_dead_letters', n, dl)})`)
  const r = `$${++n}::json`
  ctes.push(`c${n} AS (UPDATE collector_runs SET popped = popped + (${r}->>'popped')::bigint, inserted = inserted + (${r}->>'inserted')::bigint,
    duplicates = duplicates + (${r}->>'duplicates')::bigint, dead_lettered = dead_lettered + (${r}->>'deadLettered')::bigint,
    control_skipped = control_skipped + (${r}->>'controlSkipped')::bigint, recovered = recovered + (${r}->>'recovered')::bigint, batches = batches + 1,
    oldest_record_ts = LEAST(oldest_record_ts, (${r}->>'oldest')::bigint), newest_record_ts = GREATEST(newest_record_ts, (${r}->>'newest')::bigint)
    WHERE id = (${r}->>'id')::bigint)`)
  return `WITH ${ctes.join(',\n')} SELECT 1`
}

let BATCH_SQL: string | null = null

export interface BatchExtras {
  deadLetters?: Array<Record<string, unknown>>
  run?: Record<string, number | null> | null
}

/** Upsert every cell of `cells` (inside the caller's transaction), with the batch's dead letters and run counters, then clear them. */
export async function flushCells(c: PgConnection, cells: RollupCells, extras: BatchExtras = {}): Promise<void> {
  const params: string[] = []
  for (const grain of GRAINS) {
    for (const cube of GRAIN_CUBES[grain]) {
      const dims = [...BASE_DIMS, ...CUBE_EXTRA[cube]]
      const rows: Array<Record<string, unknown>> = []
      for (const period of cells.periods(grain)) {
        for (const cell of period[cube].values()) {
          const o: Record<string, unknown> = {last_ts: cell.lastTs}
          dims.forEach((d, i) => (o[d] = cell.dims[i]))
          SUM_COLS.forEach((col, i) => (o[col] = cell.sums[i]))
          rows.push(o)
        }
      }
      params.push(JSON.stringify(rows))
    }
  }
  for (const grain of GRAINS) {
    const rows: Array<Record<string, unknown>> = []
    for (const period of cells.periods(grain)) {
      for (const h of period.hist.values() as Iterable<HistCell>) {
        rows.push({start_ms: h.start, instance: h.instance, dim: h.dim, value: h.value, lat_hist: histEntries(h.lat), ttft_hist: histEntries(h.ttft)})
      }
    }
    params.push(JSON.stringify(rows))
  }
  params.push(JSON.stringify([...cells.sources.values()].map((s) => ({instance: s.instance, auth_index: s.authIndex, source: s.source, last_ts: s.lastTs}))))
  params.push(JSON.stringify(extras.deadLetters ?? []))
  params.push(JSON.stringify(extras.run ?? null))
  BATCH_SQL ??= batchSql()
  await c.query(BATCH_SQL, params, 'write the rollups', 'cpactl_batch')
  cells.clear()
}

/** `INSERT INTO table (cols) SELECT * FROM unnest($1::type[], …)` with the table's own column types. */
export async function unnestInsert(c: PgConnection, table: string, columns: readonly string[], suffix = ''): Promise<string> {
  const rows = await c.query<{name: string; type: string}>(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped`,
    [table],
    `read the columns of ${table}`,
  )
  const types = new Map(rows.map((r) => [r.name, r.type]))
  const missing = columns.filter((col) => !types.has(col))
  if (missing.length > 0) throw new Error(`the PostgreSQL table ${table} lacks ${missing.join(', ')}: its schema is older than this cpactl`)
  return `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${columns.map((col, i) => `$${i + 1}::${types.get(col)}[]`).join(', ')})${suffix}`
}

const INSERT_EVENTS = `INSERT INTO usage_events (${EVENT_COLUMNS.join(', ')}) SELECT ${EVENT_COLUMNS.join(', ')}
  FROM json_populate_recordset(NULL::usage_events, $1::json) ON CONFLICT (ts, instance, event_hash) DO NOTHING RETURNING ts, event_hash`

/** Events per INSERT of a batch (the chunks are pipelined: see PgBatchWriter.write). */
const INSERT_CHUNK = 100

/** An hour of slack: the hours the watermark passes are ones no batch is still writing. */
const FOLD_LAG_MS = HOUR_MS

/** The daily watermark of an instance (report_state `daily_through:<instance>`; see ../rollup-write.ts). */
export const watermarkKey = (instance: string) => `daily_through:${instance}`

const foldSql = (): string[] => [
  ...CUBES.map((c) => {
    const dims = [...BASE_DIMS, ...CUBE_EXTRA[c]]
    const rest = dims.slice(1)
    return `INSERT INTO report_${c}_daily AS t (${[...dims, ...SUM_COLS, 'last_ts'].join(', ')})
      SELECT (start_ms / ${DAY_MS}) * ${DAY_MS}, ${rest.join(', ')}, ${SUM_COLS.map((col) => `SUM(${col})`).join(', ')}, MAX(last_ts)
      FROM report_${c}_hourly WHERE instance = $1 AND start_ms >= $2 AND start_ms < $3 GROUP BY 1, ${rest.join(', ')}
      ON CONFLICT (${dims.join(', ')}) DO UPDATE SET ${SUM_COLS.map((col) => `${col} = t.${col} + excluded.${col}`).join(', ')},
      last_ts = GREATEST(t.last_ts, excluded.last_ts)`
  }),
  `INSERT INTO report_hist_daily AS t (start_ms, instance, dim, value, lat_hist, ttft_hist)
    SELECT (start_ms / ${DAY_MS}) * ${DAY_MS}, instance, dim, value, cpactl_hist_sum(lat_hist), cpactl_hist_sum(ttft_hist)
    FROM report_hist_hourly WHERE instance = $1 AND start_ms >= $2 AND start_ms < $3 GROUP BY 1, instance, dim, value
    ON CONFLICT (dim, start_ms, value, instance) DO UPDATE SET
    lat_hist = cpactl_hist_merge(t.lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(t.ttft_hist, excluded.ttft_hist)`,
]

/**
 * The daily watermark of an instance, locked for the rest of the transaction: writers of one instance (its
 * collector, an import, a spool recovery) take turns, so none adds hours behind a watermark another one moved.
 * Collectors of different instances never wait for each other.
 */
export async function lockWatermark(c: PgConnection, instance: string): Promise<number> {
  return (await c.one<{value: number}>(LOCK_WATERMARK, [watermarkKey(instance)], 'read the daily watermark', 'cpactl_wm_lock'))!.value
}

/**
 * One round trip: the watermark row, created at 0 when missing, locked by the (no-op) update of the upsert and
 * returned. ON CONFLICT DO UPDATE waits for another writer's lock like SELECT … FOR UPDATE.
 */
const LOCK_WATERMARK = 'INSERT INTO report_state AS t (key, value) VALUES (?, 0) ON CONFLICT (key) DO UPDATE SET value = t.value RETURNING value'

/** Add the instance's hourly rows of [from, to) to the daily tables and move its watermark to `to`; returns the watermark. */
async function foldTo(c: PgConnection, instance: string, from: number, to: number): Promise<number> {
  if (!(to > from)) return from
  for (const [i, sql] of foldSql().entries()) await c.query(sql, [instance, from, to], 'fold hours into days', `cpactl_fold_${i}`)
  await c.query('UPDATE report_state SET value = ? WHERE key = ?', [to, watermarkKey(instance)], 'move the daily watermark', 'cpactl_wm_move')
  return to
}

/**
 * After a batch: add the instance's hours from its watermark up to an hour before the batch's newest event
 * (never past now) from the hourly tables to the daily ones, and move the watermark there.
 */
export async function advanceWatermark(c: PgConnection, instance: string, from: number, newestTs: number | null, now = Date.now()): Promise<number> {
  if (newestTs === null) return from
  return foldTo(c, instance, from, floorTo(Math.min(newestTs, now), HOUR_MS) - FOLD_LAG_MS)
}

/**
 * The same fold from what is stored (../rollup-write.ts catchUp): up to an hour before the instance's newest
 * stored hour, never past now. A collector's batch runs it after BEGIN and before its pop, so the pop→commit
 * window holds only the batch's own work. Locks the instance's watermark for the transaction and returns it;
 * null when the instance has none yet (nothing stored, nothing to fold; no row is made for an empty pop, as
 * readers take whole days only before the lowest watermark: the batch's write makes it when it stores events).
 */
export async function catchUpWatermark(c: PgConnection, instance: string, now = Date.now()): Promise<number | null> {
  // one round trip per batch (the fold itself runs about once an hour): the locked watermark and, as every stored
  // event has a model cell, the hour of the instance's newest event
  const r = (await c.one<{value: number | null; newest: number | null}>(
    `WITH w AS (SELECT value FROM report_state WHERE key = ? FOR UPDATE)
     SELECT (SELECT value FROM w) AS value, (SELECT MAX(start_ms) FROM report_model_hourly WHERE instance = ?) AS newest`,
    [watermarkKey(instance), instance],
    'read the daily watermark',
    'cpactl_wm_catch_up',
  ))!
  if (r.value === null) return null
  if (r.newest === null) return r.value
  return foldTo(c, instance, r.value, Math.min(r.newest, floorTo(now, HOUR_MS)) - FOLD_LAG_MS)
}

/** Classify and store payloads inside a transaction the caller holds (see ../ingest.ts BatchWriter.write). */
export class PgBatchWriter {
  private readonly normalizer: Normalizer = createNormalizer()
  private readonly cells = new RollupCells()

  constructor(private readonly c: PgConnection) {}

  /**
   * `caughtUp`: what catchUpWatermark returned for ctx.instance earlier in this transaction (the collector's
   * batch; null: no watermark yet, locked here); the fold then waits for the next batch's catch-up instead of
   * following the events.
   */
  async write(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean; caughtUp?: number | null} = {}): Promise<BatchCounts> {
    const c = this.c
    const counts = emptyCounts()
    const dead: Array<Record<string, unknown>> = []
    const fresh = new Map<string, UsageEvent>()
    const rows: Array<Record<string, unknown>> = []
    const row: unknown[] = new Array(EVENT_COLUMNS.length)
    const through = options.caughtUp ?? (await lockWatermark(c, ctx.instance))
    // nothing left over from a batch that failed half-way (its transaction was rolled back)
    this.cells.clear()
    this.cells.dailyThrough = through
    // the batch's events go to the server in chunks, each INSERT sent (pipelined) as soon as its payloads are
    // classified: the server inserts one chunk while this process classifies the next and sums the rollup cells
    // of the previous one (a duplicate of a stored event is rare; when the inserts report one, the cells are made
    // again from the events they did insert)
    const inserts: Array<Promise<unknown[][]>> = []
    let ahead = true
    let chunk: UsageEvent[] = []
    const send = () => {
      const p = c.rows(INSERT_EVENTS, [JSON.stringify(rows)], 'insert events', 'cpactl_events')
      p.catch(() => {}) // awaited below; a failure must not surface as unhandled while later chunks are prepared
      inserts.push(p)
      rows.length = 0
      for (const e of chunk) {
        if (!ahead) break
        this.cells.add(ctx.instance, e)
        if (this.cells.full) ahead = false
      }
      chunk = []
    }
    for (const payload of payloads) {
      counts.received++
      const k = this.normalizer.classify(payload)
      if (k.kind === 'control') {
        counts.controlSkipped++
        continue
      }
      if (k.kind === 'invalid') {
        dead.push({instance: ctx.instance, received_at: ctx.receivedAt, run_id: ctx.runId, reason: k.reason, payload: redactPayload(payloadText(payload))})
        counts.deadLettered++
        continue
      }
      const e = k.event
      if (counts.oldestTs === null || e.ts < counts.oldestTs) counts.oldestTs = e.ts
      if (counts.newestTs === null || e.ts > counts.newestTs) counts.newestTs = e.ts
      const hash = eventHash(ctx.instance, e)
      const key = `${e.ts}:${hash.toString('hex')}`
      if (fresh.has(key)) {
        counts.duplicates++ // the same event twice in one batch
        continue
      }
      fresh.set(key, e)
      chunk.push(e)
      fillEventRow(row, ctx.instance, ctx.runId, hash, e)
      // NULL columns are left out (json_populate_recordset reads a missing key as NULL): a smaller parameter
      const o: Record<string, unknown> = {}
      for (let j = 0; j < row.length; j++) if (row[j] !== null) o[EVENT_COLUMNS[j]] = row[j]
      o.event_hash = `\\x${hash.toString('hex')}`
      rows.push(o)
      if (rows.length === INSERT_CHUNK) send()
    }
    if (rows.length > 0) send()
    if (inserts.length > 0) {
      const added: unknown[][] = []
      for (const p of inserts) for (const r of await p) added.push(r)
      counts.duplicates += fresh.size - added.length
      if (!ahead || added.length !== fresh.size) this.cells.clear()
      for (const [ts, hash] of added) {
        const e = fresh.get(`${ts}:${(hash as Buffer).toString('hex')}`)!
        counts.inserted++
        if (e.authIndex) {
          const cur = counts.byAuthIndex.get(e.authIndex)
          if (cur) cur[e.failed ? 1 : 0]++
          else counts.byAuthIndex.set(e.authIndex, e.failed ? [0, 1] : [1, 0])
        }
        if (ahead && added.length === fresh.size) continue
        this.cells.add(ctx.instance, e)
        if (this.cells.full) {
          await flushCells(c, this.cells)
          this.cells.reset()
        }
      }
    }
    const o = counts
    const run = ctx.runId === null ? null : {
      id: ctx.runId, popped: options.recovered ? 0 : o.received, inserted: o.inserted, duplicates: o.duplicates, deadLettered: o.deadLettered,
      controlSkipped: o.controlSkipped, recovered: options.recovered ? o.received : 0, oldest: o.oldestTs, newest: o.newestTs,
    }
    await flushCells(c, this.cells, {deadLetters: dead, run})
    if (options.caughtUp === undefined) await advanceWatermark(c, ctx.instance, through, counts.newestTs)
    return counts
  }
}
