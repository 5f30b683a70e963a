/**
 * `usage export`: the store's events as NDJSON (re-importable: each line is a gateway record — the gateway's
 * field names, the stored token buckets as `token_breakdown` — plus `instance` and `event_hash`, with the
 * client key only as `api_key_hash` and secret sources masked) or CSV (flat columns for spreadsheets). Streamed
 * page by page: memory stays constant whatever the range. Client IP, X-Forwarded-For and User-Agent are left
 * out unless asked for (they identify the people behind the requests).
 */
import {createWriteStream, fchmodSync, openSync} from 'node:fs'
import {once} from 'node:events'

import {UsageError} from '../cli/errors.js'
import {csvEscape, writeRaw} from '../cli/output.js'
import {ensurePrivateDir} from '../files/private.js'
import type {StoredEvent} from '../store/index.js'
import {readStore} from '../report/context.js'
import type {TimeRange} from '../report/range.js'
import {formatOffsetIso} from '../time/zone.js'

export type ExportFormat = 'ndjson' | 'csv'

const bool = (v: number | null) => (v === null ? undefined : v === 1)

/** One stored event as an NDJSON record. */
export function exportRecord(e: StoredEvent, includeClientInfo = false): Record<string, unknown> {
  const tokens: Record<string, unknown> = {}
  const legacy: Array<[string, number | null]> = [
    ['input_tokens', e.input_tokens],
    ['output_tokens', e.output_tokens],
    ['reasoning_tokens', e.reasoning_tokens],
    ['cached_tokens', e.cached_tokens],
    ['cache_read_tokens', e.cache_read_tokens],
    ['cache_creation_tokens', e.cache_creation_tokens],
    ['total_tokens', e.total_tokens],
    ['cache_creation_5m_tokens', e.cache_creation_5m_tokens],
    ['cache_creation_1h_tokens', e.cache_creation_1h_tokens],
  ]
  for (const [k, v] of legacy) if (v !== null) tokens[k] = v
  let extra: Record<string, unknown> = {}
  if (e.extra) {
    try {
      extra = JSON.parse(e.extra) as Record<string, unknown>
    } catch {
      extra = {}
    }
  }
  if (extra.tokens && typeof extra.tokens === 'object') {
    for (const [k, v] of Object.entries(extra.tokens as Record<string, unknown>)) if (!(k in tokens)) tokens[k] = v
    delete extra.tokens
  }
  const r: Record<string, unknown> = {
    instance: e.instance,
    event_hash: Buffer.from(e.event_hash).toString('hex'),
    timestamp: formatOffsetIso(e.ts, e.tz_offset_min),
    latency_ms: e.latency_ms ?? undefined,
    ttft_ms: e.ttft_ms ?? undefined,
    source: e.source ?? undefined,
    source_hash: e.source_hash ?? undefined,
    auth_index: e.auth_index ?? undefined,
    access_token_sha256: e.access_token_sha256 ?? undefined,
    tokens,
    failed: e.failed === 1,
    generate: bool(e.generate),
    stream: bool(e.stream),
    fail: {...(e.fail_status_code === null ? {} : {status_code: e.fail_status_code}), body: e.fail_summary ?? ''},
    response_headers: e.response_headers ? (JSON.parse(e.response_headers) as unknown) : undefined,
    accounting_version: e.accounting_version ?? undefined,
    token_breakdown: {
      schema_version: 2,
      quality: e.token_quality ?? 'unknown',
      total_tokens: e.total,
      input: {total_tokens: e.input_total, uncached_tokens: e.uncached_input, cache_read_tokens: e.cache_read, cache_write_tokens: e.cache_write},
      output: {total_tokens: e.output_total, non_reasoning_tokens: e.output_total - e.reasoning, reasoning_tokens: e.reasoning},
      unclassified_tokens: e.unclassified,
    },
    provider: e.provider ?? undefined,
    executor_type: e.executor_type ?? undefined,
    model: e.model ?? undefined,
    alias: e.alias ?? undefined,
    endpoint: e.endpoint ?? undefined,
    auth_type: e.auth_type ?? undefined,
    api_key_hash: e.api_key_hash ?? undefined,
    request_id: e.request_id ?? undefined,
    reasoning_effort: e.reasoning_effort ?? undefined,
    service_tier: e.service_tier ?? undefined,
    response_service_tier: e.response_service_tier ?? undefined,
  }
  if (includeClientInfo) {
    r.client_ip = e.client_ip ?? undefined
    r.x_forwarded_for = e.x_forwarded_for ?? undefined
    r.user_agent = e.user_agent ?? undefined
  }
  for (const [k, v] of Object.entries(extra)) if (!(k in r)) r[k] = v
  return r
}

export const CSV_COLUMNS = [
  'time', 'instance', 'request_id', 'provider', 'executor_type', 'model', 'alias', 'endpoint', 'auth_type', 'auth_index',
  'source', 'api_key_hash', 'failed', 'status_code', 'latency_ms', 'ttft_ms', 'input_tokens', 'cache_read_tokens',
  'cache_write_tokens', 'output_tokens', 'reasoning_tokens', 'unclassified_tokens', 'total_tokens', 'service_tier',
  'response_service_tier', 'reasoning_effort', 'error',
] as const

export function csvRow(e: StoredEvent): string {
  const cells: Array<string | number | null> = [
    new Date(e.ts).toISOString(), e.instance, e.request_id, e.provider, e.executor_type, e.model, e.alias, e.endpoint,
    e.auth_type, e.auth_index, e.source, e.api_key_hash, e.failed === 1 ? 'true' : 'false', e.fail_status_code, e.latency_ms,
    e.ttft_ms, e.uncached_input, e.cache_read, e.cache_write, e.output_total, e.reasoning, e.unclassified, e.total,
    e.service_tier, e.response_service_tier, e.reasoning_effort, e.failed === 1 ? e.fail_summary : null,
  ]
  return cells.map((c) => csvEscape(c === null ? '' : String(c))).join(',')
}

export interface ExportOptions {
  format: ExportFormat
  range: TimeRange | null
  instances?: string[]
  /** Write here (mode 0600) instead of stdout ('-': stdout); an existing file is replaced only with `force`. */
  output?: string
  force?: boolean
  includeClientInfo?: boolean
  onProgress?: (done: number, total: number) => void
}

export interface ExportResult {
  format: ExportFormat
  /** Output file, or null for standard output. */
  output: string | null
  events: number
  range: {since: string | null; until: string | null}
}

export async function exportUsage(storePath: string, o: ExportOptions): Promise<ExportResult> {
  return readStore(storePath, async (store) => {
    const q = {since: o.range?.since, until: o.range?.until, instances: o.instances}
    const total = o.onProgress ? await store.events.count(q) : 0
    let file: import('node:fs').WriteStream | null = null
    if (o.output && o.output !== '-') {
      const {dirname} = await import('node:path')
      ensurePrivateDir(dirname(o.output))
      let fd: number
      try {
        fd = openSync(o.output, o.force ? 'w' : 'wx', 0o600)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EEXIST') throw new UsageError(`${o.output} already exists`, {code: 'file_exists', hint: 'choose another -o path or pass --force to overwrite'})
        throw new UsageError(`cannot write ${o.output}: ${code ?? (error as Error).message}`, {code: 'file_unwritable'})
      }
      // a replaced file keeps its old mode on open: tighten it before any byte is written
      fchmodSync(fd, 0o600)
      file = createWriteStream('', {fd})
    }
    const write = async (text: string) => {
      if (file) {
        if (!file.write(text)) await once(file, 'drain')
      } else writeRaw(text)
    }
    let n = 0
    try {
      if (o.format === 'csv') await write(CSV_COLUMNS.join(',') + '\r\n')
      for await (const page of store.events.exportPages(q)) {
        let chunk = ''
        for (const e of page) chunk += o.format === 'csv' ? csvRow(e) + '\r\n' : JSON.stringify(exportRecord(e, o.includeClientInfo)) + '\n'
        await write(chunk)
        n += page.length
        o.onProgress?.(n, total)
      }
    } finally {
      if (file) {
        file.end()
        await once(file, 'close')
      }
    }
    return {
      format: o.format,
      output: o.output && o.output !== '-' ? o.output : null,
      events: n,
      range: {since: o.range ? new Date(o.range.since).toISOString() : null, until: o.range ? new Date(o.range.until).toISOString() : null},
    }
  })
}
