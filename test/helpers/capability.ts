/**
 * Suites that need something from the machine (the built binary, a tmpfs mount for a full disk, a session
 * keyring) skip without it on a developer's machine, but never quietly: a loud notice goes to stderr. Under CI
 * (CI set and not "false"/"0") a missing capability is itself a failing test, so CI cannot pass with them skipped.
 */
import {it} from 'vitest'

export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0'
}

/**
 * Declare what a suite needs; returns `available` for `it.runIf`/`describe.runIf`. Call it at the top level of
 * a test file (it may register a test).
 */
export function requireCapability(name: string, available: boolean, howToGetIt: string): boolean {
  if (available) return true
  const bar = '!'.repeat(100)
  process.stderr.write(`\n${bar}\n!!! SKIPPED: ${name} is not available here, so its tests do not run.\n!!! ${howToGetIt}\n${bar}\n\n`)
  if (inCi()) {
    it(`${name} is available (required under CI)`, () => {
      throw new Error(`${name} is not available under CI: ${howToGetIt}`)
    })
  }
  return false
}
