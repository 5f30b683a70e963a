/**
 * Dotted config paths (`routing.strategy`, `codex-api-key[0].base-url`): parse what a user types, print what a
 * finding points at, and read values out of decoded YAML.
 */
import {UsageError} from '../cli/errors.js'

export type PathPart = string | number

/** `['codex-api-key', 0, 'base-url']` → `codex-api-key[0].base-url`. */
export function formatPath(parts: readonly PathPart[]): string {
  let out = ''
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`
    else out += out === '' ? p : `.${p}`
  }
  return out
}

/** `codex-api-key[0].base-url` or `codex-api-key.0.base-url` → parts. Keys may contain '-' and '_'. */
export function parsePath(text: string): PathPart[] {
  const s = text.trim()
  if (s === '') throw new UsageError('empty config key', {code: 'invalid_key'})
  const parts: PathPart[] = []
  for (const segment of s.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment)
    if (!m) throw new UsageError(`invalid config key '${text}'`, {code: 'invalid_key', hint: 'use a dotted path such as routing.strategy or codex-api-key[0].base-url'})
    const [, name, indexes] = m
    if (name !== '') parts.push(/^\d+$/.test(name) && parts.length > 0 ? Number(name) : name)
    else if (indexes === '') throw new UsageError(`invalid config key '${text}' (empty segment)`, {code: 'invalid_key'})
    for (const im of indexes.matchAll(/\[(\d+)\]/g)) parts.push(Number(im[1]))
  }
  if (typeof parts[0] !== 'string') throw new UsageError(`invalid config key '${text}': it must start with a key name`, {code: 'invalid_key'})
  return parts
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** The value at a path, or `undefined` when any step is missing. */
export function getAt(data: unknown, parts: readonly PathPart[]): unknown {
  let cur: unknown = data
  for (const p of parts) {
    if (typeof p === 'number') {
      if (!Array.isArray(cur)) return undefined
      cur = cur[p]
    } else {
      if (!isPlainObject(cur)) return undefined
      cur = cur[p]
    }
  }
  return cur
}

export function hasAt(data: unknown, parts: readonly PathPart[]): boolean {
  if (parts.length === 0) return true
  const parent = getAt(data, parts.slice(0, -1))
  const last = parts[parts.length - 1]
  if (typeof last === 'number') return Array.isArray(parent) && last < parent.length
  return isPlainObject(parent) && Object.hasOwn(parent, last)
}

/** Structural equality for decoded YAML/JSON (map key order ignored, sequence order kept). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((x, i) => deepEqual(x, b[i]))
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a)
    const kb = Object.keys(b)
    if (ka.length !== kb.length) return false
    return ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]))
  }
  return false
}
