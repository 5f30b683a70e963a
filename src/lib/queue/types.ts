/** The usage-queue consumers behind one interface (no RESP framing anywhere else). */

export type TransportName = 'resp' | 'http'
export type TransportChoice = 'auto' | TransportName | 'subscribe'

export interface QueueConsumer {
  readonly transport: TransportName
  /**
   * Destructive pop of up to `count` payloads, oldest first (LPOP and RPOP both pop the oldest). RESP yields
   * each payload's raw bytes (Buffer, UTF-8 JSON: decoding is the normaliser's job, usage/normalize.ts); HTTP
   * yields objects (and strings for payloads that were not JSON). `[]` when the queue is empty.
   * Never retried: a failed pop surfaces as a typed error.
   */
  pop(count: number): Promise<unknown[]>
  close(): Promise<void>
}

/** Where and how to reach the gateway's RESP side (the same host and port as HTTP). */
export interface RespEndpoint {
  host: string
  port: number
  tls: boolean
  /** Skip TLS verification (explicit --insecure only). */
  insecure?: boolean
  /** The management key, resolved lazily; sent only in AUTH. */
  key: () => Promise<string>
  connectTimeoutMs?: number
  /** Per-command deadline (a pop of a large batch included). */
  commandTimeoutMs?: number
}
