/**
 * SUBSCRIBE usage on a dedicated connection, for `collect --follow
 * --transport subscribe` only. While any subscriber is attached the gateway stops filling the FIFO, so the
 * caller drains the FIFO before subscribing and again after every (re)subscribe. Control payloads
 * (`{"support_refresh":true}` first, `{"refresh":true}` on reloads) are delivered like records; the store
 * counts and skips them. Keep-alive: PING every 30 s in subscribe mode (only the first element of the reply
 * is checked: the gateway sends a nil second element, real Redis an empty string).
 */
import {connectResp, respError, type RespConnection} from './resp.js'
import type {RespEndpoint} from './types.js'

export interface SubscriberHandlers {
  /** One published payload, as sent. */
  message(payload: string): void
  /** The connection ended (gateway restart, buffer overflow close, network); `error` when known. */
  closed(error: Error | null): void
}

export class RespSubscriber {
  private conn: RespConnection | null = null
  private pingTimer: NodeJS.Timeout | null = null
  private stopping = false

  constructor(
    private readonly endpoint: RespEndpoint,
    private readonly pingEveryMs = 30_000,
  ) {}

  /** Connect, AUTH, SUBSCRIBE usage. Throws typed errors like the pop consumer. */
  async start(handlers: SubscriberHandlers): Promise<void> {
    const conn = await connectResp(this.endpoint)
    this.conn = conn
    conn.redis.on('message', (_channel: string, message: string) => handlers.message(message))
    conn.onClose(() => {
      this.clearPing()
      if (!this.stopping) handlers.closed(conn.lastError())
    })
    try {
      await conn.redis.subscribe('usage')
    } catch (error) {
      this.stopping = true
      conn.redis.disconnect()
      throw respError(error, this.endpoint, 'subscribe', conn.lastError())
    }
    this.pingTimer = setInterval(() => {
      conn.redis.ping().then(
        (reply: unknown) => {
          const first = Array.isArray(reply) ? reply[0] : reply
          if (String(first).toLowerCase() !== 'pong') conn.redis.disconnect()
        },
        () => conn.redis.disconnect(),
      )
    }, this.pingEveryMs)
    this.pingTimer.unref()
  }

  private clearPing(): void {
    if (this.pingTimer) clearInterval(this.pingTimer)
    this.pingTimer = null
  }

  /** Leave with disconnect() (UNSUBSCRIBE/QUIT would make the server close the socket anyway). */
  close(): void {
    this.stopping = true
    this.clearPing()
    this.conn?.redis.disconnect()
    this.conn = null
  }
}
