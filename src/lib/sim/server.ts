import {createServer, type Server, type Socket} from 'node:net'

/**
 * The one TCP listener of the simulated gateway (HTTP and RESP share the port): each connection gets a 10 s sniff
 * deadline; the first byte `*`, `$`, `+`, `-` or `:` sends it to the RESP handler, anything else to HTTP.
 */

export const SNIFF_TIMEOUT_MS = 10_000
const RESP_PREFIXES = new Set([0x2a, 0x24, 0x2b, 0x2d, 0x3a]) // * $ + - :

export interface ListenerHandlers {
  /** A new TCP connection (before sniffing); returns its id. */
  onConnection(socket: Socket): number
  /** First byte was a RESP prefix; `first` holds the bytes read so far. */
  onResp(socket: Socket, first: Buffer, id: number): void
  /** Anything else: hand the socket to the HTTP server (the first chunk is pushed back). */
  onHttp(socket: Socket, id: number): void
  /** Whether RESP is served at all (older versions had no RESP multiplexer). */
  respEnabled(): boolean
}

export class SimListener {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  port = 0

  constructor(
    private readonly host: string,
    private readonly handlers: ListenerHandlers,
    private readonly sniffTimeoutMs: number = SNIFF_TIMEOUT_MS,
  ) {}

  async listen(port: number): Promise<number> {
    const server = createServer({highWaterMark: 16 * 1024}, socket => this.accept(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, this.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const addr = server.address()
    this.port = typeof addr === 'object' && addr ? addr.port : port
    return this.port
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    const id = this.handlers.onConnection(socket)
    socket.setTimeout(this.sniffTimeoutMs, () => socket.destroy())
    const onFirst = (chunk: Buffer): void => {
      socket.off('data', onFirst)
      socket.setTimeout(0)
      socket.pause()
      if (RESP_PREFIXES.has(chunk[0]) && this.handlers.respEnabled()) {
        this.handlers.onResp(socket, chunk, id)
        socket.resume()
        return
      }
      // Push the sniffed bytes back, hand over, and resume on the same tick so the buffered chunk is
      // parsed before any later network read.
      socket.unshift(chunk)
      this.handlers.onHttp(socket, id)
      socket.resume()
    }
    socket.on('data', onFirst)
  }

  /** Stop accepting and destroy every open connection (a gateway restart or shutdown). */
  async close(): Promise<void> {
    const server = this.server
    this.server = undefined
    for (const s of this.sockets) s.destroy()
    this.sockets.clear()
    if (!server) return
    await new Promise<void>(resolve => server.close(() => resolve()))
  }

  get openConnections(): number {
    return this.sockets.size
  }
}
