/**
 * PostgreSQL for tests: the throwaway cluster of pg-cluster.ts (vitest globalSetup) and a fresh database per
 * call, so test files running in parallel forks never share one; and the backend matrix the store, collect and
 * report suites run over (`describe.each(BACKENDS)`): SQLite always, PostgreSQL when the cluster is up (always
 * under CI, where pg-cluster.ts fails the run instead of skipping).
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import pg from 'pg'
import {afterAll, inject} from 'vitest'

export const pgAdminUrl: string = inject('pgAdminUrl')
export const pgAvailable = pgAdminUrl !== ''

function withDatabase(url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.href
}

/** A superuser connection to `db` (default: the admin database); close it with `.end()`. */
export async function pgAdmin(db?: string): Promise<pg.Client> {
  const c = new pg.Client({connectionString: db ? withDatabase(pgAdminUrl, db) : pgAdminUrl})
  await c.connect()
  return c
}

/** Run statements as the superuser on a test database (its name, or a URL naming it). */
export async function pgExec(dbOrUrl: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const db = dbOrUrl.includes('://') ? new URL(dbOrUrl).pathname.slice(1) : dbOrUrl
  const c = await pgAdmin(db)
  try {
    return await c.query(sql, params)
  } finally {
    await c.end()
  }
}

/** A new, empty database; returns its URL (the superuser, no password). */
export async function pgDatabase(prefix = 't'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const c = await pgAdmin()
  try {
    await c.query(`CREATE DATABASE ${name}`)
  } finally {
    await c.end()
  }
  return withDatabase(pgAdminUrl, name)
}

/** A login role with a password (scram-sha-256 over TCP); returns the URL of `dbUrl` as that role, without password. */
export async function pgRole(dbUrl: string, role: string, password: string): Promise<string> {
  const c = await pgAdmin()
  try {
    await c.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} LOGIN PASSWORD '${password}'; END IF; END $$`)
    const db = new URL(dbUrl).pathname.slice(1)
    await c.query(`ALTER DATABASE ${db} OWNER TO ${role}`)
  } finally {
    await c.end()
  }
  const u = new URL(dbUrl)
  u.username = role
  return u.href
}

export type BackendName = 'sqlite' | 'postgres'

export interface Backend {
  name: BackendName
  /** A location for a new, empty store of this backend (a file path; a fresh database URL). */
  fresh(): Promise<string>
}

const sqliteBackend: Backend = {
  name: 'sqlite',
  async fresh() {
    return join(mkdtempSync(join(tmpdir(), 'cpactl-store-')), 'store', 'cpactl.db')
  },
}

const postgresBackend: Backend = {name: 'postgres', fresh: () => pgDatabase()}

/** The backends a parameterised suite runs over (PostgreSQL only when the test cluster is up). */
export const BACKENDS: Backend[] = pgAvailable ? [sqliteBackend, postgresBackend] : [sqliteBackend]

/** Closes pg clients a test file opened through `track`. */
const open: pg.Client[] = []
const watchers = new Map<string, pg.Client>()
afterAll(async () => {
  watchers.clear()
  for (const c of open.splice(0)) await c.end().catch(() => {})
})
export function track(c: pg.Client): pg.Client {
  open.push(c)
  return c
}

/**
 * The first column of the first row of a query on a test database (its URL), as a number, over one superuser
 * connection kept per database: what a `waitFor` loop polls while a collector runs (a new connection per poll
 * is slow on a loaded machine).
 */
export async function pgNumber(dbUrl: string, sql: string, params: unknown[] = []): Promise<number> {
  const db = new URL(dbUrl).pathname.slice(1)
  let c = watchers.get(db)
  if (!c) {
    c = track(await pgAdmin(db))
    watchers.set(db, c)
  }
  const r = await c.query({text: sql, values: params, rowMode: 'array'})
  return Number((r.rows[0] as unknown[] | undefined)?.[0] ?? 0)
}
