/**
 * Migration 005: the last state of every check, per target and notification receiver (issue 15), so `cpactl
 * check … --notify URL` posts only when a state changes. SQL in store/check-states.ts. Schema:
 *
 * check_states — one row per (check, target, receiver):
 *   check_name TEXT   'collector' | 'quota' | 'failures' | 'budget'
 *   target     TEXT   what was checked: an instance (collector), `instance/account` (quota), or the check's
 *                     scope (failures, budget: e.g. `all`, `model=gpt-5,account=a1`, `api-key=team-a`)
 *   receiver   TEXT   which webhook the state was delivered to: the first 16 hex digits of the SHA-256 of its URL
 *                     (never the URL: webhook URLs carry secrets)
 *   state      TEXT   'ok' | 'warning' | 'critical' | 'unknown' (CHECK)
 *   summary    TEXT   the target's one-line summary when that state was delivered
 *   since      INTEGER  UTC ms: when the target entered that state (the run that first saw it)
 *   updated_at INTEGER  UTC ms: when the row was last written
 *   PRIMARY KEY (check_name, target, receiver), WITHOUT ROWID.
 * A row moves only after a successful delivery, so a receiver that was down gets the change on the next run.
 */
import type {Migration} from './types.js'

export const migration: Migration = {
  id: 5,
  name: 'check-states',
  up(db) {
    db.exec(`
      CREATE TABLE check_states (
        check_name TEXT NOT NULL,
        target TEXT NOT NULL,
        receiver TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('ok', 'warning', 'critical', 'unknown')),
        summary TEXT NOT NULL,
        since INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (check_name, target, receiver)
      ) WITHOUT ROWID;
    `)
  },
}
