/**
 * `report failures`: failed requests grouped by status code × account × model, each with the latest redacted
 * error summary and its credential-error class: `reauth` (revoked/invalid/expired
 * token), `quota` (allowance exhausted, usage limit reached), `workspace_deactivated` (workspace or account
 * deactivated), `review` (401/402/403 without explicit evidence), or null (not a credential problem). The
 * evidence markers are the inspection module's (src/lib/inspect/evidence.ts), so both agree.
 */
import {findEvidence} from '../usage/failure-evidence.js'
import type {PriceBook} from '../pricing/cost.js'
import type {Store} from '../store/index.js'
import {accountDisplay} from './context.js'
import {runQuery, type ReportWarning} from './engine.js'
import {resolveFilters, type FilterInput, type FiltersJson} from './filters.js'
import {rangeJson, type RangeJson, type TimeRange} from './range.js'

export type CredentialClass = 'reauth' | 'quota' | 'workspace_deactivated' | 'review'

/** Classify a failure by status and (redacted) error text. */
export function credentialClass(status: number, summary: string | null): CredentialClass | null {
  const kind = findEvidence(status, summary ?? '')
  switch (kind) {
    case 'workspace_deactivated':
    case 'account_deactivated':
      return 'workspace_deactivated'
    case 'token_revoked':
    case 'token_invalid':
      return 'reauth'
    case 'allowance_exhausted':
    case 'usage_limit_reached':
      return 'quota'
    default:
      break
  }
  if (status === 401 || status === 402 || status === 403) return 'review'
  return null
}

export interface FailureRow {
  statusCode: number
  authIndex: string
  /** Account name (auth-file name, email, label or source), else the auth_index. */
  account: string
  model: string
  failures: number
  /** Newest failure in the range (ISO 8601 UTC). */
  lastSeen: string | null
  /** Redacted error summary of the newest failure (null when the gateway sent none or raw events were pruned). */
  latestError: string | null
  /** Request id of the newest failure, for `cpactl logs request ID`. */
  latestRequestId: string | null
  credentialClass: CredentialClass | null
}

export interface FailuresResult {
  range: RangeJson
  groupBy: 'status-account-model'
  filters: FiltersJson
  rows: FailureRow[]
  totals: {failures: number; groups: number}
  totalRows: number
  truncated: boolean
  warnings: ReportWarning[]
}

export interface FailuresOptions {
  /** Ranges with at most this many requests are read from raw events (default EXACT_LIMIT; tests and benchmarks). */
  exactLimit?: number
  range: TimeRange
  filters: FilterInput
  prices: PriceBook
  limit?: number
}

export async function buildFailures(store: Store, o: FailuresOptions): Promise<FailuresResult> {
  const resolved = await resolveFilters(store, {...o.filters, failed: true})
  const res = await runQuery(store, {range: o.range, filters: resolved.filters, groupBy: 'failure', prices: o.prices, percentiles: false, exactLimit: o.exactLimit})
  const groups = res.groups.filter((g) => g.requests > 0).sort((a, b) => b.requests - a.requests || b.lastTs - a.lastTs || (a.key < b.key ? -1 : 1))
  const totalRows = groups.length
  const limit = o.limit ?? totalRows
  const shown = groups.slice(0, limit)
  const names = await store.aliases.accountNames([...new Set(shown.map((g) => g.key.split('\u001f')[1]).filter((a) => a !== ''))])
  const keys = shown.map((g) => {
    const [statusText, authIndex, model] = g.key.split('\u001f')
    return {status: Number(statusText), authIndex, model}
  })
  const latestAll = await store.events.latestFailures({groups: keys, since: o.range.since, until: o.range.until, instances: resolved.filters.instances})
  const rows: FailureRow[] = shown.map((g, i) => {
    const {status, authIndex, model} = keys[i]
    const latest = latestAll[i]
    const cls = credentialClass(status, latest?.summary ?? null)
    return {
      statusCode: status,
      authIndex,
      account: accountDisplay(authIndex, names.get(authIndex)),
      model,
      failures: g.requests,
      lastSeen: g.lastTs > 0 ? new Date(g.lastTs).toISOString() : null,
      latestError: latest?.summary ?? null,
      latestRequestId: latest?.requestId ?? null,
      credentialClass: cls,
    }
  })
  const warnings = [...resolved.warnings, ...res.warnings]
  if (totalRows > limit) warnings.push({code: 'truncated', message: `showing ${limit} of ${totalRows} groups (--limit); totals cover all groups`})
  return {
    range: rangeJson(o.range),
    groupBy: 'status-account-model',
    filters: resolved.json,
    rows,
    totals: {failures: groups.reduce((s, g) => s + g.requests, 0), groups: totalRows},
    totalRows,
    truncated: totalRows > limit,
    warnings,
  }
}
