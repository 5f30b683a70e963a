/**
 * `cpactl quota`: the latest quota windows per credential from the last inspection of each (or fresh probes
 * with --refresh, stored as a run like any other), sorted by headroom (least first), reset times in the
 * chosen zone, and next to every window the requests and tokens the store has collected for that credential
 * since the window started. Made for cron alerts:
 *   cpactl quota --json | jq '.[] | select(.windows.long.usedPercent > 90)'
 */
import type {InspectionRepository, StoredResult} from '../store/index.js'
import {formatLocalIso} from '../time/zone.js'
import {headroom} from './windows.js'
import type {Classification, QuotaWindow} from '../store/index.js'

export interface QuotaWindowView extends QuotaWindow {
  /** resetsAt in the chosen zone (ISO 8601 with offset). */
  resetsAtLocal: string | null
  /** Requests collected for this credential since `startedAt` (null: window start unknown). */
  requests: number | null
  /** Tokens (total bucket) collected since `startedAt`. */
  tokens: number | null
}

export interface QuotaRow {
  name: string
  provider: string
  authIndex: string | null
  email: string | null
  plan: string | null
  disabled: boolean
  classification: Classification
  reason: string
  /** 100 − the highest used % of the short and long window; null when no window is known. */
  headroomPercent: number | null
  checkedAt: string
  runId: number
  windows: {short: QuotaWindowView | null; long: QuotaWindowView | null; extra: QuotaWindowView[]}
}

export interface QuotaViewOptions {
  store: InspectionRepository
  instance: string
  tz: string
  providers?: string[] | null
  accounts?: string[] | null
}

async function viewWindow(store: InspectionRepository, instance: string, authIndex: string | null, tz: string, w: QuotaWindow | null): Promise<QuotaWindowView | null> {
  if (!w) return null
  const reset = w.resetsAt ? Date.parse(w.resetsAt) : null
  const start = w.startedAt ? Date.parse(w.startedAt) : null
  const usage = authIndex && start !== null && !Number.isNaN(start) ? await store.usageSince(instance, authIndex, start) : null
  return {
    ...w,
    resetsAtLocal: reset !== null && !Number.isNaN(reset) ? formatLocalIso(tz, reset) : null,
    requests: usage ? usage.requests : null,
    tokens: usage ? usage.tokens : null,
  }
}

/** Does a result match one of these --account values (auth-file name, auth_index or e-mail)? */
export function matchesAccount(r: Pick<StoredResult, 'name' | 'authIndex' | 'email'>, accounts: readonly string[]): boolean {
  return accounts.some((a) => r.name === a || r.authIndex === a || (r.email !== null && r.email.toLowerCase() === a.toLowerCase()))
}

export async function quotaView(opts: QuotaViewOptions): Promise<QuotaRow[]> {
  let latest = await opts.store.latestResults(opts.instance)
  if (opts.providers && opts.providers.length > 0) latest = latest.filter((r) => opts.providers!.includes(r.provider))
  if (opts.accounts && opts.accounts.length > 0) latest = latest.filter((r) => matchesAccount(r, opts.accounts!))
  const rows: QuotaRow[] = []
  for (const r of latest) {
    const at = (w: QuotaWindow | null) => viewWindow(opts.store, opts.instance, r.authIndex, opts.tz, w)
    const extra: QuotaWindowView[] = []
    for (const w of r.windows.extra) extra.push((await at(w))!)
    rows.push({
      name: r.name,
      provider: r.provider,
      authIndex: r.authIndex,
      email: r.email,
      plan: r.plan,
      disabled: r.disabled,
      classification: r.classification,
      reason: r.reason,
      headroomPercent: headroom(r.windows),
      checkedAt: r.checkedAt,
      runId: r.runId,
      windows: {short: await at(r.windows.short), long: await at(r.windows.long), extra},
    })
  }
  // least headroom first; unknown headroom last; then by name
  rows.sort((a, b) => {
    const ha = a.headroomPercent ?? Number.POSITIVE_INFINITY
    const hb = b.headroomPercent ?? Number.POSITIVE_INFINITY
    return ha !== hb ? ha - hb : a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  })
  return rows
}
