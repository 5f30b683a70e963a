/**
 * Migration 007: a leaner dedup index on usage_events (issue 12, ≤ 700 B per event on disk). Migration 001's
 * UNIQUE (ts, instance, event_hash) carried the instance name in every index entry, although the event hash
 * already covers it (usage/hash.ts: the instance is part of the hashed tuple): (ts, event_hash) is unique
 * exactly when (ts, instance, event_hash) is. The new index keeps dedup and every time-range read (instance
 * filters are checked on the row, which those reads fetch anyway) and saves the instance's length plus a byte
 * per event. Rebuilding it reads every stored event once (seconds per million events).
 */
import type {Migration} from './types.js'

export const migration: Migration = {
  id: 7,
  name: 'lean-event-index',
  up(db) {
    db.exec('DROP INDEX IF EXISTS usage_events_ts; CREATE UNIQUE INDEX usage_events_ts ON usage_events (ts, event_hash)')
  },
}
