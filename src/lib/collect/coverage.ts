/**
 * Coverage estimate (issue 4 "Seeing what is missed"): the gateway counts every
 * upstream attempt per credential (`success`/`failed` of GET /auth-files, since gateway start). Between two
 * snapshots of those counters, a sole collector should receive one record per counted attempt. When it
 * received clearly fewer, someone else consumed them: another collector popping the same FIFO, or any
 * SUBSCRIBE client (while one is attached the FIFO receives nothing at all).
 *
 * Only credentials listed by /auth-files take part (config API keys are not listed there), on both sides.
 */
import type {CredentialCounters} from '../gateway/usage-queue.js'

export interface Coverage {
  /** collected / expected, capped at 1; null when it cannot be estimated. */
  ratio: number | null
  /** Attempts the gateway counted for listed credentials in the window. */
  expected: number
  /** Records this collector stored for those credentials in the window. */
  collected: number
  /** `previous-run`: since the previous run's closing snapshot; `window`: a checkpoint inside a follow run. */
  basis: 'previous-run' | 'window' | null
  /** Start and end of the window (ms). */
  since: number | null
  until: number | null
  note: string | null
}

export const COVERAGE_WARN_RATIO = 0.9
/** Below this many expected records a shortfall is noise (records still in flight at the snapshot). */
export const COVERAGE_MIN_MISSING = 10

export function unknownCoverage(note: string): Coverage {
  return {ratio: null, expected: 0, collected: 0, basis: null, since: null, until: null, note}
}

/**
 * Compare counter growth `before → after` with what was collected per auth_index in the same window.
 * Counters that went down mean the gateway restarted (they count since start): no estimate.
 */
export function estimateCoverage(
  before: CredentialCounters,
  after: CredentialCounters,
  collected: Map<string, [number, number]>,
  window: {basis: 'previous-run' | 'window'; since: number; until: number},
): Coverage {
  let expected = 0
  let got = 0
  for (const [idx, [s1, f1]] of Object.entries(after)) {
    const [s0, f0] = before[idx] ?? [0, 0]
    if (s1 < s0 || f1 < f0) {
      return {...unknownCoverage('the gateway counters went down (gateway restarted); no estimate for this window'), basis: window.basis, since: window.since, until: window.until}
    }
    if (!(idx in before)) continue // a credential added in the window: its history before is unknown
    expected += s1 - s0 + (f1 - f0)
    const c = collected.get(idx)
    if (c) got += c[0] + c[1]
  }
  const ratio = expected === 0 ? null : Math.min(1, got / expected)
  return {
    ratio,
    expected,
    collected: got,
    basis: window.basis,
    since: window.since,
    until: window.until,
    note: expected === 0 ? 'no traffic counted by the gateway in this window' : null,
  }
}

/** The warning for a low estimate, or null. `expiredPossible` when the window exceeded the queue retention. */
export function coverageWarning(c: Coverage, expiredPossible: boolean): string | null {
  if (c.ratio === null || c.ratio >= COVERAGE_WARN_RATIO || c.expected - c.collected < COVERAGE_MIN_MISSING) return null
  const pct = `${Math.round(c.ratio * 100)}%`
  const counts = `${c.collected} of ${c.expected} requests the gateway counted`
  if (expiredPossible) {
    return `collected ${counts} (${pct}); the gap between runs exceeded the queue retention, so records may have expired unseen`
  }
  return `collected only ${counts} (${pct}): records are being consumed elsewhere — another collector popping the same gateway, or a SUBSCRIBE client (which starves the queue while attached)`
}
