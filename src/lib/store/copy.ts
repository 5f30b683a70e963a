/**
 * `cpactl store copy --from SRC --to DST` (issue 13): a store moved between backends (SQLite ↔ PostgreSQL, or
 * between two of the same kind), bit for bit where it matters. The source is opened read-only; the destination
 * is created or migrated. Everything is idempotent, so a copy can be repeated or resumed:
 *
 * - events: every column and the same event hash, in (ts, id) pages of one transaction each; duplicates are
 *   skipped by the unique index and only new events move the destination's rollups. Progress is checkpointed
 *   in the destination's report_state (`copy:<source>` = ts of the last page committed); an interrupted copy
 *   resumes there, and a finished one removes the checkpoint;
 * - history the source pruned (events before its raw_complete_from): the source's hourly rollup rows for those
 *   periods replace the destination's, and raw_complete_from moves to the later of the two;
 * - the daily rollups are then folded afresh from the hourly ones (rollup-write.ts: the daily watermark);
 * - prices, aliases, key hints, account labels and usage sources: the newer row wins;
 * - collector runs, dead letters, inspection runs (with their results) and ownership records: added when the
 *   destination lacks them (by instance and start time, or their content); run ids are mapped.
 */
import {createHash} from 'node:crypto'

import {reportProgress} from '../cli/progress.js'
import {UsageError} from '../cli/errors.js'
import {withStore} from './index.js'
import {maskLocation} from './location.js'
import {BASE_DIMS, CUBE_EXTRA, CUBES} from './rollup-cells.js'
import type {StoredEvent} from './rows.js'
import type {TransferPort} from './transfer-port.js'
import {transferPort} from './transfer.js'

export interface CopyResult {
  from: string
  to: string
  events: {read: number; inserted: number; duplicates: number; resumedFrom: string | null}
  /** Rollup rows carried for periods the source pruned. */
  prunedRollups: number
  rows: Record<string, number>
  durationMs: number
}

const PAGE = 2000

type Row = Record<string, unknown>

async function insertRow(dst: TransferPort, table: string, row: Row, suffix = ''): Promise<Row | undefined> {
  const cols = Object.keys(row)
  return (await dst.all(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})${suffix}`, cols.map((k) => row[k])))[0]
}

/** Upsert rows keyed by `key`; an existing row is replaced only when `newer` of the incoming one is larger (or always without `newer`). */
async function upsertAll(src: TransferPort, dst: TransferPort, table: string, key: string[], newer: string | null, where = '', params: unknown[] = []): Promise<number> {
  const rows = await src.all(`SELECT * FROM ${table}${where}`, params)
  if (rows.length === 0) return 0
  const cols = Object.keys(rows[0])
  const set = cols.filter((c) => !key.includes(c)).map((c) => `${c} = excluded.${c}`)
  const conflict = ` ON CONFLICT (${key.join(', ')}) DO ${set.length === 0 ? 'NOTHING' : `UPDATE SET ${set.join(', ')}${newer ? ` WHERE ${table}.${newer} < excluded.${newer}` : ''}`}`
  const tuple = `(${cols.map(() => '?').join(', ')})`
  const per = Math.max(1, Math.floor(8000 / cols.length)) // rows per statement, well under both backends' parameter limits
  let n = 0
  await dst.tx(async () => {
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per)
      n += await dst.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${part.map(() => tuple).join(', ')}${conflict}`, part.flatMap((r) => cols.map((c) => r[c])))
    }
  })
  return n
}

/** Add rows the destination lacks (matched on `natural`); returns source id → destination id. */
async function addMissing(src: TransferPort, dst: TransferPort, table: string, natural: string[], map: (r: Row) => Row = (r) => r, where = '', params: unknown[] = []): Promise<{ids: Map<number, number>; added: number}> {
  const k = (r: Row) => natural.map((c) => String(r[c])).join('\u0000')
  const have = new Map((await dst.all(`SELECT id, ${natural.join(', ')} FROM ${table}`)).map((r) => [k(r), r.id as number]))
  const ids = new Map<number, number>()
  let added = 0
  const rows = await src.all(`SELECT * FROM ${table}${where} ORDER BY id`, params)
  await dst.tx(async () => {
    for (const r of rows) {
      let id = have.get(k(r))
      if (id === undefined) {
        const {id: _old, ...rest} = map(r)
        id = (await insertRow(dst, table, rest, ' RETURNING id'))!.id as number
        have.set(k(r), id)
        added++
      }
      ids.set(r.id as number, id)
    }
  })
  return {ids, added}
}

async function rawCompleteFrom(port: TransferPort): Promise<number> {
  return ((await port.all("SELECT value FROM report_state WHERE key = 'raw_complete_from'"))[0]?.value as number | undefined) ?? 0
}

export async function copyStore(from: string, to: string, options: {now?: () => number} = {}): Promise<CopyResult> {
  const now = options.now ?? Date.now
  const started = now()
  if (from.trim() === to.trim()) throw new UsageError('--from and --to name the same store', {code: 'same_store'})
  return withStore({path: from, readonly: true}, (source) =>
    withStore({path: to}, async (dest) => {
      const src = await transferPort(source)
      const dst = await transferPort(dest)
      const rows: Record<string, number> = {}
      const result: CopyResult = {from: source.location, to: dest.location, events: {read: 0, inserted: 0, duplicates: 0, resumedFrom: null}, prunedRollups: 0, rows, durationMs: 0}

      for (const [table, key, newer] of [
        ['prices', ['model'], 'updated_at'],
        ['api_key_hints', ['api_key_hash'], 'seen_at'],
        ['account_labels', ['instance', 'auth_index'], 'updated_at'],
        ['report_account_sources', ['instance', 'auth_index', 'source'], 'last_ts'],
      ] as const) {
        rows[table] = await upsertAll(src, dst, table, [...key], newer)
      }
      // an alias another key already has in the destination stays there (aliases are unique)
      const taken = new Map((await dst.all('SELECT alias_key, api_key_hash FROM api_key_aliases')).map((r) => [r.alias_key, r.api_key_hash]))
      const aliases = (await src.all('SELECT * FROM api_key_aliases')).filter((r) => !taken.has(r.alias_key) || taken.get(r.alias_key) === r.api_key_hash)
      await dst.tx(async () => {
        for (const r of aliases) {
          await dst.run(
            `INSERT INTO api_key_aliases (api_key_hash, alias, alias_key, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (api_key_hash) DO UPDATE SET alias = excluded.alias, alias_key = excluded.alias_key, updated_at = excluded.updated_at
             WHERE api_key_aliases.updated_at < excluded.updated_at`,
            [r.api_key_hash, r.alias, r.alias_key, r.updated_at],
          )
        }
      })
      rows.api_key_aliases = aliases.length

      const runs = await addMissing(src, dst, 'collector_runs', ['instance', 'started_at', 'pid'])
      rows.collector_runs = runs.added
      const runId = (r: Row) => ({...r, run_id: r.run_id === null ? null : (runs.ids.get(r.run_id as number) ?? null)})
      rows.usage_dead_letters = (await addMissing(src, dst, 'usage_dead_letters', ['instance', 'received_at', 'reason', 'payload'], runId)).added
      const inspections = await addMissing(src, dst, 'inspection_runs', ['instance', 'trigger', 'started_at'])
      rows.inspection_runs = inspections.added
      const newRuns = [...inspections.ids.entries()].filter(([, d]) => d > 0)
      let results = 0
      const haveResults = new Set((await dst.all('SELECT DISTINCT run_id FROM inspection_results')).map((r) => r.run_id as number))
      await dst.tx(async () => {
        for (const [s, d] of newRuns) {
          if (haveResults.has(d)) continue
          for (const r of await src.all('SELECT * FROM inspection_results WHERE run_id = ? ORDER BY id', [s])) {
            const {id: _id, ...rest} = r
            await insertRow(dst, 'inspection_results', {...rest, run_id: d})
            results++
          }
        }
      })
      rows.inspection_results = results
      const inspectionRun = (v: unknown) => (v === null ? null : (inspections.ids.get(v as number) ?? null))
      rows.inspection_ownership = (
        await addMissing(src, dst, 'inspection_ownership', ['instance', 'name', 'auth_index', 'disabled_at'], (r) => ({...r, run_id: inspectionRun(r.run_id), release_run_id: inspectionRun(r.release_run_id)}))
      ).added

      // periods the source pruned: its rollups are the only record of them
      const cutoff = await rawCompleteFrom(src)
      if (cutoff > 0) {
        // the hourly rows (complete for all time); the daily ones are folded from them at the end
        for (const cube of CUBES) result.prunedRollups += await upsertAll(src, dst, `report_${cube}_hourly`, [...BASE_DIMS, ...CUBE_EXTRA[cube]], null, ' WHERE start_ms < ?', [cutoff])
        result.prunedRollups += await upsertAll(src, dst, 'report_hist_hourly', ['dim', 'start_ms', 'value', 'instance'], null, ' WHERE start_ms < ?', [cutoff])
        await dst.tx(() => dst.run("UPDATE report_state SET value = ? WHERE key = 'raw_complete_from' AND value < ?", [cutoff, cutoff]))
      }

      // events, resumable
      const mark = `copy:${createHash('sha256').update(maskLocation(source.location)).digest('hex').slice(0, 16)}`
      const resume = ((await dst.all('SELECT value FROM report_state WHERE key = ?', [mark]))[0]?.value as number | undefined) ?? null
      result.events.resumedFrom = resume === null ? null : new Date(resume).toISOString()
      const since = resume ?? undefined
      const total = await source.events.count({since})
      let done = 0
      reportProgress('copying events', 0, total)
      for await (const page of source.events.exportPages({since, page: PAGE})) {
        const mapped: StoredEvent[] = page.map((e) => ({...e, run_id: e.run_id === null ? null : (runs.ids.get(e.run_id) ?? null)}))
        const inserted = await dst.tx(async () => {
          const n = (await dst.insertEvents(mapped.filter((e) => e.ts < cutoff), false)) + (await dst.insertEvents(mapped.filter((e) => e.ts >= cutoff), true))
          await dst.run('INSERT INTO report_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [mark, page[page.length - 1].ts])
          return n
        })
        result.events.read += page.length
        result.events.inserted += inserted
        done += page.length
        reportProgress('copying events', done, total)
      }
      if (done === 0 && total === 0) reportProgress('copying events', 1, 1)
      await dst.rebuildDaily()
      await dst.tx(() => dst.run('DELETE FROM report_state WHERE key = ?', [mark]))
      result.events.duplicates = result.events.read - result.events.inserted
      result.durationMs = now() - started
      return result
    }),
  )
}
