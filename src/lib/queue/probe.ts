/**
 * A non-destructive RESP reachability check for `status` / `doctor`: connect, send exactly one AUTH, read one
 * reply, close. Nothing is popped and nothing else is sent (any other command before AUTH would count as a
 * failed login toward the 5-strike IP ban).
 */
import {connect as netConnect, type Socket} from 'node:net'
import {connect as tlsConnect} from 'node:tls'

export interface RespProbeResult {
  ok: boolean
  /** '+OK', or the gateway's error line without the leading '-', or a network error code. */
  reply: string
}

export function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)]
  for (const a of args) {
    const b = Buffer.from(a, 'utf8')
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'))
  }
  return Buffer.concat(parts)
}

export function probeRespAuth(opts: {host: string; port: number; tls: boolean; insecure?: boolean; key: string; timeoutMs?: number}): Promise<RespProbeResult> {
  return new Promise((resolve) => {
    let done = false
    let buf = ''
    const finish = (r: RespProbeResult, socket?: Socket) => {
      if (done) return
      done = true
      socket?.destroy()
      resolve(r)
    }
    const socket: Socket = opts.tls
      ? tlsConnect({host: opts.host, port: opts.port, rejectUnauthorized: !opts.insecure, servername: opts.host})
      : netConnect({host: opts.host, port: opts.port})
    socket.setTimeout(opts.timeoutMs ?? 5000, () => finish({ok: false, reply: 'timeout'}, socket))
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => socket.write(encodeCommand(['AUTH', opts.key])))
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8')
      const i = buf.indexOf('\r\n')
      if (i < 0) return
      const line = buf.slice(0, i)
      if (line.startsWith('+')) finish({ok: true, reply: line}, socket)
      else finish({ok: false, reply: line.replace(/^-/, '')}, socket)
    })
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ok: false, reply: err.code ?? err.message}, socket))
    socket.on('close', () => finish({ok: false, reply: 'connection closed without a reply'}))
  })
}
