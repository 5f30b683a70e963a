/**
 * The one doctor-check type: what `doctor` (and any check-style command) reports per check, and the exit code
 * linters use: 0 when everything passed, 1 on a failure, or on a warning with
 * --warnings-as-errors.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'

export interface DoctorCheck {
  /** Stable kebab-case name, e.g. `collector-last-run`. */
  check: string
  status: CheckStatus
  message: string
  /** What to run or change to fix it; null when nothing is needed. */
  fix: string | null
}

export function check(name: string, status: CheckStatus, message: string, fix: string | null = null): DoctorCheck {
  return {check: name, status, message, fix}
}

/** 0 when every check passed (or warned), 1 on a failure, or on a warning with `warningsAsErrors`. */
export function checksExitCode(checks: readonly DoctorCheck[], warningsAsErrors: boolean): number {
  if (checks.some((c) => c.status === 'fail')) return 1
  if (warningsAsErrors && checks.some((c) => c.status === 'warn')) return 1
  return 0
}
