/** The result of `config apply FILE` on either API (apply.ts for v7, apply-v8.ts for v8). */
import type {Warning} from '../cli/warnings.js'
import type {ConfigDiffResult} from './diff.js'
import type {PollOptions} from '../gateway/poll.js'

/** paths: one write per changed v8 path (v8 default); replace: the whole document in one PUT (v7 always). */
export type ApplyStrategy = 'paths' | 'replace'

export interface ApplyWrite {
  method: 'PUT' | 'DELETE'
  /** Slash path below /v8/management/config ('' = the whole document), or 'config.yaml' for a whole-file PUT. */
  path: string
  /** planned (dry run, or not yet sent), applied, failed, not-sent (after a failure). */
  status: 'planned' | 'applied' | 'failed' | 'not-sent'
  /** The gateway's answer to a failed write. */
  error?: string
}

export interface ConfigApplyResult {
  file: string
  dryRun: boolean
  /** The file differs from the live config. */
  changed: boolean
  /** Every write was sent and accepted. */
  applied: boolean
  /** Read back and equal to the file (null when nothing was sent, or the new management key cannot be used to read). */
  verified: boolean | null
  /** The comparison (its warnings are in the result's `warnings`). */
  diff: Omit<ConfigDiffResult, 'warnings'>
  warnings: Warning[]
  /** The management API it was applied through. */
  api: 'v8' | 'v0'
  strategy: ApplyStrategy
  /** The writes, in order, with what became of each. */
  writes: ApplyWrite[]
}

export interface ConfigApplyOptions {
  /** v8: paths (default) or replace; v7 has only whole-file writes (replace). */
  strategy?: ApplyStrategy
  dryRun?: boolean
  yes?: boolean
  reveal?: boolean
  /** Called with the diff before asking for confirmation (the command renders it in human mode). */
  onPreview?: (diff: ConfigDiffResult) => void
  poll?: PollOptions
  /** Test seam for confirmOrFail. */
  interactive?: boolean
}
