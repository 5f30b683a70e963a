/**
 * The PostgreSQL schema, as versioned migrations in code (issue 13). Tables, columns and keys are those of the
 * SQLite store at its schema 6 (../migrations/00{1..6}; their header comments document every column), so the
 * shared SQL helpers and row mappers work on both; the differences are PostgreSQL's own:
 *
 * - integers are BIGINT (sums of tokens outgrow INTEGER), prices DOUBLE PRECISION, hashes BYTEA, ids identity;
 * - usage_events dedups through the same UNIQUE (ts, instance, event_hash);
 * - rollup tables leave 30 % of each page free (fillfactor 70): the batch upserts change only sums, so the new
 *   row versions stay on their page (HOT) and no index entry is written for them;
 * - histograms (report_hist_*) are BIGINT[] of sorted `bucket << 32 | count` entries, merged in the upsert by
 *   `cpactl_hist_merge` (an SQL function); reads re-encode them in histogram.ts's format;
 * - collector_locks: who holds the per-instance collector lock (the lock itself is a session advisory lock);
 * - report_state keeps one daily watermark per instance (`daily_through:<instance>`, see ../rollup-write.ts for
 *   the scheme): collectors of several instances write at once, each folding only its own hours into the daily
 *   tables; readers take whole days from the daily tables only before the lowest watermark. It also keeps
 *   `copy:<source>` checkpoints of an interrupted `store copy`.
 *
 * Migrations run in one transaction under a transaction-scoped advisory lock, so collectors starting together
 * on an empty database create the schema once. A database whose newest migration is unknown here was written
 * by a newer cpactl: refused with "upgrade cpactl". Migration ids are this backend's own.
 */
import {ConfigError} from '../../cli/errors.js'
import type {PgConnection} from './connection.js'

/** Advisory-lock key of schema changes (a constant of cpactl's own: 'cpactlmg'). */
const MIGRATION_LOCK = '7165916604598495079'

const sums = ['requests', 'failed', 'uncached_input', 'cache_read', 'cache_write', 'output_total', 'reasoning', 'unclassified', 'latency_sum', 'latency_count', 'ttft_sum', 'ttft_count', 'last_ts']

function rollupTables(): string {
  const cubes: Record<string, string[]> = {model: [], key: ['api_key_hash TEXT NOT NULL'], account: ['auth_index TEXT NOT NULL', 'failed_flag INTEGER NOT NULL', 'fail_status_code INTEGER NOT NULL']}
  const out: string[] = []
  for (const grain of ['hourly', 'daily']) {
    for (const [cube, extra] of Object.entries(cubes)) {
      const dims = ['start_ms BIGINT NOT NULL', 'instance TEXT NOT NULL', 'provider TEXT NOT NULL', 'model TEXT NOT NULL', 'service_tier TEXT NOT NULL', 'response_service_tier TEXT NOT NULL', 'band INTEGER NOT NULL', ...extra]
      out.push(`CREATE TABLE report_${cube}_${grain} (${[...dims, ...sums.map((s) => `${s} BIGINT NOT NULL`)].join(', ')},
        PRIMARY KEY (${dims.map((d) => d.split(' ')[0]).join(', ')})) WITH (fillfactor = 70);`)
    }
    out.push(`CREATE TABLE report_hist_${grain} (start_ms BIGINT NOT NULL, instance TEXT NOT NULL, dim TEXT NOT NULL, value TEXT NOT NULL,
      lat_hist BIGINT[], ttft_hist BIGINT[], PRIMARY KEY (dim, start_ms, value, instance)) WITH (fillfactor = 70);`)
  }
  return out.join('\n')
}

const INITIAL = `
CREATE TABLE usage_events (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance TEXT NOT NULL, ts BIGINT NOT NULL, tz_offset_min INTEGER, event_hash BYTEA NOT NULL, run_id BIGINT,
  provider TEXT, executor_type TEXT, model TEXT, alias TEXT, endpoint TEXT, auth_type TEXT, auth_index TEXT, source TEXT,
  source_hash TEXT, api_key_hash TEXT, access_token_sha256 TEXT, request_id TEXT, latency_ms BIGINT, ttft_ms BIGINT,
  failed INTEGER NOT NULL, fail_status_code INTEGER, fail_summary TEXT, generate INTEGER, stream INTEGER,
  input_tokens BIGINT, output_tokens BIGINT, reasoning_tokens BIGINT, cached_tokens BIGINT, cache_read_tokens BIGINT,
  cache_creation_tokens BIGINT, total_tokens BIGINT, cache_creation_5m_tokens BIGINT, cache_creation_1h_tokens BIGINT,
  accounting_version INTEGER, token_quality TEXT,
  input_total BIGINT NOT NULL, uncached_input BIGINT NOT NULL, cache_read BIGINT NOT NULL, cache_write BIGINT NOT NULL,
  output_total BIGINT NOT NULL, reasoning BIGINT NOT NULL, unclassified BIGINT NOT NULL, total BIGINT NOT NULL,
  reasoning_effort TEXT, service_tier TEXT, response_service_tier TEXT, client_ip TEXT, x_forwarded_for TEXT,
  user_agent TEXT, response_headers TEXT, extra TEXT
);
CREATE UNIQUE INDEX usage_events_ts ON usage_events (ts, instance, event_hash);

CREATE TABLE usage_dead_letters (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, instance TEXT NOT NULL, received_at BIGINT NOT NULL, run_id BIGINT,
  reason TEXT NOT NULL, payload TEXT NOT NULL, resolved_at BIGINT
);
CREATE INDEX usage_dead_letters_waiting ON usage_dead_letters (instance, resolved_at);

CREATE TABLE collector_runs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, instance TEXT NOT NULL, pid INTEGER NOT NULL, mode TEXT NOT NULL,
  transport TEXT, started_at BIGINT NOT NULL, ended_at BIGINT, status TEXT NOT NULL,
  popped BIGINT NOT NULL DEFAULT 0, inserted BIGINT NOT NULL DEFAULT 0, duplicates BIGINT NOT NULL DEFAULT 0,
  dead_lettered BIGINT NOT NULL DEFAULT 0, control_skipped BIGINT NOT NULL DEFAULT 0, spooled BIGINT NOT NULL DEFAULT 0,
  recovered BIGINT NOT NULL DEFAULT 0, batches BIGINT NOT NULL DEFAULT 0, oldest_record_ts BIGINT, newest_record_ts BIGINT,
  retention_s BIGINT, publishing INTEGER, error_code TEXT, error_message TEXT, warnings TEXT, coverage TEXT,
  auth_counters TEXT, auth_counters_at BIGINT
);
CREATE INDEX collector_runs_instance ON collector_runs (instance, started_at);

CREATE TABLE collector_locks (
  instance TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, since BIGINT NOT NULL, purpose TEXT NOT NULL
);

CREATE TABLE prices (
  model TEXT PRIMARY KEY, input DOUBLE PRECISION, cache_read DOUBLE PRECISION, cache_write DOUBLE PRECISION,
  output DOUBLE PRECISION, reasoning DOUBLE PRECISION, tiers TEXT NOT NULL DEFAULT '[]', service_tiers TEXT NOT NULL DEFAULT '{}',
  source TEXT NOT NULL, source_model TEXT, updated_at BIGINT NOT NULL
);
CREATE TABLE api_key_aliases (
  api_key_hash TEXT PRIMARY KEY CHECK (length(api_key_hash) = 64), alias TEXT NOT NULL, alias_key TEXT NOT NULL UNIQUE,
  updated_at BIGINT NOT NULL
);
CREATE TABLE api_key_hints (
  api_key_hash TEXT PRIMARY KEY CHECK (length(api_key_hash) = 64), masked TEXT NOT NULL, instance TEXT, seen_at BIGINT NOT NULL
);
CREATE TABLE account_labels (
  instance TEXT NOT NULL, auth_index TEXT NOT NULL, name TEXT, email TEXT, label TEXT, provider TEXT, updated_at BIGINT NOT NULL,
  PRIMARY KEY (instance, auth_index)
);
${rollupTables()}
CREATE TABLE report_account_sources (
  instance TEXT NOT NULL, auth_index TEXT NOT NULL, source TEXT NOT NULL, last_ts BIGINT NOT NULL, PRIMARY KEY (instance, auth_index, source)
);
CREATE INDEX report_account_sources_auth ON report_account_sources (auth_index);
CREATE TABLE report_state (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO report_state (key, value) VALUES ('raw_complete_from', 0);

CREATE FUNCTION cpactl_hist_merge(a BIGINT[], b BIGINT[]) RETURNS BIGINT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL OR cardinality(a) = 0 THEN b WHEN b IS NULL OR cardinality(b) = 0 THEN a ELSE
    (SELECT array_agg((k << 32) + c ORDER BY k) FROM (SELECT v >> 32 AS k, SUM(v & 4294967295)::bigint AS c FROM unnest(a || b) AS u(v) GROUP BY 1) s)
  END
$$;
CREATE AGGREGATE cpactl_hist_sum(BIGINT[]) (SFUNC = cpactl_hist_merge, STYPE = BIGINT[]);

CREATE TABLE inspection_runs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, instance TEXT NOT NULL, trigger TEXT NOT NULL, started_at BIGINT NOT NULL,
  finished_at BIGINT, status TEXT NOT NULL, apply_mode TEXT NOT NULL, threshold DOUBLE PRECISION NOT NULL, providers TEXT,
  settings TEXT NOT NULL, summary TEXT, error_code TEXT, error_message TEXT
);
CREATE INDEX inspection_runs_instance ON inspection_runs (instance, started_at);
CREATE TABLE inspection_results (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, run_id BIGINT NOT NULL REFERENCES inspection_runs (id) ON DELETE CASCADE,
  instance TEXT NOT NULL, name TEXT NOT NULL, auth_index TEXT, provider TEXT NOT NULL, email TEXT, label TEXT, plan TEXT,
  disabled INTEGER NOT NULL, http_status INTEGER, classification TEXT NOT NULL, action TEXT NOT NULL, action_taken TEXT,
  reason TEXT NOT NULL, attempts INTEGER NOT NULL, windows TEXT NOT NULL, short_used DOUBLE PRECISION, long_used DOUBLE PRECISION,
  short_resets_at BIGINT, long_resets_at BIGINT, long_started_at BIGINT, checked_at BIGINT NOT NULL
);
CREATE INDEX inspection_results_run ON inspection_results (run_id);
CREATE INDEX inspection_results_account ON inspection_results (instance, name, checked_at);
CREATE TABLE inspection_ownership (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, instance TEXT NOT NULL, name TEXT NOT NULL, auth_index TEXT NOT NULL,
  provider TEXT, disabled_at BIGINT NOT NULL, run_id BIGINT, classification TEXT NOT NULL, reason TEXT, modtime TEXT,
  released_at BIGINT, released_by TEXT, release_run_id BIGINT
);
CREATE UNIQUE INDEX inspection_ownership_open ON inspection_ownership (instance, name, auth_index) WHERE released_at IS NULL;
`

export interface PgMigration {
  id: number
  name: string
  sql: string
}

/**
 * Migration 2 (SQLite 005 and 006, issue 15; their header comments document the columns): the last state every
 * check delivered per target and notification receiver, and the collector's heartbeat (collector_runs.polled_at);
 * and cpactl_hist_merge as a one-pass merge of the two sorted histograms.
 */
const MONITORING = `
CREATE TABLE check_states (
  check_name TEXT NOT NULL, target TEXT NOT NULL, receiver TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('ok', 'warning', 'critical', 'unknown')), summary TEXT NOT NULL,
  since BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  PRIMARY KEY (check_name, target, receiver)
);
ALTER TABLE collector_runs ADD COLUMN polled_at BIGINT;

-- the histogram merge of every upsert as one pass over both sorted arrays (a quarter faster than migration 1's
-- unnest … GROUP BY, which a batch pays for each of its histogram rows); same result for sorted, distinct buckets
CREATE OR REPLACE FUNCTION cpactl_hist_merge(a BIGINT[], b BIGINT[]) RETURNS BIGINT[] LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  o BIGINT[] := '{}'; i INTEGER := 1; j INTEGER := 1; n INTEGER := 0;
  na INTEGER := COALESCE(cardinality(a), 0); nb INTEGER := COALESCE(cardinality(b), 0); ka BIGINT; kb BIGINT;
BEGIN
  IF na = 0 THEN RETURN b; END IF;
  IF nb = 0 THEN RETURN a; END IF;
  WHILE i <= na AND j <= nb LOOP
    ka := a[i] >> 32; kb := b[j] >> 32; n := n + 1;
    IF ka = kb THEN o[n] := a[i] + (b[j] & 4294967295); i := i + 1; j := j + 1;
    ELSIF ka < kb THEN o[n] := a[i]; i := i + 1;
    ELSE o[n] := b[j]; j := j + 1;
    END IF;
  END LOOP;
  IF i <= na THEN o := o || a[i:na]; END IF;
  IF j <= nb THEN o := o || b[j:nb]; END IF;
  RETURN o;
END $$;
`

export const pgMigrations: PgMigration[] = [
  {id: 1, name: 'initial (SQLite schema 4)', sql: INITIAL},
  {id: 2, name: 'check states, the collector heartbeat (SQLite schema 6), a one-pass histogram merge', sql: MONITORING},
]

export const PG_SCHEMA_VERSION = Math.max(...pgMigrations.map((m) => m.id))

/** Applied migration ids (empty: no cpactl schema in this database yet). */
export async function appliedMigrations(c: PgConnection): Promise<number[]> {
  const t = await c.one<{t: string | null}>("SELECT to_regclass('schema_migrations')::text AS t", [], 'read the schema version')
  if (!t?.t) return []
  return (await c.query<{id: number}>('SELECT id FROM schema_migrations ORDER BY id', [], 'read the schema version')).map((r) => r.id)
}

export function tooNew(location: string, version: number): ConfigError {
  return new ConfigError(`the store ${location} was written by a newer cpactl (schema ${version}, this version knows ${PG_SCHEMA_VERSION})`, {
    code: 'store_too_new',
    hint: 'upgrade cpactl',
  })
}

/** Apply pending migrations under the migration lock; returns the ids applied. */
export async function migratePg(c: PgConnection, list: PgMigration[] = pgMigrations): Promise<number[]> {
  return c.tx('migrate the schema', async () => {
    await c.query('SELECT pg_advisory_xact_lock(?::bigint)', [MIGRATION_LOCK])
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)')
    const applied = new Set(await appliedMigrations(c))
    const newest = Math.max(0, ...applied)
    if (newest > PG_SCHEMA_VERSION) throw tooNew(c.location, newest)
    const done: number[] = []
    for (const m of [...list].sort((a, b) => a.id - b.id)) {
      if (applied.has(m.id)) continue
      await c.query(m.sql, [], `apply migration ${m.id}`)
      await c.query('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)', [m.id, m.name, Date.now()])
      done.push(m.id)
    }
    return done
  })
}
