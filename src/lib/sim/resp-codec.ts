/** RESP2 codec of the simulated gateway: a strict array-only request parser, reply encoders, and command redaction for logs. */

export const CRLF = '\r\n'
export const MAX_ARRAY = 1024 * 1024
export const MAX_BULK = 512 * 1024 * 1024
export const MAX_LINE = 64 * 1024

export class RespProtocolError extends Error {}

/**
 * Incremental parser for client requests. Only arrays of bulk strings are accepted (the gateway reads RESP
 * arrays only); anything else is a protocol error.
 */
export class RespParser {
  private buf: Buffer = Buffer.alloc(0)
  private off = 0

  /** Set once a malformed frame was seen; nothing after it is parsed. */
  failed = false

  /**
   * Feed bytes; returns every complete command (an array of arguments, possibly empty) that precedes the
   * first malformed frame. After a malformed frame `failed` is true.
   */
  feed(chunk: Buffer): string[][] {
    if (this.failed) return []
    this.buf = this.off < this.buf.length ? Buffer.concat([this.buf.subarray(this.off), chunk]) : chunk
    this.off = 0
    const out: string[][] = []
    try {
      for (;;) {
        const cmd = this.parseOne()
        if (cmd === undefined) break
        out.push(cmd)
      }
    } catch (error) {
      if (!(error instanceof RespProtocolError)) throw error
      this.failed = true
    }
    return out
  }

  /** Read a `<prefix><int>\r\n` header at `pos`; undefined when incomplete. */
  private readHeader(pos: number, prefix: number): {value: number; next: number} | undefined {
    if (pos >= this.buf.length) return undefined
    if (this.buf[pos] !== prefix) throw new RespProtocolError('unexpected prefix')
    const end = this.buf.indexOf('\r\n', pos + 1, 'latin1')
    if (end === -1) {
      if (this.buf.length - pos > MAX_LINE) throw new RespProtocolError('line too long')
      return undefined
    }
    const text = this.buf.toString('latin1', pos + 1, end)
    if (!/^-?\d+$/.test(text)) throw new RespProtocolError('bad length')
    return {value: Number(text), next: end + 2}
  }

  private parseOne(): string[] | undefined {
    const start = this.off
    const head = this.readHeader(start, 0x2a /* '*' */)
    if (!head) return undefined
    const n = head.value
    if (n < 0 || n > MAX_ARRAY) throw new RespProtocolError('bad array length')
    let pos = head.next
    const args = new Array<string>(n)
    for (let i = 0; i < n; i++) {
      const bulk = this.readHeader(pos, 0x24 /* '$' */)
      if (!bulk) return undefined
      const len = bulk.value
      if (len < 0 || len > MAX_BULK) throw new RespProtocolError('bad bulk length')
      const end = bulk.next + len
      if (this.buf.length < end + 2) return undefined
      if (this.buf[end] !== 0x0d || this.buf[end + 1] !== 0x0a) throw new RespProtocolError('missing CRLF')
      args[i] = this.buf.toString('utf8', bulk.next, end)
      pos = end + 2
    }
    this.off = pos
    return args
  }
}

export const encode = {
  simple: (s: string): string => `+${s}${CRLF}`,
  error: (s: string): string => `-${s}${CRLF}`,
  integer: (n: number): string => `:${n}${CRLF}`,
  nil: (): string => `$-1${CRLF}`,
  bulk: (s: string): string => `$${Buffer.byteLength(s)}${CRLF}${s}${CRLF}`,
  /** An array of bulk strings (`*0` when empty), built in one buffer for fast pops. */
  bulkArray(items: string[]): Buffer {
    let size = 3 + String(items.length).length
    const lens = new Array<number>(items.length)
    for (let i = 0; i < items.length; i++) {
      const len = Buffer.byteLength(items[i])
      lens[i] = len
      size += 1 + String(len).length + 2 + len + 2
    }
    const out = Buffer.allocUnsafe(size)
    let p = out.write(`*${items.length}${CRLF}`, 0, 'latin1')
    for (let i = 0; i < items.length; i++) {
      p += out.write(`$${lens[i]}${CRLF}`, p, 'latin1')
      p += out.write(items[i], p, 'utf8')
      p += out.write(CRLF, p, 'latin1')
    }
    return out
  },
  /** A pub/sub push: `*3 $7 message $<n> <channel> $<len> <payload>`. */
  message: (channel: string, payload: string): string =>
    `*3${CRLF}$7${CRLF}message${CRLF}${encode.bulk(channel)}${encode.bulk(payload)}`,
}

/** Redact secrets in a logged command: AUTH's password, HELLO's `AUTH <user> <password>`. */
export function redactCommand(args: string[]): string[] {
  if (args.length === 0) return []
  const out = [...args]
  const name = args[0].toLowerCase()
  if (name === 'auth') {
    if (out.length === 2 || out.length === 3) out[out.length - 1] = '***'
    else for (let i = 1; i < out.length; i++) out[i] = '***'
  } else if (name === 'hello') {
    for (let i = 1; i < out.length; i++) {
      if (out[i].toLowerCase() === 'auth') {
        if (i + 2 < out.length) out[i + 2] = '***'
        else if (i + 1 < out.length) out[i + 1] = '***'
        break
      }
    }
  }
  return out
}
