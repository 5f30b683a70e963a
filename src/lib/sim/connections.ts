import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import type {Socket} from 'node:net'

import {normalizeIp} from './auth.js'
import {createHttpHandler, type HttpEnv} from './http.js'
import type {Observer} from './observe.js'
import {RespConnection, type RespEnv} from './resp.js'
import {SimListener} from './server.js'

export interface GatewaySocketsDeps {
  host: string
  /** First-byte deadline of a new connection (server.ts default when absent). */
  sniffTimeoutMs?: number
  observer: Observer
  /** What the HTTP side needs (http.ts). */
  http: HttpEnv
  /** What each RESP connection needs, except the observability hooks added here. */
  resp: Omit<RespEnv, 'onClose' | 'onCommand' | 'onPopped'>
  /** Whether RESP connections reach the RESP handler (else their bytes go to the HTTP parser). */
  servesResp: () => boolean
}

/**
 * The simulated gateway's sockets: the one listener, the HTTP server behind it, and the open RESP connections,
 * each counted and logged by the observer.
 */
export class GatewaySockets {
  private readonly listener: SimListener
  private readonly http: HttpServer
  private readonly respConns = new Set<RespConnection>()

  constructor(private readonly deps: GatewaySocketsDeps) {
    const {observer} = deps
    this.http = createHttpServer(createHttpHandler(deps.http))
    this.http.keepAliveTimeout = 5000
    this.listener = new SimListener(deps.host, {
      onConnection: socket => {
        const id = observer.connectionOpened()
        ;(socket as Socket & {simConnectionId?: number}).simConnectionId = id
        return id
      },
      onResp: (socket, first, id) => this.acceptResp(socket, first, id),
      onHttp: socket => this.http.emit('connection', socket),
      respEnabled: () => deps.servesResp(),
    }, deps.sniffTimeoutMs)
  }

  /** Listen on `port` (0 = ephemeral); resolves to the port listened on. */
  listen(port: number): Promise<number> {
    return this.listener.listen(port)
  }

  /** Close the listener and every open socket. */
  async closeSockets(): Promise<void> {
    await this.listener.close()
    for (const c of [...this.respConns]) c.destroy()
    this.respConns.clear()
  }

  closeHttp(): void {
    this.http.close()
  }

  private acceptResp(socket: Socket, first: Buffer, id: number): void {
    const {observer} = this.deps
    const remote = normalizeIp(socket.remoteAddress)
    observer.respConnection(id, remote)
    const conn = new RespConnection(id, socket, remote, {
      ...this.deps.resp,
      onCommand: (connId, redacted) => observer.respCommand(connId, redacted),
      onPopped: n => {
        observer.popped += n
      },
      onClose: c => {
        this.respConns.delete(c)
        observer.respClosed(c.id)
      },
    })
    this.respConns.add(conn)
    conn.onData(first)
  }
}
