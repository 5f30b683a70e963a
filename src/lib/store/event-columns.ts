/**
 * The columns of `usage_events` (migration 001), an event's values in column order, and a compact encoding of
 * such rows that crosses from the normaliser thread (ingest-worker.ts) to the writing thread without cloning
 * an object per row:
 * - numeric columns go into one Float64Array (NaN = NULL; no stored number is NaN),
 * - low-cardinality text columns (provider, model, account, key hash, user agent …) into one Int32Array of ids
 *   in a dictionary both sides keep (only new strings cross, once; -1 = NULL; the dictionary restarts when it
 *   grows large),
 * - the rest of the text (request id, failure summary, headers, extra) as plain strings,
 * - the 16-byte event hash into one Uint8Array.
 * The typed arrays are transferred, not copied.
 */
import type {UsageEvent} from '../usage/index.js'

type ColumnKind = 'num' | 'dict' | 'text' | 'hash'

const COLUMNS: ReadonlyArray<readonly [string, ColumnKind]> = [
  ['instance', 'dict'], ['ts', 'num'], ['tz_offset_min', 'num'], ['event_hash', 'hash'], ['run_id', 'num'],
  ['provider', 'dict'], ['executor_type', 'dict'], ['model', 'dict'], ['alias', 'dict'], ['endpoint', 'dict'],
  ['auth_type', 'dict'], ['auth_index', 'dict'], ['source', 'dict'], ['source_hash', 'dict'], ['api_key_hash', 'dict'],
  ['access_token_sha256', 'dict'], ['request_id', 'text'], ['latency_ms', 'num'], ['ttft_ms', 'num'], ['failed', 'num'],
  ['fail_status_code', 'num'], ['fail_summary', 'text'], ['generate', 'num'], ['stream', 'num'], ['input_tokens', 'num'],
  ['output_tokens', 'num'], ['reasoning_tokens', 'num'], ['cached_tokens', 'num'], ['cache_read_tokens', 'num'],
  ['cache_creation_tokens', 'num'], ['total_tokens', 'num'], ['cache_creation_5m_tokens', 'num'],
  ['cache_creation_1h_tokens', 'num'], ['accounting_version', 'num'], ['token_quality', 'dict'], ['input_total', 'num'],
  ['uncached_input', 'num'], ['cache_read', 'num'], ['cache_write', 'num'], ['output_total', 'num'], ['reasoning', 'num'],
  ['unclassified', 'num'], ['total', 'num'], ['reasoning_effort', 'dict'], ['service_tier', 'dict'],
  ['response_service_tier', 'dict'], ['client_ip', 'dict'], ['x_forwarded_for', 'dict'], ['user_agent', 'dict'],
  ['response_headers', 'text'], ['extra', 'text'],
]

/** Column names in insert order. */
export const EVENT_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name)

/** Index of each column in a row (what the rollups and the batch counters read). */
export const COL = Object.fromEntries(EVENT_COLUMNS.map((name, i) => [name, i])) as Record<string, number>

const b01 = (v: boolean | null): number | null => (v === null ? null : v ? 1 : 0)

/** Fill `row` (reused for every insert: better-sqlite3 binds synchronously) with the event's column values. */
export function fillEventRow(row: unknown[], instance: string, runId: number | null, hash: Buffer, e: UsageEvent): unknown[] {
  const t = e.legacy
  const b = e.buckets
  let i = 0
  row[i++] = instance
  row[i++] = e.ts
  row[i++] = e.tzOffsetMin
  row[i++] = hash
  row[i++] = runId
  row[i++] = e.provider
  row[i++] = e.executorType
  row[i++] = e.model
  row[i++] = e.alias
  row[i++] = e.endpoint
  row[i++] = e.authType
  row[i++] = e.authIndex
  row[i++] = e.source
  row[i++] = e.sourceHash
  row[i++] = e.apiKeyHash
  row[i++] = e.accessTokenSha256
  row[i++] = e.requestId
  row[i++] = e.latencyMs
  row[i++] = e.ttftMs
  row[i++] = e.failed ? 1 : 0
  row[i++] = e.failStatusCode
  row[i++] = e.failSummary
  row[i++] = b01(e.generate)
  row[i++] = b01(e.stream)
  row[i++] = t.inputTokens
  row[i++] = t.outputTokens
  row[i++] = t.reasoningTokens
  row[i++] = t.cachedTokens
  row[i++] = t.cacheReadTokens
  row[i++] = t.cacheCreationTokens
  row[i++] = t.totalTokens
  row[i++] = t.cacheCreation5mTokens
  row[i++] = t.cacheCreation1hTokens
  row[i++] = e.accountingVersion
  row[i++] = e.tokenQuality
  row[i++] = b.inputTotal
  row[i++] = b.uncachedInput
  row[i++] = b.cacheRead
  row[i++] = b.cacheWrite
  row[i++] = b.outputTotal
  row[i++] = b.reasoning
  row[i++] = b.unclassified
  row[i++] = b.total
  row[i++] = e.reasoningEffort
  row[i++] = e.serviceTier
  row[i++] = e.responseServiceTier
  row[i++] = e.clientIp
  row[i++] = e.xForwardedFor
  row[i++] = e.userAgent
  row[i++] = e.responseHeaders
  row[i++] = e.extra
  return row
}

const NUM = COLUMNS.flatMap(([, k], i) => (k === 'num' ? [i] : []))
const DICT = COLUMNS.flatMap(([, k], i) => (k === 'dict' ? [i] : []))
const TEXT = COLUMNS.flatMap(([, k], i) => (k === 'text' ? [i] : []))
const HASH = COL.event_hash
export const EVENT_HASH_SIZE = 16

/** Dictionary entries after which both sides start a new dictionary (bounds memory on unusual traffic). */
const DICT_MAX = 50_000

/** Encoded rows, as posted between threads (the typed arrays' buffers are transferred). */
export interface EncodedRows {
  n: number
  /** The dictionary restarts with this message (the receiver clears its copy before adding `strings`). */
  reset: boolean
  /** New dictionary entries, in id order after the receiver's last one. */
  strings: string[]
  nums: Float64Array
  ids: Int32Array
  texts: Array<string | null>
  hashes: Uint8Array
}

/** Worker side: collects rows (`add`) and hands them over in one message (`take`). */
export class RowEncoder {
  private readonly dict = new Map<string, number>()
  private fresh: string[] = []
  private reset = false
  private n = 0
  private nums: Float64Array
  private ids: Int32Array
  private texts: Array<string | null> = []
  private hashes: Uint8Array

  constructor(private readonly capacity: number) {
    this.nums = new Float64Array(capacity * NUM.length)
    this.ids = new Int32Array(capacity * DICT.length)
    this.hashes = new Uint8Array(capacity * EVENT_HASH_SIZE)
  }

  get size(): number {
    return this.n
  }

  add(row: readonly unknown[]): void {
    if (this.n === this.capacity) throw new Error('RowEncoder: capacity exceeded')
    const r = this.n++
    let o = r * NUM.length
    for (const c of NUM) {
      const v = row[c] as number | null
      this.nums[o++] = v === null ? Number.NaN : v
    }
    o = r * DICT.length
    for (const c of DICT) {
      const v = row[c] as string | null
      if (v === null) {
        this.ids[o++] = -1
        continue
      }
      let id = this.dict.get(v)
      if (id === undefined) {
        id = this.dict.size
        this.dict.set(v, id)
        this.fresh.push(v)
      }
      this.ids[o++] = id
    }
    for (const c of TEXT) this.texts.push(row[c] as string | null)
    this.hashes.set(row[HASH] as Uint8Array, r * EVENT_HASH_SIZE)
  }

  /** Drop the rows added since the last take; the next message starts a new dictionary (after a failed batch). */
  discard(): void {
    this.texts = []
    this.fresh = []
    this.n = 0
    this.dict.clear()
    this.reset = true
  }

  /** The rows added since the last take, and the transfer list of their buffers. */
  take(): {rows: EncodedRows; transfer: ArrayBuffer[]} {
    const n = this.n
    const rows: EncodedRows = {
      n,
      reset: this.reset,
      strings: this.fresh,
      nums: this.nums.subarray(0, n * NUM.length),
      ids: this.ids.subarray(0, n * DICT.length),
      texts: this.texts,
      hashes: this.hashes.subarray(0, n * EVENT_HASH_SIZE),
    }
    const transfer = [this.nums.buffer as ArrayBuffer, this.ids.buffer as ArrayBuffer, this.hashes.buffer as ArrayBuffer]
    this.nums = new Float64Array(this.capacity * NUM.length)
    this.ids = new Int32Array(this.capacity * DICT.length)
    this.hashes = new Uint8Array(this.capacity * EVENT_HASH_SIZE)
    this.texts = []
    this.fresh = []
    this.n = 0
    this.reset = false
    if (this.dict.size > DICT_MAX) {
      // the next message starts a new dictionary
      this.dict.clear()
      this.reset = true
    }
    return {rows, transfer}
  }
}

/**
 * Writer side: the dictionary's mirror. Every message must be accepted in arrival order (also those of a batch
 * nobody waits for any more), so the mirror never misses an entry; each message keeps the dictionary it was
 * accepted against (a restart makes a new one), so rows read later still resolve their ids.
 */
export class RowDecoder {
  private strings: string[] = []

  /** Take the dictionary entries of a message; returns the dictionary its rows are read with. */
  accept(rows: EncodedRows): string[] {
    if (rows.reset) this.strings = []
    for (const s of rows.strings) this.strings.push(s)
    return this.strings
  }

  /** Fill `row` with row `r` of `rows`, read with `dict` (what `accept` returned for them). */
  static fill(row: unknown[], rows: EncodedRows, r: number, dict: readonly string[]): unknown[] {
    const nums = rows.nums
    let o = r * NUM.length
    for (const c of NUM) {
      const v = nums[o++]
      row[c] = v !== v ? null : v
    }
    const ids = rows.ids
    o = r * DICT.length
    for (const c of DICT) {
      const id = ids[o++]
      row[c] = id < 0 ? null : dict[id]
    }
    o = r * TEXT.length
    for (const c of TEXT) row[c] = rows.texts[o++]
    row[HASH] = rows.hashes.subarray(r * EVENT_HASH_SIZE, (r + 1) * EVENT_HASH_SIZE)
    return row
  }
}
