/**
 * Writing usage into PostgreSQL, inside the caller's transaction (the counterpart of ../ingest.ts, same
 * classification and arithmetic): the popped payloads become one multi-row `INSERT … ON CONFLICT DO NOTHING
 * RETURNING` (dedup through the unique (ts, instance, event_hash) index; only the rows it returns are new), one
 * insert of dead letters, one `INSERT … ON CONFLICT DO UPDATE` per rollup table for the cells of the newly
 * inserted events (rollup-cells.ts), and the run's counters — a dozen statements per batch, whatever its size.
 * Rows travel as one array per column (`unnest`), typed from the table itself, so a column added to
 * EVENT_COLUMNS needs only its migration here.
 */
import {createNormalizer, eventHash, redactPayload, type Normalizer, type UsageEvent} from '../../usage/index.js'
import {EVENT_COLUMNS, fillEventRow} from '../ingest.js'
import {BASE_DIMS, CUBE_EXTRA, CUBES, GRAINS, SUM_COLS, RollupCells, type HistCell} from '../rollup-cells.js'
import {emptyCounts, type BatchCounts, type IngestContext} from '../rows.js'
import type {PgConnection} from './connection.js'

const DIM_TYPES: Record<string, string> = {start_ms: 'bigint', band: 'integer', failed_flag: 'integer', fail_status_code: 'integer'}
const dimType = (d: string) => DIM_TYPES[d] ?? 'text'

/** `bucket << 32 | count` entries, sorted by bucket, as an array literal (null when empty). */
export function histLiteral(h: Map<number, number>): string | null {
  if (h.size === 0) return null
  const keys = [...h.keys()].sort((a, b) => a - b)
  return `{${keys.map((k) => k * 4294967296 + h.get(k)!).join(',')}}`
}

function cubeSql(table: string, dims: readonly string[]): string {
  const cols = [...dims, ...SUM_COLS, 'last_ts']
  const types = [...dims.map(dimType), ...cols.slice(dims.length).map(() => 'bigint')]
  return `INSERT INTO ${table} AS t (${cols.join(', ')}) SELECT * FROM unnest(${types.map((ty, i) => `$${i + 1}::${ty}[]`).join(', ')})
    ON CONFLICT (${dims.join(', ')}) DO UPDATE SET ${SUM_COLS.map((c) => `${c} = t.${c} + excluded.${c}`).join(', ')},
    last_ts = GREATEST(t.last_ts, excluded.last_ts)`
}

const HIST_SQL = (grain: string) => `INSERT INTO report_hist_${grain} AS t (start_ms, instance, dim, value, lat_hist, ttft_hist)
  SELECT s, i, d, v, l::bigint[], f::bigint[] FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(s, i, d, v, l, f)
  ON CONFLICT (dim, start_ms, value, instance) DO UPDATE SET
  lat_hist = cpactl_hist_merge(t.lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(t.ttft_hist, excluded.ttft_hist)`

const SOURCE_SQL = `INSERT INTO report_account_sources AS t (instance, auth_index, source, last_ts)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
  ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = GREATEST(t.last_ts, excluded.last_ts)`

/** Upsert every cell of `cells` (inside the caller's transaction), then clear them. */
export async function flushCells(c: PgConnection, cells: RollupCells): Promise<void> {
  for (const cube of CUBES) {
    for (const grain of GRAINS) {
      const map = cells.cubes.get(`${cube}_${grain}`)!
      if (map.size === 0) continue
      const dims = [...BASE_DIMS, ...CUBE_EXTRA[cube]]
      const cols: unknown[][] = Array.from({length: dims.length + SUM_COLS.length + 1}, () => [])
      for (const cell of map.values()) {
        let j = 0
        for (const d of cell.dims) cols[j++].push(d)
        for (const s of cell.sums) cols[j++].push(s)
        cols[j].push(cell.lastTs)
      }
      await c.query(cubeSql(`report_${cube}_${grain}`, dims), cols, 'write the rollups')
    }
  }
  for (const grain of GRAINS) {
    const map = cells.hists.get(grain)!
    if (map.size === 0) continue
    const cols: unknown[][] = [[], [], [], [], [], []]
    for (const h of map.values() as Iterable<HistCell>) {
      cols[0].push(h.start)
      cols[1].push(h.instance)
      cols[2].push(h.dim)
      cols[3].push(h.value)
      cols[4].push(histLiteral(h.lat))
      cols[5].push(histLiteral(h.ttft))
    }
    await c.query(HIST_SQL(grain), cols, 'write the latency histograms')
  }
  if (cells.sources.size > 0) {
    const cols: unknown[][] = [[], [], [], []]
    for (const s of cells.sources.values()) {
      cols[0].push(s.instance)
      cols[1].push(s.authIndex)
      cols[2].push(s.source)
      cols[3].push(s.lastTs)
    }
    await c.query(SOURCE_SQL, cols, 'write the account sources')
  }
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

const BUMP_RUN = `UPDATE collector_runs SET popped = popped + ?, inserted = inserted + ?, duplicates = duplicates + ?, dead_lettered = dead_lettered + ?,
  control_skipped = control_skipped + ?, recovered = recovered + ?, batches = batches + 1,
  oldest_record_ts = LEAST(oldest_record_ts, ?::bigint), newest_record_ts = GREATEST(newest_record_ts, ?::bigint) WHERE id = ?`

/** Classify and store payloads inside a transaction the caller holds (see ../ingest.ts BatchWriter.write). */
export class PgBatchWriter {
  private readonly normalizer: Normalizer = createNormalizer()
  private readonly cells = new RollupCells()
  private insertSql: string | null = null

  constructor(private readonly c: PgConnection) {}

  async write(payloads: readonly unknown[], ctx: IngestContext, options: {recovered?: boolean} = {}): Promise<BatchCounts> {
    const c = this.c
    const counts = emptyCounts()
    const dead: unknown[][] = [[], [], [], [], []]
    const fresh = new Map<string, UsageEvent>()
    const cols: unknown[][] = EVENT_COLUMNS.map(() => [])
    const row: unknown[] = new Array(EVENT_COLUMNS.length)
    for (const payload of payloads) {
      counts.received++
      const k = this.normalizer.classify(payload)
      if (k.kind === 'control') {
        counts.controlSkipped++
        continue
      }
      if (k.kind === 'invalid') {
        const raw = typeof payload === 'string' ? payload : JSON.stringify(payload) ?? String(payload)
        for (const [i, v] of [ctx.instance, ctx.receivedAt, ctx.runId, k.reason, redactPayload(raw)].entries()) dead[i].push(v)
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
      fillEventRow(row, ctx.instance, ctx.runId, hash, e)
      for (let j = 0; j < row.length; j++) cols[j].push(row[j])
    }
    if (fresh.size > 0) {
      this.insertSql ??= await unnestInsert(c, 'usage_events', EVENT_COLUMNS, ' ON CONFLICT (ts, instance, event_hash) DO NOTHING RETURNING ts, event_hash')
      const added = await c.rows(this.insertSql, cols, 'insert events')
      counts.duplicates += fresh.size - added.length
      for (const [ts, hash] of added) {
        const e = fresh.get(`${ts}:${(hash as Buffer).toString('hex')}`)!
        counts.inserted++
        if (e.authIndex) {
          const cur = counts.byAuthIndex.get(e.authIndex)
          if (cur) cur[e.failed ? 1 : 0]++
          else counts.byAuthIndex.set(e.authIndex, e.failed ? [0, 1] : [1, 0])
        }
        this.cells.add(ctx.instance, e)
      }
    }
    if (counts.deadLettered > 0) {
      await c.query(
        'INSERT INTO usage_dead_letters (instance, received_at, run_id, reason, payload) SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[])',
        dead,
        'keep dead letters',
      )
    }
    await flushCells(c, this.cells)
    if (ctx.runId !== null) {
      const rec = options.recovered ? counts.received : 0
      await c.query(
        BUMP_RUN,
        [options.recovered ? 0 : counts.received, counts.inserted, counts.duplicates, counts.deadLettered, counts.controlSkipped, rec, counts.oldestTs, counts.newestTs, ctx.runId],
        'count the batch',
      )
    }
    return counts
  }
}
