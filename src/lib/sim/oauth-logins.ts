import type {SimAccountRegistry} from './account-types.js'
import {credentialForLogin} from './oauth-credentials.js'
import {type OAuthScript, OAuthSessions} from './oauth-sessions.js'

export interface OAuthLoginDeps {
  seed: number
  tzOffsetMinutes: number
  now: () => number
  accounts: SimAccountRegistry
  /** Runs after a login saved its credential (usage subscribers get {"refresh":true}). */
  notifyRefresh: () => void
  /** What a login does without a callback (default manual: wait like the gateway, 3 s delay for auto/error). */
  script?: Partial<OAuthScript>
}

/** The simulator's OAuth logins: the pending sessions, the script they follow, the credential each one saves. */
export class SimOAuthLogins {
  readonly sessions: OAuthSessions
  private script: OAuthScript
  private logins = 0

  constructor(private readonly deps: OAuthLoginDeps) {
    this.script = {mode: deps.script?.mode ?? 'manual', delayMs: deps.script?.delayMs ?? 3000}
    this.sessions = new OAuthSessions({
      now: deps.now,
      script: () => this.script,
      complete: provider => this.saveLogin(provider),
    })
  }

  /** Change what logins do without a callback (manual / auto / error, and the delay). */
  setScript(script: Partial<OAuthScript>): void {
    this.script = {...this.script, ...script}
  }

  /** A completed login writes its credential file into the auth dir (oauth-credentials.ts). */
  private saveLogin(provider: string): string | undefined {
    const {seed, tzOffsetMinutes, now, accounts} = this.deps
    const cred = credentialForLogin(provider, {seed, ordinal: ++this.logins, nowMs: now(), tzOffsetMinutes})
    const saved = accounts.upload(cred.name, Buffer.from(JSON.stringify(cred.content, null, 2) + '\n'))
    if (!saved.ok) return 'Failed to save authentication tokens'
    this.deps.notifyRefresh()
    return undefined
  }
}
