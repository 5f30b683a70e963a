/**
 * From a `postgres://` URL to node-postgres client settings (issue 13), libpq-compatible where users expect it:
 *
 * - host, port (5432), user (PGUSER, else the OS user), database (path; default: the user name); a `host`
 *   query parameter may name a Unix-socket directory;
 * - the password from the URL, else PGPASSWORD, else ~/.pgpass (PGPASSFILE): looked up lazily, on demand of
 *   the server, and never printed; `location` is the URL without credentials;
 * - TLS from `sslmode` (libpq semantics): disable; allow/prefer (the default: TLS without verification when the
 *   server offers it, else plain); require (TLS, no verification, unless `sslrootcert` is given: then the CA
 *   is checked); verify-ca (CA checked, host name not); verify-full (both). `sslrootcert`, `sslcert`, `sslkey`
 *   are file paths;
 * - `application_name` (default cpactl), `connect_timeout` (seconds, default 10), `options` passed through.
 */
import {readFileSync} from 'node:fs'
import {userInfo} from 'node:os'
import type {ConnectionOptions} from 'node:tls'

import {UsageError} from '../../cli/errors.js'
import {maskLocation} from '../location.js'

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'

export interface PgTarget {
  host: string
  port: number
  user: string
  database: string
  /** Password given in the URL (else PGPASSWORD / ~/.pgpass at connect time). */
  password: string | null
  sslMode: SslMode
  ssl: ConnectionOptions | false
  applicationName: string
  connectTimeoutMs: number
  options: string | null
  /** The URL without password, for messages and `Store.location`. */
  location: string
}

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

function osUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'postgres'
  }
}

export function parsePgUrl(raw: string): PgTarget {
  let u: URL
  try {
    u = new URL(raw.trim())
  } catch {
    throw new UsageError(`'${maskLocation(raw)}' is not a valid PostgreSQL URL`, {code: 'store_unsupported', hint: 'postgres://user@host:5432/database?sslmode=require'})
  }
  const q = u.searchParams
  const user = decodeURIComponent(u.username) || q.get('user') || process.env.PGUSER || osUser()
  const password = u.password ? decodeURIComponent(u.password) : q.get('password')
  const host = q.get('host') || decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1') || process.env.PGHOST || 'localhost'
  const port = Number(q.get('port') || u.port || process.env.PGPORT || 5432)
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || q.get('dbname') || process.env.PGDATABASE || user
  const mode = (q.get('sslmode') || process.env.PGSSLMODE || 'prefer').toLowerCase() as SslMode
  if (!SSL_MODES.includes(mode)) throw new UsageError(`unknown sslmode '${mode}'`, {code: 'store_unsupported', hint: `one of ${SSL_MODES.join(', ')}`})
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new UsageError(`invalid port in '${maskLocation(raw)}'`, {code: 'store_unsupported'})
  const read = (key: string) => {
    const p = q.get(key)
    if (!p) return undefined
    try {
      return readFileSync(p, 'utf8')
    } catch (error) {
      throw new UsageError(`cannot read ${key} ${p}: ${(error as Error).message}`, {code: 'store_unsupported'})
    }
  }
  let ssl: ConnectionOptions | false = false
  if (mode !== 'disable' && mode !== 'allow') {
    const ca = read('sslrootcert')
    ssl = {cert: read('sslcert'), key: read('sslkey'), ca}
    if (mode === 'prefer' || (mode === 'require' && !ca)) ssl.rejectUnauthorized = false
    else if (mode === 'verify-ca' || mode === 'require') {
      if (!ca) throw new UsageError('sslmode=verify-ca needs sslrootcert=<CA file>', {code: 'store_unsupported'})
      ssl.checkServerIdentity = () => undefined
    }
  }
  const timeout = Number(q.get('connect_timeout') || process.env.PGCONNECT_TIMEOUT || 10)
  const location = new URL(u.href)
  location.password = ''
  location.searchParams.delete('password')
  return {
    host,
    port,
    user,
    database,
    password,
    sslMode: mode,
    ssl,
    applicationName: q.get('application_name') || 'cpactl',
    connectTimeoutMs: Math.max(1, timeout) * 1000,
    options: q.get('options'),
    location: location.href,
  }
}

/** The password for a target: URL, else PGPASSWORD, else ~/.pgpass (via pgpass, the module pg itself uses). */
export async function lookupPassword(t: PgTarget): Promise<string | undefined> {
  if (t.password !== null) return t.password
  if (process.env.PGPASSWORD) return process.env.PGPASSWORD
  const {default: pgpass} = await import('pgpass')
  return new Promise((resolve) => pgpass({host: t.host, port: t.port, database: t.database, user: t.user}, (pass) => resolve(pass)))
}

/** The pg_dump command that backs this database up (no password: pg_dump reads PGPASSWORD or ~/.pgpass too). */
export function pgDumpCommand(t: PgTarget, file: string): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`)
  return `pg_dump --format=custom --file=${quote(file)} ${quote(t.location)}`
}
