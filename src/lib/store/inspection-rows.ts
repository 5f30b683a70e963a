/**
 * The inspection rows the store keeps (inspections.ts, postgres/inspections.ts) and `cpactl inspect` and
 * `cpactl quota` produce: one result per credential with its classification, proposed action, action taken
 * and quota windows, and a run's summary. Their JSON is the stable contract the README documents: camelCase,
 * optional values are `null`, lists are arrays. The store owns these shapes; src/lib/inspect fills them.
 */

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
