import type {Database} from 'better-sqlite3'

/**
 * One schema step. Migrations run in id order; ids never change once shipped. `up` runs inside one
 * transaction. A step that walks the stored events does that in `prepare`, before `up`, outside one big
 * transaction: in chunks that commit their own progress, so an interrupted run resumes where it stopped
 * (prepare must be idempotent). `prepare` is skipped on a brand-new store (nothing to walk).
 */
export interface Migration {
  id: number
  name: string
  prepare?(db: Database, onProgress: (done: number, total: number) => void): void
  up(db: Database): void
}
