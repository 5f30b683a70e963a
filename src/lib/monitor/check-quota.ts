/**
 * `cpactl check quota`: which accounts are about to run out, from the latest inspection of each (or fresh
 * probes with --live). An account's used percent is the highest of its windows (--window any), or of its short
 * or long window only.
 *   CRITICAL  used ≥ --crit, or the provider says the quota is exhausted without a number;
 *   WARNING   used ≥ --warn;
 *   UNKNOWN   the quota could not be read (probe failed, token revoked, workspace deactivated, review), the
 *             inspection is older than --max-inspection-age, or there is no inspection at all.
 * Accounts disabled on the gateway are left out unless --include-disabled (they serve no traffic).
 */
import {formatDuration} from '../time/duration.js'
import {matchesAccount} from '../inspect/quota.js'
import type {QuotaWindow} from '../store/index.js'
import type {StoredResult} from '../store/index.js'
import {summarize, worst, type CheckItem, type CheckState, type Evaluation, type Perfdata} from './check-types.js'

export type QuotaWindowChoice = 'any' | 'short' | 'long'

export interface QuotaCheckOptions {
  warn: number
  crit: number
  window: QuotaWindowChoice
  includeDisabled: boolean
  /** Results older than this are UNKNOWN; null: no limit (--live). */
  maxInspectionAgeMs: number | null
  providers: string[] | null
  accounts: string[] | null
  now: number
}

export interface QuotaItem extends CheckItem {
  instance: string
  /** Auth-file name. */
  account: string
  provider: string
  authIndex: string | null
  classification: string
  disabled: boolean
  /** Highest used percent of the chosen windows, null when none reported a number. */
  usedPercent: number | null
  /** That window's label (5h, 7d, …) and reset time. */
  window: string | null
  resetsAt: string | null
  checkedAt: string
}

const UNREADABLE: Record<string, string> = {
  probe_failed: 'probe failed',
  reauth: 'needs a new login',
  workspace_deactivated: 'workspace deactivated',
  review: 'needs review',
}

function chosen(r: StoredResult, choice: QuotaWindowChoice): QuotaWindow | null {
  const ws = choice === 'short' ? [r.windows.short] : choice === 'long' ? [r.windows.long] : [r.windows.short, r.windows.long, ...r.windows.extra]
  let best: QuotaWindow | null = null
  for (const w of ws) if (w && w.usedPercent !== null && (best === null || w.usedPercent > (best.usedPercent ?? -1))) best = w
  return best
}

const pct = (v: number) => `${Math.round(v * 10) / 10}%`

export function checkQuota(results: ReadonlyArray<{instance: string; result: StoredResult}>, o: QuotaCheckOptions): Evaluation<QuotaItem> {
  const items: QuotaItem[] = []
  const perfdata: Perfdata[] = []
  let ignored = 0
  for (const {instance, result: r} of results) {
    if (r.classification === 'skipped') continue
    if (o.providers && o.providers.length > 0 && !o.providers.includes(r.provider)) continue
    if (o.accounts && o.accounts.length > 0 && !matchesAccount(r, o.accounts)) continue
    if (r.disabled && !o.includeDisabled) {
      ignored++
      continue
    }
    const w = chosen(r, o.window)
    const used = w?.usedPercent ?? null
    const age = o.now - Date.parse(r.checkedAt)
    let state: CheckState
    let why: string
    if (o.maxInspectionAgeMs !== null && age > o.maxInspectionAgeMs) {
      state = 'unknown'
      why = `last inspected ${formatDuration(age)} ago (max ${formatDuration(o.maxInspectionAgeMs)})`
    } else if (UNREADABLE[r.classification]) {
      state = 'unknown'
      why = `quota unreadable: ${UNREADABLE[r.classification]}`
    } else if (used === null) {
      state = r.classification === 'quota_exhausted' ? 'critical' : 'ok'
      why = r.classification === 'quota_exhausted' ? 'quota exhausted' : 'no quota window reported'
    } else {
      state = used >= o.crit ? 'critical' : used >= o.warn ? 'warning' : 'ok'
      why = `${pct(used)} used (${w!.label})${w!.resetsAt ? `, resets ${w!.resetsAt}` : ''}`
    }
    items.push({
      target: `${instance}/${r.name}`,
      state,
      summary: `${r.name}: ${why}`,
      instance,
      account: r.name,
      provider: r.provider,
      authIndex: r.authIndex,
      classification: r.classification,
      disabled: r.disabled,
      usedPercent: used,
      window: w?.label ?? null,
      resetsAt: w?.resetsAt ?? null,
      checkedAt: r.checkedAt,
    })
    if (used !== null) perfdata.push({label: `${r.name} used`, value: used, uom: '%', warn: o.warn, crit: o.crit, min: 0, max: 100})
  }
  const note = ignored > 0 ? ` (${ignored} disabled account${ignored === 1 ? '' : 's'} left out)` : ''
  const top = items.filter((i) => i.usedPercent !== null).sort((a, b) => b.usedPercent! - a.usedPercent!)[0]
  const okText = `${items.length} account${items.length === 1 ? '' : 's'} below ${o.warn}%${top ? `, highest ${pct(top.usedPercent!)} (${top.account}, ${top.window})` : ''}`
  const state: CheckState = items.length === 0 ? 'unknown' : worst(items.map((i) => i.state))
  const summary = items.length === 0 ? `no inspected account matches${note}: run cpactl inspect run, or pass --live` : summarize(items, okText, 'account') + note
  return {
    check: 'quota',
    state,
    summary,
    items,
    perfdata,
    thresholds: {warn: o.warn, crit: o.crit, window: o.window, maxInspectionAgeSeconds: o.maxInspectionAgeMs === null ? null : o.maxInspectionAgeMs / 1000},
    warnings: [],
  }
}
