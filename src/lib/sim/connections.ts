import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import type {Socket} from 'node:net'

import {type ManagementAuth, normalizeIp} from './auth.js'
import type {FaultInjector} from './faults.js'
import {createHttpHandler} from './http.js'
import type {ManagementSwitch} from './management-switch.js'
import type {Observer} from './observe.js'
import type {UsageHub} from './queue.js'
import {RespConnection} from './resp.js'
import type {RouteTables} from './route-tables.js'
import {SimListener} from './server.js'
import type {SimContext, SimRequest, SimResponse} from './types.js'

export interface GatewaySocketsDeps {
  host: string
  /** First-byte deadline of a new connection (server.ts default when absent). */
  sniffTimeoutMs?: number
  /** X-CPA-VERSION, -COMMIT and -BUILD-DATE. */
  version: string
  commit: string
  buildDate: string
  now: () => number
  auth: ManagementAuth
  management: ManagementSwitch
  injector: FaultInjector
  observer: Observer
  hub: UsageHub
  context: SimContext
  homeMode: () => boolean
  routes: () => RouteTables
  /** NoRoute dispatch to plugins after management auth (plugin OAuth URLs, plugin routes). */
  noRoute: (req: SimRequest) => SimResponse | undefined
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
    const {observer, management} = deps
    this.http = createHttpServer(createHttpHandler({
      version: deps.version,
      commit: deps.commit,
      buildDate: deps.buildDate,
      auth: deps.auth,
      faults: deps.injector,
      observer,
      context: deps.context,
      managementEnabled: () => management.enabled(),
      authPolicy: () => management.authPolicy(),
      now: deps.now,
      routes: () => deps.routes(),
      homeMode: () => deps.homeMode(),
      publicRoutes: () => deps.routes().public,
      noRoute: req => deps.noRoute(req),
    }))
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
    const {observer, management, injector} = this.deps
    const remote = normalizeIp(socket.remoteAddress)
    observer.respConnection(id, remote)
    const conn = new RespConnection(id, socket, remote, {
      version: this.deps.version,
      auth: this.deps.auth,
      hub: this.deps.hub,
      managementEnabled: () => management.enabled(),
      homeMode: () => this.deps.homeMode(),
      authPolicy: () => management.authPolicy(),
      latencyMs: () => injector.latencyMs(),
      dropThisReply: () => injector.dropThisReply(),
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
