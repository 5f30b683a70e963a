import type {Socket} from 'node:net'

import type {AuthOutcome, AuthPolicy, ManagementAuth} from './auth.js'
import type {Channel, Subscriber, UsageHub} from './queue.js'
import {hasFeature} from './version.js'
import {encode, redactCommand, RespParser} from './resp-codec.js'

/**
 * The RESP2 side of the simulated gateway (arrays only; AUTH, LPOP/RPOP usage, SUBSCRIBE usage|errors):
 * one handler per connection implementing the gateway's exact replies (the codec is in resp-codec.ts).
 */


/** What a RESP connection needs from the simulator. */
export interface RespEnv {
  readonly version: string
  readonly auth: ManagementAuth
  readonly hub: UsageHub
  managementEnabled(): boolean
  /** CPA Home mode: `-ERR redis usage output disabled in home mode`, then close (v7 and v8 alike). */
  homeMode?(): boolean
  authPolicy(): AuthPolicy
  /** Artificial latency before each reply (faults.latencyMs). */
  latencyMs(): number
  /** Fault hook: true when this pop reply must be cut off mid-way and the connection dropped. */
  dropThisReply(): boolean
  /** Observability hooks. */
  onCommand(connId: number, redacted: string[]): void
  onPopped(n: number): void
  onClose(conn: RespConnection): void
}

const NOAUTH = 'NOAUTH Authentication required.'

export class RespConnection implements Subscriber {
  readonly parser = new RespParser()
  authed = false
  channel: Channel = 'usage'
  subscribed = false
  private readonly pendingMsgs: string[] = []
  private readonly work: Array<string[] | null> = []
  private running = false
  private closed = false
  private closing = false

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly remoteAddress: string,
    private readonly env: RespEnv,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('drain', () => this.flush())
    socket.on('error', () => {})
    socket.on('close', () => this.onSocketClose())
  }

  // --- Subscriber --------------------------------------------------------------------------------------

  pending(): number {
    return this.pendingMsgs.length
  }

  enqueue(payload: string): void {
    this.pendingMsgs.push(payload)
    this.flush()
  }

  dropped(reason: 'overflow' | 'shutdown'): void {
    this.subscribed = false
    if (reason === 'shutdown') {
      this.destroy()
      return
    }
    // Overflow: what is already buffered is still written, then the connection closes.
    this.closing = true
    while (this.pendingMsgs.length > 0 && !this.socket.destroyed) {
      this.socket.write(encode.message(this.channel, this.pendingMsgs.shift()!))
    }
    this.socket.end()
  }

  private flush(): void {
    while (this.pendingMsgs.length > 0 && !this.socket.writableNeedDrain && !this.socket.destroyed && !this.closing) {
      this.socket.write(encode.message(this.channel, this.pendingMsgs.shift()!))
    }
  }

  // --- input -------------------------------------------------------------------------------------------

  /** Feed bytes that were read before the connection was handed over (the sniffed first chunk). */
  onData(chunk: Buffer): void {
    if (this.closed || this.closing) return
    if (this.parser.failed) return
    for (const cmd of this.parser.feed(chunk)) this.work.push(cmd)
    // Commands parsed before a bad frame are still answered, then `-ERR protocol error` and close.
    if (this.parser.failed) this.work.push(null)
    this.pump()
  }

  private pump(): void {
    if (this.running) return
    this.running = true
    void this.drainWork()
  }

  private async drainWork(): Promise<void> {
    try {
      while (this.work.length > 0 && !this.closed && !this.closing) {
        const cmd = this.work.shift()!
        const delay = this.env.latencyMs()
        if (delay > 0) await new Promise(resolve => setTimeout(resolve, delay))
        if (this.closed || this.closing) break
        if (cmd === null) {
          this.write(encode.error('ERR protocol error'))
          this.closing = true
          this.socket.end()
          break
        }
        this.handle(cmd)
      }
    } finally {
      this.running = false
    }
  }

  private write(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(data)
  }

  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }

  private onSocketClose(): void {
    this.closed = true
    this.work.length = 0
    if (this.subscribed) {
      this.env.hub.unsubscribe(this)
      this.subscribed = false
    }
    this.env.onClose(this)
  }

  // --- commands ----------------------------------------------------------------------------------------------

  private handle(args: string[]): void {
    if (this.env.homeMode?.()) {
      this.write(encode.error('ERR redis usage output disabled in home mode'))
      this.closing = true
      this.socket.end()
      return
    }
    // Management disabled ⇒ close silently, checked before each command, so disabling mid-session closes it.
    if (!this.env.managementEnabled()) {
      this.destroy()
      return
    }
    this.env.onCommand(this.id, redactCommand(args))
    if (args.length === 0) {
      this.write(encode.error('ERR empty command'))
      return
    }
    const name = args[0].toLowerCase()
    if (this.subscribed) {
      this.handleSubscribed(name, args)
      return
    }
    if (name === 'auth') {
      this.handleAuth(args)
      return
    }
    if (!this.authed) {
      // Every pre-AUTH command is authenticated with an empty key ⇒ "missing key", counted as a failure.
      const outcome = this.env.auth.authenticate(this.remoteAddress, '', this.env.authPolicy())
      if (!outcome.ok && outcome.reason === 'banned') this.write(encode.error(`ERR ${outcome.message}`))
      else this.write(encode.error(NOAUTH))
      return
    }
    switch (name) {
      case 'lpop':
      case 'rpop':
        this.handlePop(name, args)
        return
      case 'subscribe':
        if (hasFeature(this.env.version, 'subscribe')) {
          this.handleSubscribe(args)
          return
        }
        break
    }
    this.write(encode.error(`ERR unknown command '${name}'`))
  }

  private handleAuth(args: string[]): void {
    const auth = this.env.auth
    if (args.length !== 2 && args.length !== 3) {
      const left = auth.bannedRemaining(this.remoteAddress)
      if (left > 0) {
        const outcome = auth.authenticate(this.remoteAddress, '', this.env.authPolicy()) as Extract<AuthOutcome, {ok: false}>
        this.write(encode.error(`ERR ${outcome.message}`))
        return
      }
      auth.recordFailure(this.remoteAddress)
      this.write(encode.error("ERR wrong number of arguments for 'auth' command"))
      return
    }
    const password = args[args.length - 1] // AUTH <password> | AUTH <username> <password>; username ignored
    const outcome = auth.authenticate(this.remoteAddress, password, this.env.authPolicy())
    if (outcome.ok) {
      this.authed = true
      this.write(encode.simple('OK'))
      return
    }
    this.write(encode.error(`ERR ${outcome.message}`))
  }

  private handlePop(name: string, args: string[]): void {
    if (args.length !== 2 && args.length !== 3) {
      this.write(encode.error(`ERR wrong number of arguments for '${name}' command`))
      return
    }
    const key = args[1]
    if (hasFeature(this.env.version, 'strictUsageKey') && key.trim().toLowerCase() !== 'usage') {
      this.write(encode.error(`ERR unsupported channel '${key}'`))
      return
    }
    const fifo = this.env.hub.fifo
    if (args.length === 2) {
      const [item] = fifo.pop(1)
      if (item === undefined) {
        this.write(encode.nil())
        return
      }
      this.env.onPopped(1)
      this.replyPopped(Buffer.from(encode.bulk(item)))
      return
    }
    const countText = args[2].trim()
    const count = /^[+-]?\d+$/.test(countText) ? Number(countText) : Number.NaN
    if (!Number.isSafeInteger(count) || count <= 0) {
      this.write(encode.error('ERR value is not an integer or out of range'))
      return
    }
    const items = fifo.pop(count)
    if (items.length === 0) {
      this.write('*0\r\n') // the gateway answers an empty array, real Redis a nil array
      return
    }
    this.env.onPopped(items.length)
    this.replyPopped(encode.bulkArray(items))
  }

  /** Write a pop reply, or half of it and drop the connection when the drop fault fires. */
  private replyPopped(reply: Buffer): void {
    if (this.env.dropThisReply()) {
      this.closing = true
      this.socket.write(reply.subarray(0, Math.max(1, Math.floor(reply.length / 2))), () => this.socket.destroy())
      return
    }
    this.write(reply)
  }

  private handleSubscribe(args: string[]): void {
    if (args.length !== 2) {
      this.write(encode.error("ERR wrong number of arguments for 'subscribe' command"))
      return
    }
    const requested = args[1]
    const channel = requested.trim().toLowerCase()
    const known =
      channel === 'usage' || (channel === 'errors' && hasFeature(this.env.version, 'subscribeErrors'))
    if (!known) {
      this.write(encode.error(`ERR unsupported channel '${requested}'`))
      return
    }
    this.channel = channel as Channel
    this.subscribed = true
    this.write(`*3\r\n$9\r\nsubscribe\r\n${encode.bulk(channel)}:1\r\n`)
    this.env.hub.subscribe(this)
    // The first usage message is the control payload `{"support_refresh":true}`; `errors` has none.
    if (channel === 'usage' && hasFeature(this.env.version, 'refreshNotifications')) {
      this.enqueue('{"support_refresh":true}')
    }
  }

  private handleSubscribed(name: string, args: string[]): void {
    switch (name) {
      case 'ping':
        // `*2 $4 pong <msg>`; without an argument the second element is a nil bulk (real Redis: an empty string).
        this.write(`*2\r\n$4\r\npong\r\n${args.length > 1 ? encode.bulk(args[1]) : encode.nil()}`)
        return
      case 'unsubscribe':
        this.env.hub.unsubscribe(this)
        this.subscribed = false
        this.write(`*3\r\n$11\r\nunsubscribe\r\n${encode.bulk(this.channel)}:0\r\n`)
        this.closing = true
        this.socket.end()
        return
      case 'quit':
        this.env.hub.unsubscribe(this)
        this.subscribed = false
        this.write(encode.simple('OK'))
        this.closing = true
        this.socket.end()
        return
      default:
        this.write(encode.error(`ERR unknown command '${name}'`))
    }
  }
}
