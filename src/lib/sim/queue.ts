/**
 * The usage FIFO and the subscriber hub of the simulated gateway: one in-memory FIFO for `usage`
 * (`errors` is subscribe-only); each subscriber has a 256-message buffer.
 *
 * - One in-memory FIFO for `usage`; retention measured from enqueue time, pruned lazily at push and at
 *   pop (no timer); no maximum length.
 * - While at least one `usage` subscriber exists, records go only to subscribers, never to the FIFO (the
 *   starvation rule). Control payloads go only to subscribers.
 * - Each subscriber has a 256-message buffer; a publish that finds it full drops the subscriber (its
 *   buffered messages are still written, then the connection closes) and the message that did not fit is
 *   lost (v7.2.140 behaviour).
 */

export const SUBSCRIBER_BUFFER = 256
export const DEFAULT_RETENTION_SECONDS = 60
export const MAX_RETENTION_SECONDS = 3600

/** `redis-usage-queue-retention-seconds`: ≤ 0 ⇒ 60, > 3600 ⇒ 3600; counted from enqueue time. */
export function effectiveRetentionSeconds(value: unknown): number {
  const n = typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : 0
  if (n <= 0) return DEFAULT_RETENTION_SECONDS
  return Math.min(n, MAX_RETENTION_SECONDS)
}

export type Channel = 'usage' | 'errors'

/** What the hub needs from a subscribed connection (implemented by the RESP connection). */
export interface Subscriber {
  readonly id: number
  readonly channel: Channel
  /** Messages accepted but not yet handed to the socket. */
  pending(): number
  /** Queue one message; only called when pending() < SUBSCRIBER_BUFFER. */
  enqueue(payload: string): void
  /** Called once when the hub drops the subscriber (overflow, restart, management disabled). */
  dropped(reason: 'overflow' | 'shutdown'): void
}

interface Entry {
  payload: string
  at: number
}

export class UsageFifo {
  private items: Entry[] = []
  private head = 0
  expired = 0

  constructor(
    private readonly now: () => number,
    private readonly retentionMs: () => number,
  ) {}

  get length(): number {
    return this.items.length - this.head
  }

  /** Drop records older than now − window (the gateway prunes lazily at push and at pop, no timer). */
  prune(): void {
    const cutoff = this.now() - this.retentionMs()
    let h = this.head
    const items = this.items
    while (h < items.length && items[h].at < cutoff) h++
    this.expired += h - this.head
    this.head = h
    this.compact()
  }

  push(payload: string, at = this.now()): void {
    this.prune()
    this.items.push({payload, at})
  }

  /** Pop up to `count` oldest records (after pruning). */
  pop(count: number): string[] {
    this.prune()
    const n = Math.min(count, this.length)
    const out = new Array<string>(n)
    for (let i = 0; i < n; i++) out[i] = this.items[this.head + i].payload
    this.head += n
    this.compact()
    return out
  }

  clear(): void {
    this.items = []
    this.head = 0
  }

  private compact(): void {
    if (this.head === this.items.length) {
      this.items = []
      this.head = 0
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}

export interface HubStats {
  published: number
  toFifo: number
  deliveredToSubscribers: number
  subscribersDropped: number
  lostOnOverflow: number
  controlMessages: number
  errorEvents: number
}

export class UsageHub {
  readonly usageSubs = new Set<Subscriber>()
  readonly errorSubs = new Set<Subscriber>()
  readonly stats: HubStats = {
    published: 0,
    toFifo: 0,
    deliveredToSubscribers: 0,
    subscribersDropped: 0,
    lostOnOverflow: 0,
    controlMessages: 0,
    errorEvents: 0,
  }

  constructor(readonly fifo: UsageFifo) {}

  subscribe(sub: Subscriber): void {
    ;(sub.channel === 'usage' ? this.usageSubs : this.errorSubs).add(sub)
  }

  unsubscribe(sub: Subscriber): void {
    ;(sub.channel === 'usage' ? this.usageSubs : this.errorSubs).delete(sub)
  }

  /** Deliver to every subscriber of a set; returns how many accepted it. Full subscribers are dropped. */
  private deliver(subs: Set<Subscriber>, payload: string): number {
    let accepted = 0
    for (const sub of [...subs]) {
      if (sub.pending() >= SUBSCRIBER_BUFFER) {
        subs.delete(sub)
        this.stats.subscribersDropped++
        sub.dropped('overflow')
        continue
      }
      sub.enqueue(payload)
      accepted++
    }
    return accepted
  }

  /**
   * Publish one usage record: to the `usage` subscribers when any exist, else to the FIFO.
   * Returns where it went.
   */
  publishUsage(payload: string): 'fifo' | 'subscribers' | 'lost' {
    this.stats.published++
    if (this.usageSubs.size === 0) {
      this.fifo.push(payload)
      this.stats.toFifo++
      return 'fifo'
    }
    const accepted = this.deliver(this.usageSubs, payload)
    if (accepted === 0) {
      // Every subscriber overflowed on this very message: v7.2.140 discards it (a later revision re-queues
      // it into the FIFO).
      this.stats.lostOnOverflow++
      return 'lost'
    }
    this.stats.deliveredToSubscribers += accepted
    return 'subscribers'
  }

  /** Control payloads (`{"refresh":true}`) go only to `usage` subscribers, never into the FIFO. */
  publishControl(payload: string): void {
    if (this.usageSubs.size === 0) return
    this.stats.controlMessages++
    this.deliver(this.usageSubs, payload)
  }

  /** Credential error events (channel `errors`) exist only while an `errors` subscriber is connected. */
  publishError(payload: string): void {
    if (this.errorSubs.size === 0) return
    this.stats.errorEvents++
    this.deliver(this.errorSubs, payload)
  }

  /** Drop the FIFO and every subscriber (restart, management disabled: the gateway's SetEnabled(false)). */
  reset(): void {
    this.fifo.clear()
    for (const set of [this.usageSubs, this.errorSubs]) {
      for (const sub of [...set]) {
        set.delete(sub)
        sub.dropped('shutdown')
      }
    }
  }
}
