/** The simulator's credential registry types: upstream scenarios, config key families, auth files, the registry API. */
import type {SimLogStore} from './log-files.js'
import type {AccountRegistry} from './types.js'

// ---------------------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------------------

/** Scripted upstream answer families (upstream.ts). */
export type UpstreamScenario =
  | 'ok'
  | 'long_exhausted'
  | 'short_exhausted'
  | 'revoked'
  | 'invalid_token'
  | 'deactivated_workspace'
  | 'rate_limited'
  | 'forbidden_plain'
  | 'timeout'
  | 'server_error'

export const UPSTREAM_SCENARIOS: readonly UpstreamScenario[] = [
  'ok',
  'long_exhausted',
  'short_exhausted',
  'revoked',
  'invalid_token',
  'deactivated_workspace',
  'rate_limited',
  'forbidden_plain',
  'timeout',
  'server_error',
]

export interface ScenarioSetting {
  scenario: UpstreamScenario
  /** Delay of the `timeout` scenario (default 65 000 ms, longer than the gateway's 60 s upstream timeout). */
  delayMs?: number
  /**
   * Awaited before the scripted upstream answers (tests: hold an `/api-call` in flight and release it when they
   * choose, so completion order is set explicitly rather than by timing).
   */
  hold?: () => Promise<void>
}

/** One 10-minute bucket of /api-key-usage `recent_requests` (20 buckets, oldest first, server local time). */
export interface RecentBucket {
  time: string
  success: number
  failed: number
}

/** Config families whose entries become API-key credentials (auth_index seed `<family>:<base-url>+<api-key>`). */
export type ConfigKeyFamily =
  | 'gemini-api-key'
  | 'interactions-api-key'
  | 'codex-api-key'
  | 'xai-api-key'
  | 'claude-api-key'
  | 'openai-compatibility'
  | 'vertex-api-key'
  | 'meta-api-key'

export const CONFIG_KEY_FAMILIES: readonly ConfigKeyFamily[] = [
  'gemini-api-key',
  'interactions-api-key',
  'codex-api-key',
  'xai-api-key',
  'claude-api-key',
  'vertex-api-key',
  'meta-api-key',
  'openai-compatibility',
]

/** The base URL a meta API key without one gets (a v8 `api-keys.meta` key without base-url gets it). */
export const META_DEFAULT_BASE_URL = 'https://api.meta.ai/v1'

/** A file-backed credential as the registry holds it. */
export interface SimAuthFile {
  name: string
  /** Absolute cleaned path. */
  path: string
  type: string
  /** Parsed file content (the JSON object on disk). */
  metadata: Record<string, unknown>
  status: 'active' | 'disabled' | 'error' | 'refreshing' | 'pending' | 'unknown'
  statusMessage: string
  createdAt: number
  updatedAt: number
}

/** A config-backed credential: where in the config it lives. */
export interface SimConfigKey {
  family: ConfigKeyFamily
  /** Index of the entry in the family list. */
  index: number
  /** For openai-compatibility: index in `api-key-entries` (-1 when the provider has no key entries). */
  keyIndex: number
  baseUrl: string
  apiKey: string
}

export type UploadResult = {ok: true; name: string} | {ok: false; name: string; error: string; status: number}

export interface SimAccountRegistry extends AccountRegistry {
  readonly authDir: string
  readonly seed: number
  /** Server-local zone (minutes east of UTC), undefined = the process zone. */
  readonly tzOffsetMinutes: number | undefined
  /**
   * Simulated log files behind /logs, /request-error-logs, /request-log-by-id (lines start with the server
   * local time; request logs are named by request id).
   */
  readonly logs: SimLogStore
  /** Convenience for the core: `sim.log(line)` may call this (same as `logs.append`). */
  appendLog(line: string): void
  /** Rotate main.log (tests: exercises `cursor-reset`). */
  rotateLogs(): void

  /** File-backed credentials, unsorted. */
  files(): SimAuthFile[]
  file(nameOrId: string): SimAuthFile | undefined
  /** Raw bytes currently on disk for a file name, or undefined. */
  fileContent(name: string): Buffer | undefined
  /** Write (create or replace) an auth file from uploaded bytes (POST /auth-files). Validates JSON object. */
  upload(name: string, content: Buffer): UploadResult
  /** Delete one auth file (disk + memory). False when unknown. */
  remove(name: string): boolean
  /** Delete every auth file; returns how many. */
  removeAll(): number
  /** PATCH /auth-files/status (enable/disable) for a file-backed auth. */
  setDisabled(name: string, disabled: boolean, authIndex?: string): SimAuthFile | undefined
  /** PATCH /auth-files/fields: write keys into the file metadata (already canonicalised by the caller). */
  writeMetadata(name: string, metadata: Record<string, unknown>): void

  /** Config-backed credential behind an account (undefined for files). */
  configKey(authIndex: string): SimConfigKey | undefined
  /** The 20 ten-minute `recent_requests` buckets of one credential at `now`. */
  recentRequests(authIndex: string, now?: number): RecentBucket[]
  /** Token `$TOKEN$` resolves to in /api-call header values: access_token, else api key, else token / id_token / cookie. */
  tokenFor(authIndex: string): string | undefined

  scenario(authIndex: string): ScenarioSetting
  /** Set the scripted upstream scenario by auth_index, file name or id. Throws on an unknown credential. */
  setScenario(authIndexOrName: string, scenario: UpstreamScenario | ScenarioSetting): void

  /** POST /reset-quota: clears quota/cooldown state; returns the models of the credential. */
  resetQuota(authIndex: string): string[] | undefined
  /** Number of /reset-quota calls per auth_index (observability). */
  quotaResets(authIndex: string): number
  /** `/api-call` upstream deadline (the gateway's is 60 s); tests may lower it. */
  apiCallTimeoutMs: number
}

export interface AccountRegistryOptions {
  seed: number
  authDir: string
  now: () => number
  config: () => Record<string, unknown>
  /** 'default' (write the seeded accounts when authDir holds no .json file) or 'none'. */
  accounts?: 'default' | 'none'
  /** Server-local zone, minutes east of UTC (bucket labels, log lines, times); default: the process zone. */
  tzOffsetMinutes?: number
}
