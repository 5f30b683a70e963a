/**
 * The simulator's credential registry (cpa-gateway.md §9, §3.3, §3.5).
 *
 * Two kinds of credentials, as on the gateway:
 * - file-backed OAuth auths: real JSON files (mode 0600) in `authDir`, listed by GET /auth-files;
 * - config-backed API keys (`gemini-api-key`, `codex-api-key`, `claude-api-key`, `xai-api-key`,
 *   `openai-compatibility` entries of the config): usage records carry auth_type `apikey` and the upstream
 *   key in `source`; they are NOT listed by GET /auth-files (§3.5 "Not listed").
 *
 * `auth_index` is derived exactly as §9.3: first 8 bytes of SHA-256 over the seed string, 16 lowercase hex;
 * `<type>:<absolute cleaned file path>` for files, `<family>:<base-url>+<api-key>` for config keys.
 *
 * Default content (a fresh authDir): deterministic from `seed` — four codex accounts (plus, plus, pro, team;
 * `id_token` JWT with the OpenAI auth claims), two claude, one vertex service account, one xai, one
 * antigravity. Config-backed keys come from the live config; `defaultProviderConfig(seed)` gives the
 * entries the core merges into the simulator's initial config (one gemini-api-key, one openai-compatibility
 * provider with one key).
 *
 * The registry also keeps per-credential counters (`success`/`failed`, 20×10-min `recent_requests`
 * buckets, §3.2), the scripted upstream scenario (upstream.ts), quota state for /reset-quota (§3.1) and the
 * simulated log files behind /logs (§3.8, see log-files.ts).
 */
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {resolve as resolvePath, join} from 'node:path'

import {hourMinute, rfc3339} from './local-time.js'
import {createLogStore, type SimLogStore} from './log-files.js'
import type {AccountRegistry, SimAccount} from './types.js'

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

/** One 10-minute bucket of §3.2 `recent_requests`. */
export interface RecentBucket {
  time: string
  success: number
  failed: number
}

/** Config families whose entries become API-key credentials (§9.3 rule 3). */
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

/** The base URL a meta API key without one gets (cpa-gateway-v8.md §4.3). */
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
  /** Simulated log files behind /logs, /request-error-logs, /request-log-by-id (§3.8). */
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
  /** Write (create or replace) an auth file from uploaded bytes (§3.5 POST). Validates JSON object. */
  upload(name: string, content: Buffer): UploadResult
  /** Delete one auth file (disk + memory). False when unknown. */
  remove(name: string): boolean
  /** Delete every auth file; returns how many. */
  removeAll(): number
  /** §3.5 PATCH /auth-files/status for a file-backed auth. */
  setDisabled(name: string, disabled: boolean, authIndex?: string): SimAuthFile | undefined
  /** §3.5 PATCH /auth-files/fields: write keys into the file metadata (already canonicalised by the caller). */
  writeMetadata(name: string, metadata: Record<string, unknown>): void

  /** Config-backed credential behind an account (undefined for files). */
  configKey(authIndex: string): SimConfigKey | undefined
  /** The §3.2 buckets of one credential at `now`. */
  recentRequests(authIndex: string, now?: number): RecentBucket[]
  /** Token `$TOKEN$` resolves to (§3.7): access_token, else api key, else token / id_token / cookie. */
  tokenFor(authIndex: string): string | undefined

  scenario(authIndex: string): ScenarioSetting
  /** Set the scripted upstream scenario by auth_index, file name or id. Throws on an unknown credential. */
  setScenario(authIndexOrName: string, scenario: UpstreamScenario | ScenarioSetting): void

  /** §3.1 /reset-quota: clears quota/cooldown state; returns the models of the credential. */
  resetQuota(authIndex: string): string[] | undefined
  /** Number of /reset-quota calls per auth_index (observability). */
  quotaResets(authIndex: string): number
  /** `/api-call` upstream deadline (the gateway's is 60 s, §3.7); tests may lower it. */
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

// ---------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------

/** §9.3 stableAuthIndex: first 8 bytes of SHA-256 of the seed string as 16 lowercase hex chars. */
export function stableAuthIndex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16)
}

/** §9.3 rule 2: `<type>:<absolute cleaned file path>`. */
export function fileAuthIndex(type: string, absolutePath: string): string {
  return stableAuthIndex(`${type}:${resolvePath(absolutePath)}`)
}

/** §9.3 rule 3: `<family>:<base-url>+<api-key>`. */
export function configAuthIndex(family: ConfigKeyFamily, baseUrl: string, apiKey: string): string {
  return stableAuthIndex(`${family}:${baseUrl}+${apiKey}`)
}

/** mulberry32: small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Deterministic 32-bit hash of a string (for per-account derived values). */
export function hash32(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0)
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url')
}

export function hexFrom(rand: () => number, length: number): string {
  let out = ''
  while (out.length < length) out += Math.floor(rand() * 16).toString(16)
  return out
}

export function alnumFrom(rand: () => number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let out = ''
  while (out.length < length) out += alphabet[Math.floor(rand() * alphabet.length)]
  return out
}

export function uuidFrom(rand: () => number): string {
  const h = hexFrom(rand, 32)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** Build an unsigned-looking JWT (the signature is random bytes; nobody verifies it in the simulator). */
export function makeJwt(claims: Record<string, unknown>, rand: () => number): string {
  const header = b64url(JSON.stringify({alg: 'RS256', kid: 'sim', typ: 'JWT'}))
  const payload = b64url(JSON.stringify(claims))
  const sig = b64url(Buffer.from(hexFrom(rand, 128), 'hex'))
  return `${header}.${payload}.${sig}`
}

/** Decode a JWT payload; undefined when malformed. */
export function decodeJwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined
  const parts = token.split('.')
  if (parts.length < 2) return undefined
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const OPENAI_AUTH_CLAIM = 'https://api.openai.com/auth'

/**
 * §3.5 list entry `id_token` for codex: decoded claims `{chatgpt_account_id, plan_type,
 * chatgpt_subscription_active_start, chatgpt_subscription_active_until}`.
 */
export function codexIdTokenClaims(idToken: unknown): Record<string, unknown> | undefined {
  const claims = decodeJwtClaims(idToken)
  if (!claims) return undefined
  const auth = (claims[OPENAI_AUTH_CLAIM] as Record<string, unknown> | undefined) ?? {}
  const pick = (key: string, ...alts: string[]) => {
    for (const k of [key, ...alts]) {
      if (auth[k] !== undefined) return auth[k]
      if (claims[k] !== undefined) return claims[k]
    }
    return undefined
  }
  const out: Record<string, unknown> = {}
  const accountId = pick('chatgpt_account_id')
  const plan = pick('chatgpt_plan_type', 'plan_type')
  const start = pick('chatgpt_subscription_active_start')
  const until = pick('chatgpt_subscription_active_until')
  if (accountId !== undefined) out.chatgpt_account_id = accountId
  if (plan !== undefined) out.plan_type = plan
  if (start !== undefined) out.chatgpt_subscription_active_start = start
  if (until !== undefined) out.chatgpt_subscription_active_until = until
  return Object.keys(out).length > 0 ? out : undefined
}

/** Models each provider serves in the simulator (used by the traffic generator and /auth-files/models). */
export const PROVIDER_MODELS: Record<string, string[]> = {
  codex: ['gpt-5-codex', 'gpt-5', 'gpt-5-codex-mini', 'gpt-5.1'],
  claude: ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'],
  vertex: ['gemini-2.5-pro', 'gemini-2.5-flash'],
  xai: ['grok-4', 'grok-code-fast-1', 'grok-4-fast-reasoning'],
  antigravity: ['gemini-3-pro-preview', 'gemini-2.5-flash', 'claude-sonnet-4-5-thinking'],
  gemini: ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-2.5-flash-lite'],
  kimi: ['kimi-k2-thinking'],
  'kimi-ai': ['kimi-k2-thinking'],
  meta: ['muse-spark-1.3', 'muse-spark-1.2', 'muse-spark-1.1'],
}

/** Owner shown in /auth-files/models `owned_by`. */
const MODEL_OWNER: Record<string, string> = {
  codex: 'openai',
  claude: 'anthropic',
  vertex: 'google',
  gemini: 'google',
  antigravity: 'antigravity',
  xai: 'xai',
  kimi: 'moonshot',
  'kimi-ai': 'moonshot',
  meta: 'meta',
}

export function modelOwner(provider: string): string {
  return MODEL_OWNER[provider] ?? provider
}

// ---------------------------------------------------------------------------------------------------------
// Seeded default content
// ---------------------------------------------------------------------------------------------------------

const FIRST_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar', 'peggy', 'trent', 'victor', 'wendy']
const DOMAINS = ['example.com', 'example.org', 'example.net']

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

interface SeedFile {
  name: string
  content: Record<string, unknown>
  scenario: UpstreamScenario
}

/** The seeded default auth files (content only; the registry writes them). */
export function defaultAuthFiles(seed: number, nowMs: number, tzOffsetMinutes?: number): SeedFile[] {
  const rand = prng(seed ^ 0x5eed)
  const names = shuffled(FIRST_NAMES, rand)
  let nameIdx = 0
  const email = () => `${names[nameIdx++ % names.length]}@${DOMAINS[Math.floor(rand() * DOMAINS.length)]}`
  const iso = (ms: number) => rfc3339(ms, tzOffsetMinutes)
  const lastRefresh = nowMs - Math.floor(rand() * 3 * 86_400_000)
  const files: SeedFile[] = []

  // Codex: plus, plus, pro, team. First is always healthy; the others draw distinct problem scenarios.
  const codexScenarios: UpstreamScenario[] = [
    'ok',
    ...shuffled<UpstreamScenario>(
      ['short_exhausted', 'long_exhausted', 'revoked', 'deactivated_workspace', 'rate_limited', 'invalid_token'],
      rand,
    ).slice(0, 3),
  ]
  const plans = ['plus', 'plus', 'pro', 'team']
  plans.forEach((plan, i) => {
    const mail = email()
    const accountId = uuidFrom(rand)
    const userId = `user-${alnumFrom(rand, 24)}`
    const subStart = iso(nowMs - (20 + Math.floor(rand() * 200)) * 86_400_000)
    const subUntil = iso(nowMs + (5 + Math.floor(rand() * 25)) * 86_400_000)
    const iat = Math.floor(lastRefresh / 1000)
    const idToken = makeJwt(
      {
        aud: ['app_sim_codex'],
        auth_provider: 'password',
        email: mail,
        email_verified: true,
        exp: iat + 3600,
        [OPENAI_AUTH_CLAIM]: {
          chatgpt_account_id: accountId,
          chatgpt_plan_type: plan,
          chatgpt_subscription_active_start: subStart,
          chatgpt_subscription_active_until: subUntil,
          chatgpt_user_id: userId,
          user_id: userId,
        },
        iat,
        iss: 'https://auth.openai.com',
        sub: `auth0|${alnumFrom(rand, 24)}`,
      },
      rand,
    )
    const accessToken = makeJwt(
      {[OPENAI_AUTH_CLAIM]: {chatgpt_account_id: accountId}, exp: iat + 864_000, iat, iss: 'https://auth.openai.com', scp: ['openid', 'email', 'profile', 'offline_access']},
      rand,
    )
    const accountHash = createHash('sha256').update(accountId).digest('hex').slice(0, 8)
    files.push({
      name: `codex-${accountHash}-${mail}-${plan}.json`,
      scenario: codexScenarios[i]!,
      content: {
        access_token: accessToken,
        account_id: accountId,
        email: mail,
        expired: iso(lastRefresh + 864_000_000),
        id_token: idToken,
        last_refresh: iso(lastRefresh),
        refresh_token: `rt_${alnumFrom(rand, 40)}`,
        type: 'codex',
      },
    })
  })

  // Claude ×2.
  const claudeSecond = shuffled<UpstreamScenario>(['ok', 'short_exhausted', 'long_exhausted', 'rate_limited'], rand)[0]!
  for (const scenario of ['ok', claudeSecond] as UpstreamScenario[]) {
    const mail = email()
    files.push({
      name: `claude-${mail}.json`,
      scenario,
      content: {
        access_token: `sk-ant-oat01-${alnumFrom(rand, 86)}`,
        account_uuid: uuidFrom(rand),
        email: mail,
        expired: iso(lastRefresh + 28_800_000),
        id_token: '',
        last_refresh: iso(lastRefresh),
        organization_name: `${mail.split('@')[0]}'s Organization`,
        organization_uuid: uuidFrom(rand),
        refresh_token: `sk-ant-ort01-${alnumFrom(rand, 86)}`,
        type: 'claude',
      },
    })
  }

  // Vertex service account.
  {
    const project = `sim-project-${hexFrom(rand, 6)}`
    const saEmail = `cpa-sim@${project}.iam.gserviceaccount.com`
    files.push({
      name: `vertex-${project}.json`,
      scenario: 'ok',
      content: {
        email: saEmail,
        location: 'us-central1',
        project_id: project,
        service_account: {
          auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
          auth_uri: 'https://accounts.google.com/o/oauth2/auth',
          client_email: saEmail,
          client_id: String(100_000_000_000_000_000_000n + BigInt(Math.floor(rand() * 1e15))),
          private_key: `-----BEGIN PRIVATE KEY-----\n${b64url(Buffer.from(hexFrom(rand, 96), 'hex'))}\n-----END PRIVATE KEY-----\n`,
          private_key_id: hexFrom(rand, 40),
          project_id: project,
          token_uri: 'https://oauth2.googleapis.com/token',
          type: 'service_account',
        },
        type: 'vertex',
      },
    })
  }

  // xAI.
  {
    const mail = email()
    files.push({
      name: `xai-${mail}.json`,
      scenario: shuffled<UpstreamScenario>(['ok', 'ok', 'long_exhausted'], rand)[0]!,
      content: {
        access_token: `xai-oauth-${alnumFrom(rand, 48)}`,
        auth_kind: 'oauth',
        base_url: 'https://cli-chat-proxy.grok.com/v1',
        email: mail,
        expired: iso(lastRefresh + 21_600_000),
        expires_in: 21_600,
        last_refresh: iso(lastRefresh),
        refresh_token: `xai-refresh-${alnumFrom(rand, 48)}`,
        sub: uuidFrom(rand),
        token_type: 'Bearer',
        type: 'xai',
      },
    })
  }

  // Antigravity.
  {
    const mail = email()
    files.push({
      name: `antigravity-${mail}.json`,
      scenario: 'ok',
      content: {
        access_token: `ya29.${alnumFrom(rand, 120)}`,
        email: mail,
        expired: iso(lastRefresh + 3_599_000),
        expires_in: 3599,
        project_id: `ag-${hexFrom(rand, 10)}`,
        refresh_token: `1//${alnumFrom(rand, 64)}`,
        timestamp: lastRefresh,
        type: 'antigravity',
      },
    })
  }

  return files
}

/**
 * Config entries for the simulator's default config (§3.3): one gemini-api-key and one
 * openai-compatibility provider with one key. The core merges these into its initial config.
 */
export function defaultProviderConfig(seed: number): Record<string, unknown> {
  const rand = prng(seed ^ 0xc0f1)
  return {
    'gemini-api-key': [{'api-key': `AIzaSy${alnumFrom(rand, 33)}`}],
    'openai-compatibility': [
      {
        name: 'openrouter',
        'base-url': 'https://openrouter.ai/api/v1',
        'api-key-entries': [{'api-key': `sk-or-v1-${hexFrom(rand, 64)}`}],
        models: [
          {name: 'deepseek/deepseek-chat-v3.1', alias: 'deepseek-v3.1'},
          {name: 'qwen/qwen3-coder', alias: 'qwen3-coder'},
        ],
      },
    ],
  }
}

// ---------------------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------------------

const BUCKET_MS = 10 * 60_000
const BUCKETS = 20

interface Counters {
  success: number
  failed: number
  /** bucket number (floor(ms / 10 min)) → counts */
  buckets: Map<number, {success: number; failed: number}>
  scenario?: ScenarioSetting
  resets: number
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : ''
}

/** §3.2 bucket label `HH:MM-HH:MM` in server local time. */
export function bucketLabel(bucketStartMs: number, tzOffsetMinutes?: number): string {
  return `${hourMinute(bucketStartMs, tzOffsetMinutes)}-${hourMinute(bucketStartMs + BUCKET_MS, tzOffsetMinutes)}`
}

const FAMILY_PROVIDER: Record<Exclude<ConfigKeyFamily, 'openai-compatibility'>, string> = {
  'gemini-api-key': 'gemini',
  'interactions-api-key': 'interactions',
  'codex-api-key': 'codex',
  'xai-api-key': 'xai',
  'claude-api-key': 'claude',
  'vertex-api-key': 'vertex',
  'meta-api-key': 'meta',
}

export function createAccountRegistry(opts: AccountRegistryOptions): SimAccountRegistry {
  const authDir = resolvePath(opts.authDir)
  const files = new Map<string, SimAuthFile>() // by name
  const counters = new Map<string, Counters>() // by auth_index
  const defaultScenarios = new Map<string, UpstreamScenario>() // by file name
  const logs = createLogStore({now: opts.now, enabled: () => opts.config()['logging-to-file'] === true, tzOffsetMinutes: opts.tzOffsetMinutes})

  mkdirSync(authDir, {recursive: true, mode: 0o700})

  const counterFor = (authIndex: string): Counters => {
    let c = counters.get(authIndex)
    if (!c) {
      c = {success: 0, failed: 0, buckets: new Map(), resets: 0}
      counters.set(authIndex, c)
    }
    return c
  }

  const typeOf = (metadata: Record<string, unknown>): string => str(metadata.type) || 'unknown'

  const loadFile = (name: string, raw: Buffer): SimAuthFile => {
    const metadata = JSON.parse(raw.toString('utf8')) as Record<string, unknown>
    const path = join(authDir, name)
    const st = statSync(path)
    const disabled = metadata.disabled === true
    const prev = files.get(name)
    return {
      name,
      path,
      type: typeOf(metadata),
      metadata,
      status: disabled ? 'disabled' : 'active',
      statusMessage: disabled ? (prev?.statusMessage ?? '') : '',
      createdAt: prev?.createdAt ?? st.birthtimeMs ?? st.mtimeMs,
      updatedAt: opts.now(),
    }
  }

  const writeFile = (name: string, raw: Buffer) => {
    const path = join(authDir, name)
    writeFileSync(path, raw, {mode: 0o600})
    chmodSync(path, 0o600)
  }

  // Initial content: existing .json files, or the seeded defaults.
  const existing = readdirSync(authDir).filter((n) => n.toLowerCase().endsWith('.json'))
  if (existing.length === 0 && (opts.accounts ?? 'default') === 'default') {
    for (const seedFile of defaultAuthFiles(opts.seed, opts.now(), opts.tzOffsetMinutes)) {
      writeFile(seedFile.name, Buffer.from(JSON.stringify(seedFile.content, null, 2) + '\n'))
      defaultScenarios.set(seedFile.name, seedFile.scenario)
    }
  }
  for (const name of readdirSync(authDir).filter((n) => n.toLowerCase().endsWith('.json'))) {
    try {
      const raw = readFileSync(join(authDir, name))
      const parsed = JSON.parse(raw.toString('utf8')) as unknown
      if (!asRecord(parsed)) continue
      files.set(name, loadFile(name, raw))
    } catch {
      // unreadable or invalid JSON: the gateway skips such files too
    }
  }

  const indexMemo = new Map<string, string>()
  const fileIndex = (f: SimAuthFile) => {
    const k = `${f.type}\u0000${f.path}`
    let v = indexMemo.get(k)
    if (v === undefined) {
      v = fileAuthIndex(f.type, f.path)
      indexMemo.set(k, v)
    }
    return v
  }

  const fileAccount = (f: SimAuthFile): SimAccount => {
    const authIndex = fileIndex(f)
    const c = counterFor(authIndex)
    const md = f.metadata
    const email = str(md.email) || undefined
    const projectId = str(md.project_id) || undefined
    const provider = f.type
    const label = str(md.label) || email || projectId || f.name
    return {
      id: f.name,
      name: f.name,
      authIndex,
      provider,
      authType: 'oauth',
      email,
      label,
      projectId,
      source: provider === 'vertex' ? (projectId ?? email ?? '') : (email ?? projectId ?? ''),
      disabled: md.disabled === true,
      models: [...(PROVIDER_MODELS[provider] ?? [])],
      success: c.success,
      failed: c.failed,
    }
  }

  /** Walk the config's provider-key lists (§3.3). */
  const computeConfigKeys = (cfg: Record<string, unknown>): Array<{key: SimConfigKey; account: SimAccount}> => {
    const out: Array<{key: SimConfigKey; account: SimAccount}> = []
    for (const family of CONFIG_KEY_FAMILIES) {
      const list = cfg[family]
      if (!Array.isArray(list)) continue
      list.forEach((entryRaw, index) => {
        const entry = asRecord(entryRaw)
        if (!entry) return
        const baseUrl = str(entry['base-url']) || (family === 'meta-api-key' ? META_DEFAULT_BASE_URL : '')
        if (family === 'openai-compatibility') {
          const name = str(entry.name)
          const keyEntries = Array.isArray(entry['api-key-entries']) ? (entry['api-key-entries'] as unknown[]) : []
          const models = Array.isArray(entry.models)
            ? (entry.models as unknown[]).map((m) => str(asRecord(m)?.name)).filter(Boolean)
            : []
          const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]) : []
          keyEntries.forEach((keRaw, keyIndex) => {
            const apiKey = str(asRecord(keRaw)?.['api-key'])
            const authIndex = configAuthIndex(family, baseUrl, apiKey)
            const c = counterFor(authIndex)
            out.push({
              key: {family, index, keyIndex, baseUrl, apiKey},
              account: {
                id: `${family}:${name}:${keyIndex}`,
                name: '',
                authIndex,
                provider: name.toLowerCase() || 'openai-compatibility',
                authType: 'apikey',
                label: name,
                source: apiKey,
                disabled: entry.disabled === true || excluded.includes('*'),
                models,
                success: c.success,
                failed: c.failed,
              },
            })
          })
          return
        }
        const apiKey = str(entry['api-key'])
        // meta keys that are empty or start with `dca:` are dropped at load (cpa-gateway-v8.md §4.3)
        if (family === 'meta-api-key' && (apiKey.trim() === '' || apiKey.trim().startsWith('dca:'))) return
        const authIndex =
          family === 'vertex-api-key' ? stableAuthIndex(`id:${family}:${index}`) : configAuthIndex(family, baseUrl, apiKey)
        const provider = FAMILY_PROVIDER[family]
        const excluded = Array.isArray(entry['excluded-models']) ? (entry['excluded-models'] as unknown[]) : []
        const configured = Array.isArray(entry.models)
          ? (entry.models as unknown[]).map((m) => str(asRecord(m)?.name)).filter(Boolean)
          : []
        const c = counterFor(authIndex)
        out.push({
          key: {family, index, keyIndex: -1, baseUrl, apiKey},
          account: {
            id: `${family}:${index}`,
            name: '',
            authIndex,
            provider,
            authType: 'apikey',
            label: provider,
            source: apiKey,
            disabled: excluded.includes('*'),
            models: configured.length > 0 ? configured : [...(PROVIDER_MODELS[provider] ?? [])],
            success: c.success,
            failed: c.failed,
          },
        })
      })
    }
    return out
  }

  // Memoised by the identity of the config's family lists (the config state hands out the same arrays
  // until a change); counters are re-read on every call.
  let memo: {refs: unknown[]; keys: Array<{key: SimConfigKey; account: SimAccount}>} | undefined
  const configKeys = (): Array<{key: SimConfigKey; account: SimAccount}> => {
    const cfg = opts.config()
    const refs = CONFIG_KEY_FAMILIES.map((f) => cfg[f])
    if (!memo || memo.refs.some((r, i) => r !== refs[i])) memo = {refs, keys: computeConfigKeys(cfg)}
    return memo.keys.map(({key, account}) => {
      const c = counterFor(account.authIndex)
      return {key, account: {...account, models: [...account.models], success: c.success, failed: c.failed}}
    })
  }

  const list = (): SimAccount[] => [...[...files.values()].map(fileAccount), ...configKeys().map((k) => k.account)]

  const byIndex = (authIndex: string): SimAccount | undefined => list().find((a) => a.authIndex === authIndex)

  const findFile = (nameOrId: string): SimAuthFile | undefined => {
    const direct = files.get(nameOrId)
    if (direct) return direct
    // id = path relative to auth-dir (= file name here); tolerate a leading './'
    const trimmed = nameOrId.replace(/^\.\//, '')
    return files.get(trimmed)
  }

  const resolveTarget = (authIndexOrName: string): string | undefined => {
    const f = findFile(authIndexOrName)
    if (f) return fileIndex(f)
    return byIndex(authIndexOrName)?.authIndex
  }

  const registry: SimAccountRegistry = {
    authDir,
    seed: opts.seed,
    tzOffsetMinutes: opts.tzOffsetMinutes,
    logs,
    appendLog: (line) => logs.append(line),
    rotateLogs: () => logs.rotate(),

    list,
    byIndex,
    byName(nameOrId) {
      const f = findFile(nameOrId)
      return f ? fileAccount(f) : undefined
    },
    recordOutcome(authIndex, failed, at) {
      const c = counterFor(authIndex)
      if (failed) c.failed++
      else c.success++
      const bucket = Math.floor(at / BUCKET_MS)
      const b = c.buckets.get(bucket) ?? {success: 0, failed: 0}
      if (failed) b.failed++
      else b.success++
      c.buckets.set(bucket, b)
      // keep memory bounded: drop buckets older than the 20-bucket window of the newest one
      if (c.buckets.size > BUCKETS * 4) {
        const newest = Math.max(...c.buckets.keys())
        for (const k of c.buckets.keys()) if (k <= newest - BUCKETS) c.buckets.delete(k)
      }
    },

    files: () => [...files.values()],
    file: findFile,
    fileContent(name) {
      const path = join(authDir, name)
      if (!existsSync(path)) return undefined
      return readFileSync(path)
    },
    upload(name, content) {
      let parsed: unknown
      try {
        parsed = JSON.parse(content.toString('utf8'))
      } catch {
        return {ok: false, name, error: 'invalid auth file: invalid JSON', status: 400}
      }
      if (!asRecord(parsed)) return {ok: false, name, error: 'invalid auth file: not a JSON object', status: 400}
      writeFile(name, content)
      files.set(name, loadFile(name, content))
      return {ok: true, name}
    },
    remove(name) {
      const f = files.get(name)
      if (!f) return false
      if (existsSync(f.path)) unlinkSync(f.path)
      files.delete(name)
      return true
    },
    removeAll() {
      let n = 0
      for (const name of [...files.keys()]) if (registry.remove(name)) n++
      return n
    },
    setDisabled(name, disabled, authIndex) {
      const f = findFile(name)
      if (!f) return undefined
      if (authIndex && fileIndex(f) !== authIndex) return undefined
      const metadata = {...f.metadata, disabled}
      writeFile(f.name, Buffer.from(JSON.stringify(metadata, null, 2) + '\n'))
      f.metadata = metadata
      f.status = disabled ? 'disabled' : 'active'
      f.statusMessage = disabled ? 'disabled via management API' : ''
      f.updatedAt = opts.now()
      return f
    },
    writeMetadata(name, metadata) {
      const f = findFile(name)
      if (!f) throw new Error(`auth file not found: ${name}`)
      writeFile(f.name, Buffer.from(JSON.stringify(metadata, null, 2) + '\n'))
      f.metadata = metadata
      f.type = typeOf(metadata)
      if (metadata.disabled === true) f.status = 'disabled'
      else if (f.status === 'disabled') {
        f.status = 'active'
        f.statusMessage = ''
      }
      f.updatedAt = opts.now()
    },

    configKey: (authIndex) => configKeys().find((k) => k.account.authIndex === authIndex)?.key,
    recentRequests(authIndex, now = opts.now()) {
      const c = counters.get(authIndex)
      const current = Math.floor(now / BUCKET_MS)
      const out: RecentBucket[] = []
      for (let b = current - BUCKETS + 1; b <= current; b++) {
        const counts = c?.buckets.get(b)
        out.push({time: bucketLabel(b * BUCKET_MS, opts.tzOffsetMinutes), success: counts?.success ?? 0, failed: counts?.failed ?? 0})
      }
      return out
    },
    tokenFor(authIndex) {
      const f = [...files.values()].find((x) => fileIndex(x) === authIndex)
      if (f) {
        const md = f.metadata
        for (const k of ['access_token', 'api_key', 'token', 'id_token', 'cookie']) {
          const v = str(md[k])
          if (v) return v
        }
        return undefined
      }
      const key = configKeys().find((k) => k.account.authIndex === authIndex)?.key
      return key?.apiKey || undefined
    },

    scenario(authIndex) {
      const set = counters.get(authIndex)?.scenario
      if (set) return set
      const f = [...files.values()].find((x) => fileIndex(x) === authIndex)
      if (f) return {scenario: defaultScenarios.get(f.name) ?? 'ok'}
      return {scenario: 'ok'}
    },
    setScenario(authIndexOrName, scenario) {
      const authIndex = resolveTarget(authIndexOrName)
      if (!authIndex) throw new Error(`unknown credential: ${authIndexOrName}`)
      const setting = typeof scenario === 'string' ? {scenario} : scenario
      if (!UPSTREAM_SCENARIOS.includes(setting.scenario)) throw new Error(`unknown scenario: ${setting.scenario}`)
      counterFor(authIndex).scenario = setting
    },

    resetQuota(authIndex) {
      const account = byIndex(authIndex)
      if (!account) return undefined
      counterFor(authIndex).resets++
      return [...account.models]
    },
    quotaResets: (authIndex) => counters.get(authIndex)?.resets ?? 0,
    apiCallTimeoutMs: 60_000,
  }
  return registry
}
