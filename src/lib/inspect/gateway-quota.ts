/**
 * The gateway's own quota fetch: early 8.0.x builds serve
 * `GET /credentials/quota/providers` and `POST /credentials/quota/fetch`, answered by quota-provider plugins;
 * later builds removed them (a bare 404). `cpactl quota --refresh` feature-probes the provider list once per run
 * and, for credentials a provider covers, reads the normalised quota instead of probing the upstream through
 * /api-call. Everything else (and a 501 "no quota provider available") keeps the /api-call probes.
 */
import {RejectedError, UpstreamError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {durationMs} from '../time/duration.js'
import {judgeWindows} from './probes.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindow, QuotaWindows} from '../store/index.js'

export interface GatewayQuotaSupport {
  /** Credential providers some quota provider covers. */
  providers: Set<string>
  /** plugin_id of the provider covering each credential provider. */
  pluginOf: Map<string, string>
}

/**
 * The providers the gateway's quota fetch covers, or null when the gateway has no such route (v7, later v8
 * builds) or lists none. Auth errors propagate (they end the run); any other answer means "not available".
 */
export async function gatewayQuotaSupport(client: GatewayClient): Promise<GatewayQuotaSupport | null> {
  let res
  try {
    res = await client.call<{providers?: unknown}>('quotaProviders', {passStatuses: [404], retry: false})
  } catch (error) {
    if (error instanceof RejectedError || (error instanceof UpstreamError && error.code !== 'aborted')) return null
    throw error
  }
  if (res.status !== 200 || !Array.isArray(res.data?.providers)) return null
  const support: GatewayQuotaSupport = {providers: new Set(), pluginOf: new Map()}
  for (const p of res.data.providers) {
    if (!p || typeof p !== 'object') continue
    const entry = p as {plugin_id?: unknown; provider?: unknown; supported_providers?: unknown}
    const covered = [entry.provider, ...(Array.isArray(entry.supported_providers) ? entry.supported_providers : [])].filter((x): x is string => typeof x === 'string' && x !== '')
    for (const c of covered) {
      support.providers.add(c)
      if (typeof entry.plugin_id === 'string') support.pluginOf.set(c, entry.plugin_id)
    }
  }
  return support.providers.size > 0 ? support : null
}

interface Bucket {
  window?: unknown
  remainingFraction?: unknown
  resetTime?: unknown
  description?: unknown
}

/** `5h` → 18000, `7d` → 604800 (the one duration grammar, lib/time); null when the label says no length. */
function windowSeconds(label: string): number | null {
  const ms = durationMs(label)
  return ms === null ? null : Math.round(ms / 1000)
}

/** The normalised quota answer as the windows every probe reports (short = the shortest, long = the longest). */
export function windowsFromQuota(data: unknown): {windows: QuotaWindows; plan: string | null} {
  const d = (data && typeof data === 'object' ? data : {}) as {subscription?: {plan?: unknown}; groups?: unknown}
  const all: QuotaWindow[] = []
  for (const g of Array.isArray(d.groups) ? d.groups : []) {
    const group = (g && typeof g === 'object' ? g : {}) as {displayName?: unknown; buckets?: unknown}
    for (const raw of Array.isArray(group.buckets) ? (group.buckets as Bucket[]) : []) {
      const label = typeof raw.window === 'string' && raw.window !== '' ? raw.window : typeof group.displayName === 'string' ? group.displayName : 'quota'
      const remaining = typeof raw.remainingFraction === 'number' ? raw.remainingFraction : null
      const resetMs = typeof raw.resetTime === 'string' ? Date.parse(raw.resetTime) : Number.NaN
      const seconds = windowSeconds(label)
      all.push({
        id: label,
        label,
        usedPercent: remaining === null ? null : Math.round((1 - remaining) * 100),
        resetsAt: Number.isNaN(resetMs) ? null : new Date(resetMs).toISOString(),
        windowSeconds: seconds,
        startedAt: !Number.isNaN(resetMs) && seconds !== null ? new Date(resetMs - seconds * 1000).toISOString() : null,
      })
    }
  }
  const sorted = [...all].sort((a, b) => (a.windowSeconds ?? Number.MAX_SAFE_INTEGER) - (b.windowSeconds ?? Number.MAX_SAFE_INTEGER))
  const short = sorted.length > 1 ? sorted[0] : null
  const long = sorted.length > 0 ? sorted[sorted.length - 1] : null
  const extra = sorted.filter((w) => w !== short && w !== long)
  const plan = typeof d.subscription?.plan === 'string' ? d.subscription.plan : null
  return {windows: {short, long, extra}, plan}
}

/**
 * Read one credential's quota through the gateway. null when no provider covers it after all (501): the caller
 * falls back to its /api-call probe. Other refusals and failures throw like an /api-call would.
 */
export async function fetchGatewayQuota(client: GatewayClient, authIndex: string, threshold: number, plugin: string | undefined, timeoutMs: number): Promise<ProbeOutcome | null> {
  const res = await client.call<unknown>('quotaFetch', {json: {auth_index: authIndex}, passStatuses: [501], retry: false, timeoutMs})
  if (res.status === 501) return null
  const {windows, plan} = windowsFromQuota(res.data)
  const outcome = judgeWindows(windows, plan, 200, threshold)
  return {...outcome, reason: `${outcome.reason} (the gateway's quota fetch${plugin ? `, plugin ${plugin}` : ''})`}
}
