/**
 * PostgreSQL failures as cpactl's typed errors (issue 13 fault table), the counterpart of db.ts storeError:
 *
 * | failure                                            | error (exit)          | code                    |
 * |----------------------------------------------------|-----------------------|-------------------------|
 * | server unreachable (refused, DNS, timeout)          | UpstreamError (5)     | store_unreachable       |
 * | connection lost (terminated, reset, shutdown)       | UpstreamError (5)     | store_connection_lost   |
 * | authentication failed, no password available        | ConfigError (3)       | store_auth_failed       |
 * | database does not exist                             | ConfigError (3)       | store_missing           |
 * | read-only transaction / database, privilege revoked | ConfigError (3)       | store_unwritable        |
 * | disk full, out of memory, too many connections      | ConfigError (3)       | store_full / store_error|
 * | lock timeout, deadlock, serialization failure       | LockError (7)         | store_busy              |
 * Messages name the store by its location without password; server messages never contain one.
 */
import {BugError, ConfigError, CpactlError, LockError, UpstreamError} from '../../cli/errors.js'

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOENT'])
const LOST = new Set(['ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'])

export function pgError(error: unknown, location: string, action: string): Error {
  if (error instanceof CpactlError) return error
  const e = error as {code?: string; message?: string}
  const code = String(e?.code ?? '')
  const detail = String(e?.message ?? error)
  if (NETWORK.has(code) || /timeout expired|connection timeout/i.test(detail)) {
    return new UpstreamError(`cannot reach the PostgreSQL store ${location} (${action}: ${detail})`, {
      code: 'store_unreachable',
      hint: 'check that the server runs and accepts TCP connections from this host (listen_addresses, pg_hba.conf, firewall)',
    })
  }
  if (LOST.has(code) || /Connection terminated|connection is closed|Client was closed|not queryable/i.test(detail)) {
    return new UpstreamError(`lost the connection to the PostgreSQL store ${location} (${action}: ${detail})`, {
      code: 'store_connection_lost',
      hint: 'nothing popped was lost (an unsaved batch went to the spool); run again when the server is back',
    })
  }
  if (code === '28P01' || code === '28000' || /password must be a string|password authentication failed|SASL/i.test(detail)) {
    return new ConfigError(`the PostgreSQL store ${location} rejected the login (${detail})`, {
      code: 'store_auth_failed',
      hint: 'give the password in PGPASSWORD or ~/.pgpass (or in the URL), and check the role name',
    })
  }
  if (code === '3D000') {
    return new ConfigError(`the database of ${location} does not exist (${detail})`, {
      code: 'store_missing',
      hint: 'create it first (createdb, or CREATE DATABASE …); cpactl creates its tables itself',
    })
  }
  if (code === '25006' || code === '42501' || code === '2F002' || code === '2F003') {
    return new ConfigError(`the PostgreSQL store ${location} cannot be written (${action}: ${detail})`, {
      code: 'store_unwritable',
      hint: 'the database is read-only or the role lacks privileges on cpactl\'s tables (INSERT, UPDATE, DELETE)',
    })
  }
  if (code === '53100') {
    return new ConfigError(`the disk of the PostgreSQL store ${location} is full (${action}: ${detail})`, {code: 'store_full', hint: 'free space on the database server'})
  }
  if (code === '55P03' || code === '40P01' || code === '40001') {
    return new LockError(`the PostgreSQL store ${location} is busy (${action}: ${detail})`, {code: 'store_busy', hint: 'another writer holds the rows; try again'})
  }
  if (code.startsWith('53') || code.startsWith('54') || code.startsWith('58') || code.startsWith('XX')) {
    return new ConfigError(`the PostgreSQL store ${location} failed to ${action} (${code}: ${detail})`, {code: 'store_error'})
  }
  if (/^[0-9A-Z]{5}$/.test(code)) {
    return new ConfigError(`the PostgreSQL store ${location} refused to ${action} (${code}: ${detail})`, {code: 'store_error'})
  }
  return error instanceof Error ? error : new BugError(String(error))
}
