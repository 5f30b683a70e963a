/**
 * The result of every `cpactl check …` (README "Monitoring"): one verdict, the items it was made of, the
 * performance data in the monitoring-plugins format, and what happened to the notifications. Pure data and
 * the small state algebra; no I/O.
 */
import type {Warning} from '../cli/warnings.js'
import type {CheckStateValue} from '../store/index.js'

export type CheckName = 'collector' | 'quota' | 'failures' | 'budget'

export type CheckState = CheckStateValue

/** Worst first, as monitoring-plugins' max_state_alt ranks them: critical > warning > unknown > ok. */
const RANK: Record<CheckState, number> = {ok: 0, unknown: 1, warning: 2, critical: 3}

export function worst(states: readonly CheckState[]): CheckState {
  let out: CheckState = 'ok'
  for (const s of states) if (RANK[s] > RANK[out]) out = s
  return out
}

export function byRank(a: CheckState, b: CheckState): number {
  return RANK[b] - RANK[a]
}

/** Exit code under --nagios: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
export const NAGIOS_EXIT: Record<CheckState, number> = {ok: 0, warning: 1, critical: 2, unknown: 3}

/** Exit code in cpactl's own map: 0 when OK, 1 when the check found a problem (or could not tell). */
export const CPACTL_EXIT: Record<CheckState, number> = {ok: 0, warning: 1, critical: 1, unknown: 1}

/** One performance-data value (`'label'=value[uom];[warn];[crit];[min];[max]`). */
export interface Perfdata {
  label: string
  value: number
  /** '', 's', '%', 'B', 'c' … */
  uom: string
  warn: number | null
  crit: number | null
  min: number | null
  max: number | null
}

/** What every item has; each check adds its own fields (same fields for every item of that check). */
export interface CheckItem {
  /** What was checked, stable across runs (notification state is kept per target). */
  target: string
  state: CheckState
  summary: string
}

export interface NotificationResult {
  /** The webhook URL with its secrets masked (scheme and host only). */
  receiver: string
  /** Stable id of the receiver: first 16 hex digits of the SHA-256 of its URL. */
  receiverId: string
  format: NotifyFormat
  /** Targets whose state changed for this receiver (nothing is posted when empty). */
  changes: Array<{target: string; from: CheckState; to: CheckState}>
  /** Posted and accepted (2xx). False when there was nothing to post or the post failed. */
  delivered: boolean
  attempts: number
  /** HTTP status of the last attempt, null when none was answered. */
  status: number | null
  error: string | null
}

export type NotifyFormat = 'generic' | 'slack' | 'discord'

export interface CheckResult<I extends CheckItem = CheckItem> {
  check: CheckName
  state: CheckState
  summary: string
  items: I[]
  perfdata: Perfdata[]
  /** The thresholds the verdict used (null = not set). */
  thresholds: Record<string, number | string | null>
  /** One entry per --notify receiver; [] without --notify. */
  notifications: NotificationResult[]
  /** Caveats a script must see (cost lower bounds, stale data …); also printed on stderr. */
  warnings: Warning[]
  /** When the check ran (ISO 8601 UTC). */
  checkedAt: string
}

/** A check's own part of the result, before notifications. */
export type Evaluation<I extends CheckItem = CheckItem> = Omit<CheckResult<I>, 'notifications' | 'checkedAt'>

/** The summary for a set of items: the non-OK ones first (at most three), else `okText`. */
export function summarize(items: readonly CheckItem[], okText: string, noun: string): string {
  const bad = items.filter((i) => i.state !== 'ok').sort((a, b) => byRank(a.state, b.state))
  if (bad.length === 0) return okText
  const shown = bad.slice(0, 3).map((i) => i.summary)
  const more = bad.length > 3 ? `; +${bad.length - 3} more` : ''
  return `${bad.length} of ${items.length} ${noun}${items.length === 1 ? '' : 's'} not OK: ${shown.join('; ')}${more}`
}
