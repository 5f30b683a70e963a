/**
 * The one warning shape (issue 14): every result that can warn carries `warnings: [{code, message, items?}]`, and
 * the same message is written to stderr at once, in every mode including --json (oclif mutes its own `warn` there),
 * before any confirmation question. `code` is a stable snake_case name scripts can branch on.
 *
 * Libraries never write a warning themselves: `addWarning` records it in their result and hands it to the
 * command's collector (the base command registers one with `setWarningSink`), which shows it on stderr and puts
 * every warning of the run into the command's JSON result. Without a collector (library tests) nothing is shown.
 */
export interface Warning {
  code: string
  message: string
  /** The models, accounts, files … the warning is about. */
  items?: string[]
}

export type WarningSink = (warning: Warning) => void

let sink: WarningSink | null = null

/** The base command's collector for the run in progress (null after it). */
export function setWarningSink(next: WarningSink | null): void {
  sink = next
}

/** A warning value (not shown yet: put it in a result's `warnings`, or pass it to `reportWarning`). */
export function makeWarning(code: string, message: string, items?: string[]): Warning {
  return items === undefined ? {code, message} : {code, message, items}
}

/** Hand a warning to the command's collector: shown on stderr at once, part of the JSON result. */
export function reportWarning(warning: Warning): Warning {
  sink?.(warning)
  return warning
}

/** Record a warning in a result's list and report it to the command's collector. */
export function addWarning(list: Warning[], code: string, message: string, items?: string[]): Warning {
  const w = makeWarning(code, message, items)
  list.push(w)
  return reportWarning(w)
}
