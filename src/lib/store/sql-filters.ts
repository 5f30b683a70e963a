/** SQL for the report filters (rows.ts RowFilters) and row helpers, shared by the raw-event and rollup queries. */
import type {RowFilters} from './rows.js'

/**
 * The six token buckets from consecutive columns of a raw result row, from column `i` on: uncached_input,
 * cache_read, cache_write, output_total, reasoning, unclassified (the order of every query here).
 */
export function bucketsAt(r: unknown[], i: number): {uncachedInput: number; cacheRead: number; cacheWrite: number; outputTotal: number; reasoning: number; unclassified: number} {
  return {
    uncachedInput: r[i] as number,
    cacheRead: r[i + 1] as number,
    cacheWrite: r[i + 2] as number,
    outputTotal: r[i + 3] as number,
    reasoning: r[i + 4] as number,
    unclassified: r[i + 5] as number,
  }
}

export function inList(col: string, values: readonly unknown[] | undefined, params: unknown[], negate = false): string {
  if (!values || values.length === 0) return ''
  params.push(...values)
  return ` AND ${col} ${negate ? 'NOT IN' : 'IN'} (${values.map(() => '?').join(', ')})`
}

/** Columns a table filters on; null: the table has no such dimension (asking for it is a bug). */
export interface FilterColumns {
  failed: string | null
  status: string | null
  apiKey: string | null
  auth: string | null
}

export const RAW_COLUMNS: FilterColumns = {failed: 'failed', status: 'fail_status_code', apiKey: 'api_key_hash', auth: 'auth_index'}

export function filterSql(f: RowFilters, params: unknown[], cols: FilterColumns): string {
  let sql = ''
  sql += inList('instance', f.instances, params)
  sql += inList('provider', f.providers, params)
  sql += inList('model', f.models, params)
  sql += inList('model', f.excludeModels, params, true)
  if (f.authIndexes && f.authIndexes.length > 0) {
    if (!cols.auth) throw new Error('this rollup has no account dimension')
    sql += inList(cols.auth, f.authIndexes, params)
  }
  if (f.apiKeyHashes && f.apiKeyHashes.length > 0) {
    if (!cols.apiKey) throw new Error('this rollup has no API-key dimension')
    sql += inList(cols.apiKey, f.apiKeyHashes, params)
  }
  if (f.failed !== undefined) {
    if (!cols.failed) throw new Error('this rollup has no failure dimension')
    sql += ` AND ${cols.failed} = ${f.failed ? 1 : 0}`
  }
  if (f.statuses && f.statuses.length > 0) {
    if (!cols.status) throw new Error('this rollup has no status dimension')
    sql += inList(cols.status, f.statuses, params)
  }
  return sql
}
