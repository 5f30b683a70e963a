/**
 * Migration 003: inspection (issue 7). Schema, for the modules that build on it (SQL in store/inspections.ts):
 *
 * inspection_runs — one row per `inspect run` (or `quota --refresh`), written when the run starts.
 *   id, instance (profile name or host:port), trigger ('inspect' | 'quota'), started_at / finished_at (UTC ms),
 *   status ('running' | 'completed' | 'failed' | 'interrupted'), apply_mode ('none'|'disable'|'enable'|'all'),
 *   threshold (used % that counts as exhausted), providers (JSON array or NULL = all), settings (JSON: concurrency,
 *   timeoutMs, policySource, accounts filter), summary (JSON InspectSummary), error_code / error_message.
 *
 * inspection_results — one row per credential per run.
 *   run_id → inspection_runs (cascade), instance, name (auth-file name), auth_index, provider, email, label,
 *   plan, disabled (state when probed, 0/1), http_status (upstream status inside /api-call), classification,
 *   action (proposed), action_taken (NULL | 'disabled' | 'enabled' | 'skipped' | 'failed'), reason, attempts,
 *   windows (JSON QuotaWindows), short_used / long_used (used % for ordering), short_resets_at /
 *   long_resets_at / long_started_at (UTC ms), checked_at (UTC ms).
 *   Indexes: (run_id), (instance, name, checked_at) for "latest result per account".
 *
 * inspection_ownership — disables cpactl made (the ownership rule: only what cpactl disabled may be
 *   re-enabled by cpactl). instance, name, auth_index, provider, disabled_at, run_id, classification, reason,
 *   modtime (file modification time the gateway listed right after the disable; a later, different modtime
 *   means someone touched the file), released_at (NULL while the disable is cpactl's), released_by
 *   ('cpactl' = re-enabled by inspection, 'external' = someone else re-enabled or changed it), release_run_id.
 *   At most one open row per (instance, name, auth_index).
 */
import type {Migration} from './types.js'

export const migration: Migration = {
  id: 3,
  name: 'inspect',
  up(db) {
    db.exec(`
      CREATE TABLE inspection_runs (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        trigger TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        status TEXT NOT NULL,
        apply_mode TEXT NOT NULL,
        threshold REAL NOT NULL,
        providers TEXT,
        settings TEXT NOT NULL,
        summary TEXT,
        error_code TEXT,
        error_message TEXT
      );
      CREATE INDEX inspection_runs_instance ON inspection_runs (instance, started_at);

      CREATE TABLE inspection_results (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES inspection_runs (id) ON DELETE CASCADE,
        instance TEXT NOT NULL,
        name TEXT NOT NULL,
        auth_index TEXT,
        provider TEXT NOT NULL,
        email TEXT,
        label TEXT,
        plan TEXT,
        disabled INTEGER NOT NULL,
        http_status INTEGER,
        classification TEXT NOT NULL,
        action TEXT NOT NULL,
        action_taken TEXT,
        reason TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        windows TEXT NOT NULL,
        short_used REAL,
        long_used REAL,
        short_resets_at INTEGER,
        long_resets_at INTEGER,
        long_started_at INTEGER,
        checked_at INTEGER NOT NULL
      );
      CREATE INDEX inspection_results_run ON inspection_results (run_id);
      CREATE INDEX inspection_results_account ON inspection_results (instance, name, checked_at);

      CREATE TABLE inspection_ownership (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        name TEXT NOT NULL,
        auth_index TEXT NOT NULL,
        provider TEXT,
        disabled_at INTEGER NOT NULL,
        run_id INTEGER,
        classification TEXT NOT NULL,
        reason TEXT,
        modtime TEXT,
        released_at INTEGER,
        released_by TEXT,
        release_run_id INTEGER
      );
      CREATE UNIQUE INDEX inspection_ownership_open ON inspection_ownership (instance, name, auth_index) WHERE released_at IS NULL;
    `)
  },
}
