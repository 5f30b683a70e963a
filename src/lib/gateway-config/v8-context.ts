/**
 * What the v8 `config check` rules see (rules-v8.ts, rules-v8-lint.ts), and walkers over the
 * api-keys groups and keys of a v8 document.
 */
import {isPlainObject, type PathPart} from './path.js'
import type {MigrationResult} from './migrate.js'
import type {RuleDef, Thresholds} from './rule-kit.js'
import type {V8Issue} from './v8-schema.js'

export interface V8RuleContext {
  /** The document as the gateway loads it: legacy keys at their v8 paths, unknown fields removed. */
  data: Record<string, unknown>
  /** The file as written. */
  raw: Record<string, unknown>
  migration: MigrationResult
  /** The file has `config-version` (legacy names then fail every v8 write). */
  marked: boolean
  target: 'file' | 'live'
  thresholds: Thresholds
  extraKnownKeys: readonly string[]
  /** zod issues of `data` (v8-schema.ts), computed once. */
  issues: readonly V8Issue[]
  /** Someone collects this gateway's usage: live checks, a rules-file collection-interval, or a retention set in the file. */
  collectorConfigured: boolean
}

export type V8Rule = RuleDef<V8RuleContext>

/** Every key of every api-keys group, with its path (`api-keys.codex[0].keys[1]`). */
export function eachKey(data: Record<string, unknown>, fn: (parts: PathPart[], key: Record<string, unknown>, group: Record<string, unknown>, provider: string) => void): void {
  eachGroup(data, (parts, group, provider) => {
    const keys = group.keys
    if (!Array.isArray(keys)) return
    keys.forEach((k, ki) => {
      if (isPlainObject(k)) fn([...parts, 'keys', ki], k, group, provider)
    })
  })
}

export function eachGroup(data: Record<string, unknown>, fn: (parts: PathPart[], group: Record<string, unknown>, provider: string) => void): void {
  const groups = data['api-keys']
  if (!isPlainObject(groups)) return
  for (const [provider, list] of Object.entries(groups)) {
    if (!Array.isArray(list)) continue
    list.forEach((g, gi) => {
      if (isPlainObject(g)) fn(['api-keys', provider, gi], g, provider)
    })
  }
}

