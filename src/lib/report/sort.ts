/** `--sort` for report rows: the metric, descending (name ascending); ties by requests, then name. */
import type {Metrics} from './metrics.js'

export const SORT_KEYS = ['cost', 'requests', 'tokens', 'failures', 'failure-rate', 'latency', 'p95', 'last-seen', 'name'] as const
export type SortKey = (typeof SORT_KEYS)[number]

const VALUE: Record<Exclude<SortKey, 'name'>, (m: Metrics) => number> = {
  cost: (m) => m.costUsd,
  requests: (m) => m.requests,
  tokens: (m) => m.totalTokens,
  failures: (m) => m.failed,
  'failure-rate': (m) => m.failureRate ?? -1,
  latency: (m) => m.avgLatencyMs ?? -1,
  p95: (m) => m.p95LatencyMs ?? -1,
  'last-seen': (m) => (m.lastSeen ? Date.parse(m.lastSeen) : 0),
}

export function sortRows<R extends Metrics & {name: string}>(rows: R[], key: SortKey): R[] {
  const byName = (a: R, b: R) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  if (key === 'name') return [...rows].sort(byName)
  const v = VALUE[key]
  return [...rows].sort((a, b) => v(b) - v(a) || b.requests - a.requests || byName(a, b))
}
