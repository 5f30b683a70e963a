/**
 * The base of every cpactl command (kept outside src/commands, where every file becomes a command): JSON flag,
 * global flags, parsing once in init(), lazy context (profile → key → gateway client, store path), signal handling,
 * and the one exit-code rule for human and --json modes alike (oclif's --json path ignores `oclif.exit` and exits 1
 * otherwise).
 */
import {Command, ux, type Interfaces} from '@oclif/core'

import type {ResolvedKey} from '../profiles/credentials.js'
import {resolveDirs, resolveStorePath, type Dirs} from '../files/dirs.js'
import {loadProfiles, selectProfile, type Profile} from '../profiles/profiles.js'
import type {GatewayClient} from '../gateway/client.js'
import {parseDuration} from '../time/duration.js'
import {CancelledError, ConfigError, EXIT, exitCodeOf, toErrorJson} from './errors.js'
import {globalFlags} from './flags.js'
import {startProgress, warn, type Progress} from './output.js'
import {progressSink, setProgressSink} from './progress.js'
import {makeWarning, setWarningSink, type Warning} from './warnings.js'

export type Flags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type Args<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export interface GatewayTarget {
  url: string
  profile: Profile | null
  insecure: boolean
  timeoutMs: number
}

export abstract class BaseCommand<T extends typeof Command> extends Command {
  static enableJsonFlag = true
  static baseFlags = globalFlags

  protected flags!: Flags<T>
  protected args!: Args<T>
  /** Every positional argument, for commands with `strict = false` (variadic NAME...): parsed once, in init(). */
  protected positional!: string[]
  private abortController = new AbortController()
  private signalHandlers: Array<[NodeJS.Signals, () => void]> = []
  private clients: GatewayClient[] = []
  private profilesCache: Awaited<ReturnType<typeof loadProfiles>> | null = null
  /** Every warning of this run, in the order shown (code + message identify one: shown once). */
  private readonly warningsSeen = new Map<string, Warning>()

  /** Aborted on SIGINT/SIGTERM. Long-running work must watch it and finish cleanly. */
  get signal(): AbortSignal {
    return this.abortController.signal
  }

  get dirs(): Dirs {
    return resolveDirs(process.env)
  }

  public async init(): Promise<void> {
    await super.init()
    const {args, flags, argv} = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      enableJsonFlag: this.ctor.enableJsonFlag,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as Flags<T>
    this.args = args as Args<T>
    this.positional = argv as string[]
    setProgressSink(progressSink(this.progress()))
    setWarningSink((w) => this.collectWarning(w))
    // the run's result passes through withWarnings(): parsing stays in init(), the result shape in one place
    const run = this.run.bind(this)
    ;(this as {run: () => Promise<unknown>}).run = async () => this.withWarnings(await run())
    for (const sig of ['SIGINT', 'SIGTERM'] as NodeJS.Signals[]) {
      const handler = () => {
        if (this.abortController.signal.aborted) {
          // second signal: the user insists
          process.exit(130)
        }
        this.abortController.abort(new CancelledError(`interrupted by ${sig}`))
      }
      process.on(sig, handler)
      this.signalHandlers.push([sig, handler])
    }
  }

  /**
   * Confirm a destructive action the one way (cli/confirm.ts): `--yes`, else a y/N question on a terminal,
   * else exit 2 with `confirmation_required`. The command must declare `yes: yesFlag`.
   */
  protected async confirm(action: string, note?: string): Promise<void> {
    const {confirmOrFail} = await import('./confirm.js')
    await confirmOrFail({yes: Boolean((this.flags as unknown as {yes?: boolean}).yes), action, note})
  }

  /** The progress line for long work: on an interactive stderr only, never under --json or CI (output.ts). */
  protected progress(): Progress {
    return startProgress({enabled: !this.jsonEnabled()})
  }

  /** A warning of the command itself: shown on stderr at once and part of the JSON result (lib/cli/warnings.ts). */
  protected warning(code: string, message: string, items?: string[]): void {
    this.collectWarning(makeWarning(code, message, items))
  }

  private collectWarning(w: Warning): void {
    const id = `${w.code}\u0000${w.message}`
    if (this.warningsSeen.has(id)) return
    this.warningsSeen.set(id, w)
    warn(w.message)
  }

  /**
   * The one place warnings reach a result: those in the result's own `warnings` that were not reported yet are
   * shown now, and an object result's `warnings` becomes every warning of the run. A list (array) result has
   * no room for them: its warnings are on stderr only.
   */
  private withWarnings(result: unknown): unknown {
    if (result === null || typeof result !== 'object' || Array.isArray(result)) return result
    const r = result as {warnings?: unknown}
    if (Array.isArray(r.warnings)) for (const w of r.warnings as Warning[]) this.collectWarning(w)
    if (Array.isArray(r.warnings) || this.warningsSeen.size > 0) r.warnings = [...this.warningsSeen.values()]
    return result
  }

  /**
   * The --json document. oclif's logJson tokenises the whole document to colour it (slicing the string once per
   * token: ~18 ms on a 75 kB timeline) even when no JSON theme is configured and the tokens come out uncoloured;
   * without a theme the same text is printed directly (JSON.stringify, 2 spaces, a newline), with one it is
   * oclif's (which colours on a terminal only).
   */
  protected logJson(json: unknown): void {
    if (this.config.theme?.json) return super.logJson(json)
    ux.stdout(JSON.stringify(json, null, 2))
  }

  /** Print the human view unless --json is on (then oclif prints the returned value). */
  protected display<R>(result: R, render: (r: R) => void): void {
    if (!this.jsonEnabled()) render(result)
  }

  protected async profiles() {
    this.profilesCache ??= await loadProfiles(this.dirs.configDir)
    return this.profilesCache
  }

  /** The profile in effect (or null when none is configured or an explicit --url without --profile is used). */
  protected async profile(): Promise<Profile | null> {
    const f = this.flags as unknown as {profile?: string; url?: string}
    const file = await this.profiles()
    if (f.url && !f.profile) return null
    return selectProfile(file, f.profile)
  }

  /** URL, profile, TLS and timeout for talking to the gateway. */
  protected async target(): Promise<GatewayTarget> {
    const f = this.flags as unknown as {url?: string; insecure?: boolean; timeout?: string}
    const profile = await this.profile()
    const url = f.url ?? profile?.url
    if (!url) {
      throw new ConfigError('no gateway URL: pass --url, set CPA_URL, or log in to a profile', {
        code: 'no_gateway',
        hint: 'cpactl login --url http://127.0.0.1:8317 --management-key-stdin',
      })
    }
    return {
      url,
      profile,
      insecure: Boolean(f.insecure) || Boolean(profile?.insecure),
      timeoutMs: f.timeout ? parseDuration(f.timeout, '--timeout') : 10_000,
    }
  }

  /**
   * Resolve the management key for the current profile (stdin, env, key file, keychain). The key sources load
   * here, on first use: commands that never talk to the gateway (reports) do not load them at start-up.
   */
  protected async resolveKey(profile: Profile | null): Promise<ResolvedKey> {
    const f = this.flags as unknown as {'management-key-stdin'?: boolean}
    const {resolveManagementKey} = await import('../profiles/credentials.js')
    return resolveManagementKey({
      env: process.env,
      configDir: this.dirs.configDir,
      profile,
      fromStdin: Boolean(f['management-key-stdin']),
    })
  }

  /** A gateway client for the resolved target; the key is resolved on the first authenticated request. */
  protected async gateway(overrides: Partial<GatewayTarget> = {}): Promise<GatewayClient> {
    const t = {...(await this.target()), ...overrides}
    const {GatewayClient} = await import('../gateway/client.js')
    let keyPromise: Promise<ResolvedKey> | null = null
    const client = new GatewayClient({
      baseUrl: t.url,
      insecure: t.insecure,
      timeoutMs: t.timeoutMs,
      userAgent: `cpactl/${this.config.version}`,
      signal: this.signal,
      cacheDir: this.dirs.cacheDir,
      getKey: () => (keyPromise ??= this.resolveKey(t.profile)),
    })
    this.clients.push(client)
    return client
  }

  /** Label that tags stored events: profile instance/name, else host:port of the URL. */
  protected async instance(): Promise<string> {
    const t = await this.target()
    if (t.profile) return t.profile.instance ?? t.profile.name
    const {normalizeBaseUrl} = await import('../gateway/url.js')
    const u = normalizeBaseUrl(t.url)
    return `${u.host}:${u.port}`
  }

  /**
   * Where the store is: --store / CPACTL_STORE, else the profile's `store` (so `collect --profile prod` knows
   * where to write), else <dataDir>/cpactl.db. A file path or a postgres:// URL.
   */
  protected async storePath(explicit?: string): Promise<string> {
    if (explicit || process.env.CPACTL_STORE) return resolveStorePath(explicit, process.env)
    let profileStore: string | null = null
    try {
      profileStore = (await this.profile())?.store ?? null
    } catch {
      // an unknown --profile is reported by the commands that need the gateway; the store falls back
    }
    return profileStore ?? resolveStorePath(undefined, process.env)
  }

  /** Throw CancelledError when a signal arrived (for loops between steps). */
  protected throwIfAborted(): void {
    if (this.signal.aborted) throw (this.signal.reason as Error) ?? new CancelledError()
  }

  protected toErrorJson(err: unknown): unknown {
    return toErrorJson(err)
  }

  async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    // one exit code for human and --json modes: oclif's --json catch uses `exitCode` and ignores `oclif.exit`
    const code = exitCodeOf(err)
    if (typeof err.exitCode !== 'number') err.exitCode = code
    process.exitCode = code
    return super.catch(err)
  }

  /**
   * Partial success (exit 6): the command returns its normal result, with per-item errors and a
   * `partial_success` warning, and exits 6 — never an error document.
   */
  protected partialIf(partial: boolean): void {
    if (partial) this.exitCodeOnSuccess = EXIT.partial
  }

  /**
   * Exit code for a command that ran to completion but must report findings (doctor, config check/diff): the
   * result is still printed (table or JSON), then the process exits with this code.
   */
  protected exitCodeOnSuccess: number | undefined

  protected async finally(err: Error | undefined): Promise<unknown> {
    if (!err && this.exitCodeOnSuccess !== undefined && this.exitCodeOnSuccess !== 0) process.exitCode = this.exitCodeOnSuccess
    for (const [sig, handler] of this.signalHandlers) process.off(sig, handler)
    this.signalHandlers = []
    setWarningSink(null)
    await Promise.allSettled(this.clients.map((c) => c.close()))
    return super.finally(err)
  }
}
