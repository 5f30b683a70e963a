/**
 * Observability of the simulator for tests (issue 3): a per-connection log of RESP commands (secrets
 * redacted), a log of HTTP requests (no key values; keys are never accepted in query strings anyway), and
 * the counters behind `sim.counters()`.
 */

export interface RespConnectionLog {
  id: number
  remoteAddress: string
  /** Commands in arrival order; AUTH/HELLO passwords replaced by '***'. */
  commands: string[][]
}

export interface HttpLogEntry {
  /** TCP connection the request arrived on (same numbering as RESP connections). */
  connectionId: number
  method: string
  /** Full request path, e.g. '/v0/management/usage-queue'. */
  path: string
  /** Raw query string without '?', '' when none. */
  query: string
  status: number
  /** Simulated clock (ms since epoch) when the request arrived. */
  at: number
  /**
   * Real wall-clock time (ms since epoch) when the request arrived, taken before its body is read. Entries
   * are logged when the handler finishes, so the log is in completion order; sort by `receivedAt` for
   * arrival order. Strictly increasing in arrival order (requests within one millisecond are spaced by a
   * microsecond), so it orders requests even when the simulated clock stands still.
   */
  receivedAt: number
}

/** Caps keep a long-running `cpactl sim start` from growing without bound. */
const MAX_CONNECTIONS_LOGGED = 10_000
const MAX_COMMANDS_PER_CONNECTION = 10_000
const MAX_HTTP_LOGGED = 100_000

export class Observer {
  private readonly resp: RespConnectionLog[] = []
  private readonly respById = new Map<number, RespConnectionLog>()
  private readonly addresses = new Map<number, string>()
  private readonly http: HttpLogEntry[] = []
  connections = 0
  httpRequests = 0
  respCommands = 0
  popped = 0
  private lastArrival = 0

  /** Register a new TCP connection; returns its id. */
  connectionOpened(): number {
    return ++this.connections
  }

  respConnection(id: number, remoteAddress: string): RespConnectionLog {
    this.addresses.set(id, remoteAddress)
    const entry: RespConnectionLog = {id, remoteAddress, commands: []}
    this.resp.push(entry)
    this.respById.set(id, entry)
    if (this.resp.length > MAX_CONNECTIONS_LOGGED) {
      const old = this.resp.shift()!
      this.respById.delete(old.id)
    }
    return entry
  }

  respClosed(id: number): void {
    this.addresses.delete(id)
  }

  respCommand(id: number, redacted: string[]): void {
    this.respCommands++
    let entry = this.respById.get(id)
    // After clearLogs(), a connection that is still open starts a fresh entry.
    if (!entry && this.addresses.has(id)) entry = this.respConnection(id, this.addresses.get(id)!)
    if (entry && entry.commands.length < MAX_COMMANDS_PER_CONNECTION) entry.commands.push(redacted)
  }

  /** Arrival stamp for an HTTP request (see `HttpLogEntry.receivedAt`); call once per request, on arrival. */
  httpArrival(): number {
    const t = Date.now()
    this.lastArrival = t > this.lastArrival ? t : this.lastArrival + 0.001
    return this.lastArrival
  }

  httpRequest(entry: HttpLogEntry): void {
    this.httpRequests++
    this.http.push(entry)
    if (this.http.length > MAX_HTTP_LOGGED) this.http.shift()
  }

  respLog(): RespConnectionLog[] {
    return this.resp.map(c => ({id: c.id, remoteAddress: c.remoteAddress, commands: c.commands.map(cmd => [...cmd])}))
  }

  httpLog(): HttpLogEntry[] {
    return this.http.map(e => ({...e}))
  }

  clearLogs(): void {
    this.resp.length = 0
    this.respById.clear()
    this.http.length = 0
  }
}
