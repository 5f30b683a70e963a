/**
 * SQLite side of the rollup layer: upsert the cells of a batch (rollup-cells.ts) into the report_* tables
 * of migration 002, inside the caller's transaction. One prepared statement per table; each cell is one
 * `INSERT … ON CONFLICT DO UPDATE` that adds its sums (and merges its histograms) into the stored row.
 */
import type {Database, Statement} from 'better-sqlite3'

import {encodeHist, mergeEncodedBuffers} from './histogram.js'
import {BASE_DIMS, CUBE_EXTRA, CUBES, GRAINS, SUM_COLS, type RollupCells} from './rollup-cells.js'
import type {Grain} from './rows.js'

/** Register the histogram merge the upserts use (deterministic; on every connection that writes rollups). */
export function registerHistMerge(db: Database): void {
  db.function('cpactl_hist_merge', {deterministic: true}, (a: unknown, b: unknown) => mergeEncodedBuffers(a as Uint8Array | null, b as Uint8Array | null))
}

function cubeUpsertSql(table: string, dims: readonly string[]): string {
  const cols = [...dims, ...SUM_COLS, 'last_ts']
  return `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})
    ON CONFLICT (${dims.join(', ')}) DO UPDATE SET
    ${SUM_COLS.map((c) => `${c} = ${c} + excluded.${c}`).join(', ')}, last_ts = MAX(last_ts, excluded.last_ts)`
}

function histUpsertSql(grain: Grain): string {
  return `INSERT INTO report_hist_${grain} (start_ms, instance, dim, value, lat_hist, ttft_hist) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (dim, start_ms, value, instance) DO UPDATE SET
    lat_hist = cpactl_hist_merge(lat_hist, excluded.lat_hist), ttft_hist = cpactl_hist_merge(ttft_hist, excluded.ttft_hist)`
}

/** Prepared upserts of every rollup table over one connection. */
export class RollupWriter {
  private readonly cube = new Map<string, Statement>()
  private readonly hist = new Map<Grain, Statement>()
  private readonly source: Statement
  private readonly params: unknown[] = []

  constructor(db: Database) {
    registerHistMerge(db)
    for (const c of CUBES) for (const g of GRAINS) this.cube.set(`${c}_${g}`, db.prepare(cubeUpsertSql(`report_${c}_${g}`, [...BASE_DIMS, ...CUBE_EXTRA[c]])))
    for (const g of GRAINS) this.hist.set(g, db.prepare(histUpsertSql(g)))
    this.source = db.prepare(
      `INSERT INTO report_account_sources (instance, auth_index, source, last_ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (instance, auth_index, source) DO UPDATE SET last_ts = MAX(last_ts, excluded.last_ts)`,
    )
  }

  /** Write every cell (call inside the batch's transaction), then clear them. */
  flush(cells: RollupCells): void {
    const p = this.params
    for (const grain of GRAINS) {
      const hs = this.hist.get(grain)!
      for (const period of cells.periods(grain)) {
        for (const cube of CUBES) {
          const st = this.cube.get(`${cube}_${grain}`)!
          for (const c of period[cube].values()) {
            p.length = 0
            for (const d of c.dims) p.push(d)
            for (const s of c.sums) p.push(s)
            p.push(c.lastTs)
            st.run(p)
          }
        }
        for (const c of period.hist.values()) hs.run(c.start, c.instance, c.dim, c.value, encodeHist(c.lat), encodeHist(c.ttft))
      }
    }
    for (const s of cells.sources.values()) this.source.run(s.instance, s.authIndex, s.source, s.lastTs)
    cells.clear()
  }
}
