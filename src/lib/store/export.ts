/**
 * Reading usage events for `usage export`: oldest first, in keyset pages on (ts, id). Each page is one short
 * statement, so no read transaction stays open while a collector writes (cpamp-anchor.md §2.3 "WAL blow-up
 * from a long-open reader").
 */
import type {Database} from './db.js'

export interface StoredEvent {
  id: number
  instance: string
  ts: number
  tz_offset_min: number | null
  event_hash: Buffer
  provider: string | null
  executor_type: string | null
  model: string | null
  alias: string | null
  endpoint: string | null
  auth_type: string | null
  auth_index: string | null
  source: string | null
  source_hash: string | null
  api_key_hash: string | null
  access_token_sha256: string | null
  request_id: string | null
  latency_ms: number | null
  ttft_ms: number | null
  failed: number
  fail_status_code: number | null
  fail_summary: string | null
  generate: number | null
  stream: number | null
  input_tokens: number | null
  output_tokens: number | null
  reasoning_tokens: number | null
  cached_tokens: number | null
  cache_read_tokens: number | null
  cache_creation_tokens: number | null
  total_tokens: number | null
  cache_creation_5m_tokens: number | null
  cache_creation_1h_tokens: number | null
  accounting_version: number | null
  token_quality: string | null
  input_total: number
  uncached_input: number
  cache_read: number
  cache_write: number
  output_total: number
  reasoning: number
  unclassified: number
  total: number
  reasoning_effort: string | null
  service_tier: string | null
  response_service_tier: string | null
  client_ip: string | null
  x_forwarded_for: string | null
  user_agent: string | null
  response_headers: string | null
  extra: string | null
}

export interface ExportQuery {
  since?: number
  until?: number
  instances?: string[]
  /** Rows per page (default 2000). */
  page?: number
}

/** Yield pages of events in (ts, id) order. */
export function* exportPages(db: Database, q: ExportQuery): Generator<StoredEvent[]> {
  const page = q.page ?? 2000
  const where: string[] = ['ts >= ?', 'ts < ?']
  const base: unknown[] = [q.since ?? Number.MIN_SAFE_INTEGER, q.until ?? Number.MAX_SAFE_INTEGER]
  if (q.instances && q.instances.length > 0) {
    where.push(`instance IN (${q.instances.map(() => '?').join(', ')})`)
    base.push(...q.instances)
  }
  const first = db.prepare(`SELECT * FROM usage_events WHERE ${where.join(' AND ')} ORDER BY ts, id LIMIT ?`)
  const next = db.prepare(`SELECT * FROM usage_events WHERE ${where.join(' AND ')} AND (ts > ? OR (ts = ? AND id > ?)) ORDER BY ts, id LIMIT ?`)
  let rows = first.all(...base, page) as StoredEvent[]
  while (rows.length > 0) {
    yield rows
    if (rows.length < page) return
    const last = rows[rows.length - 1]
    rows = next.all(...base, last.ts, last.ts, last.id, page) as StoredEvent[]
  }
}

/** Events in a range (for a progress total). */
export function countEvents(db: Database, q: ExportQuery): number {
  const params: unknown[] = [q.since ?? Number.MIN_SAFE_INTEGER, q.until ?? Number.MAX_SAFE_INTEGER]
  let sql = 'SELECT COUNT(*) AS n FROM usage_events WHERE ts >= ? AND ts < ?'
  if (q.instances && q.instances.length > 0) {
    sql += ` AND instance IN (${q.instances.map(() => '?').join(', ')})`
    params.push(...q.instances)
  }
  return (db.prepare(sql).get(...params) as {n: number}).n
}
