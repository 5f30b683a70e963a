import type {SimAccountRegistry} from './account-types.js'
import type {ConfigState} from './config-state.js'
import type {FaultInjector} from './faults.js'
import {type GeneratedRecord, type ServedRequest, sha256Hex, TrafficGenerator} from './generator.js'
import type {UsageFifo, UsageHub} from './queue.js'
import type {CredentialLookup} from './record-values.js'
import type {PreloadOptions, SimTotals} from './simulator-options.js'
import {addToTotals, emptyTotals, type Totals} from './token-totals.js'

export interface TrafficDeps {
  seed: number
  tzOffsetMinutes: number
  version: string
  now: () => number
  config: ConfigState
  accounts: SimAccountRegistry
  fifo: UsageFifo
  hub: UsageHub
  injector: FaultInjector
  /** Whether records are published at all (management enabled and usage-statistics-enabled). */
  publishing: () => boolean
  /** True while the gateway is down during a restart (live traffic pauses). */
  down: () => boolean
}

/**
 * The simulator's usage traffic: generated records (backlog, live, served client requests), their publish path,
 * the access and request logs they write, and the exact token totals of what was published or preloaded.
 */
export class SimTraffic {
  /** Records generated, payloads preloaded, records not published, malformed payloads injected. */
  readonly stats = {generated: 0, preloaded: 0, unpublished: 0, malformed: 0}
  private readonly generator: TrafficGenerator
  private readonly totalsAll = emptyTotals()
  private readonly totalsByModel = new Map<string, Totals>()
  private readonly totalsByAccount = new Map<string, Totals>()
  private readonly totalsByKey = new Map<string, Totals>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly deps: TrafficDeps) {
    this.generator = new TrafficGenerator({
      seed: deps.seed,
      tzOffsetMinutes: deps.tzOffsetMinutes,
      version: deps.version,
      apiKeys: () => {
        const keys = deps.config.get('api-keys')
        return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : []
      },
    })
  }

  /** Put `n` generated records straight into the FIFO (a backlog), bypassing subscribers and the gate. */
  preload(n: number, opts: PreloadOptions = {}): void {
    const {fifo, injector} = this.deps
    const spread = Math.max(0, opts.spreadMs ?? 0)
    const newest = opts.startMs ?? this.deps.now()
    const accounts = this.generator.usableAccounts(this.deps.accounts)
    const scenarioOf = this.scenarioLookup()
    for (let i = 0; i < n; i++) {
      const at = n > 1 ? newest - spread + Math.round((spread * i) / (n - 1)) : newest
      const rec = this.generator.next(accounts, at, scenarioOf)
      this.account(rec, at)
      fifo.push(rec.payload)
      this.stats.preloaded++
      this.addTotals(rec)
      const bad = injector.afterRecord(rec.payload)
      if (bad !== undefined) {
        fifo.push(bad)
        this.stats.preloaded++
        this.stats.malformed++
      }
    }
  }

  /** Produce `n` records as live traffic: publish path (subscribers first, else the FIFO). */
  generate(n: number): GeneratedRecord[] {
    const {config, now} = this.deps
    const logs = this.deps.accounts
    const accounts = this.generator.usableAccounts(logs)
    const scenarioOf = this.scenarioLookup()
    const out: GeneratedRecord[] = []
    const requestLog = config.get('request-log') === true
    const fileLog = config.get('logging-to-file') === true
    for (let i = 0; i < n; i++) {
      const at = now()
      const rec = this.generator.next(accounts, at, scenarioOf)
      this.account(rec, at)
      out.push(rec)
      if (fileLog) logs.appendLog(accessLogLine(rec))
      if (requestLog || rec.failed) {
        logs.logs.addRequestLog(rec.requestId, requestLogText(rec), {error: rec.failed && !requestLog, at})
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
    const {config, accounts} = this.deps
    const at = this.deps.now()
    const rec = this.generator.forRequest(req, at, this.scenarioLookup())
    this.account(rec, at)
    if (config.get('logging-to-file') === true) accounts.appendLog(accessLogLine(rec))
    if (config.get('request-log') === true) accounts.logs.addRequestLog(rec.requestId, requestLogText(rec), {error: false, at})
    this.publishRecord(rec)
    return rec
  }

  /** Steady live traffic at `ratePerSecond` (paused while the gateway is down during a restart). */
  start(ratePerSecond: number): void {
    this.stop()
    if (!(ratePerSecond > 0)) return
    let owed = 0
    let last = Date.now()
    this.timer = setInterval(() => {
      const t = Date.now()
      owed += ((t - last) / 1000) * ratePerSecond
      last = t
      const n = Math.floor(owed)
      owed -= n
      if (n > 0 && !this.deps.down()) this.generate(n)
    }, 50)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Enqueue an arbitrary payload into the FIFO (malformed JSON etc.). */
  pushRaw(payload: string): void {
    this.deps.fifo.push(payload)
    this.stats.preloaded++
  }

  totals(): SimTotals {
    const dump = (m: Map<string, Totals>) => Object.fromEntries([...m].map(([k, v]) => [k, {...v}]))
    return {
      ...this.totalsAll,
      byModel: dump(this.totalsByModel),
      byAccount: dump(this.totalsByAccount),
      byApiKey: dump(this.totalsByKey),
    }
  }

  /**
   * The publish path: records are published only while management is enabled and usage-statistics-enabled is
   * true; a connected usage subscriber gets them instead of the FIFO.
   */
  private publishRecord(rec: GeneratedRecord): void {
    const {hub, injector} = this.deps
    if (!this.deps.publishing()) {
      this.stats.unpublished++
      return
    }
    hub.publishUsage(rec.payload)
    this.addTotals(rec)
    if (rec.errorEvent) hub.publishError(rec.errorEvent)
    const bad = injector.afterRecord(rec.payload)
    if (bad !== undefined) {
      hub.publishUsage(bad)
      this.stats.malformed++
    }
  }

  private account(rec: GeneratedRecord, at: number): void {
    this.stats.generated++
    // requests served without a credential (the unknown plugin provider) move no credential counter
    if (rec.authIndex) this.deps.accounts.recordOutcome(rec.authIndex, rec.failed, at)
  }

  /** Per-batch lookups of credential scenario and access token (cached: the registry recomputes lists). */
  private scenarioLookup(): CredentialLookup {
    const {accounts} = this.deps
    const tokens = new Map<string, string | undefined>()
    const scenarios = new Map<string, string | undefined>()
    return {
      scenarioOf: authIndex => {
        if (!scenarios.has(authIndex)) scenarios.set(authIndex, accounts.scenario(authIndex).scenario)
        return scenarios.get(authIndex)
      },
      tokenOf: authIndex => {
        if (!tokens.has(authIndex)) tokens.set(authIndex, accounts.tokenFor(authIndex))
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
}

function accessLogLine(rec: GeneratedRecord): string {
  const r = JSON.parse(rec.payload) as {latency_ms: number; endpoint: string; fail?: {status_code: number}}
  const status = r.fail?.status_code ?? (rec.failed ? 500 : 200)
  const [method, path] = r.endpoint.split(' ')
  return `[gin_logger.go:92] ${rec.requestId} | ${status} | ${(r.latency_ms / 1000).toFixed(3)}s | 127.0.0.1 | ${method} "${path}"`
}

function requestLogText(rec: GeneratedRecord): string {
  return `=== REQUEST ${rec.requestId} ===\nprovider: ${rec.provider}\nmodel: ${rec.model}\nauth_index: ${rec.authIndex}\n=== RESPONSE ===\n${rec.failed ? 'failed' : 'ok'}\n`
}
