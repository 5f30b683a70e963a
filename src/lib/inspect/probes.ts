/**
 * Provider probes: which providers cpactl can inspect, the interface a probe implements, and the shared
 * judgement of quota windows against the threshold. The probes themselves live in probe-<provider>.ts and
 * only describe requests and read answers; probe-registry.ts loads them; the runner (run.ts) sends them
 * through `/api-call`.
 */
import type {AuthFileEntry} from '../gateway/auth-files.js'
import type {UpstreamAnswer} from './evidence.js'
import {exhausted} from './windows.js'
import type {ProbeOutcome} from './types.js'
import type {QuotaWindows} from '../store/index.js'

export interface UpstreamCall {
  method: string
  url: string
  header: Record<string, string>
}

export interface ProbeContext {
  entry: AuthFileEntry
  threshold: number
  nowMs: number
  /** Send one request through the gateway's /api-call (timeouts retried once by the runner). */
  call(request: UpstreamCall): Promise<UpstreamAnswer>
}

export interface ProviderProbe {
  provider: string
  /** What is asked, for `--help` and the README. */
  describe: string
  probe(ctx: ProbeContext): Promise<ProbeOutcome>
}

function describeWindow(label: string, used: number | null, resetsAt: string | null): string {
  return `${label} ${used === null ? '?' : `${used}%`}${resetsAt ? ` (resets ${resetsAt})` : ''}`
}

/**
 * The threshold rule shared by every probe: the long window at/over the threshold is disable evidence;
 * the short window at/over it is quota exhaustion that resets on its own (keep); otherwise ok.
 */
export function judgeWindows(windows: QuotaWindows, plan: string | null, status: number, threshold: number): ProbeOutcome {
  const {short, long} = windows
  const summary = [short, long]
    .filter((w) => w !== null)
    .map((w) => describeWindow(w!.label, w!.usedPercent, w!.resetsAt))
    .join(', ')
  if (exhausted(long, threshold)) {
    return {
      classification: 'quota_exhausted',
      httpStatus: status,
      plan,
      windows,
      disableEvidence: true,
      reason: `long window ${long!.label} at ${long!.usedPercent}% (threshold ${threshold}%)${long!.resetsAt ? `, resets ${long!.resetsAt}` : ''}`,
    }
  }
  if (exhausted(short, threshold)) {
    return {
      classification: 'quota_exhausted',
      httpStatus: status,
      plan,
      windows,
      disableEvidence: false,
      reason: `short window ${short!.label} at ${short!.usedPercent}% (threshold ${threshold}%)${short!.resetsAt ? `, resets ${short!.resetsAt}` : ''}; the long window has headroom, so it is kept`,
    }
  }
  return {classification: 'ok', httpStatus: status, plan, windows, disableEvidence: false, reason: summary ? `quota ${summary}` : 'quota ok'}
}

/** The provider of an auth-file entry (`provider`, else `type`), lower-case. */
export function providerOf(entry: AuthFileEntry): string {
  return String(entry.provider ?? entry.type ?? 'unknown').toLowerCase()
}
