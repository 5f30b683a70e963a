/**
 * The one warning shape (issue 14): every result that can warn carries `warnings: [{code, message, items?}]`, and
 * the same message is written to stderr at once, in every mode including --json (oclif mutes its own `warn` there),
 * before any confirmation question. `code` is a stable snake_case name scripts can branch on.
 */
import {warn} from './output.js'

export interface Warning {
  code: string
  message: string
  /** The models, accounts, files … the warning is about. */
  items?: string[]
}

/** Record a warning in a result's list and show it on stderr. */
export function addWarning(list: Warning[], code: string, message: string, items?: string[]): void {
  const w: Warning = items === undefined ? {code, message} : {code, message, items}
  list.push(w)
  warn(message)
}
