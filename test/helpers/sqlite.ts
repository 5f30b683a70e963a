// Tests look at (and sometimes sabotage) a SQLite store file directly, with their own better-sqlite3
// connection — the product code never hands out its handle (src/lib/store is the only way in).
import Database from 'better-sqlite3'

const cache = new Map<string, Database.Database>()

/** A read-only connection to the store file (cached per path; sees every committed write). */
export function sqlite(store: string | {location: string}): Database.Database {
  const path = typeof store === 'string' ? store : store.location
  let db = cache.get(path)
  if (!db || !db.open) {
    db = new Database(path, {readonly: true, fileMustExist: true})
    cache.set(path, db)
  }
  return db
}

/** A writable connection for a test to change the file behind the store's back; close it when done. */
export function sqliteWritable(store: string | {location: string}): Database.Database {
  const path = typeof store === 'string' ? store : store.location
  const db = new Database(path, {fileMustExist: true, timeout: 5000})
  return db
}

/** Close the cached read-only connections (before a file is deleted or replaced). */
export function closeSqlite(): void {
  for (const db of cache.values()) if (db.open) db.close()
  cache.clear()
}
