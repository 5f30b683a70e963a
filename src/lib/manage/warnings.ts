/**
 * Warnings of the manage commands: kept in the result (scripts act on them) and written to stderr at once, in
 * every mode including --json (oclif mutes its own `warn` there), before any confirmation question.
 */
import {warn} from '../cli/output.js'

export function addWarning(list: string[], message: string): void {
  list.push(message)
  warn(message)
}
