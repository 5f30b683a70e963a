/**
 * The tests' own look at a store's tables, whichever the backend (the product never hands out its
 * connection): `?` placeholders, numbers as numbers, one call per query. For the SQL both backends
 * understand (the schema is the same; see src/lib/store/postgres/schema.ts).
 */
import Database from 'better-sqlite3'
import pg from 'pg'

import {isDatabaseUrl} from '../../src/lib/store/location.js'

const toNumber = (v: string) => Number(v)

export async function storeQuery<T = Record<string, any>>(location: string, sql: string, params: unknown[] = [], arrays = false): Promise<T[]> {
  if (!isDatabaseUrl(location)) {
    const db = new Database(location, {readonly: true, fileMustExist: true})
    try {
      return db.prepare(sql).raw(arrays).all(...params) as T[]
    } finally {
      db.close()
    }
  }
  const c = new pg.Client({
    connectionString: location,
    types: {getTypeParser: ((oid: number, format: string) => (oid === 20 || oid === 1700 ? toNumber : pg.types.getTypeParser(oid, format as never))) as never},
  })
  await c.connect()
  try {
    let n = 0
    return (await c.query({text: sql.replace(/\?/g, () => `$${++n}`), values: params, ...(arrays ? {rowMode: 'array'} : {})} as pg.QueryConfig)).rows as T[]
  } finally {
    await c.end()
  }
}

/** Rows as arrays (duplicate column names survive). */
export const storeRows = (location: string, sql: string, params: unknown[] = []): Promise<unknown[][]> => storeQuery<unknown[]>(location, sql, params, true)

export async function storeCount(location: string, table: string, where = '', params: unknown[] = []): Promise<number> {
  return (await storeQuery<{n: number}>(location, `SELECT COUNT(*) AS n FROM ${table} ${where}`, params))[0].n
}

/** Change a store's tables behind its back (a test's sabotage): SQLite through a writable connection, PostgreSQL as the superuser. */
export async function storeExec(location: string, sql: string, params: unknown[] = []): Promise<void> {
  if (!isDatabaseUrl(location)) {
    const db = new Database(location, {fileMustExist: true, timeout: 5000})
    try {
      if (params.length > 0) db.prepare(sql).run(...params)
      else db.exec(sql)
    } finally {
      db.close()
    }
    return
  }
  const c = new pg.Client({connectionString: location})
  await c.connect()
  try {
    let n = 0
    await c.query(params.length > 0 ? sql.replace(/\?/g, () => `$${++n}`) : sql, params)
  } finally {
    await c.end()
  }
}

/** Make inserts of one request id fail inside the store (a stand-in for a failing disk), and undo it. */
export async function poisonRequestId(location: string, requestId: string): Promise<() => Promise<void>> {
  if (!isDatabaseUrl(location)) {
    await storeExec(location, `CREATE TRIGGER poison BEFORE INSERT ON usage_events WHEN NEW.request_id = '${requestId}' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END`)
    return () => storeExec(location, 'DROP TRIGGER poison')
  }
  await storeExec(
    location,
    `CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.request_id = '${requestId}' THEN RAISE EXCEPTION 'disk on fire' USING ERRCODE = 'XX001'; END IF; RETURN NEW; END $$;
     CREATE TRIGGER poison BEFORE INSERT ON usage_events FOR EACH ROW EXECUTE FUNCTION poison()`,
  )
  return () => storeExec(location, 'DROP TRIGGER poison ON usage_events; DROP FUNCTION poison()')
}
