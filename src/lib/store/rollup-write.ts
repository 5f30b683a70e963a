/**
 * SQLite side of the rollup layer, inside the caller's transaction:
 * - upsert the cells of a batch (rollup-cells.ts) into the report_* tables, each cell once: an
 *   `INSERT … ON CONFLICT DO UPDATE` that adds its sums (and merges its histograms) into whatever row is there,
 *   UPSERT_ROWS cells per statement (one statement per cell cost ~40 % more per cell: the per-call overhead of
 *   the driver, and an UPDATE by primary key is no cheaper than the upsert on these WITHOUT ROWID tables);
 * - move the daily watermark (report_state.daily_through): the hours left behind (up to an hour before the
 *   newest event) are added from the hourly tables to the daily ones in SQL. The bulk ingest does it after its
 *   cells; the collector's batch does it first, after BEGIN and before the pop (`catchUp`), so this work is
 *   never part of the pop→commit window (what a kill -9 can lose).
 */
import type {Database, Statement} from 'better-sqlite3'

import {addEncodedDense, emptyDense, encodeDense, mergeEncodedBuffers, type DenseHist} from './histogram.js'
import {BASE_DIMS, CUBE_EXTRA, CUBES, DAY_MS, floorTo, GRAIN_CUBES, GRAINS, HIST_DIMS, HOUR_MS, SUM_COLS, type RollupCells} from './rollup-cells.js'
import type {CubeName, Grain} from './rows.js'

/** cpactl_hist_sum's state: the group's first histogram, and the sum once a second one comes. */
interface HistSum {
  first: Uint8Array | null
  dense: DenseHist | null
}

/**
 * The histogram SQL functions (deterministic; on every connection that reads or writes rollups):
 * cpactl_hist_merge(a, b) merges two encoded histograms, the aggregate cpactl_hist_sum(h) merges a column.
 */
export function registerHistFunctions(db: Database): void {
  db.function('cpactl_hist_merge', {deterministic: true}, (a: unknown, b: unknown) => mergeEncodedBuffers(a as Uint8Array | null, b as Uint8Array | null))
  // a group of one histogram (a timeline's day bucket from the daily rollup) is that histogram as stored: only a
  // second one makes it decode and re-encode
  db.aggregate('cpactl_hist_sum', {
    start: (): HistSum => ({first: null, dense: null}),
    step: (acc: HistSum, blob: unknown) => {
      const h = blob as Uint8Array | null
      if (!h || h.length === 0) return acc
      if (acc.first === null) acc.first = h
      else {
        if (acc.dense === null) {
          acc.dense = emptyDense()
          addEncodedDense(acc.dense, acc.first)
        }
        addEncodedDense(acc.dense, h)
      }
      return acc
    },
    result: (acc: HistSum) => (acc.dense ? encodeDense(acc.dense) : acc.first),
  })
}

/** The daily watermark (an hour start; 0 on a store that has none yet). */
export function dailyThrough(db: Database): number {
  return (db.prepare("SELECT value FROM report_state WHERE key = 'daily_through'").get() as {value: number} | undefined)?.value ?? 0
}

/** How far behind its newest event a batch leaves hours unfolded (late records of the last hour are common). */
const FOLD_LAG_MS = HOUR_MS

const HIST_KEY = ['dim', 'start_ms', 'value', 'instance']

/** Cells per upsert statement (the rest of a table's cells go one by one). */
const UPSERT_ROWS = 16

/** One upsert for a single row and one for UPSERT_ROWS rows, and how many parameters a row takes. */
interface Upserts {
  one: Statement
  many: Statement
  width: number
}

function upserts(db: Database, table: string, cols: readonly string[], conflict: string): Upserts {
  const row = `(${cols.map(() => '?').join(', ')})`
  const sql = (n: number) => `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${Array.from({length: n}, () => row).join(', ')} ${conflict}`
  return {one: db.prepare(sql(1)), many: db.prepare(sql(UPSERT_ROWS)), width: cols.length}
}

/** Collects the parameters of a table's rows and runs them UPSERT_ROWS at a time. */
class UpsertBuffer {
  private readonly params: unknown[] = []
  private rows = 0

  constructor(private readonly st: Upserts) {}

  /** Where a row's parameters go (in column order), before `added()`. */
  get values(): unknown[] {
    return this.params
  }

  /** One more row's parameters are in `values`: runs a statement once UPSERT_ROWS are there. */
  added(): void {
    if (++this.rows < UPSERT_ROWS) return
    this.st.many.run(...this.params)
    this.params.length = 0
    this.rows = 0
  }

  /** The rows left over, one statement each. */
  finish(): void {
    const p = this.params
    const w = this.st.width
    for (let i = 0; i < this.rows; i++) this.st.one.run(...p.slice(i * w, (i + 1) * w))
    p.length = 0
    this.rows = 0
  }
}

/** Prepared writes of every rollup table over one connection. */
export class RollupWriter {
  private readonly cube = new Map<string, Upserts>()
  private readonly hist = new Map<Grain, Upserts>()
  private readonly source: Statement
  private readonly foldCube: Statement[]
  private readonly foldHist: Statement
  private readonly readThrough: Statement
  private readonly writeThrough: Statement
  private readonly newestHour: Statement
  private readonly foldHours: Statement

  constructor(db: Database) {
    registerHistFunctions(db)
    for (const g of GRAINS) {
      for (const c of GRAIN_CUBES[g]) {
        const dims = [...BASE_DIMS, ...CUBE_EXTRA[c]]
        this.cube.set(
          `${c}_${g}`,
          upserts(db, `report_${c}_${g}`, [...dims, ...SUM_COLS, 'last_ts'], `ON CONFLICT (${dims.join(', ')}) DO UPDATE SET
             ${SUM_COLS.map((col) => `${col} = ${col} + excluded.${col}`).join(', ')}, last_ts = MAX(last_ts, excluded.last_ts)`),
        )
      }
      this.hist.set(
        g,
        upserts(db, `report_hist_${g}`, ['lat_hist', 'ttft_hist', ...HIST_KEY], `ON CONFLICT (${HIST_KEY.join(', ')}) DO UPDATE SET
           lat_hist = cpactl_hist_merge(lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(ttft_hist, excluded.ttft_hist)`),
      )
    }
    this.source = db.prepare(
      `INSERT INTO report_account_sources (instance, auth_index, source, last_ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)`,
    )
    // one hour at a time: within an hour every hourly row is its own group, so each is added to its daily row
    // as it is (no sorting, no aggregate over histogram blobs)
    this.foldCube = CUBES.map((c) => {
      const dims = [...BASE_DIMS, ...CUBE_EXTRA[c]]
      return db.prepare(
        `INSERT INTO report_${c}_daily (${[...dims, ...SUM_COLS, 'last_ts'].join(', ')})
         SELECT (start_ms / ${DAY_MS}) * ${DAY_MS}, ${[...dims.slice(1), ...SUM_COLS, 'last_ts'].join(', ')}
         FROM report_${c}_hourly WHERE start_ms = ?
         ON CONFLICT (${dims.join(', ')}) DO UPDATE SET
         ${SUM_COLS.map((col) => `${col} = ${col} + excluded.${col}`).join(', ')}, last_ts = MAX(last_ts, excluded.last_ts)`,
      )
    })
    // the histogram tables' key leads with `dim`: naming every dim lets SQLite seek instead of scanning the table
    this.foldHist = db.prepare(
      `INSERT INTO report_hist_daily (start_ms, instance, dim, value, lat_hist, ttft_hist)
       SELECT (start_ms / ${DAY_MS}) * ${DAY_MS}, instance, dim, value, lat_hist, ttft_hist
       FROM report_hist_hourly WHERE dim IN (${HIST_DIMS.map((d) => `'${d}'`).join(', ')}) AND start_ms = ?
       ON CONFLICT (${HIST_KEY.join(', ')}) DO UPDATE SET
       lat_hist = cpactl_hist_merge(lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(ttft_hist, excluded.ttft_hist)`,
    )
    // every stored event has a model cell: the hours that hold rollup rows
    this.foldHours = db.prepare('SELECT DISTINCT start_ms FROM report_model_hourly WHERE start_ms >= ? AND start_ms < ?').pluck()
    this.readThrough = db.prepare("SELECT value FROM report_state WHERE key = 'daily_through'").pluck()
    this.writeThrough = db.prepare("INSERT INTO report_state (key, value) VALUES ('daily_through', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    // every stored event has a model cell: the newest hourly row is the hour of the newest event
    this.newestHour = db.prepare('SELECT MAX(start_ms) FROM report_model_hourly').pluck()
  }

  /** Before a batch (inside its transaction): which events also go to the daily cells. */
  begin(cells: RollupCells): void {
    cells.dailyThrough = (this.readThrough.get() as number | undefined) ?? 0
  }

  /**
   * After the batch's cells are written: add the hours from the watermark up to an hour before the batch's
   * newest event (never past now: a clock-skewed record does not drag it forward) from the hourly tables to
   * the daily ones, and move the watermark there.
   */
  advance(cells: RollupCells, newestTs: number | null, now = Date.now()): void {
    if (newestTs === null) return
    cells.dailyThrough = this.foldTo(cells.dailyThrough, floorTo(Math.min(newestTs, now), HOUR_MS) - FOLD_LAG_MS)
  }

  /**
   * The same fold, from what is stored (inside a transaction, before a batch's events): up to an hour before
   * the newest stored event, never past now. The collector's batch runs it before the pop.
   */
  catchUp(now = Date.now()): void {
    const newest = this.newestHour.get() as number | null
    if (newest === null) return
    this.foldTo((this.readThrough.get() as number | undefined) ?? 0, Math.min(newest, floorTo(now, HOUR_MS)) - FOLD_LAG_MS)
  }

  /** Add the hourly rows of [from, to) to the daily tables and move the watermark to `to`; returns the watermark. */
  private foldTo(from: number, to: number): number {
    if (!(to > from)) return from
    for (const hour of this.foldHours.all(from, to) as number[]) {
      for (const st of this.foldCube) st.run(hour)
      this.foldHist.run(hour)
    }
    this.writeThrough.run(to)
    return to
  }

  /** Write every cell (call inside the batch's transaction), then clear them. */
  flush(cells: RollupCells): void {
    for (const grain of GRAINS) {
      for (const cube of GRAIN_CUBES[grain] as CubeName[]) {
        const out = new UpsertBuffer(this.cube.get(`${cube}_${grain}`)!)
        const p = out.values
        for (const period of cells.periods(grain)) {
          for (const c of period[cube].values()) {
            for (const d of c.dims) p.push(d)
            for (const v of c.sums) p.push(v)
            p.push(c.lastTs)
            out.added()
          }
        }
        out.finish()
      }
      const out = new UpsertBuffer(this.hist.get(grain)!)
      const p = out.values
      for (const period of cells.periods(grain)) {
        for (const c of period.hist.values()) {
          p.push(encodeDense(c.lat), encodeDense(c.ttft), c.dim, c.start, c.value, c.instance)
          out.added()
        }
      }
      out.finish()
    }
    for (const s of cells.sources.values()) this.source.run(s.instance, s.authIndex, s.source, s.lastTs)
    cells.clear()
  }
}
