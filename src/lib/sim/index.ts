import {mkdtempSync, rmSync} from 'node:fs'
import {createServer as createHttpServer, type Server as HttpServer} from 'node:http'
import type {Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import type {SimAccountRegistry} from './account-types.js'
import {createAccountRegistry} from './accounts.js'
import {defaultProviderConfig} from './default-accounts.js'
import {type AuthPolicy, DEFAULT_BAN_MS, ManagementAuth, normalizeIp, verifySecret} from './auth.js'
import {initialConfigYaml} from './config-initial.js'
import {validateConfig} from './config-schema.js'
import {ConfigState} from './config-state.js'
import {configTreeRoutes} from './config-tree.js'
import {migrateDocument} from './config-v8-migrate.js'
import type {V8Revision} from './config-v8-paths.js'
import {FaultInjector, type FaultOptions} from './faults.js'
import {type GeneratedRecord, seededClientKeys, type ServedRequest, sha256Hex, TrafficGenerator} from './generator.js'
import type {CredentialLookup} from './record-values.js'
import {addToTotals, emptyTotals, type Totals} from './token-totals.js'
import {compileRoutes, type CompiledRoute, createHttpHandler} from './http.js'
import {credentialForLogin} from './oauth-credentials.js'
import {type OAuthScript, OAuthSessions} from './oauth-sessions.js'
import {pluginsConfigSection, SimPluginFiles} from './plugins.js'
import {type HttpLogEntry, Observer, type RespConnectionLog} from './observe.js'
import {effectiveRetentionSeconds, UsageFifo, UsageHub} from './queue.js'
import {RespConnection} from './resp.js'
import {managementRoutes, publicRoutes, type RouteTableDeps, routesForVersion} from './routes/index.js'
import {pluginNoRoute, pluginOAuthStart, pluginResource} from './routes/plugins.js'
import {v8RouteTable} from './routes/route-map.js'
import {SimListener} from './server.js'
import type {SimContext, SimRequest, SimRoute} from './types.js'
import {hasFeature} from './version.js'

/**
 * A faithful local CLIProxyAPI gateway (cpa-gateway.md §12): one port for HTTP and RESP, management auth
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

export interface SimulatorOptions {
  /** 0 = ephemeral (default 0). */
  port?: number
  /** Default '127.0.0.1'. */
  host?: string
  /** The management secret (plaintext). Never written anywhere; config.yaml holds a salted hash. */
  managementKey: string
  /**
   * X-CPA-VERSION, sent as given, and the version gates (default '7.2.140'). `8.0.x` serves /v8/management too;
   * `v7.2.140`, `v7.2.140-3-gabc1234-dirty` are v7; `dev` or a bare SHA count as the newest (v8).
   */
  version?: string
  /** v8 only: which 8.0.x revision (v8 §0.1). early: quota routes, docs-era roots; later (default): no quota routes. */
  v8Revision?: V8Revision
  /**
   * v8 only: serve the RESP usage output on the gateway port (default false: whether upstream v8 ships it is
   * UNKNOWN, v8 §3.3; without it RESP bytes reach the HTTP parser, which rejects them).
   */
  respUsage?: boolean
  /** CPA Home mode: /v0, /v8 and /management.html answer a bare 404; RESP says the usage output is disabled. */
  homeMode?: boolean
  /** Layout of the initial config.yaml: legacy (default; a v8 gateway migrates it on its first v8 write) or v8. */
  configLayout?: 'legacy' | 'v8'
  commit?: string
  buildDate?: string
  /** Default true. */
  managementEnabled?: boolean
  /** `usage-statistics-enabled` in the initial config (default true in the simulator). */
  usageStatisticsEnabled?: boolean
  /** `redis-usage-queue-retention-seconds` in the initial config (default 60). */
  retentionSeconds?: number
  /** Ban length after 5 failures (default 30 min). */
  banDurationMs?: number
  /** Seed of accounts, client keys and traffic (default 1). */
  seed?: number
  /** Server-local offset of record timestamps, minutes east of UTC (default 480 = +08:00). */
  tzOffsetMinutes?: number
  /** Credential directory; a temp dir (removed on close) when absent. */
  authDir?: string
  faults?: FaultOptions
  /** Simulated clock (ms since epoch). */
  now?: () => number
  /** What /latest-version reports (default '7.3.8'); null ⇒ 502 request_failed. */
  latestVersion?: string | null
  /** Client API keys of the initial config (default: 4 seeded keys). */
  apiKeys?: string[]
  /** 'default' writes the seeded auth files into an empty authDir; 'none' starts without files. */
  accounts?: 'default' | 'none'
  /** First-byte deadline of a new connection (default 10 s, §5.1). */
  sniffTimeoutMs?: number
  /**
   * Plugins (§3.11): false (default) = a plugin-capable gateway with plugins off and none installed;
   * true = plugins on with the scripted plugins of plugins.ts installed.
   */
  plugins?: boolean
  /** What an OAuth login does without a callback (oauth-sessions.ts; default manual: wait like the gateway). */
  oauth?: Partial<OAuthScript>
  /** A management panel page to serve at /management.html (the simulator downloads nothing). */
  panelFile?: string
  /** `remote-management.allow-remote` of the initial config (default false, §1.3 step 2). */
  allowRemote?: boolean
}

export interface SimTotals extends Totals {
  byModel: Record<string, Totals>
  /** By auth_index. */
  byAccount: Record<string, Totals>
  /** By SHA-256 (lowercase hex) of the trimmed client key; records without a client key are not listed. */
  byApiKey: Record<string, Totals>
}

export interface SimCounters {
  /** Usage records produced by the generator (published or not). */
  generated: number
  /** Current FIFO length (not pruned by reading it). */
  queued: number
  /** Records handed out by pops (RESP and HTTP). */
  popped: number
  /** Records pruned by retention. */
  expired: number
  /** Payloads that went through the publish path (records + malformed). */
  published: number
  /** Payloads written to the FIFO by preload() / pushRaw(). */
  preloaded: number
  /** Generated records not published (usage-statistics-enabled false or management disabled). */
  unpublished: number
  deliveredToSubscribers: number
  subscribersDropped: number
  /** Messages discarded because every usage subscriber overflowed on them. */
  lostOnOverflow: number
  malformed: number
  authFailures: number
  bans: number
  connections: number
  httpRequests: number
  respCommands: number
  /** Pop replies cut off by faults.dropMidReplyEvery. */
  droppedReplies: number
  /** HTTP answers replaced by faults.http5xx. */
  injected5xx: number
}

export interface PreloadOptions {
  /** Spread the records' timestamps evenly over the `spreadMs` before `startMs` (default 0). */
  spreadMs?: number
  /** Newest publish time (default now()). */
  startMs?: number
}

const DEFAULT_VERSION = '7.2.140'
const DEFAULT_COMMIT = 'a7e3596'
const DEFAULT_BUILD_DATE = '2026-08-22T06:41:09Z'

export class Simulator {
  readonly accounts: SimAccountRegistry
  readonly config: ConfigState
  readonly version: string
  readonly host: string
  /** v8 revision when the simulated gateway is a v8 one, else null. */
  readonly v8Revision: V8Revision | null
  private readonly respUsage: boolean
  private home: boolean
  private readonly commit: string
  private readonly buildDate: string
  private readonly now: () => number
  private readonly auth: ManagementAuth
  private readonly injector: FaultInjector
  private readonly observer = new Observer()
  private readonly fifo: UsageFifo
  private readonly hub: UsageHub
  private readonly generator: TrafficGenerator
  private readonly listener: SimListener
  private readonly http: HttpServer
  private readonly respConns = new Set<RespConnection>()
  private readonly context: SimContext
  readonly oauthSessions: OAuthSessions
  private readonly pluginFiles: SimPluginFiles
  private oauthScript: OAuthScript
  private readonly routeDeps: RouteTableDeps
  private routeTable: {v0: CompiledRoute[]; v8: CompiledRoute[] | null}
  private publicTable: CompiledRoute[]
  private logins = 0
  private managementFlag: boolean
  private latest: string | null
  private readonly ownsAuthDir: string | undefined
  private trafficTimer: NodeJS.Timeout | undefined
  private down = false
  private closed = false
  private readonly stats = {generated: 0, preloaded: 0, unpublished: 0, malformed: 0}
  private readonly totalsAll = emptyTotals()
  private readonly totalsByModel = new Map<string, Totals>()
  private readonly totalsByAccount = new Map<string, Totals>()
  private readonly totalsByKey = new Map<string, Totals>()
  private listeningPort = 0

  constructor(opts: SimulatorOptions) {
    if (!opts.managementKey) throw new Error('startSimulator: managementKey is required')
    this.now = opts.now ?? Date.now
    this.version = opts.version ?? DEFAULT_VERSION
    this.v8Revision = hasFeature(this.version, 'v8') ? (opts.v8Revision ?? 'later') : null
    this.respUsage = this.v8Revision === null ? true : Boolean(opts.respUsage)
    this.home = Boolean(opts.homeMode)
    this.commit = opts.commit ?? DEFAULT_COMMIT
    this.buildDate = opts.buildDate ?? DEFAULT_BUILD_DATE
    this.host = opts.host ?? '127.0.0.1'
    this.managementFlag = opts.managementEnabled ?? true
    this.latest = opts.latestVersion === undefined ? '7.3.8' : opts.latestVersion
    const seed = opts.seed ?? 1

    let authDir = opts.authDir
    if (!authDir) {
      authDir = mkdtempSync(join(tmpdir(), 'cpactl-sim-auth-'))
      this.ownsAuthDir = authDir
    }

    this.config = new ConfigState(
      initialConfigYaml({
        host: this.host,
        port: opts.port || 8317,
        authDir,
        managementKey: opts.managementKey,
        apiKeys: opts.apiKeys ?? seededClientKeys(seed),
        usageStatisticsEnabled: opts.usageStatisticsEnabled ?? true,
        retentionSeconds: opts.retentionSeconds ?? 60,
        allowRemote: opts.allowRemote,
      }),
      {v8: this.v8Revision !== null},
    )
    if ((opts.accounts ?? 'default') === 'default') {
      for (const [key, value] of Object.entries(defaultProviderConfig(seed))) this.config.set(key, value)
    }
    if (opts.plugins) this.config.set('plugins', pluginsConfigSection())
    if (opts.configLayout === 'v8') {
      const doc = this.config.document()
      migrateDocument(doc, this.v8Revision ?? 'later')
      this.config.commitDocument(doc)
    }

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
    this.generator = new TrafficGenerator({
      seed,
      tzOffsetMinutes: opts.tzOffsetMinutes ?? 480,
      version: this.version,
      apiKeys: () => {
        const keys = this.config.get('api-keys')
        return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : []
      },
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
    this.oauthScript = {mode: opts.oauth?.mode ?? 'manual', delayMs: opts.oauth?.delayMs ?? 3000}
    this.oauthSessions = new OAuthSessions({
      now: this.now,
      script: () => this.oauthScript,
      complete: provider => this.saveLogin(provider, seed, opts.tzOffsetMinutes ?? 480),
    })
    this.pluginFiles = new SimPluginFiles(opts.plugins === true)
    const oauthDeps = {sessions: this.oauthSessions, version: this.version}
    const pluginDeps = {files: this.pluginFiles, config: this.config, oauth: oauthDeps}
    this.routeDeps = {
      config: this.config,
      latestVersion: () => this.latest,
      usageQueue: {
        pop: count => {
          const items = this.fifo.pop(count)
          this.observer.popped += items.length
          return items
        },
        dropThisReply: () => this.injector.dropThisReply(),
      },
      oauth: oauthDeps,
      plugins: pluginDeps,
      public: {
        panelFile: opts.panelFile,
        controlPanelDisabled: () => this.config.get('remote-management.disable-control-panel') === true,
        pluginResource: path => pluginResource(pluginDeps, path),
      },
      clientApi: {serve: req => this.serveRequest(req), tzOffsetMinutes: opts.tzOffsetMinutes ?? 480},
    }
    this.routeTable = this.buildRoutes()
    this.publicTable = compileRoutes(publicRoutes(this.routeDeps))

    // Every config change is a reload: subscribers get {"refresh":true} (§5.5); removing the secret
    // disables management, which drops the queue and the subscribers (§1.1, §5.4).
    let wasEnabled = this.managementEnabled()
    this.config.onChange(() => {
      const enabled = this.managementEnabled()
      if (wasEnabled && !enabled) this.hub.reset()
      wasEnabled = enabled
      this.notifyRefresh()
    })

    const env = this.httpEnv()
    this.http = createHttpServer(createHttpHandler(env))
    this.http.keepAliveTimeout = 5000
    this.listener = new SimListener(this.host, {
      onConnection: socket => {
        const id = this.observer.connectionOpened()
        ;(socket as Socket & {simConnectionId?: number}).simConnectionId = id
        return id
      },
      onResp: (socket, first, id) => this.acceptResp(socket, first, id),
      onHttp: socket => this.http.emit('connection', socket),
      respEnabled: () => this.servesResp(),
    }, opts.sniffTimeoutMs)
  }

  // ----------------------------------------------------------------------------------------- lifecycle

  async listen(port: number): Promise<void> {
    this.listeningPort = await this.listener.listen(port)
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
    await this.listener.close()
    for (const c of [...this.respConns]) c.destroy()
    this.respConns.clear()
    this.hub.reset()
    if (opts.downMs && opts.downMs > 0) await new Promise(resolve => setTimeout(resolve, opts.downMs))
    await this.listener.listen(this.listeningPort)
    this.down = false
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.stopTraffic()
    await this.listener.close()
    for (const c of [...this.respConns]) c.destroy()
    this.respConns.clear()
    this.hub.reset()
    this.http.close()
    if (this.ownsAuthDir) rmSync(this.ownsAuthDir, {recursive: true, force: true})
  }

  // ------------------------------------------------------------------------------------------ traffic

  /** Whether records are published at all (§5.4): management enabled and usage-statistics-enabled. */
  publishing(): boolean {
    return this.managementEnabled() && this.config.get('usage-statistics-enabled') === true
  }

  /** Put `n` generated records straight into the FIFO (a backlog), bypassing subscribers and the gate. */
  preload(n: number, opts: PreloadOptions = {}): void {
    const spread = Math.max(0, opts.spreadMs ?? 0)
    const newest = opts.startMs ?? this.now()
    const accounts = this.generator.usableAccounts(this.accounts)
    const scenarioOf = this.scenarioLookup()
    for (let i = 0; i < n; i++) {
      const at = n > 1 ? newest - spread + Math.round((spread * i) / (n - 1)) : newest
      const rec = this.generator.next(accounts, at, scenarioOf)
      this.account(rec, at)
      this.fifo.push(rec.payload)
      this.stats.preloaded++
      this.addTotals(rec)
      const bad = this.injector.afterRecord(rec.payload)
      if (bad !== undefined) {
        this.fifo.push(bad)
        this.stats.preloaded++
        this.stats.malformed++
      }
    }
  }

  /** Produce `n` records as live traffic: publish path (subscribers first, else the FIFO). */
  generate(n: number): GeneratedRecord[] {
    const accounts = this.generator.usableAccounts(this.accounts)
    const scenarioOf = this.scenarioLookup()
    const out: GeneratedRecord[] = []
    const requestLog = this.config.get('request-log') === true
    const fileLog = this.config.get('logging-to-file') === true
    for (let i = 0; i < n; i++) {
      const at = this.now()
      const rec = this.generator.next(accounts, at, scenarioOf)
      this.account(rec, at)
      out.push(rec)
      if (fileLog) this.accounts.appendLog(this.accessLogLine(rec))
      if (requestLog || rec.failed) {
        this.accounts.logs.addRequestLog(rec.requestId, this.requestLogText(rec), {error: rec.failed && !requestLog, at})
      }
      this.publishRecord(rec)
    }
    return out
  }

  /**
   * Record a client request the simulator served itself (`/v1/chat/completions`, `/v1/responses`): one
   * usage record through the same publish path as live traffic (published only while publishing is on,
   * like the gateway's). Returns the record.
   */
  serveRequest(req: ServedRequest): GeneratedRecord {
    const at = this.now()
    const rec = this.generator.forRequest(req, at, this.scenarioLookup())
    this.account(rec, at)
    if (this.config.get('logging-to-file') === true) this.accounts.appendLog(this.accessLogLine(rec))
    if (this.config.get('request-log') === true) this.accounts.logs.addRequestLog(rec.requestId, this.requestLogText(rec), {error: false, at})
    this.publishRecord(rec)
    return rec
  }

  /** The publish path (§5.4): gated by management and usage-statistics-enabled; subscribers first, else the FIFO. */
  private publishRecord(rec: GeneratedRecord): void {
    if (!this.publishing()) {
      this.stats.unpublished++
      return
    }
    this.hub.publishUsage(rec.payload)
    this.addTotals(rec)
    if (rec.errorEvent) this.hub.publishError(rec.errorEvent)
    const bad = this.injector.afterRecord(rec.payload)
    if (bad !== undefined) {
      this.hub.publishUsage(bad)
      this.stats.malformed++
    }
  }

  /** Steady live traffic at `ratePerSecond` (paused while the gateway is down during restart()). */
  startTraffic(ratePerSecond: number): void {
    this.stopTraffic()
    if (!(ratePerSecond > 0)) return
    let owed = 0
    let last = Date.now()
    this.trafficTimer = setInterval(() => {
      const t = Date.now()
      owed += ((t - last) / 1000) * ratePerSecond
      last = t
      const n = Math.floor(owed)
      owed -= n
      if (n > 0 && !this.down) this.generate(n)
    }, 50)
    this.trafficTimer.unref()
  }

  stopTraffic(): void {
    if (this.trafficTimer) clearInterval(this.trafficTimer)
    this.trafficTimer = undefined
  }

  /** Enqueue an arbitrary payload into the FIFO (malformed JSON etc.). */
  pushRaw(payload: string): void {
    this.fifo.push(payload)
    this.stats.preloaded++
  }

  private account(rec: GeneratedRecord, at: number): void {
    this.stats.generated++
    // requests served without a credential (the unknown plugin provider) move no credential counter
    if (rec.authIndex) this.accounts.recordOutcome(rec.authIndex, rec.failed, at)
  }

  /** Per-batch lookups of credential scenario and access token (cached: the registry recomputes lists). */
  private scenarioLookup(): CredentialLookup {
    const tokens = new Map<string, string | undefined>()
    const scenarios = new Map<string, string | undefined>()
    return {
      scenarioOf: authIndex => {
        if (!scenarios.has(authIndex)) scenarios.set(authIndex, this.accounts.scenario(authIndex).scenario)
        return scenarios.get(authIndex)
      },
      tokenOf: authIndex => {
        if (!tokens.has(authIndex)) tokens.set(authIndex, this.accounts.tokenFor(authIndex))
        return tokens.get(authIndex)
      },
    }
  }

  private addTotals(rec: GeneratedRecord): void {
    addToTotals(this.totalsAll, rec.breakdown, rec.failed)
    const bump = (map: Map<string, Totals>, key: string) => {
      let t = map.get(key)
      if (!t) {
        t = emptyTotals()
        map.set(key, t)
      }
      addToTotals(t, rec.breakdown, rec.failed)
    }
    bump(this.totalsByModel, rec.model)
    bump(this.totalsByAccount, rec.authIndex)
    if (rec.apiKey) bump(this.totalsByKey, sha256Hex(rec.apiKey))
  }

  private accessLogLine(rec: GeneratedRecord): string {
    const r = JSON.parse(rec.payload) as {latency_ms: number; endpoint: string; fail?: {status_code: number}}
    const status = r.fail?.status_code ?? (rec.failed ? 500 : 200)
    const [method, path] = r.endpoint.split(' ')
    return `[gin_logger.go:92] ${rec.requestId} | ${status} | ${(r.latency_ms / 1000).toFixed(3)}s | 127.0.0.1 | ${method} "${path}"`
  }

  private requestLogText(rec: GeneratedRecord): string {
    return `=== REQUEST ${rec.requestId} ===\nprovider: ${rec.provider}\nmodel: ${rec.model}\nauth_index: ${rec.authIndex}\n=== RESPONSE ===\n${rec.failed ? 'failed' : 'ok'}\n`
  }

  // ------------------------------------------------------------------------------------ observability

  totals(): SimTotals {
    const dump = (m: Map<string, Totals>) => Object.fromEntries([...m].map(([k, v]) => [k, {...v}]))
    return {
      ...this.totalsAll,
      byModel: dump(this.totalsByModel),
      byAccount: dump(this.totalsByAccount),
      byApiKey: dump(this.totalsByKey),
    }
  }

  counters(): SimCounters {
    const h = this.hub.stats
    return {
      generated: this.stats.generated,
      queued: this.fifo.length,
      popped: this.observer.popped,
      expired: this.fifo.expired,
      published: h.published,
      preloaded: this.stats.preloaded,
      unpublished: this.stats.unpublished,
      deliveredToSubscribers: h.deliveredToSubscribers,
      subscribersDropped: h.subscribersDropped,
      lostOnOverflow: h.lostOnOverflow,
      malformed: this.stats.malformed,
      authFailures: this.auth.totalFailures,
      bans: this.auth.totalBans,
      connections: this.observer.connections,
      httpRequests: this.observer.httpRequests,
      respCommands: this.observer.respCommands,
      droppedReplies: this.injector.droppedReplies,
      injected5xx: this.injector.injected5xx,
    }
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

  setManagementEnabled(enabled: boolean): void {
    const was = this.managementEnabled()
    this.managementFlag = enabled
    if (was && !this.managementEnabled()) {
      // The queue and all subscribers are dropped when management becomes disabled (§5.4).
      this.hub.reset()
    }
  }

  managementEnabled(): boolean {
    return this.managementFlag && this.config.secretKey() !== ''
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
  routeList(): {
    management: Array<{method: string; path: string}>
    v8: Array<{method: string; path: string}> | null
    public: Array<{method: string; path: string; simOnly: boolean}>
  } {
    return {
      management: this.routeTable.v0.map(r => ({method: r.method, path: r.path})),
      v8: this.routeTable.v8?.map(r => ({method: r.method, path: r.path})) ?? null,
      public: this.publicTable.map(r => ({method: r.method, path: r.path, simOnly: r.simOnly === true})),
    }
  }

  /** Change what OAuth logins do without a callback (manual / auto / error, and the delay). */
  setOAuthScript(script: Partial<OAuthScript>): void {
    this.oauthScript = {...this.oauthScript, ...script}
  }

  /** Push `{"refresh":true}` to usage subscribers (after a reload of clients, §5.5). */
  notifyRefresh(): void {
    if (hasFeature(this.version, 'refreshNotifications')) this.hub.publishControl('{"refresh":true}')
  }

  // ----------------------------------------------------------------------------------------- plumbing

  private authPolicy(): AuthPolicy {
    const secret = this.config.secretKey()
    return {
      allowRemote: this.config.allowRemote(),
      secretSet: secret !== '',
      verify: key => verifySecret(secret, key),
    }
  }

  /**
   * The route tables: every v0 handler this version registers (routes/index.ts), and on a v8 gateway the same
   * handlers under their v8 paths plus the v8-only routes (routes/route-map.ts). A v8 operation that saves
   * config migrates a legacy file (v8 §2.1).
   */
  private buildRoutes(): {v0: CompiledRoute[]; v8: CompiledRoute[] | null} {
    const all = managementRoutes(this.routeDeps)
    const handlers = routesForVersion(all, this.version)
    const v0 = compileRoutes(handlers)
    if (this.v8Revision === null) {
      v8RouteTable(all, [], {revision: 'later'}) // the map must be complete whatever the simulated version
      return {v0, v8: null}
    }
    const revision = this.v8Revision
    const v8Only = configTreeRoutes(this.config, {revision, legacyTypes: (legacy) => validateConfig(legacy), fault: (stage) => this.injector.configTreeFault(stage)})
    const migrating = (route: SimRoute): SimRoute => ({
      ...route,
      handler: async (req, ctx) => {
        const before = this.config.writes()
        const res = await route.handler(req, ctx)
        if (res.status < 300 && this.config.writes() !== before && !this.config.isV8Layout()) {
          const doc = this.config.document()
          migrateDocument(doc, revision)
          this.config.commitDocument(doc)
        }
        return res
      },
    })
    const plugins = this.routeDeps.plugins
    return {
      v0,
      v8: compileRoutes(
        v8RouteTable(handlers, v8Only, {
          revision,
          wrap: migrating,
          // plugin OAuth providers log in through /oauth/auth-url?provider=<plugin> (v8 §1.1, §2.12)
          otherValues: {'/oauth/auth-url': (provider, req) => pluginOAuthStart(plugins, req, provider)},
        }),
      ),
    }
  }

  /** Whether RESP connections reach the RESP handler (v7 ≥ 6.9.38; v8 only with respUsage, or in Home mode). */
  servesResp(): boolean {
    return hasFeature(this.version, 'respQueue') && (this.respUsage || this.home)
  }

  /** CPA Home mode on or off (v8 §6.9). */
  setHomeMode(on: boolean): void {
    this.home = on
  }

  /** A completed OAuth login writes its credential file into the auth dir (oauth-credentials.ts). */
  private saveLogin(provider: string, seed: number, tzOffsetMinutes: number): string | undefined {
    const cred = credentialForLogin(provider, {seed, ordinal: ++this.logins, nowMs: this.now(), tzOffsetMinutes})
    const saved = this.accounts.upload(cred.name, Buffer.from(JSON.stringify(cred.content, null, 2) + '\n'))
    if (!saved.ok) return 'Failed to save authentication tokens'
    this.notifyRefresh()
    return undefined
  }

  private httpEnv() {
    const sim = this // the env outlives this call; arrow functions below read live state through it
    return {
      version: this.version,
      commit: this.commit,
      buildDate: this.buildDate,
      auth: this.auth,
      faults: this.injector,
      observer: this.observer,
      context: this.context,
      managementEnabled: () => sim.managementEnabled(),
      authPolicy: () => sim.authPolicy(),
      now: this.now,
      routes: () => sim.routeTable,
      homeMode: () => sim.home,
      publicRoutes: () => sim.publicTable,
      noRoute: (req: SimRequest) => pluginNoRoute(sim.routeDeps.plugins, req),
    }
  }

  private acceptResp(socket: Socket, first: Buffer, id: number): void {
    const remote = normalizeIp(socket.remoteAddress)
    this.observer.respConnection(id, remote)
    const conn = new RespConnection(id, socket, remote, {
      version: this.version,
      auth: this.auth,
      hub: this.hub,
      managementEnabled: () => this.managementEnabled(),
      homeMode: () => this.home,
      authPolicy: () => this.authPolicy(),
      latencyMs: () => this.injector.latencyMs(),
      dropThisReply: () => this.injector.dropThisReply(),
      onCommand: (connId, redacted) => this.observer.respCommand(connId, redacted),
      onPopped: n => {
        this.observer.popped += n
      },
      onClose: c => {
        this.respConns.delete(c)
        this.observer.respClosed(c.id)
      },
    })
    this.respConns.add(conn)
    conn.onData(first)
  }
}

/** Start a simulator and wait until it listens. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const sim = new Simulator(opts)
  await sim.listen(opts.port ?? 0)
  return sim
}
