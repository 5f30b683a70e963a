import {initialConfigYaml} from './config-initial.js'
import {ConfigState} from './config-state.js'
import {migrateDocument} from './config-v8-migrate.js'
import type {V8Revision} from './config-v8-paths.js'
import {defaultProviderConfig} from './default-accounts.js'
import type {FaultOptions} from './faults.js'
import {seededClientKeys} from './generator.js'
import type {OAuthScript} from './oauth-sessions.js'
import {pluginsConfigSection} from './plugins.js'
import type {Totals} from './token-totals.js'

/**
 * What `startSimulator` accepts, what the simulator reports (totals, counters), its defaults, and the initial
 * config the options describe.
 */

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
  /**
   * v8 only: which 8.0.x revision. early: /credentials/quota/* registered, the docs-era config roots; later (default):
   * the quota routes removed (404), the client/upstream/models config roots added.
   */
  v8Revision?: V8Revision
  /**
   * v8 only: serve the RESP usage output on the gateway port (default false: whether upstream v8 ships it is
   * UNKNOWN, the v8 docs call it disabled but v7.2.140 carried the same sentence while RESP worked; without it
   * RESP bytes reach the HTTP parser, which rejects them).
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
  /** First-byte deadline of a new connection (default 10 s: the gateway closes a connection silent that long). */
  sniffTimeoutMs?: number
  /**
   * Plugins (the /plugins and /plugin-store management routes): false (default) = a plugin-capable gateway with plugins off and none installed;
   * true = plugins on with the scripted plugins of plugins.ts installed.
   */
  plugins?: boolean
  /** What an OAuth login does without a callback (oauth-sessions.ts; default manual: wait like the gateway). */
  oauth?: Partial<OAuthScript>
  /** A management panel page to serve at /management.html (the simulator downloads nothing). */
  panelFile?: string
  /**
   * `remote-management.allow-remote` of the initial config (default false: a client other than 127.0.0.1 or ::1
   * gets 403 remote management disabled, which is not counted as an auth failure).
   */
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

export const DEFAULT_VERSION = '7.2.140'
export const DEFAULT_COMMIT = 'a7e3596'
export const DEFAULT_BUILD_DATE = '2026-08-22T06:41:09Z'

/** The config a simulator starts with: config.yaml from the options, the seeded accounts, plugins, the layout. */
export function initialConfigState(
  opts: SimulatorOptions,
  gateway: {host: string; authDir: string; seed: number; v8Revision: V8Revision | null},
): ConfigState {
  const config = new ConfigState(
    initialConfigYaml({
      host: gateway.host,
      port: opts.port || 8317,
      authDir: gateway.authDir,
      managementKey: opts.managementKey,
      apiKeys: opts.apiKeys ?? seededClientKeys(gateway.seed),
      usageStatisticsEnabled: opts.usageStatisticsEnabled ?? true,
      retentionSeconds: opts.retentionSeconds ?? 60,
      allowRemote: opts.allowRemote,
    }),
    {v8: gateway.v8Revision !== null},
  )
  if ((opts.accounts ?? 'default') === 'default') {
    for (const [key, value] of Object.entries(defaultProviderConfig(gateway.seed))) config.set(key, value)
  }
  if (opts.plugins) config.set('plugins', pluginsConfigSection())
  if (opts.configLayout === 'v8') {
    const doc = config.document()
    migrateDocument(doc, gateway.v8Revision ?? 'later')
    config.commitDocument(doc)
  }
  return config
}
