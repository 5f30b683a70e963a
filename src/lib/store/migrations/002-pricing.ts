/**
 * Migration 002: prices, API-key aliases, and the report rollups (issue 5). Schema:
 *
 * prices — one row per model name as usage records carry it (src/lib/pricing/types.ts).
 *   model TEXT PRIMARY KEY; input, cache_read, cache_write, output, reasoning REAL (USD per 1M tokens,
 *   NULL = not set); tiers TEXT (JSON ContextTier[]), service_tiers TEXT (JSON {tier: rule});
 *   source TEXT (manual | litellm | models.dev | bundled), source_model TEXT, updated_at INTEGER (ms).
 *
 * api_key_aliases — names for client API keys.
 *   api_key_hash TEXT PRIMARY KEY (lowercase hex SHA-256 of the trimmed key; the key itself is never stored);
 *   alias TEXT (≤ 120 chars), alias_key TEXT UNIQUE (NFC + lower case: aliases are unique regardless of case);
 *   updated_at INTEGER. Rows outlive the keys, so history keeps its names.
 *
 * api_key_hints — client keys seen on a gateway (`aliases import --from-gateway`): api_key_hash PRIMARY KEY,
 *   masked TEXT (`****wxyz`), instance TEXT, seen_at INTEGER. Lets reports show a masked key for unnamed keys.
 *
 * account_labels — the latest auth-file list per instance: (instance, auth_index) PRIMARY KEY, name (file),
 *   email, label, provider, updated_at. Reports show these instead of bare auth_index values.
 *
 * Report rollups — the store's one rollup layer. Since migration 004 they are maintained in the same
 * transaction as the events (ingest.ts, cells summed by rollup-cells.ts); before it they were folded from the
 * raw events after the fact (checkpoint report_state.derived_upto_id, dropped by 004). Each exists per hour
 * (`*_hourly`, start_ms = UTC hour) and per UTC day (`*_daily`, start_ms = UTC midnight), so a 90-day range
 * reads ~90 daily groups plus the hours of its two partial days:
 *   report_model_{hourly,daily}   (start_ms, instance, provider, model, service_tier, response_service_tier, band)
 *   report_key_{hourly,daily}     (… + api_key_hash)
 *   report_account_{hourly,daily} (… + auth_index, failed_flag, fail_status_code)
 *   Values: requests, failed (count), uncached_input, cache_read, cache_write, output_total, reasoning,
 *   unclassified, latency_sum, latency_count, ttft_sum, ttft_count (ttft_ms > 0 only), last_ts (newest event).
 *   band = how many of the standard context thresholds (src/lib/usage/bands.ts CONTEXT_BANDS: 128k, 200k,
 *   256k, 272k, 1M) the requests' total input (uncached + cache read + cache write) exceeds, so context-tiered
 *   prices at those thresholds are billed exactly from the rollups.
 *   Absent dimensions are ''. WITHOUT ROWID.
 *   They are coarser than one table keyed by every dimension at once (about one row per event when traffic is
 *   spread over many accounts × keys × models) — that is what makes long ranges fast.
 * report_hist_{hourly,daily} — latency and TTFT histograms for p95 over long ranges: (dim, start_ms, value,
 *   instance) → lat_hist, ttft_hist BLOBs (keyed dimension first, so one dimension's rows are contiguous) (log-scale, 16 buckets per octave: sorted little-endian (u16 bucket,
 *   u32 count) pairs; src/lib/store/histogram.ts). dim = 'all' (value ''), 'model' (value
 *   provider U+001F model), 'key' (api_key_hash) or 'account' (auth_index).
 * report_account_sources — (instance, auth_index, source) → last_ts: the newest `source` (email, project or
 *   masked key) each credential was seen with, for display and for `--account <email>` filters.
 * report_state — key/value integers: raw_complete_from (UTC midnight, ms: raw events before it may have been
 *   pruned; 0 = never pruned); until migration 004 also derived_upto_id (the fold checkpoint).
 */
import type {Migration} from './types.js'

const SUMS = `
  requests INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  uncached_input INTEGER NOT NULL,
  cache_read INTEGER NOT NULL,
  cache_write INTEGER NOT NULL,
  output_total INTEGER NOT NULL,
  reasoning INTEGER NOT NULL,
  unclassified INTEGER NOT NULL,
  latency_sum INTEGER NOT NULL,
  latency_count INTEGER NOT NULL,
  ttft_sum INTEGER NOT NULL,
  ttft_count INTEGER NOT NULL,
  last_ts INTEGER NOT NULL`

const CUBES: Record<string, string[]> = {
  model: [],
  key: ['api_key_hash TEXT NOT NULL'],
  account: ['auth_index TEXT NOT NULL', 'failed_flag INTEGER NOT NULL', 'fail_status_code INTEGER NOT NULL'],
}

const ROLLUPS = ['hourly', 'daily']
  .flatMap((grain) => [
    ...Object.entries(CUBES).map(([cube, extra]) => {
      const dims = ['start_ms INTEGER NOT NULL', 'instance TEXT NOT NULL', 'provider TEXT NOT NULL', 'model TEXT NOT NULL', 'service_tier TEXT NOT NULL', 'response_service_tier TEXT NOT NULL', 'band INTEGER NOT NULL', ...extra]
      return `CREATE TABLE report_${cube}_${grain} (
        ${dims.join(',\n        ')},${SUMS},
        PRIMARY KEY (${dims.map((d) => d.split(' ')[0]).join(', ')})
      ) WITHOUT ROWID;`
    }),
    `CREATE TABLE report_hist_${grain} (
        start_ms INTEGER NOT NULL,
        instance TEXT NOT NULL,
        dim TEXT NOT NULL,
        value TEXT NOT NULL,
        lat_hist BLOB,
        ttft_hist BLOB,
        PRIMARY KEY (dim, start_ms, value, instance)
      ) WITHOUT ROWID;`,
  ])
  .join('\n      ')

export const migration: Migration = {
  id: 2,
  name: 'pricing',
  up(db) {
    db.exec(`
      CREATE TABLE prices (
        model TEXT PRIMARY KEY,
        input REAL,
        cache_read REAL,
        cache_write REAL,
        output REAL,
        reasoning REAL,
        tiers TEXT NOT NULL DEFAULT '[]',
        service_tiers TEXT NOT NULL DEFAULT '{}',
        source TEXT NOT NULL,
        source_model TEXT,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE api_key_aliases (
        api_key_hash TEXT PRIMARY KEY CHECK (length(api_key_hash) = 64),
        alias TEXT NOT NULL,
        alias_key TEXT NOT NULL UNIQUE,
        updated_at INTEGER NOT NULL
      );

      CREATE TABLE api_key_hints (
        api_key_hash TEXT PRIMARY KEY CHECK (length(api_key_hash) = 64),
        masked TEXT NOT NULL,
        instance TEXT,
        seen_at INTEGER NOT NULL
      );

      CREATE TABLE account_labels (
        instance TEXT NOT NULL,
        auth_index TEXT NOT NULL,
        name TEXT,
        email TEXT,
        label TEXT,
        provider TEXT,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (instance, auth_index)
      ) WITHOUT ROWID;

${ROLLUPS}

      CREATE TABLE report_account_sources (
        instance TEXT NOT NULL,
        auth_index TEXT NOT NULL,
        source TEXT NOT NULL,
        last_ts INTEGER NOT NULL,
        PRIMARY KEY (instance, auth_index, source)
      ) WITHOUT ROWID;

      CREATE TABLE report_state (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO report_state (key, value) VALUES ('derived_upto_id', 0), ('raw_complete_from', 0);
    `)
  },
}
