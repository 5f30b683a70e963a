/**
 * One PostgreSQL session as the repositories share it (the counterpart of ../connection.ts): node-postgres
 * loaded lazily, integers returned as numbers, `?` placeholders (the shared SQL helpers write them) turned into
 * `$n`, and every failure mapped to cpactl's typed errors (errors.ts). A CLI run needs one session: the
 * repositories use it in turn, the collector lock holds a second one (runs.ts).
 */
import type {Client, ClientConfig, QueryResultRow} from 'pg'

import {BugError, ConfigError} from '../../cli/errors.js'
import {lookupPassword, type PgTarget} from './config.js'
import {pgError} from './errors.js'

/** OIDs: int8, numeric, int8[]. Sums and counts fit a double exactly (< 2^53). */
const INT8 = 20
const NUMERIC = 1700
const INT8_ARRAY = 1016

const parseInt8Array = (s: string): number[] => (s === '{}' ? [] : s.slice(1, -1).split(',').map(Number))

/** `?` → `$1, $2, …` (our SQL has no `?` inside literals or operators). */
export function numbered(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

/** Open a session to `t` (typed errors on failure: unreachable 5, authentication 3, missing database 3). */
export async function connectPg(t: PgTarget, options: {readonly?: boolean; purpose?: string} = {}): Promise<Client> {
  const pg = (await import('pg')).default
  const base = pg.types
  const config = (ssl: ClientConfig['ssl']): ClientConfig & {pipeline: boolean} => ({
    host: t.host,
    port: t.port,
    user: t.user,
    database: t.database,
    password: async () => (await lookupPassword(t)) ?? '',
    ssl,
    application_name: options.purpose ? `${t.applicationName} ${options.purpose}` : t.applicationName,
    connectionTimeoutMillis: t.connectTimeoutMs,
    keepAlive: true,
    // queries sent while others run go out at once (each with its own Sync: an error fails only its own query, and
    // the rest of a failed transaction): a batch's event chunks reach the server while the next one is prepared
    pipeline: true,
    options: [t.options, options.readonly ? '-c default_transaction_read_only=on' : null].filter(Boolean).join(' ') || undefined,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === INT8 || oid === NUMERIC) return Number
        if (oid === INT8_ARRAY) return parseInt8Array
        return base.getTypeParser(oid, format as never)
      }) as never,
    },
  })
  const attempt = async (ssl: ClientConfig['ssl']) => {
    const client = new pg.Client(config(ssl))
    // an idle session the server drops must not crash the process: the next query reports it
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (error) {
      await client.end().catch(() => {})
      throw error
    }
    return client
  }
  try {
    try {
      return await attempt(t.ssl)
    } catch (error) {
      // sslmode=prefer: a server without TLS is spoken to in plain text, as libpq does
      if (t.sslMode === 'prefer' && /does not support SSL/i.test(String((error as Error).message))) return await attempt(false)
      throw error
    }
  } catch (error) {
    throw pgError(error, t.location, 'connect')
  }
}

export class PgConnection {
  private busy = false

  constructor(
    readonly client: Client,
    readonly target: PgTarget,
    readonly readonly: boolean,
  ) {}

  get location(): string {
    return this.target.location
  }

  /** Reject a write on a read-only store (reports). */
  writable(action: string): void {
    if (this.readonly) {
      throw new ConfigError(`the store ${this.location} is open read-only and cannot ${action}`, {code: 'store_readonly'})
    }
  }

  async query<R extends QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], action = 'query', name?: string): Promise<R[]> {
    try {
      // a named statement is parsed and planned once per session (the batch path's statements)
      return (await this.client.query<R>({text: numbered(sql), values: params as unknown[], name})).rows
    } catch (error) {
      throw pgError(error, this.location, action)
    }
  }

  /** Rows as arrays (column order of the SELECT). */
  async rows(sql: string, params: unknown[] = [], action = 'query', name?: string): Promise<unknown[][]> {
    try {
      return (await this.client.query({text: numbered(sql), values: params as unknown[], rowMode: 'array', name})).rows as unknown[][]
    } catch (error) {
      throw pgError(error, this.location, action)
    }
  }

  async one<R extends QueryResultRow = Record<string, unknown>>(sql: string, params: unknown[] = [], action = 'query', name?: string): Promise<R | undefined> {
    return (await this.query<R>(sql, params, action, name))[0]
  }

  /** BEGIN → fn → COMMIT; rolls back and rethrows (typed) on failure. Transactions do not nest. */
  async tx<T>(action: string, fn: () => Promise<T>): Promise<T> {
    this.writable(action)
    if (this.busy) throw new BugError('store transactions do not nest')
    this.busy = true
    try {
      await this.query('BEGIN', [], `begin (${action})`)
      let out: T
      try {
        out = await fn()
      } catch (error) {
        await this.rollbackQuietly()
        throw pgError(error, this.location, action)
      }
      try {
        await this.client.query('COMMIT')
      } catch (error) {
        await this.rollbackQuietly()
        throw pgError(error, this.location, `commit (${action})`)
      }
      return out
    } finally {
      this.busy = false
    }
  }

  private async rollbackQuietly(): Promise<void> {
    try {
      await this.client.query('ROLLBACK')
    } catch {
      // the session is gone or already out of its transaction
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }
}
