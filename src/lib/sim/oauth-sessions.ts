/**
 * The simulated gateway's OAuth login sessions (sessions last 30 min, completed ones are kept 1 min): a
 * scripted state machine keyed by `state`.
 *
 *   auth URL ──► pending ──► completed (credential file written)      "ok"
 *                   │   └──► failed (message kept 30 min)                "error"
 *                   └──► cancelled (DELETE /oauth-session: removed)      "unknown or expired state"
 *
 * As on the gateway: sessions live 30 minutes, completed ones 1 minute; a redirect flow (anthropic, codex,
 * antigravity, devin, plugin providers) waits 5 minutes for its callback, a device flow (xai, kimi, kimi-ai,
 * meta) until its device code expires. A callback with `code` completes a pending redirect flow, one with `error` fails
 * it with the provider's message; device flows ignore callbacks and are approved or denied on the
 * simulated verification page (or with `decide()`).
 *
 * What happens without a callback is scripted (`OAuthScript`): `manual` waits like the gateway, `auto`
 * completes every pending flow `delayMs` after it started, `error` fails it then (as if the user denied
 * access). Time is the simulator clock and everything is evaluated lazily on access, so a test clock
 * drives the timeouts exactly.
 */
import {randomBytes} from 'node:crypto'

export type OAuthMode = 'manual' | 'auto' | 'error'

export interface OAuthScript {
  mode: OAuthMode
  /** Delay of the `auto` / `error` outcome after the flow started (ms). */
  delayMs: number
}

export type FlowKind = 'redirect' | 'device'

export const OAUTH_SESSION_TTL_MS = 30 * 60_000
export const OAUTH_COMPLETED_TTL_MS = 60_000
export const OAUTH_CALLBACK_WAIT_MS = 5 * 60_000
/** Device-code lifetimes of the simulated providers (seconds). */
export const DEVICE_EXPIRES_IN: Record<string, number> = {xai: 1800, kimi: 900, 'kimi-ai': 900, meta: 900}

/** `state` prefixes of the device flows (`<prefix>-<unix ns>`); other flows get random hex. */
const STATE_PREFIX: Record<string, string> = {xai: 'xai', kimi: 'kmi', 'kimi-ai': 'kmi-ai', meta: 'meta'}
const MAX_STATE_LENGTH = 128

interface Session {
  state: string
  provider: string
  source: 'builtin' | 'plugin'
  flow: FlowKind
  createdAt: number
  expiresAt: number
  /** Error message of a failed flow; '' while pending or completed. */
  status: string
  completed: boolean
  userCode?: string
  /** Device flows: when the device code expires. */
  deadline: number
}

/** Message a provider's waiter records when the callback carries `error` (or the user denies). */
function deniedMessage(provider: string): string {
  switch (provider) {
    case 'anthropic':
      return 'Bad request'
    case 'codex':
      return 'Bad Request'
    case 'xai':
      return 'Authentication failed: xai device authorization denied'
    case 'kimi':
    case 'kimi-ai': // the same Kimi device client, on the kimi.ai domain
      return 'Authentication failed: kimi: access denied by user'
    case 'devin':
      return 'Devin authorization denied'
    case 'meta':
      return 'Authentication failed: meta: access denied by user'
    default:
      return 'Authentication failed'
  }
}

/** Message recorded when the flow runs out of time. */
function timeoutMessage(provider: string): string {
  switch (provider) {
    case 'anthropic':
    case 'codex':
    case 'devin':
      return 'Timeout waiting for OAuth callback'
    case 'antigravity':
      return 'OAuth flow timed out'
    case 'xai':
      return 'Authentication failed: xai device code expired'
    case 'kimi':
    case 'kimi-ai':
      return 'Authentication failed: kimi: device code expired'
    case 'meta':
      return 'Authentication failed: meta: device code expired'
    default:
      return 'Authentication failed'
  }
}

/** A valid `state`: at most 128 chars of `[A-Za-z0-9._-]`, no `..` (the gateway's ValidateOAuthState). */
export function validOAuthState(state: string): boolean {
  const s = state.trim()
  return s !== '' && s.length <= MAX_STATE_LENGTH && !s.includes('..') && /^[A-Za-z0-9._-]+$/.test(s)
}

/** Callback provider names: anthropic/claude, codex/openai, antigravity, xai, else a plugin-style name. */
export function canonicalCallbackProvider(provider: string, pluginSession: boolean): string | undefined {
  const p = provider.trim().toLowerCase()
  if (!pluginSession) {
    const builtin: Record<string, string> = {
      anthropic: 'anthropic',
      claude: 'anthropic',
      codex: 'codex',
      openai: 'codex',
      antigravity: 'antigravity',
      'anti-gravity': 'antigravity',
      xai: 'xai',
      'x-ai': 'xai',
      'x.ai': 'xai',
      grok: 'xai',
    }
    if (builtin[p]) return builtin[p]
  }
  return /^[a-z0-9-]+$/.test(p) ? p : undefined
}

export type CallbackResult = {ok: true} | {ok: false; status: number; error: string}

export interface OAuthSessionDeps {
  now(): number
  script(): OAuthScript
  /** Persist the credential of a completed login; returns an error message when saving failed. */
  complete(provider: string, state: string): string | undefined
}

export class OAuthSessions {
  private readonly sessions = new Map<string, Session>()
  private nanoCounter = 0

  constructor(private readonly deps: OAuthSessionDeps) {}

  /** Register a new pending flow and return it (state generated like the gateway's). */
  start(provider: string, flow: FlowKind, source: 'builtin' | 'plugin' = 'builtin'): {state: string; userCode?: string; expiresIn?: number} {
    this.tick()
    const now = this.deps.now()
    let state: string
    if (source === 'builtin' && STATE_PREFIX[provider]) {
      // `xai-<unix ns>`, `kmi-<unix ns>`, `kmi-ai-<unix ns>`, `meta-<unix ns>`
      state = `${STATE_PREFIX[provider]}-${BigInt(now) * 1_000_000n + BigInt(++this.nanoCounter)}`
    } else if (source === 'plugin') {
      state = `${provider}-${randomBytes(12).toString('hex')}`
    } else {
      state = randomBytes(16).toString('hex')
    }
    const expiresIn = flow === 'device' ? (DEVICE_EXPIRES_IN[provider] ?? 900) : undefined
    const userCode = flow === 'device' ? userCodeFrom(randomBytes(8)) : undefined
    this.sessions.set(state, {
      state,
      provider,
      source,
      flow,
      createdAt: now,
      expiresAt: now + OAUTH_SESSION_TTL_MS,
      status: '',
      completed: false,
      userCode,
      deadline: flow === 'device' ? now + expiresIn! * 1000 : now + OAUTH_CALLBACK_WAIT_MS,
    })
    return {state, userCode, expiresIn}
  }

  /** GET /get-auth-status semantics for a valid state. */
  status(state: string): {status: 'ok'} | {status: 'wait'} | {status: 'error'; error: string} {
    this.tick()
    const s = this.sessions.get(state.trim())
    if (!s) return {status: 'error', error: 'unknown or expired state'}
    if (s.completed) return {status: 'ok'}
    if (s.status !== '') return {status: 'error', error: s.status}
    return {status: 'wait'}
  }

  /** DELETE /oauth-session: true when a pending session was removed. */
  cancel(state: string): boolean {
    this.tick()
    const s = this.sessions.get(state.trim())
    if (!s || s.completed || s.status !== '') return false
    this.sessions.delete(s.state)
    return true
  }

  /**
   * The callback's checks after the state/code/error validation (unknown state 404, not pending 409,
   * `unsupported provider` / `provider does not match state` 400); `provider` may be '' (taken from the session).
   */
  callback(provider: string, state: string, code: string, error: string): CallbackResult {
    this.tick()
    const s = this.sessions.get(state)
    if (!s) return {ok: false, status: 404, error: 'unknown or expired state'}
    if (s.completed) return {ok: false, status: 409, error: 'oauth flow is already completed'}
    const canonical = canonicalCallbackProvider(provider || s.provider, s.source === 'plugin')
    if (!canonical) return {ok: false, status: 400, error: 'unsupported provider'}
    if (s.status !== '') return {ok: false, status: 409, error: s.status}
    if (canonical !== s.provider) return {ok: false, status: 400, error: 'provider does not match state'}
    this.deliver(s, code, error)
    return {ok: true}
  }

  /** The provider callback pages (/anthropic/callback, …): record code/state for a pending session, if any. */
  providerCallback(provider: string, state: string, code: string, error: string): void {
    this.tick()
    if (!validOAuthState(state)) return
    const s = this.sessions.get(state.trim())
    if (!s || s.completed || s.status !== '' || s.provider !== provider) return
    this.deliver(s, code, error)
  }

  /** Approve or deny a pending device flow (the simulated verification page), by user code or state. */
  decide(userCodeOrState: string, approve: boolean): boolean {
    this.tick()
    const key = userCodeOrState.trim()
    const s = [...this.sessions.values()].find(x => x.state === key || (x.userCode !== undefined && x.userCode === key.toUpperCase()))
    if (!s || s.completed || s.status !== '') return false
    if (approve) this.finish(s, this.deps.now())
    else this.fail(s, deniedMessage(s.provider), this.deps.now())
    return true
  }

  /** The session behind a state (tests, the simulated consent pages). */
  describe(state: string): {provider: string; flow: FlowKind; userCode?: string; pending: boolean} | undefined {
    this.tick()
    const s = this.sessions.get(state.trim())
    return s && {provider: s.provider, flow: s.flow, userCode: s.userCode, pending: !s.completed && s.status === ''}
  }

  /** Pending device flow by user code. */
  byUserCode(userCode: string): string | undefined {
    this.tick()
    return [...this.sessions.values()].find(s => s.userCode === userCode.trim().toUpperCase())?.state
  }

  // ------------------------------------------------------------------------------------------ internals

  /** A callback reached a pending session: redirect flows finish, device flows never read callbacks. */
  private deliver(s: Session, code: string, error: string): void {
    if (s.flow === 'device') return
    const now = this.deps.now()
    if (error.trim() !== '') this.fail(s, deniedMessage(s.provider), now)
    else if (code.trim() !== '') this.finish(s, now)
  }

  private finish(s: Session, at: number): void {
    const problem = this.deps.complete(s.provider, s.state)
    if (problem) {
      this.fail(s, problem, at)
      return
    }
    s.completed = true
    s.status = ''
    s.expiresAt = at + OAUTH_COMPLETED_TTL_MS
  }

  private fail(s: Session, message: string, at: number): void {
    s.status = message || 'Authentication failed'
    s.expiresAt = at + OAUTH_SESSION_TTL_MS
  }

  /** Apply, in time order, what happened to pending flows since the last access; then purge. */
  private tick(): void {
    const now = this.deps.now()
    const script = this.deps.script()
    for (const s of this.sessions.values()) {
      if (s.completed || s.status !== '') continue
      // the scripted outcome happens at created + delay; the timeout once the deadline has passed
      const scripted = script.mode === 'manual' ? Number.POSITIVE_INFINITY : s.createdAt + Math.max(0, script.delayMs)
      if (scripted <= s.deadline && scripted <= now) {
        if (script.mode === 'auto') this.finish(s, scripted)
        else this.fail(s, deniedMessage(s.provider), scripted)
      } else if (now > s.deadline) this.fail(s, timeoutMessage(s.provider), s.deadline)
    }
    for (const [state, s] of this.sessions) if (now > s.expiresAt) this.sessions.delete(state)
  }
}

/** `XXXX-XXXX` from an unambiguous alphabet, like the providers' device user codes. */
function userCodeFrom(bytes: Buffer): string {
  const alphabet = 'BCDFGHJKLMNPQRSTVWXZ23456789'
  let out = ''
  for (let i = 0; i < 8; i++) out += alphabet[bytes[i]! % alphabet.length]
  return `${out.slice(0, 4)}-${out.slice(4)}`
}
