import {Errors} from '@oclif/core'

/**
 * The one table that maps error classes to exit codes. Frozen: documented in README.
 */
export const EXIT = {
  ok: 0,
  error: 1,
  usage: 2,
  config: 3,
  auth: 4,
  upstream: 5,
  partial: 6,
  locked: 7,
  rejected: 8,
  interrupted: 130,
} as const

export interface ErrorOptions {
  code?: string
  hint?: string
  /** Extra machine-readable data, shown under `error.details` in JSON mode. Never put secrets here. */
  details?: Record<string, unknown>
  cause?: unknown
}

/**
 * Base of every error cpactl raises on purpose. Extends oclif's CLIError so that the human path prints
 * `Error: <message>` (no stack) and exits with `oclif.exit`; `exitCode` carries the same number so the
 * `--json` path, which reads only `exitCode`, exits identically.
 */
export class CpactlError extends Errors.CLIError {
  readonly exitCode: number
  readonly hint?: string
  readonly details?: Record<string, unknown>
  declare code: string

  constructor(message: string, exitCode: number, defaultCode: string, options: ErrorOptions = {}) {
    super(message, {exit: exitCode, code: options.code ?? defaultCode, suggestions: options.hint ? [options.hint] : undefined})
    this.name = 'Error'
    this.exitCode = exitCode
    this.code = options.code ?? defaultCode
    this.hint = options.hint
    this.details = options.details
    if (options.cause !== undefined) (this as {cause?: unknown}).cause = options.cause
  }
}

/** Exit 1: a check found problems (doctor, config check/diff). */
export class CheckFailedError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.error, 'check_failed', options)
  }
}

/** Exit 1: a bug or an unexpected state. */
export class BugError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.error, 'internal_error', options)
  }
}

/** Exit 2: bad flag/argument, would-prompt without a TTY, destructive operation without --yes. */
export class UsageError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.usage, 'usage_error', options)
  }
}

/** Exit 3: local configuration or credentials missing/invalid, or management disabled on the gateway. */
export class ConfigError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.config, 'config_error', options)
  }
}

/** Exit 4: the gateway rejected the management key, refused a remote client, or the IP is banned. */
export class AuthError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.auth, 'auth_failed', options)
  }
}

/** Exit 5: gateway unreachable, timeout, 5xx, malformed answer. Cron may simply retry next tick. */
export class UpstreamError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.upstream, 'upstream_unavailable', options)
  }
}

/** Exit 7: another process holds the lock (e.g. a second collector). */
export class LockError extends CpactlError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT.locked, 'locked', options)
  }
}

/** Exit 8: the gateway refused the request (400/404/409/422 with a body); its text is passed through. */
export class RejectedError extends CpactlError {
  readonly status: number
  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, EXIT.rejected, 'rejected', options)
    this.status = status
  }
}

/** Exit 130: interrupted by a signal or a declined confirmation. */
export class CancelledError extends CpactlError {
  constructor(message = 'interrupted', options?: ErrorOptions) {
    super(message, EXIT.interrupted, 'interrupted', options)
  }
}

export interface ErrorJson {
  error: {code: string; message: string; exitCode: number; hint: string | null; details?: Record<string, unknown>}
}

/** The `--json` error document `{"error": {code, message, exitCode, hint}}`. Never includes a stack. */
export function toErrorJson(err: unknown): ErrorJson {
  if (err instanceof CpactlError) {
    return {
      error: {
        code: err.code,
        message: err.message,
        exitCode: err.exitCode,
        hint: err.hint ?? null,
        ...(err.details ? {details: err.details} : {}),
      },
    }
  }
  const e = err as {message?: string; code?: unknown; exitCode?: unknown; oclif?: {exit?: unknown}}
  const exitCode = exitCodeOf(err)
  const code = typeof e?.code === 'string' && /^[a-z0-9_]+$/i.test(e.code) ? e.code.toLowerCase() : exitCode === 2 ? 'usage_error' : 'internal_error'
  return {error: {code, message: String(e?.message ?? err), exitCode, hint: null}}
}

/** Exit code of any thrown value: our `exitCode`, else oclif's `oclif.exit` (parse errors: 2), else 1. */
export function exitCodeOf(err: unknown): number {
  const e = err as {exitCode?: unknown; oclif?: {exit?: unknown}}
  if (typeof e?.exitCode === 'number') return e.exitCode
  if (typeof e?.oclif?.exit === 'number') return e.oclif.exit
  return 1
}
