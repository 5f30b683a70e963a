import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {SimAccountRegistry} from './account-types.js'
import {createAccountRegistry} from './accounts.js'
import {DEFAULT_BAN_MS, ManagementAuth, normalizeIp} from './auth.js'
import type {ConfigState} from './config-state.js'
import type {V8Revision} from './config-v8-paths.js'
import {GatewaySockets} from './connections.js'
import {readCounters} from './counters.js'
import {FaultInjector, type FaultOptions} from './faults.js'
import type {GeneratedRecord, ServedRequest} from './generator.js'
import {ManagementSwitch} from './management-switch.js'
import {SimOAuthLogins} from './oauth-logins.js'
import type {OAuthScript, OAuthSessions} from './oauth-sessions.js'
import {SimPluginFiles} from './plugins.js'
import {type HttpLogEntry, Observer, type RespConnectionLog} from './observe.js'
import {effectiveRetentionSeconds, UsageFifo, UsageHub} from './queue.js'
import {buildRouteTables, listRoutes, type RouteList, routeTableDeps, type RouteTables} from './route-tables.js'
import {pluginNoRoute} from './routes/plugins.js'
import {
  DEFAULT_BUILD_DATE,
  DEFAULT_COMMIT,
  DEFAULT_VERSION,
  initialConfigState,
  type PreloadOptions,
  type SimCounters,
  type SimTotals,
  type SimulatorOptions,
} from './simulator-options.js'
import {SimTraffic} from './traffic.js'
import type {SimContext} from './types.js'
import {hasFeature} from './version.js'

/**
 * A faithful local CLIProxyAPI gateway, the stand-in for the real one (which cannot be built here) in every test
 * and demo: one port for HTTP and RESP, management auth
 * with the shared IP ban, the usage FIFO and subscribers, the config state, the management surface, a
 * seeded traffic generator, fault injection and observability for tests.
 *
 * ```ts
 * const sim = await startSimulator({managementKey: 'k', port: 0})
 * sim.preload(100)
 * // … point a client at sim.url …
 * await sim.close()
 * ```
 */

export type {FaultOptions} from './faults.js'
export type {Totals} from './token-totals.js'
export type {HttpLogEntry, RespConnectionLog} from './observe.js'
export type {PreloadOptions, SimCounters, SimTotals, SimulatorOptions} from './simulator-options.js'

export class Simulator {
  readonly accounts: SimAccountRegistry
  readonly config: ConfigState
  readonly version: string
  readonly host: string
  /** v8 revision when the simulated gateway is a v8 one, else null. */
  readonly v8Revision: V8Revision | null
  private readonly respUsage: boolean
  private home: boolean
  private readonly now: () => number
  private readonly auth: ManagementAuth
  private readonly injector: FaultInjector
  private readonly observer = new Observer()
  private readonly fifo: UsageFifo
  private readonly hub: UsageHub
  private readonly traffic: SimTraffic
  private readonly sockets: GatewaySockets
  private readonly context: SimContext
  readonly oauthSessions: OAuthSessions
  private readonly oauth: SimOAuthLogins
  private readonly management: ManagementSwitch
  private readonly routeTable: RouteTables
  private latest: string | null
  private readonly ownsAuthDir: string | undefined
  private down = false
  private closed = false
  private listeningPort = 0

  constructor(opts: SimulatorOptions) {
    if (!opts.managementKey) throw new Error('startSimulator: managementKey is required')
    this.now = opts.now ?? Date.now
    this.version = opts.version ?? DEFAULT_VERSION
    this.v8Revision = hasFeature(this.version, 'v8') ? (opts.v8Revision ?? 'later') : null
    this.respUsage = this.v8Revision === null ? true : Boolean(opts.respUsage)
    this.home = Boolean(opts.homeMode)
    this.host = opts.host ?? '127.0.0.1'
    this.latest = opts.latestVersion === undefined ? '7.3.8' : opts.latestVersion
    const seed = opts.seed ?? 1

    let authDir = opts.authDir
    if (!authDir) {
      authDir = mkdtempSync(join(tmpdir(), 'cpactl-sim-auth-'))
      this.ownsAuthDir = authDir
    }
    this.config = initialConfigState(opts, {host: this.host, authDir, seed, v8Revision: this.v8Revision})

    this.auth = new ManagementAuth(this.now, opts.banDurationMs ?? DEFAULT_BAN_MS)
    this.injector = new FaultInjector({...opts.faults})
    this.fifo = new UsageFifo(this.now, () => effectiveRetentionSeconds(this.config.get('redis-usage-queue-retention-seconds')) * 1000)
    this.hub = new UsageHub(this.fifo)
    this.accounts = createAccountRegistry({
      seed,
      authDir,
      now: this.now,
      config: () => this.config.full(),
      accounts: opts.accounts ?? 'default',
      // one server-local zone for records, bucket labels, log lines and auth-file times
      tzOffsetMinutes: opts.tzOffsetMinutes ?? 480,
    })
    this.traffic = new SimTraffic({
      seed,
      tzOffsetMinutes: opts.tzOffsetMinutes ?? 480,
      version: this.version,
      now: this.now,
      config: this.config,
      accounts: this.accounts,
      fifo: this.fifo,
      hub: this.hub,
      injector: this.injector,
      publishing: () => this.publishing(),
      down: () => this.down,
    })

    this.context = {
      version: this.version,
      v8Revision: this.v8Revision,
      config: () => this.config.full(),
      setConfigValue: (key, value) => this.config.set(key, value),
      deleteConfigValue: key => this.config.delete([key]),
      now: this.now,
      accounts: this.accounts,
      log: line => this.accounts.appendLog(line),
      notifyRefresh: () => this.notifyRefresh(),
    }
    const tzOffsetMinutes = opts.tzOffsetMinutes ?? 480
    this.oauth = new SimOAuthLogins({
      seed,
      tzOffsetMinutes,
      now: this.now,
      accounts: this.accounts,
      notifyRefresh: () => this.notifyRefresh(),
      script: opts.oauth,
    })
    this.oauthSessions = this.oauth.sessions
    const routeDeps = routeTableDeps({
      version: this.version,
      config: this.config,
      latestVersion: () => this.latest,
      fifo: this.fifo,
      observer: this.observer,
      injector: this.injector,
      oauthSessions: this.oauthSessions,
      pluginFiles: new SimPluginFiles(opts.plugins === true),
      panelFile: opts.panelFile,
      clientApi: {serve: req => this.serveRequest(req), tzOffsetMinutes},
    })
    this.routeTable = buildRouteTables(routeDeps, {
      version: this.version,
      v8Revision: this.v8Revision,
      config: this.config,
      injector: this.injector,
    })
    // every config change is a reload (usage subscribers get {"refresh":true})
    this.management = new ManagementSwitch(this.config, this.hub, opts.managementEnabled ?? true, () => this.notifyRefresh())

    this.sockets = new GatewaySockets({
      host: this.host,
      sniffTimeoutMs: opts.sniffTimeoutMs,
      version: this.version,
      commit: opts.commit ?? DEFAULT_COMMIT,
      buildDate: opts.buildDate ?? DEFAULT_BUILD_DATE,
      now: this.now,
      auth: this.auth,
      management: this.management,
      injector: this.injector,
      observer: this.observer,
      hub: this.hub,
      context: this.context,
      homeMode: () => this.home,
      routes: () => this.routeTable,
      noRoute: req => pluginNoRoute(routeDeps.plugins, req),
      servesResp: () => this.servesResp(),
    })
  }

  // ----------------------------------------------------------------------------------------- lifecycle

  async listen(port: number): Promise<void> {
    this.listeningPort = await this.sockets.listen(port)
    // config.yaml shows the real port (set before any client can read it).
    if (this.config.get('port') !== this.listeningPort) this.config.set('port', this.listeningPort)
  }

  get url(): string {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host
    return `http://${host}:${this.listeningPort}`
  }

  /** The listening port. */
  get port(): number {
    return this.listeningPort
  }

  /**
   * A gateway restart: close the listener and every socket, reopen the same port. Config, accounts,
   * counters and logs survive; the FIFO and the subscribers do not (they are in memory).
   */
  async restart(opts: {downMs?: number} = {}): Promise<void> {
    this.down = true
    await this.sockets.closeSockets()
    this.hub.reset()
    if (opts.downMs && opts.downMs > 0) await new Promise(resolve => setTimeout(resolve, opts.downMs))
    await this.sockets.listen(this.listeningPort)
    this.down = false
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTraffic()
    await this.sockets.closeSockets()
    this.hub.reset()
    this.sockets.closeHttp()
    if (this.ownsAuthDir) rmSync(this.ownsAuthDir, {recursive: true, force: true})
  }

  // ------------------------------------------------------------------------------------------ traffic

  /** Whether records are published at all: management enabled and usage-statistics-enabled true. */
  publishing(): boolean {
    return this.managementEnabled() && this.config.get('usage-statistics-enabled') === true
  }

  /** Put `n` generated records straight into the FIFO (a backlog), bypassing subscribers and the gate. */
  preload(n: number, opts: PreloadOptions = {}): void {
    this.traffic.preload(n, opts)
  }

  /** Produce `n` records as live traffic: publish path (subscribers first, else the FIFO). */
  generate(n: number): GeneratedRecord[] {
    return this.traffic.generate(n)
  }

  /**
   * Record a client request the simulator served itself (`/v1/chat/completions`, `/v1/responses`): one
   * usage record through the same publish path as live traffic (published only while publishing is on,
   * like the gateway's). Returns the record.
   */
  serveRequest(req: ServedRequest): GeneratedRecord {
    return this.traffic.serveRequest(req)
  }

  /** Steady live traffic at `ratePerSecond` (paused while the gateway is down during restart()). */
  startTraffic(ratePerSecond: number): void {
    this.traffic.start(ratePerSecond)
  }

  stopTraffic(): void {
    this.traffic.stop()
  }

  /** Enqueue an arbitrary payload into the FIFO (malformed JSON etc.). */
  pushRaw(payload: string): void {
    this.traffic.pushRaw(payload)
  }

  // ------------------------------------------------------------------------------------ observability

  totals(): SimTotals {
    return this.traffic.totals()
  }

  counters(): SimCounters {
    const {traffic, fifo, hub, auth, observer, injector} = this
    return readCounters({traffic, fifo, hub, auth, observer, injector})
  }

  /** Per-connection RESP command logs (passwords redacted as '***'). */
  respLog(): RespConnectionLog[] {
    return this.observer.respLog()
  }

  httpLog(): HttpLogEntry[] {
    return this.observer.httpLog()
  }

  clearLogs(): void {
    this.observer.clearLogs()
  }

  /** Number of connected subscribers per channel. */
  subscribers(): {usage: number; errors: number} {
    return {usage: this.hub.usageSubs.size, errors: this.hub.errorSubs.size}
  }

  // ------------------------------------------------------------------------------------- auth and bans

  /** Current failure counter of an IP (default 127.0.0.1). */
  authFailures(ip = '127.0.0.1'): number {
    return this.auth.failures(ip)
  }

  /** Remaining ban of an IP in ms (0 when not banned). */
  banRemaining(ip = '127.0.0.1'): number {
    return this.auth.bannedRemaining(ip)
  }

  ban(ip = '127.0.0.1', ms?: number): void {
    this.auth.ban(normalizeIp(ip), ms)
  }

  unban(ip?: string): void {
    this.auth.unban(ip)
  }

  // ------------------------------------------------------------------------------------------- config

  /** Same effect as the settings endpoints (e.g. 'usage-statistics-enabled', 'routing.strategy'). */
  setConfig(key: string, value: unknown): void {
    this.config.set(key.replace(/\//g, '.'), value)
  }

  getConfig(key: string): unknown {
    return this.config.get(key.replace(/\//g, '.'))
  }

  /** Turning management off drops the queue and all subscribers. */
  setManagementEnabled(enabled: boolean): void {
    this.management.setEnabled(enabled)
  }

  /** The simulator's switch is on and `remote-management.secret-key` is set. */
  managementEnabled(): boolean {
    return this.management.enabled()
  }

  setLatestVersion(version: string | null): void {
    this.latest = version
  }

  get faults(): FaultOptions {
    return this.injector.options
  }

  set faults(options: FaultOptions) {
    this.injector.options = options
  }

  /**
   * The routes this simulated gateway serves (the one table of routes/index.ts): `management` below
   * /v0/management for this version, `v8` below /v8/management (null on a v7 gateway), `public` outside both.
   * Used by the route-coverage test.
   */
  routeList(): RouteList {
    return listRoutes(this.routeTable)
  }

  /** Change what OAuth logins do without a callback (manual / auto / error, and the delay). */
  setOAuthScript(script: Partial<OAuthScript>): void {
    this.oauth.setScript(script)
  }

  /** Push `{"refresh":true}` to usage subscribers (the gateway does after it reloads clients: auth-file change, config reload). */
  notifyRefresh(): void {
    if (hasFeature(this.version, 'refreshNotifications')) this.hub.publishControl('{"refresh":true}')
  }

  // ----------------------------------------------------------------------------------------- plumbing

  /** Whether RESP connections reach the RESP handler (v7 ≥ 6.9.38; v8 only with respUsage, or in Home mode). */
  servesResp(): boolean {
    return hasFeature(this.version, 'respQueue') && (this.respUsage || this.home)
  }

  /** CPA Home mode on or off (/v0, /v8 and /management.html answer a bare 404; RESP says the usage output is disabled). */
  setHomeMode(on: boolean): void {
    this.home = on
  }
}

/** Start a simulator and wait until it listens. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const sim = new Simulator(opts)
  await sim.listen(opts.port ?? 0)
  return sim
}