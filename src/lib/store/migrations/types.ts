import type {Database} from 'better-sqlite3'

/** One schema step. Migrations run in id order inside one transaction each; ids never change once shipped. */
export interface Migration {
  id: number
  name: string
  up(db: Database): void
}
