/**
 * The ids of every migration (index.ts), in order, without their code: a read-only open (every report) checks
 * that the store has applied them all, and loading the migrations themselves (rollup rebuilds, the event walk
 * of 004) would cost its start-up for nothing (issue 12). test/lib/store/migration.test.ts keeps the two lists
 * equal.
 */
export const MIGRATION_IDS: readonly number[] = [1, 2, 3, 4, 5, 6, 7]
