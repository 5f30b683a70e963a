/**
 * `usage import`: bring usage from files into the store through the collector's own ingest path (same
 * normalisation, same event hash), so importing a file twice — or a file holding events already collected —
 * adds nothing the second time. Recognised per file:
 * - cpactl NDJSON (`usage export`): gateway records plus `instance` and `event_hash`;
 * - raw gateway records (as the usage queue delivers them), one per line or as a JSON array;
 * - the leading panel's JSONL export (flat records with `timestamp_ms`, `input_tokens`, …);
 * - the legacy gateway `/usage` export (`{"usage":{"apis":…}}` or `{"apis":…}`): request details only; a file
 *   with aggregate counts but no details is refused.
 * NDJSON is read line by line (constant memory); whole-document JSON is parsed at once.
 */
import {createHash} from 'node:crypto'
import {createReadStream, statSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {createInterface} from 'node:readline'

import {UsageError} from '../cli/errors.js'
import {writeStore} from '../report/context.js'
import type {ReportWarning} from '../report/engine.js'

export type ImportFormat = 'cpactl' | 'gateway' | 'cpamp' | 'legacy-usage' | 'mixed'

export interface FileImport {
  file: string
  format: ImportFormat
  records: number
  added: number
  duplicates: number
  /** Records that did not parse or validate (kept as dead letters in the store). */
  failed: number
}

export interface ImportResult {
  /** The format of the file(s); `mixed` when they differ. */
  format: ImportFormat
  added: number
  duplicates: number
  failed: number
  files: FileImport[]
  warnings: ReportWarning[]
}

export interface ImportOptions {
  files: string[]
  /** Instance label for records that do not carry one (raw gateway records, the panel's and legacy exports). */
  instance: string
  /** Force this instance for every record, including cpactl exports. */
  forceInstance?: boolean
  batch?: number
  onProgress?: (p: {file: string; done: number; total: number; unit: 'bytes' | 'records'}) => void
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

type RecordKind = 'cpactl' | 'gateway' | 'cpamp'

function kindOf(r: unknown): RecordKind {
  if (!isObj(r)) return 'gateway'
  const gatewayShaped = isObj(r.tokens) || isObj(r.token_breakdown)
  if (gatewayShaped && typeof r.instance === 'string' && typeof r.event_hash === 'string') return 'cpactl'
  if (!gatewayShaped && ('timestamp_ms' in r || 'event_hash' in r || 'input_tokens' in r)) return 'cpamp'
  return 'gateway'
}

/** The leading panel's flat export record → a gateway-shaped record (tokens re-normalised per provider). */
export function cpampToGateway(r: Record<string, unknown>): Record<string, unknown> {
  const ts = typeof r.timestamp === 'string' && r.timestamp !== '' ? r.timestamp : typeof r.timestamp_ms === 'number' ? new Date(r.timestamp_ms).toISOString() : r.timestamp
  const tokens: Record<string, unknown> = {}
  for (const k of ['input_tokens', 'output_tokens', 'reasoning_tokens', 'cached_tokens', 'cache_read_tokens', 'cache_creation_tokens', 'total_tokens']) {
    if (typeof r[k] === 'number') tokens[k] = r[k]
  }
  if (typeof r.cache_tokens === 'number' && tokens.cached_tokens === undefined) tokens.cached_tokens = r.cache_tokens
  const endpoint = typeof r.endpoint === 'string' && r.endpoint !== '' && r.endpoint !== '-' ? r.endpoint : typeof r.method === 'string' && typeof r.path === 'string' ? `${r.method} ${r.path}` : undefined
  const failed = r.failed === true || r.failed === 1
  const out: Record<string, unknown> = {
    timestamp: ts,
    latency_ms: r.latency_ms ?? undefined,
    ttft_ms: r.ttft_ms ?? undefined,
    source: r.source ?? undefined,
    source_hash: r.source_hash ?? undefined,
    auth_index: r.auth_index ?? undefined,
    tokens,
    failed,
    fail: {status_code: typeof r.fail_status_code === 'number' ? r.fail_status_code : failed ? 500 : 200, body: typeof r.fail_summary === 'string' ? r.fail_summary : ''},
    provider: r.provider ?? r.auth_provider_snapshot ?? undefined,
    executor_type: r.executor_type ?? undefined,
    model: r.resolved_model || r.model || undefined,
    alias: r.requested_model || undefined,
    endpoint,
    auth_type: r.auth_type ?? undefined,
    api_key_hash: r.api_key_hash || undefined,
    request_id: r.request_id ?? undefined,
    reasoning_effort: r.reasoning_effort ?? undefined,
    service_tier: r.service_tier ?? undefined,
  }
  return out
}

/** Request details of a legacy `/usage` export as gateway-shaped records; null when the document is not one. */
export function legacyDetails(doc: unknown): {records: Array<Record<string, unknown>>; aggregateOnly: boolean} | null {
  if (!isObj(doc)) return null
  const usage = isObj(doc.usage) ? doc.usage : doc
  if (!isObj(usage.apis)) {
    if ('total_requests' in usage || 'success_count' in usage) return {records: [], aggregateOnly: true}
    return null
  }
  const records: Array<Record<string, unknown>> = []
  for (const [endpoint, api] of Object.entries(usage.apis)) {
    if (!isObj(api) || !isObj(api.models)) continue
    for (const [model, m] of Object.entries(api.models)) {
      if (!isObj(m) || !Array.isArray(m.details)) continue
      for (const d of m.details) {
        if (!isObj(d)) continue
        const id = createHash('sha256').update(JSON.stringify([endpoint, model, d])).digest('hex').slice(0, 16)
        const failed = d.failed === true
        records.push({
          timestamp: d.timestamp,
          latency_ms: d.latency_ms ?? undefined,
          ttft_ms: d.ttft_ms ?? undefined,
          source: d.source ?? undefined,
          auth_index: d.auth_index ?? undefined,
          tokens: isObj(d.tokens) ? d.tokens : {},
          failed,
          fail: {status_code: typeof d.fail_status_code === 'number' ? d.fail_status_code : failed ? 500 : 200, body: typeof d.fail_summary === 'string' ? d.fail_summary : ''},
          provider: d.provider ?? d.auth_provider_snapshot ?? undefined,
          executor_type: d.executor_type ?? undefined,
          model: d.resolved_model || model,
          alias: d.requested_model || model,
          endpoint,
          api_key_hash: d.api_key_hash || undefined,
          request_id: `legacy:${id}`,
          reasoning_effort: d.reasoning_effort ?? undefined,
          service_tier: d.request_service_tier ?? d.service_tier ?? undefined,
          response_service_tier: d.response_service_tier ?? undefined,
        })
      }
    }
  }
  return {records, aggregateOnly: records.length === 0}
}

async function firstChars(file: string): Promise<{firstChar: string; firstLine: string}> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(65_536)
    const {bytesRead} = await fh.read(buf, 0, buf.length, 0)
    const text = buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '')
    const trimmed = text.trimStart()
    const nl = trimmed.indexOf('\n')
    return {firstChar: trimmed.charAt(0), firstLine: nl === -1 ? trimmed : trimmed.slice(0, nl)}
  } finally {
    await fh.close()
  }
}

export async function importUsage(storePath: string, o: ImportOptions): Promise<ImportResult> {
  for (const f of o.files) {
    try {
      statSync(f)
    } catch (error) {
      throw new UsageError(`cannot read ${f}: ${(error as Error).message}`, {code: 'file_not_found'})
    }
  }
  const batchSize = o.batch ?? 2000
  return writeStore(storePath, async (store) => {
    const warnings: ReportWarning[] = []
    const files: FileImport[] = []
    for (const file of o.files) {
      const fi: FileImport = {file, format: 'gateway', records: 0, added: 0, duplicates: 0, failed: 0}
      const kinds = new Set<RecordKind | 'legacy-usage'>()
      const pending = new Map<string, unknown[]>()
      const flush = async (instance: string) => {
        const recs = pending.get(instance)
        if (!recs || recs.length === 0) return
        pending.set(instance, [])
        const r = await store.events.ingest(instance, recs)
        fi.added += r.added
        fi.duplicates += r.duplicates
        fi.failed += r.deadLettered
      }
      const push = async (raw: unknown) => {
        fi.records++
        const kind = kindOf(raw)
        kinds.add(kind)
        let rec: unknown = raw
        let instance = o.instance
        if (kind === 'cpactl') {
          const {instance: inst, event_hash: _hash, ...rest} = raw as Record<string, unknown>
          rec = rest
          if (!o.forceInstance) instance = inst as string
        } else if (kind === 'cpamp') rec = cpampToGateway(raw as Record<string, unknown>)
        let list = pending.get(instance)
        if (!list) pending.set(instance, (list = []))
        list.push(rec)
        if (list.length >= batchSize) await flush(instance)
      }
      const {firstChar, firstLine} = await firstChars(file)
      let lineMode = false
      if (firstChar === '{') {
        try {
          const first = JSON.parse(firstLine) as unknown
          // a one-line legacy /usage export is a document, not a record
          lineMode = !(isObj(first) && ('usage' in first || 'apis' in first || 'total_requests' in first) && !('timestamp' in first))
        } catch {
          lineMode = false
        }
      } else if (firstChar !== '[') {
        if (firstChar === '') throw new UsageError(`${file} is empty`, {code: 'empty_file'})
        throw new UsageError(`${file} is not JSON or NDJSON`, {code: 'invalid_usage_file'})
      }
      if (lineMode) {
        const total = statSync(file).size
        const stream = createReadStream(file, {encoding: 'utf8'})
        let bytes = 0
        const rl = createInterface({input: stream, crlfDelay: Number.POSITIVE_INFINITY})
        for await (const line of rl) {
          bytes += Buffer.byteLength(line) + 1
          if (line.trim() === '') continue
          let parsed: unknown
          try {
            parsed = JSON.parse(line)
          } catch {
            parsed = line
          }
          await push(parsed)
          if (fi.records % 5000 === 0) o.onProgress?.({file, done: bytes, total, unit: 'bytes'})
        }
      } else {
        const {readFile} = await import('node:fs/promises')
        let doc: unknown
        try {
          doc = JSON.parse((await readFile(file, 'utf8')).replace(/^\uFEFF/, ''))
        } catch (error) {
          throw new UsageError(`${file} is not valid JSON: ${(error as Error).message}`, {code: 'invalid_usage_file'})
        }
        let records: unknown[]
        if (Array.isArray(doc)) records = doc
        else {
          const legacy = legacyDetails(doc)
          if (legacy) {
            if (legacy.aggregateOnly) {
              throw new UsageError(`${file} is a legacy usage export without request details (aggregate counts only): there is nothing to import`, {
                code: 'aggregate_only_export',
              })
            }
            records = legacy.records
            kinds.add('legacy-usage')
            warnings.push({
              code: 'legacy_usage_partial',
              message: `${file}: legacy /usage export — request details carry partial metadata (no request ids: synthetic ones are derived from each detail; provider often missing, so some tokens may be unclassified)`,
            })
          } else records = [doc]
        }
        let done = 0
        for (const r of records) {
          if (kinds.has('legacy-usage')) {
            fi.records++
            let list = pending.get(o.instance)
            if (!list) pending.set(o.instance, (list = []))
            list.push(r)
            if (list.length >= batchSize) await flush(o.instance)
          } else await push(r)
          if (++done % 5000 === 0) o.onProgress?.({file, done, total: records.length, unit: 'records'})
        }
      }
      for (const instance of pending.keys()) await flush(instance)
      const ks = [...kinds]
      fi.format = ks.includes('legacy-usage') ? 'legacy-usage' : ks.length === 1 ? (ks[0] as ImportFormat) : ks.length === 0 ? 'gateway' : 'mixed'
      if (fi.failed > 0) {
        warnings.push({code: 'records_failed', message: `${file}: ${fi.failed} record(s) did not parse or validate; they are kept as dead letters (cpactl store dead-letters list)`})
      }
      files.push(fi)
    }
    const formats = [...new Set(files.map((f) => f.format))]
    return {
      format: formats.length === 1 ? formats[0] : 'mixed',
      added: files.reduce((s, f) => s + f.added, 0),
      duplicates: files.reduce((s, f) => s + f.duplicates, 0),
      failed: files.reduce((s, f) => s + f.failed, 0),
      files,
      warnings,
    }
  }, {create: true})
}
