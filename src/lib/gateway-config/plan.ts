/**
 * The smallest set of v8 config-tree writes that turns one v8 document into another:
 * `PUT /config/<path>` for a value that is new or changed, `DELETE /config/<path>` for a key the desired
 * document does not have. Paths address mapping keys only, so lists (client keys, `api-keys.<provider>` groups,
 * payload rules) are written whole; a mapping is descended into, so a change under `routing` never touches
 * `api-keys`. Pure: no I/O.
 *
 * A key that cannot be a path segment (empty, containing `/`, or `.`/`..`, which URLs rewrite) is written by
 * PUTting the nearest mapping above it. An empty mapping that replaces a non-empty one is PUT as `{}` (deleting its
 * keys would prune it: a DELETE also removes the ancestor mappings it leaves empty). `management.secret-key` goes
 * last: once it changes, the key cpactl holds no longer works.
 */
import {deepEqual, isPlainObject} from './path.js'

export interface PlannedWrite {
  method: 'PUT' | 'DELETE'
  /** Mapping keys from the root; [] is the whole document (only when a root key cannot be addressed). */
  path: string[]
  /** The raw JSON value a PUT sends. */
  value?: unknown
}

export const SECRET_KEY_PATH = ['management', 'secret-key'] as const

const addressable = (key: string) => key !== '' && key !== '.' && key !== '..' && !key.includes('/')

export function planConfigWrites(live: Record<string, unknown>, desired: Record<string, unknown>): PlannedWrite[] {
  const out: PlannedWrite[] = []
  const walk = (l: unknown, d: unknown, path: string[]): void => {
    if (deepEqual(l, d)) return
    const keys = isPlainObject(l) && isPlainObject(d) ? [...new Set([...Object.keys(l), ...Object.keys(d)])] : []
    if (!isPlainObject(l) || !isPlainObject(d) || Object.keys(d).length === 0 || !keys.every(addressable)) {
      out.push({method: 'PUT', path, value: d})
      return
    }
    for (const k of Object.keys(d)) {
      if (Object.hasOwn(l, k)) walk(l[k], d[k], [...path, k])
      else out.push({method: 'PUT', path: [...path, k], value: d[k]})
    }
    for (const k of Object.keys(l)) if (!Object.hasOwn(d, k)) out.push({method: 'DELETE', path: [...path, k]})
  }
  walk(live, desired, [])
  const isSecret = (w: PlannedWrite) => deepEqual(w.path, [...SECRET_KEY_PATH])
  return [...out.filter((w) => !isSecret(w)), ...out.filter(isSecret)]
}

/** `PUT routing/strategy` — for messages and --json. */
export function describeWrite(w: PlannedWrite): string {
  return `${w.method} ${w.path.length === 0 ? '(whole config)' : w.path.join('/')}`
}
