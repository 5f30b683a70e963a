/**
 * What a `--store` / CPACTL_STORE / profile `store:` value names (issue 13): a `postgres://` or
 * `postgresql://` URL selects PostgreSQL; any other URL scheme is refused (exit 2) — `postgres:/…` must never
 * silently become a relative SQLite path (stack.md, 2026-12 addendum); everything else is a file path.
 * Passwords never leave this module in a printable form: `maskLocation` is what errors, logs and results show.
 */
import {UsageError} from '../cli/errors.js'

export type StoreLocation = {kind: 'sqlite'; path: string} | {kind: 'postgres'; url: string}

const PG_SCHEME = /^postgres(ql)?:\/\//i
/** A URL scheme (RFC 3986) followed by ':'; a Windows drive letter (C:\…) is a path, not a scheme. */
const ANY_SCHEME = /^([a-z][a-z0-9+.-]+):/i

/** True for a location naming a PostgreSQL server rather than a file. */
export function isDatabaseUrl(location: string): boolean {
  return PG_SCHEME.test(location.trim())
}

export function classifyLocation(value: string): StoreLocation {
  const v = value.trim()
  if (isDatabaseUrl(v)) return {kind: 'postgres', url: v}
  const scheme = ANY_SCHEME.exec(v)
  if (scheme && !/^[a-z]:[\\/]/i.test(v)) {
    const s = scheme[1].toLowerCase()
    const hint = s.startsWith('postgres') || s === 'pg' ? 'write postgres://user@host:5432/database' : 'pass a postgres:// URL or a file path'
    throw new UsageError(`unsupported store location '${maskLocation(v)}': the ${s}: scheme is not a store cpactl knows`, {code: 'store_unsupported', hint})
  }
  return {kind: 'sqlite', path: value}
}

/** The location with any password replaced by `****` (for messages, logs and results). */
export function maskLocation(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#@]*)@/i.exec(value)
  let out = value
  if (m && m[2].includes(':')) out = `${m[1]}${m[2].slice(0, m[2].indexOf(':'))}:****@${value.slice(m[0].length)}`
  // a password passed as a query parameter
  return out.replace(/([?&]password=)[^&#]*/gi, '$1****')
}

/** A profile names its store, never a secret: a PostgreSQL password belongs in PGPASSWORD or ~/.pgpass. */
export function checkProfileStore(store: string): void {
  const where = classifyLocation(store)
  if (where.kind === 'postgres' && maskLocation(store) !== store) {
    throw new UsageError('a profile never keeps a password: give the store URL without it', {
      code: 'secret_in_profile',
      hint: 'put the password in ~/.pgpass (mode 0600) or PGPASSWORD; profiles.yaml holds no secrets',
    })
  }
}
