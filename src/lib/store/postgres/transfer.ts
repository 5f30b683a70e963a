/**
 * The PostgreSQL side of `store copy` (../transfer.ts): statements with `?` placeholders, stored events by a
 * multi-row insert that returns the new ones, and histograms converted between this backend's BIGINT[]
 * (`bucket << 32 | count`) and histogram.ts's encoding at the boundary.
 */
import {addEncodedDense, encodeDense, HIST_BUCKETS} from '../histogram.js'
import {EVENT_COLUMNS} from '../event-columns.js'
import {RollupCells} from '../rollup-cells.js'
import type {StoredEvent} from '../rows.js'
import {storedInput, storedRow, type TransferPort} from '../transfer-port.js'
import {addEntries, advanceWatermark, flushCells, histEntries, lockWatermark, unnestInsert, watermarkKey} from './ingest.js'
import {numbered} from './connection.js'
import {pgError} from './errors.js'
import type {PgStore} from './pg-store.js'

const HIST = /report_hist_/

function fromPgHist(v: unknown): Buffer | null {
  if (!Array.isArray(v)) return null
  const dense = new Float64Array(HIST_BUCKETS)
  addEntries(dense, v as number[])
  return encodeDense(dense)
}

function toPgHist(v: unknown): string | null {
  if (!v) return null
  const dense = new Float64Array(HIST_BUCKETS)
  addEncodedDense(dense, v as Buffer)
  const e = histEntries(dense)
  return e === null ? null : `{${e.join(',')}}`
}

export function pgTransferPort(store: PgStore): TransferPort {
  const c = store.connection
  const cells = new RollupCells()
  let insert: string | null = null
  return {
    kind: 'postgres',
    async all(sql, params = []) {
      const rows = await c.query(sql, params, 'read for a copy')
      if (HIST.test(sql)) for (const r of rows) for (const k of ['lat_hist', 'ttft_hist']) if (k in r) r[k] = fromPgHist(r[k])
      return rows
    },
    async run(sql, params = []) {
      const p = HIST.test(sql) ? params.map((v) => (Buffer.isBuffer(v) ? toPgHist(v) : v)) : params
      try {
        return (await c.client.query(numbered(sql), p as unknown[])).rowCount ?? 0
      } catch (error) {
        throw pgError(error, c.location, 'copy into the store')
      }
    },
    tx: (fn) => c.tx('copy into the store', fn),
    async insertEvents(rows: readonly StoredEvent[], rollups: boolean) {
      if (rows.length === 0) return 0
      insert ??= await unnestInsert(c, 'usage_events', EVENT_COLUMNS, ' ON CONFLICT (ts, instance, event_hash) DO NOTHING RETURNING ts, instance, event_hash')
      const cols: unknown[][] = EVENT_COLUMNS.map(() => [])
      const byKey = new Map<string, StoredEvent>()
      for (const e of rows) {
        const r = storedRow(e)
        for (let j = 0; j < r.length; j++) cols[j].push(r[j])
        byKey.set(`${e.ts}:${e.instance}:${Buffer.from(e.event_hash).toString('hex')}`, e)
      }
      const added = await c.rows(insert, cols, 'copy events')
      if (rollups) {
        cells.dailyThrough = Number.NEGATIVE_INFINITY // hourly cells only: rebuildDaily folds the days
        for (const [ts, instance, hash] of added) {
          const e = byKey.get(`${ts}:${instance}:${(hash as Buffer).toString('hex')}`)
          if (e) cells.add(e.instance, storedInput(e))
        }
        await flushCells(c, cells)
      }
      return added.length
    },
    async rebuildDaily() {
      const instances = (await c.query<{instance: string}>('SELECT DISTINCT instance FROM report_model_hourly')).map((r) => r.instance)
      for (const instance of instances) {
        await c.tx('rebuild the daily rollups', async () => {
          await lockWatermark(c, instance)
          for (const t of ['report_model_daily', 'report_key_daily', 'report_account_daily', 'report_hist_daily']) await c.query(`DELETE FROM ${t} WHERE instance = ?`, [instance])
          await c.query('UPDATE report_state SET value = 0 WHERE key = ?', [watermarkKey(instance)])
          const newest = (await c.one<{n: number | null}>('SELECT MAX(last_ts) AS n FROM report_model_hourly WHERE instance = ?', [instance]))?.n ?? null
          await advanceWatermark(c, instance, 0, newest)
        })
      }
    },
  }
}
