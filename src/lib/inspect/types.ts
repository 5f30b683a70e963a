/**
 * Types of `cpactl inspect` and `cpactl quota` (issue 7). The JSON shapes here are the stable contract
 * documented in the README: camelCase, optional values are `null`, lists are arrays.
 */
import type {Warning} from '../cli/warnings.js'


/** What an inspection concluded about one credential. */
export type Classification =
  | 'ok'
  | 'quota_exhausted'
  | 'reauth'
  | 'workspace_deactivated'
  | 'review'
  | 'probe_failed'
  | 'skipped'

export const CLASSIFICATIONS: readonly Classification[] = [
  'ok',
  'quota_exhausted',
  'reauth',
  'workspace_deactivated',
  'review',
  'probe_failed',
  'skipped',
]

/** The action the policy proposes. `delete-suggested` is only ever printed: cpactl never deletes. */
export type ProposedAction = 'keep' | 'disable' | 'enable' | 'reauth' | 'review' | 'delete-suggested'

export const PROPOSED_ACTIONS: readonly ProposedAction[] = ['keep', 'disable', 'enable', 'reauth', 'review', 'delete-suggested']

/** What cpactl actually wrote: nothing (`null`), a disable or enable, or a planned write it did not do. */
export type ActionTaken = 'disabled' | 'enabled' | 'skipped' | 'failed' | null

/** `--apply`: which writes may run. */
export type ApplyMode = 'none' | 'disable' | 'enable' | 'all'

export const APPLY_MODES: readonly ApplyMode[] = ['none', 'disable', 'enable', 'all']

export interface QuotaWindow {
  /** Provider's name for the window, e.g. `primary_window`, `five_hour`, `weekly_credits`. */
  id: string
  /** Human label: `5h`, `7d`, `30d`, `7d opus`, … */
  label: string
  /** 0–100 (may exceed 100 when the provider says so); null when the provider gave no number. */
  usedPercent: number | null
  /** When the window resets (ISO 8601 UTC), null when unknown. */
  resetsAt: string | null
  /** Window length in seconds, null when unknown. */
  windowSeconds: number | null
  /** resetsAt − windowSeconds (ISO 8601 UTC): where "usage since the window started" counts from. */
  startedAt: string | null
}

/** Windows of one account: the short (e.g. 5-hour) and long (weekly/monthly) limit, plus any extra ones. */
export interface QuotaWindows {
  short: QuotaWindow | null
  long: QuotaWindow | null
  extra: QuotaWindow[]
}

/** What a provider probe found (before policy). */
export interface ProbeOutcome {
  classification: Exclude<Classification, 'skipped'>
  /** Upstream HTTP status inside the /api-call answer; null when there was none (timeout, gateway error). */
  httpStatus: number | null
  plan: string | null
  windows: QuotaWindows
  /** True when the long window is exhausted, the workspace deactivated, or the token revoked/invalid. */
  disableEvidence: boolean
  /** One line explaining the classification. */
  reason: string
}

/** The auth-file facts an inspection result keeps (identity for the re-verification before writes). */
export interface AccountRef {
  name: string
  authIndex: string | null
  provider: string
  email: string | null
  label: string | null
  /** ChatGPT account id (codex) or xAI `sub`, when known. */
  accountId: string | null
  disabled: boolean
  /** File modification time as the gateway lists it (used to tell our own disable from later edits). */
  modtime: string | null
  statusMessage: string | null
}

/** One row of `inspect run` (README: "inspect run JSON"). */
export interface InspectResult {
  name: string
  provider: string
  authIndex: string | null
  email: string | null
  label: string | null
  plan: string | null
  /** Disabled when probed. */
  disabled: boolean
  windows: QuotaWindows
  httpStatus: number | null
  classification: Classification
  action: ProposedAction
  actionTaken: ActionTaken
  reason: string
  /** Probe attempts made (0 when skipped, 2 after a timed-out first attempt). */
  attempts: number
  checkedAt: string
}

export interface InspectSummary {
  total: number
  probed: number
  skipped: number
  probeFailed: number
  classifications: Record<Classification, number>
  actions: Record<ProposedAction, number>
  disabled: number
  enabled: number
  writesSkipped: number
  writesFailed: number
}

export interface InspectRunInfo {
  id: number | null
  instance: string
  startedAt: string
  finishedAt: string | null
  /** The effective --apply mode: which writes were allowed. */
  applied: ApplyMode
  threshold: number
  providers: string[] | null
  trigger: 'inspect' | 'quota'
}

export interface InspectRunResult {
  run: InspectRunInfo
  results: InspectResult[]
  summary: InspectSummary
  /** `partial_success` when probes or writes failed (exit 6), naming the accounts. */
  warnings: Warning[]
}
