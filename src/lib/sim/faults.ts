/**
 * Fault injection for the simulated gateway (issue 3 "Traffic"): malformed payloads in the queue, response
 * latency, connections dropped mid-reply, 5xx bursts. (A ban on demand is `sim.ban()`.)
 *
 * The options object is mutable: tests change `sim.faults.latencyMs` etc. between steps and the next
 * request sees the change.
 */

export interface FaultOptions {
  /** After every N-th generated record, also enqueue one malformed payload (totals stay exact). */
  malformedEvery?: number
  /** Delay before every HTTP response and every RESP reply, in ms. */
  latencyMs?: number
  /**
   * Every N-th pop reply that carries records (RESP LPOP/RPOP, HTTP /usage-queue) is cut off half-way and
   * the connection destroyed. The records in it were already popped: they are lost, as on a real network.
   */
  dropMidReplyEvery?: number
  /** The next `count` management HTTP requests answer `status` (default 503) before auth. */
  http5xx?: {count: number; status?: number}
  /**
   * The v8 config tree's own server errors: the file cannot be read (500 `read_failed`,
   * any config-tree request), a node cannot be decoded (500 `decode_failed`, JSON reads) or the file cannot be
   * written (500 `write_failed`, a write that passed validation; the file stays as it was). `after`: requests of
   * that kind that succeed first (default 0); `count`: how many then fail (default 1).
   */
  configTree?: {error: ConfigTreeFault; after?: number; count?: number}
}

export type ConfigTreeFault = 'read_failed' | 'decode_failed' | 'write_failed'

/** The malformed payloads cycled through by `malformedEvery` (a truncated record, plain text, a non-object). */
export function malformedPayload(n: number, sample: string): string {
  switch (n % 3) {
    case 0:
      return sample.slice(0, Math.max(1, Math.floor(sample.length / 2)))
    case 1:
      return 'simulated fault: not a JSON document'
    default:
      return '[42]'
  }
}

export class FaultInjector {
  private popReplies = 0
  private records = 0
  private malformed = 0
  /** Replies cut off by dropMidReplyEvery. */
  droppedReplies = 0
  /** Responses replaced by http5xx. */
  injected5xx = 0

  constructor(public options: FaultOptions = {}) {}

  latencyMs(): number {
    const v = this.options.latencyMs
    return typeof v === 'number' && v > 0 ? v : 0
  }

  /** Count one pop reply that carries records; true when this one must be dropped. */
  dropThisReply(): boolean {
    const every = this.options.dropMidReplyEvery
    if (!every || every <= 0) return false
    this.popReplies++
    if (this.popReplies % every !== 0) return false
    this.droppedReplies++
    return true
  }

  /** Status to inject for this management HTTP request, if a burst is active. */
  takeHttp5xx(): number | undefined {
    const burst = this.options.http5xx
    if (!burst || burst.count <= 0) return undefined
    burst.count--
    this.injected5xx++
    return burst.status ?? 503
  }

  /**
   * Whether this config-tree request fails at `stage` (read: every request; decode: JSON reads; write: writes
   * that passed validation); the gateway's error code when it does.
   */
  configTreeFault(stage: 'read' | 'decode' | 'write'): ConfigTreeFault | undefined {
    const f = this.options.configTree
    if (!f || f.error !== ({read: 'read_failed', decode: 'decode_failed', write: 'write_failed'} as const)[stage]) return undefined
    if ((f.after ?? 0) > 0) {
      f.after = (f.after ?? 0) - 1
      return undefined
    }
    const left = f.count ?? 1
    if (left <= 0) return undefined
    f.count = left - 1
    return f.error
  }

  /** Count one generated record; returns a malformed payload to enqueue after it, if due. */
  afterRecord(sample: string): string | undefined {
    const every = this.options.malformedEvery
    this.records++
    if (!every || every <= 0 || this.records % every !== 0) return undefined
    return malformedPayload(this.malformed++, sample)
  }
}

/** Parse one `--fault` value: `malformed-every=N`, `latency=MS`, `drop-every=N`, `5xx=COUNT[:STATUS]`, `config-write-fail=AFTER`. */
export function parseFaultSpec(spec: string): FaultOptions {
  const m = /^\s*([a-z0-9-]+)\s*=\s*(\d+)(?::(\d{3}))?\s*$/i.exec(spec)
  if (!m) throw new Error(`invalid fault '${spec}': use malformed-every=N, latency=MS, drop-every=N, 5xx=COUNT[:STATUS] or config-write-fail=AFTER`)
  const name = m[1].toLowerCase()
  const n = Number(m[2])
  switch (name) {
    case 'malformed-every':
      if (n <= 0) break
      return {malformedEvery: n}
    case 'latency':
      return {latencyMs: n}
    case 'drop-every':
      if (n <= 0) break
      return {dropMidReplyEvery: n}
    case '5xx': {
      const status = m[3] ? Number(m[3]) : 503
      if (status < 500 || status > 599) break
      return {http5xx: {count: n, status}}
    }
    case 'config-write-fail':
      // v8: the write after AFTER successful config-tree writes answers 500 write_failed
      return {configTree: {error: 'write_failed', after: n, count: 1}}
    default:
      throw new Error(`unknown fault '${m[1]}': use malformed-every, latency, drop-every, 5xx or config-write-fail`)
  }
  throw new Error(`invalid fault '${spec}': the value is out of range`)
}
