/**
 * Types of `cpactl inspect` and `cpactl quota` (issue 7). The JSON shapes here are the stable contract
 * documented in the README: camelCase, optional values are `null`, lists are arrays. The rows the store keeps
 * (results, summary, classifications, actions, quota windows) are its own: src/lib/store/inspection-rows.ts.
 */
import type {Warning} from '../cli/warnings.js'
import type {ApplyMode, Classification, InspectResult, InspectSummary, QuotaWindows} from '../store/index.js'

/** What a provider probe found (before policy). */
export interface ProbeOutcome {
  classification: Exclude<Classification, 'skipped'>
  /** Upstream HTTP status inside the /api-call answer; null when there was none (timeout, gateway error). */
  httpStatus: number | null
  plan: string | null
  windows: QuotaWindows
  /** True when the long window is exhausted, the workspace deactivated, or the token revoked/invalid. */
  disableEvidence: boolean
  /** One line explaining the classification. */
  reason: string
}

/** The auth-file facts an inspection result keeps (identity for the re-verification before writes). */
export interface AccountRef {
  name: string
  authIndex: string | null
  provider: string
  email: string | null
  label: string | null
  /** ChatGPT account id (codex) or xAI `sub`, when known. */
  accountId: string | null
  disabled: boolean
  /** File modification time as the gateway lists it (used to tell our own disable from later edits). */
  modtime: string | null
  statusMessage: string | null
}

export interface InspectRunInfo {
  id: number | null
  instance: string
  startedAt: string
  finishedAt: string | null
  /** The effective --apply mode: which writes were allowed. */
  applied: ApplyMode
  threshold: number
  providers: string[] | null
  trigger: 'inspect' | 'quota'
}

export interface InspectRunResult {
  run: InspectRunInfo
  results: InspectResult[]
  summary: InspectSummary
  /** `partial_success` when probes or writes failed (exit 6), naming the accounts. */
  warnings: Warning[]
}
