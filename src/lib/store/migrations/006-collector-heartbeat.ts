/**
 * Migration 006: the collector's heartbeat (issue 15). A `collect --follow` run can live for weeks; while it
 * reconnects to a gateway it cannot reach its process is alive and its run row says `running`, yet nothing is
 * collected. `polled_at` says when the run last reached the usage queue, so `check collector`, `metrics` and
 * `collect status` judge a running collector by its last contact instead of by its pid. Schema:
 *
 * collector_runs.polled_at INTEGER  UTC ms of the run's last successful poll of the usage queue (a pop, an
 *   empty answer, or a live subscription), written by the collector at most every few seconds
 *   (RunRepository.recordPoll); NULL before the first poll and for runs of older versions.
 */
import type {Migration} from './types.js'

export const migration: Migration = {
  id: 6,
  name: 'collector-heartbeat',
  up(db) {
    db.exec('ALTER TABLE collector_runs ADD COLUMN polled_at INTEGER')
  },
}
