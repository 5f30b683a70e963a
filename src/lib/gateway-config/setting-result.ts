/** The results of `config get|set|unset` (both APIs) and the error a write that does not read back raises. */
import type {Warning} from '../cli/warnings.js'
import {CheckFailedError} from '../cli/errors.js'

export interface ConfigGetResult {
  /** The path read: the dotted key on v7, the v8 path on v8. */
  key: string
  /** v8: what was typed, and the legacy name it was (null when it was a v8 path). */
  input?: string
  legacy?: string | null
  found: boolean
  /** The value; on v8 when not found, the default that applies (null when none is known). */
  value: unknown
  /**
   * endpoint: a dedicated setting endpoint; config.yaml: the file; config-tree: the v8 config tree; default: the
   * value that applies because the key is absent.
   */
  source: 'endpoint' | 'config.yaml' | 'config-tree' | 'default' | null
  masked: boolean
  notes?: string[]
}

export interface ConfigSetResult {
  key: string
  input?: string
  legacy?: string | null
  via: 'endpoint' | 'config.yaml' | 'config-tree'
  previous: unknown
  value: unknown
  changed: boolean
  dryRun: boolean
  /** true once the new value was read back; null on a dry run or when nothing changed. */
  verified: boolean | null
  warnings: Warning[]
}

export interface ConfigUnsetOptions {
  yes?: boolean
  dryRun?: boolean
  reveal?: boolean
  interactive?: boolean
  poll?: import('../gateway/poll.js').PollOptions
}

export interface ConfigUnsetResult {
  key: string
  input?: string
  legacy?: string | null
  via: 'config.yaml' | 'config-tree'
  /** The value removed (masked unless reveal); null when it was not set. */
  previous: unknown
  /** The value that applies from now on, where known. */
  default: unknown
  /** false: the key was not set, nothing was sent. */
  changed: boolean
  dryRun: boolean
  verified: boolean | null
  warnings: Warning[]
}

export function notVerified(name: string, expected: unknown, actual: unknown): CheckFailedError {
  return new CheckFailedError(`wrote ${name} but the gateway still reports ${JSON.stringify(actual ?? null)} instead of ${JSON.stringify(expected)}`, {
    code: 'not_verified',
    hint: 'the gateway reloads asynchronously; check again with cpactl config get, and look at the gateway log',
    details: {key: name, expected, actual: actual ?? null},
  })
}
