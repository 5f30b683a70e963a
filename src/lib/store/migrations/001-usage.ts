/**
 * Migration 001: the usage store (issue 4). Schema, for the modules that build on it:
 *
 * usage_events — one row per gateway usage record, append-only.
 *   id                  INTEGER PRIMARY KEY (ingest order)
 *   instance            TEXT NOT NULL   profile name, or host:port when no profile was used
 *   ts                  INTEGER NOT NULL request start, UTC milliseconds
 *   tz_offset_min       INTEGER          server-local offset the record carried (minutes east of UTC)
 *   event_hash          BLOB NOT NULL    first 16 bytes of SHA-256 over the canonical tuple (usage/hash.ts); unique
 *                                        through UNIQUE (ts, instance, event_hash) — both are inside the tuple
 *   run_id              INTEGER          collector_runs.id that stored it (NULL for imports)
 *   provider, executor_type, model, alias, endpoint, auth_type, auth_index       TEXT (as sent; NULL = absent)
 *   source              TEXT             account; masked `****wxyz` when secret (API-key credentials)
 *   source_hash         TEXT             hex SHA-256 of the raw source, only when masked
 *   api_key_hash        TEXT             hex SHA-256 of the trimmed client key (never the key); NULL = none
 *   access_token_sha256 TEXT             as sent (already a fingerprint)
 *   request_id          TEXT
 *   latency_ms, ttft_ms INTEGER
 *   failed              INTEGER NOT NULL 0/1
 *   fail_status_code    INTEGER          fail.status_code (200 on success)
 *   fail_summary        TEXT             redacted fail.body, ≤ 4096 bytes, NULL on success
 *   generate, stream    INTEGER          0/1/NULL
 *   legacy counters     input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_read_tokens,
 *                       cache_creation_tokens, total_tokens, cache_creation_5m_tokens, cache_creation_1h_tokens
 *   accounting_version  INTEGER          record's accounting_version (2 = token_breakdown present)
 *   token_quality       TEXT             breakdown quality (complete/inconsistent/unclassified) or `derived`
 *   buckets (NOT NULL)  input_total = uncached_input + cache_read + cache_write; output_total ⊇ reasoning;
 *                       unclassified; total = input_total + output_total + unclassified
 *   reasoning_effort, service_tier, response_service_tier, client_ip, x_forwarded_for, user_agent   TEXT
 *   response_headers    TEXT             compact JSON, sensitive headers dropped, ≤ 2 KB
 *   extra               TEXT             compact JSON of unknown fields (secret-named values redacted), else NULL
 *   The raw record JSON is not kept: every known field has a column, unknown ones go to `extra`.
 *   One index: UNIQUE (ts, instance, event_hash) — since migration 007 UNIQUE (ts, event_hash), the hash covering
 *   the instance — dedup, and time ranges with or without an instance filter
 *   (`WHERE ts >= ? AND ts < ? [AND instance = ?]`). It grows near its right edge (records arrive in publish
 *   order, jittered by their latency), so a batch dirties few pages. There is deliberately no per-model,
 *   auth_index or api_key_hash index on the raw rows: each adds an insertion point per distinct value to every
 *   batch; with them the commit cost tripled and the drain ran at a third of the speed (bench/collect.js).
 *   Per-dimension questions over long ranges go to the rollups (migration 002, maintained with the events since
 *   migration 004); raw questions (exact p95, request lists, the partial first hour of a quota window) are
 *   bounded time ranges scanned through this index.
 *
 * usage_hourly — (retired by migration 004: the report rollups answer its questions) rollup maintained in the
 *   same transaction as the events (only newly inserted events count).
 *   Key: instance, hour_ms (UTC hour start), provider, model, auth_index, api_key_hash, failed, fail_status_code
 *   (failures are rare, so the status split is cheap). Absent dimensions are '' (0 for the status code) so the key
 *   stays unique. Service tiers are not a dimension (each would multiply the groups every batch rewrites);
 *   tier-aware cost reports derive their own rollups from the raw rows. Values: requests, every bucket (input_total … total), latency_sum/latency_count/latency_max,
 *   ttft_sum/ttft_count (ttft_ms > 0 only). WITHOUT ROWID; index on hour_ms.
 *
 * usage_dead_letters — payloads that did not parse or validate: instance, received_at (ms), run_id, reason,
 *   payload (redacted: client key replaced by its hash, credentials scrubbed), resolved_at (NULL = waiting).
 *
 * collector_runs — the run log: instance, pid, mode (once/follow/import), transport, started_at, ended_at,
 *   status (running/ok/failed/interrupted), counters (popped, inserted, duplicates, dead_lettered,
 *   control_skipped, spooled, recovered, batches), oldest/newest record ts, gateway facts seen (retention_s,
 *   publishing), error_code/error_message, warnings (JSON array), coverage (JSON), auth_counters (JSON
 *   {auth_index: [success, failed]}) + auth_counters_at: the gateway's per-credential counters at the end of
 *   the run, the baseline of the next run's coverage estimate.
 */
import type {Migration} from './types.js'

export const migration: Migration = {
  id: 1,
  name: 'usage',
  up(db) {
    db.exec(`
      CREATE TABLE usage_events (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        ts INTEGER NOT NULL,
        tz_offset_min INTEGER,
        event_hash BLOB NOT NULL,
        run_id INTEGER,
        provider TEXT,
        executor_type TEXT,
        model TEXT,
        alias TEXT,
        endpoint TEXT,
        auth_type TEXT,
        auth_index TEXT,
        source TEXT,
        source_hash TEXT,
        api_key_hash TEXT,
        access_token_sha256 TEXT,
        request_id TEXT,
        latency_ms INTEGER,
        ttft_ms INTEGER,
        failed INTEGER NOT NULL,
        fail_status_code INTEGER,
        fail_summary TEXT,
        generate INTEGER,
        stream INTEGER,
        input_tokens INTEGER,
        output_tokens INTEGER,
        reasoning_tokens INTEGER,
        cached_tokens INTEGER,
        cache_read_tokens INTEGER,
        cache_creation_tokens INTEGER,
        total_tokens INTEGER,
        cache_creation_5m_tokens INTEGER,
        cache_creation_1h_tokens INTEGER,
        accounting_version INTEGER,
        token_quality TEXT,
        input_total INTEGER NOT NULL,
        uncached_input INTEGER NOT NULL,
        cache_read INTEGER NOT NULL,
        cache_write INTEGER NOT NULL,
        output_total INTEGER NOT NULL,
        reasoning INTEGER NOT NULL,
        unclassified INTEGER NOT NULL,
        total INTEGER NOT NULL,
        reasoning_effort TEXT,
        service_tier TEXT,
        response_service_tier TEXT,
        client_ip TEXT,
        x_forwarded_for TEXT,
        user_agent TEXT,
        response_headers TEXT,
        extra TEXT
      );
      -- dedup: ts and instance are part of the hashed tuple, so (ts, instance, event_hash) is unique exactly when
      -- event_hash is; leading with ts keeps inserts near the right edge (a bare random hash rewrites random pages
      -- on every batch) and the one index serves time ranges, with or without an instance filter
      CREATE UNIQUE INDEX usage_events_ts ON usage_events (ts, instance, event_hash);

      CREATE TABLE usage_hourly (
        instance TEXT NOT NULL,
        hour_ms INTEGER NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        auth_index TEXT NOT NULL,
        api_key_hash TEXT NOT NULL,
        failed INTEGER NOT NULL,
        fail_status_code INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        input_total INTEGER NOT NULL,
        uncached_input INTEGER NOT NULL,
        cache_read INTEGER NOT NULL,
        cache_write INTEGER NOT NULL,
        output_total INTEGER NOT NULL,
        reasoning INTEGER NOT NULL,
        unclassified INTEGER NOT NULL,
        total INTEGER NOT NULL,
        latency_sum INTEGER NOT NULL,
        latency_count INTEGER NOT NULL,
        latency_max INTEGER NOT NULL,
        ttft_sum INTEGER NOT NULL,
        ttft_count INTEGER NOT NULL,
        PRIMARY KEY (instance, hour_ms, provider, model, auth_index, api_key_hash, failed, fail_status_code)
      ) WITHOUT ROWID;
      CREATE INDEX usage_hourly_hour ON usage_hourly (hour_ms);

      CREATE TABLE usage_dead_letters (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        run_id INTEGER,
        reason TEXT NOT NULL,
        payload TEXT NOT NULL,
        resolved_at INTEGER
      );
      CREATE INDEX usage_dead_letters_waiting ON usage_dead_letters (instance, resolved_at);

      CREATE TABLE collector_runs (
        id INTEGER PRIMARY KEY,
        instance TEXT NOT NULL,
        pid INTEGER NOT NULL,
        mode TEXT NOT NULL,
        transport TEXT,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        status TEXT NOT NULL,
        popped INTEGER NOT NULL DEFAULT 0,
        inserted INTEGER NOT NULL DEFAULT 0,
        duplicates INTEGER NOT NULL DEFAULT 0,
        dead_lettered INTEGER NOT NULL DEFAULT 0,
        control_skipped INTEGER NOT NULL DEFAULT 0,
        spooled INTEGER NOT NULL DEFAULT 0,
        recovered INTEGER NOT NULL DEFAULT 0,
        batches INTEGER NOT NULL DEFAULT 0,
        oldest_record_ts INTEGER,
        newest_record_ts INTEGER,
        retention_s INTEGER,
        publishing INTEGER,
        error_code TEXT,
        error_message TEXT,
        warnings TEXT,
        coverage TEXT,
        auth_counters TEXT,
        auth_counters_at INTEGER
      );
      CREATE INDEX collector_runs_instance ON collector_runs (instance, started_at);
    `)
  },
}
