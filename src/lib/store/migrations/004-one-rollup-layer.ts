/**
 * Migration 004: one rollup layer (issue 12). Until now a store had two: `usage_hourly` (migration 001,
 * written in the collect transaction, read only by quota) and the report rollups of migration 002 (folded
 * from the raw events after the fact, checkpointed by report_state.derived_upto_id). From here on the report
 * rollups — hourly and daily, every report dimension, context band, latency/TTFT histograms, account
 * sources — are maintained in the same transaction as the events (ingest.ts), and quota reads them too.
 *
 * prepare (resumable, one pass): first, in one transaction, re-encode the histograms in the compact v2
 *   encoding (histogram.ts: busy rows no longer spill into overflow pages that every batch rewrites), marked
 *   done by report_state.hist_v2 so a resumed run never re-encodes twice; then fold the events the old layer had not
 *   folded yet (id > derived_upto_id)
 *   into the rollups, 10,000 events per transaction, each moving derived_upto_id with it; an interrupted
 *   migration continues from there. Events folded earlier are already in the rollups with the same
 *   arithmetic, and so are pruned ones (whose raw rows are gone): nothing is recomputed or lost.
 * up (one transaction): re-encode if prepare did not (a new store has nothing to re-encode), fold whatever is
 *   still left, drop usage_hourly, the fold checkpoint and the hist_v2 mark, and set the daily watermark
 *   (report_state.daily_through, rollup-cells.ts) after the newest hourly row: the daily tables hold
 *   everything so far. report_state keeps raw_complete_from.
 */
import type {Database} from 'better-sqlite3'

import {fromV1} from '../histogram.js'
import {HOUR_MS, RollupCells, type RollupInput} from '../rollup-cells.js'
import {bucketsAt} from '../sql-filters.js'
import {RollupWriter} from '../rollup-write.js'
import type {Migration} from './types.js'

/** Events folded per transaction (tests lower it to exercise the resume). */
export const fold = {chunk: 10_000}

const SELECT = `SELECT id, instance, ts, provider, model, api_key_hash, auth_index, service_tier, response_service_tier, failed,
    fail_status_code, uncached_input, cache_read, cache_write, output_total, reasoning, unclassified, latency_ms, ttft_ms, source
  FROM usage_events WHERE id > ? ORDER BY id LIMIT ?`

function checkpoint(db: Database): number | null {
  return stateValue(db, 'derived_upto_id')
}

function toInput(r: unknown[]): RollupInput {
  return {
    ts: r[2] as number,
    provider: r[3] as string | null,
    model: r[4] as string | null,
    apiKeyHash: r[5] as string | null,
    authIndex: r[6] as string | null,
    serviceTier: r[7] as string | null,
    responseServiceTier: r[8] as string | null,
    failed: r[9] === 1,
    failStatusCode: r[10] as number | null,
    buckets: bucketsAt(r, 11),
    latencyMs: r[17] as number | null,
    ttftMs: r[18] as number | null,
    source: r[19] as string | null,
  }
}

/** Fold one chunk of unfolded events (inside the caller's transaction); returns the events folded. */
function foldChunk(db: Database, writer: RollupWriter, cells: RollupCells): number {
  const upto = checkpoint(db) ?? 0
  const rows = db.prepare(SELECT).raw(true).all(upto, fold.chunk) as unknown[][]
  if (rows.length === 0) return 0
  for (const r of rows) {
    cells.add(r[1] as string, toInput(r))
    if (cells.full) {
      writer.flush(cells)
      cells.reset()
    }
  }
  writer.flush(cells)
  db.prepare("UPDATE report_state SET value = ? WHERE key = 'derived_upto_id'").run(rows[rows.length - 1][0])
  return rows.length
}

function stateValue(db: Database, key: string): number | null {
  const t = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_state'").get()
  if (!t) return null
  return (db.prepare('SELECT value FROM report_state WHERE key = ?').get(key) as {value: number} | undefined)?.value ?? null
}

/** v1 → v2 histograms (inside the caller's transaction); marks it done. */
function reencodeHistograms(db: Database): void {
  if (stateValue(db, 'hist_v2') !== null) return
  db.function('cpactl_hist_v2', {deterministic: true}, (blob: unknown) => fromV1(blob as Uint8Array | null))
  for (const grain of ['hourly', 'daily']) {
    db.exec(`UPDATE report_hist_${grain} SET lat_hist = cpactl_hist_v2(lat_hist), ttft_hist = cpactl_hist_v2(ttft_hist)`)
  }
  db.exec("INSERT INTO report_state (key, value) VALUES ('hist_v2', 1)")
}

export const migration: Migration = {
  id: 4,
  name: 'one-rollup-layer',
  prepare(db, onProgress) {
    db.exec('BEGIN IMMEDIATE')
    try {
      reencodeHistograms(db)
      db.exec('COMMIT')
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw error
    }
    const start = checkpoint(db)
    if (start === null) return
    const total = (db.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE id > ?').get(start) as {n: number}).n
    if (total === 0) return
    const writer = new RollupWriter(db)
    const cells = new RollupCells()
    let done = 0
    onProgress(0, total)
    for (;;) {
      db.exec('BEGIN IMMEDIATE')
      let n: number
      try {
        n = foldChunk(db, writer, cells)
        db.exec('COMMIT')
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK')
        throw error
      }
      done += n
      if (n > 0) onProgress(Math.min(done, total), total)
      if (n < fold.chunk) break
    }
  },
  up(db) {
    reencodeHistograms(db)
    if (checkpoint(db) !== null) {
      const writer = new RollupWriter(db)
      const cells = new RollupCells()
      while (foldChunk(db, writer, cells) === fold.chunk) {
        // events a concurrent old-version writer added since prepare
      }
      db.exec("DELETE FROM report_state WHERE key = 'derived_upto_id'")
    }
    db.exec("DELETE FROM report_state WHERE key = 'hist_v2'")
    db.exec(`INSERT INTO report_state (key, value) SELECT 'daily_through', COALESCE(MAX(start_ms) + ${HOUR_MS}, 0) FROM report_model_hourly WHERE true
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
    db.exec('DROP INDEX IF EXISTS usage_hourly_hour; DROP TABLE IF EXISTS usage_hourly')
  },
}
