/**
 * `report models | providers | accounts | api-keys`: one row per group with requests, failures, tokens, cost,
 * share of cost, latency and last seen. Accounts are named from the latest auth-file list (else the newest
 * usage source); API keys by alias, else masked key, else a hash prefix — never the raw key.
 */
import type {PriceBook} from '../pricing/cost.js'
import type {Store} from '../store/index.js'
import {accountDisplay, apiKeyDisplay} from './context.js'
import {runQuery, type ReportWarning} from './engine.js'
import {type GroupBy} from './groups.js'
import {resolveFilters, type FilterInput, type FiltersJson} from './filters.js'
import {CostIssues, explainCost, mergeGroups, metricsOf, type ExplainModel, type Metrics} from './metrics.js'
import {rangeJson, type RangeJson, type TimeRange} from './range.js'
import {sortRows, type SortKey} from './sort.js'

export type BreakdownKind = 'models' | 'providers' | 'accounts' | 'api-keys'

const GROUP_OF: Record<BreakdownKind, GroupBy> = {models: 'model', providers: 'provider', accounts: 'account', 'api-keys': 'api-key'}

export interface BreakdownRow extends Metrics {
  /** The grouping value: model name, provider, auth_index or API-key hash ('' = absent). */
  key: string
  /** Human name: model/provider, account name, key alias or masked key. */
  name: string
  /** Share of the range's total cost (null when the total is 0). */
  costShare: number | null
  /** Providers that served the group's requests. */
  providers: string[]
  /** accounts: the credential's auth-file name, email, label and newest usage source (null for other reports). */
  account: {authIndex: string; fileName: string | null; email: string | null; label: string | null; source: string | null} | null
  /** api-keys: alias, masked key (when known from the gateway) and hash (null for other reports). */
  apiKey: {hash: string; alias: string | null; masked: string | null} | null
}

export interface BreakdownResult {
  range: RangeJson
  currency: 'USD'
  groupBy: 'model' | 'provider' | 'account' | 'api-key'
  filters: FiltersJson
  rows: BreakdownRow[]
  totals: Metrics
  /** Groups in the range before --limit. */
  totalRows: number
  truncated: boolean
  percentiles: 'exact' | 'estimated'
  /** models --explain: price and bucket arithmetic per model, else null. */
  explain: ExplainModel[] | null
  warnings: ReportWarning[]
}

export interface BreakdownOptions {
  /** Ranges with at most this many requests are read from raw events (default EXACT_LIMIT; tests and benchmarks). */
  exactLimit?: number
  kind: BreakdownKind
  range: TimeRange
  filters: FilterInput
  prices: PriceBook
  sort?: SortKey
  limit?: number
  explain?: boolean
}

export async function buildBreakdown(store: Store, o: BreakdownOptions): Promise<BreakdownResult> {
  const resolved = await resolveFilters(store, o.filters)
  const groupBy = GROUP_OF[o.kind]
  const res = await runQuery(store, {range: o.range, filters: resolved.filters, groupBy, prices: o.prices, exactLimit: o.exactLimit})
  const issues = new CostIssues()
  const all = mergeGroups(res.groups)
  const totals = metricsOf(all, o.prices)
  const keys = res.groups.map((g) => g.key)
  const accounts = o.kind === 'accounts' ? await store.aliases.accountNames(keys.filter((k) => k !== '')) : null
  const apiKeys = o.kind === 'api-keys' ? await store.aliases.keyNames(keys) : null
  let rows: BreakdownRow[] = res.groups.map((g) => {
    const m = metricsOf(g, o.prices, issues)
    let name = g.key === '' ? '(none)' : g.key
    let account: BreakdownRow['account'] = null
    let apiKey: BreakdownRow['apiKey'] = null
    if (accounts) {
      const n = accounts.get(g.key)
      name = accountDisplay(g.key, n)
      account = {authIndex: g.key, fileName: n?.name ?? null, email: n?.email ?? null, label: n?.label ?? null, source: n?.source ?? null}
    }
    if (apiKeys) {
      const n = apiKeys.get(g.key)
      name = apiKeyDisplay(g.key, n)
      apiKey = {hash: g.key, alias: n?.alias ?? null, masked: n?.masked ?? null}
    }
    return {
      key: g.key,
      name,
      ...m,
      costShare: totals.costUsd > 0 ? m.costUsd / totals.costUsd : null,
      providers: [...g.providers].sort(),
      account,
      apiKey,
    }
  })
  rows = sortRows(rows, o.sort ?? 'cost')
  const totalRows = rows.length
  const limit = o.limit ?? totalRows
  const warnings = [...resolved.warnings, ...res.warnings, ...issues.warnings()]
  if (totalRows > limit) {
    rows = rows.slice(0, limit)
    warnings.push({code: 'truncated', message: `showing ${limit} of ${totalRows} rows (--limit); totals cover all rows`})
  }
  return {
    range: rangeJson(o.range),
    currency: 'USD',
    groupBy: groupBy as BreakdownResult['groupBy'],
    filters: resolved.json,
    rows,
    totals,
    totalRows,
    truncated: totalRows > limit,
    percentiles: res.mode === 'exact' ? 'exact' : 'estimated',
    explain: o.explain ? explainCost(res.groups, o.prices) : null,
    warnings,
  }
}
