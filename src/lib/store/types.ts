/**
 * The store contract: the one way into stored usage, whatever the backend (SQLite, the embedded default, in
 * this directory; PostgreSQL for teams implements the same interface). Nothing outside src/lib/store sees a
 * database handle, a SQL string or a driver: commands and libraries get a `Store` from `openStore()`
 * (index.ts) and talk to its repositories.
 *
 * Rules for an implementation (what the SQLite one does, and what a PostgreSQL one must do too):
 *
 * 1. Granularity. Every method that may need a round trip returns a Promise, and is called about once per
 *    popped batch or once per report query — never once per record. Row streams come as pages
 *    (`AsyncIterable<T[]>`), so a backend pays one promise per page, not per row.
 * 2. Collector protocol ("never pop what cannot be stored": the gateway's pop is destructive, with no ack):
 *      runs.lockCollector → runs.start (first committed write = write probe) → spool.reserve → spool.recover →
 *      repeat { events.batch(tx => pop; tx.write(payloads)) } → runs.finish.
 *    `events.batch` takes the write lock *before* calling its callback, so a store that cannot be written
 *    fails before anything is popped; the callback pops and calls `tx.write` once; the commit follows. If
 *    the write or the commit fails the transaction is rolled back and the error rethrown (typed: LockError
 *    `store_busy`, ConfigError `store_full` / `store_unwritable` / `store_corrupt` …); the collector then
 *    spills the popped payloads (`spool.spill`).
 * 3. One rollup layer, in the same transaction. `tx.write` (and `events.ingest`) insert the new events, dedup
 *    by event hash (a duplicate changes nothing), and add *only the newly inserted* events to the hourly and
 *    daily rollups, the latency/TTFT histograms and the account sources, plus dead letters and the run's
 *    counters — all in one transaction, so rollups and events never disagree and nothing is folded later.
 *    rollup-cells.ts aggregates a batch in memory (backend-neutral); a backend only upserts the cells. Upkeep
 *    that does not depend on the batch's own events (SQLite: adding finished hours to the daily tables) runs in
 *    the same transaction before the callback pops, so the pop→commit window holds only the batch's own work.
 * 4. Exactness. Sums are integers, histograms are the encoding of histogram.ts, the context band is
 *    usage/bands.ts's. Rollups of pruned events stay (prune deletes raw events only).
 * 5. Read-only. `openStore({readonly: true})` never writes — no migration, no checkpoint, no lock file, no
 *    pragma that persists; reports use it, so a report against a backup or a read-only file changes nothing.
 *    Write methods of a read-only store reject with ConfigError `store_readonly`.
 * 6. Backend specifics stay behind this interface: SQLite pragmas, WAL checkpoints, the lock file, the spool
 *    directory beside the file, VACUUM / VACUUM INTO, file modes; for PostgreSQL its pool, advisory lock,
 *    COPY or multi-row upserts.
 * 7. Report queries are logical, not tables: `rollups.aggregate` sums one cube (model, key or account) at one
 *    grain per bucket and per every dimension but the period and the instance; `segments` map period starts to
 *    timeline buckets (periods in no segment are skipped); `splitAt` splits groups at a period start (the
 *    engine reads models with non-standard context tiers from raw events after it). `histograms` merge one
 *    dimension's histograms per (bucket, value); dim 'all' covers every request. How a backend stores the
 *    cubes (the SQLite schema: migrations/, rollup-cells.ts) is its own business.
 * 8. Schema and migrations belong to the backend (SQLite: migrations/, run by openStore unless read-only).
 *    `openStore` picks the backend from the location (index.ts `isDatabaseUrl`).
 * 9. Proof a backend honours this: the rollup-versus-raw equivalence tests (test/lib/report/engine.test.ts),
 *    the repository tests (test/lib/store/*.test.ts) and the command tests all go through this interface only.
 *
 * Data shapes: rows.ts (usage, queries, rollups) and records.ts (runs, names, inspections, maintenance).
 */
import type {ModelPrice} from './price-rows.js'
import type {InspectResult} from './inspection-rows.js'
import type {
  AccountLabel,
  AccountName,
  AliasRow,
  BackupResult,
  CheckStateRecord,
  CollectorLock,
  DeadLetter,
  DeadLetterQuery,
  DeadLetterSummary,
  DisableRecord,
  InspectionRunFinish,
  InspectionRunRecord,
  InspectionRunStart,
  KeyHint,
  KeyName,
  KeyUsage,
  ModelSeen,
  OwnershipRecord,
  PriceImportOutcome,
  PruneResult,
  RetryResult,
  RunFinish,
  RunPoll,
  RunQuery,
  RunRecord,
  RunStart,
  StoredResult,
  StoreInfo,
  VacuumResult,
} from './records.js'
import type {
  BatchCounts,
  CubeGroup,
  CubeQuery,
  EventListQuery,
  EventRow,
  ExportQuery,
  HistGroup,
  HistQuery,
  IngestContext,
  IngestResult,
  LatestFailure,
  RollupState,
  ScanQuery,
  SpoolRecovery,
  StoredEvent,
  StoreTotals,
  UsageRow,
  UsageSince,
} from './rows.js'

export interface Store {
  /** 'sqlite' (or 'postgres'). */
  readonly kind: string
  /** Where the store lives: a file path for SQLite, a URL without credentials for PostgreSQL. */
  readonly location: string
  readonly readonly: boolean
  readonly events: EventRepository
  readonly rollups: RollupRepository
  readonly runs: RunRepository
  readonly deadLetters: DeadLetterRepository
  readonly spool: SpoolRepository
  readonly prices: PriceRepository
  readonly aliases: NameRepository
  readonly inspections: InspectionRepository
  readonly maintenance: MaintenanceRepository
  /** Last delivered state per check, target and notification receiver (the only write a check makes). */
  readonly checks: CheckStateRepository
  /** Release the connection (SQLite: a passive WAL checkpoint first, when writable). Idempotent. */
  close(): Promise<void>
}

/** The writer handed to an `events.batch` callback. */
export interface BatchTransaction {
  /**
   * Classify and store the popped payloads (raw strings from RESP, strings or objects from the HTTP queue):
   * each is inserted, counted as a duplicate, dead-lettered or counted as a control payload; the rollups and
   * the run's counters move with them. Call once per batch.
   */
  write(payloads: readonly unknown[], ctx: IngestContext): Promise<BatchCounts>
}

export interface IngestOptions {
  runId?: number | null
  receivedAt?: number
}

export interface EventRepository {
  /**
   * One collector batch: take the write lock, run `fn` (which pops and calls tx.write), commit. Transactions
   * do not nest. See the collector protocol above.
   */
  batch<T>(fn: (tx: BatchTransaction) => Promise<T>): Promise<T>
  /**
   * The collector is about to send batches: a backend that prepares something for them starts it now, while
   * the collector connects to the gateway (SQLite: the normaliser thread, so the first batches do not wait for
   * it). Optional to call; batches work without it.
   */
  prepareBatches(): void
  /** Bulk path (usage import, dead-letter retry, benchmarks): all payloads in one transaction. */
  ingest(instance: string, payloads: readonly unknown[], options?: IngestOptions): Promise<IngestResult>
  /** Raw events for the report engine, in pages (order unspecified). */
  scan(q: ScanQuery): AsyncIterable<UsageRow[]>
  /** Per-request rows, newest first, keyset-paginated on (ts, id). */
  list(q: EventListQuery): Promise<EventRow[]>
  /** Every column of every event in the range, oldest first, in keyset pages on (ts, id) (usage export). */
  exportPages(q: ExportQuery): AsyncIterable<StoredEvent[]>
  count(q: ExportQuery): Promise<number>
  /** Newest failed event of each (status × account × model) group in [since, until), in the order asked. */
  latestFailures(q: {groups: ReadonlyArray<{authIndex: string; model: string; status: number}>; since: number; until: number; instances?: string[]}): Promise<Array<LatestFailure | null>>
  /** Raw events present (pruned ones excluded), per instance or all; instances ever seen. */
  totals(instance?: string | null): Promise<StoreTotals>
  /**
   * Instances ever seen (collector runs or usage in the rollups), sorted: `totals().instances` without counting
   * the raw events (metrics and checks read it on every scrape).
   */
  instances(): Promise<string[]>
}

export interface RollupRepository {
  state(): Promise<RollupState>
  /** Rollup groups of one cube and grain, summed per bucket (see CubeQuery). */
  aggregate(q: CubeQuery): Promise<CubeGroup[]>
  /** Histograms of one dimension, merged per (bucket, value). */
  histograms(q: HistQuery): Promise<HistGroup[]>
  /** Newest event of a UTC day according to the rollups (null: none). */
  newestInDay(dayStart: number): Promise<number | null>
  /** Every model seen in usage, most requests first. */
  modelsSeen(instances?: string[]): Promise<ModelSeen[]>
  /** All-time requests and newest event per API-key hash. */
  keyUsage(): Promise<Map<string, KeyUsage>>
  /** Requests and tokens of a credential since `sinceMs` (raw events for the partial first hour, rollups after). */
  usageSince(instance: string, authIndex: string, sinceMs: number): Promise<UsageSince>
}

export interface RunRepository {
  /**
   * Take the collector lock or reject with LockError `collector_running` naming the holder (pid; host on
   * PostgreSQL). SQLite: one collector per store file. PostgreSQL: one collector per gateway instance, so the
   * collectors of several gateways write into one database at the same time.
   */
  lockCollector(purpose: string, instance: string): Promise<CollectorLock>
  /** Insert the run row and commit it: the store's write probe, done before anything is popped. */
  start(start: RunStart): Promise<number>
  finish(runId: number, finish: RunFinish): Promise<void>
  /**
   * The collector's heartbeat: the run reached the usage queue at `poll.at` (polledAt only moves forward); the
   * gateway facts given (non-null) are kept on the run as `finish` keeps them, so a long-running collector's row
   * shows them before it ends. Called by `collect` at most every few seconds.
   */
  recordPoll(runId: number, poll: RunPoll): Promise<void>
  /** A batch could not be committed: its payloads were popped and went to a spool file. */
  recordSpooled(runId: number, count: number): Promise<void>
  get(id: number): Promise<RunRecord | null>
  /** Newest first. */
  list(query?: RunQuery): Promise<RunRecord[]>
}

export interface DeadLetterRepository {
  summary(instance?: string | null): Promise<DeadLetterSummary>
  list(q: DeadLetterQuery): Promise<{items: DeadLetter[]; total: number}>
  /** Re-parse waiting dead letters with this version's normaliser; the ones that parse are ingested. */
  retry(q?: {ids?: number[]; instance?: string; now?: number}): Promise<RetryResult>
}

export interface SpoolRepository {
  /**
   * Reserve room for one spilled batch before the first pop (a full disk fails here, as a typed error).
   * `spill` gives the room back before writing; `release` at the end of the run.
   */
  reserve(bytes: number): Promise<void>
  release(): Promise<void>
  /** Keep payloads that could not be committed (0600, fsynced); returns where they went. */
  spill(instance: string, receivedAt: number, payloads: readonly unknown[]): Promise<string>
  /** Ingest (and delete) what earlier failed runs spilled, counting it under `runId`. */
  recover(runId: number | null): Promise<SpoolRecovery>
  /** Spilled batches waiting to be recovered. */
  pending(): Promise<number>
}

export interface PriceRepository {
  list(): Promise<ModelPrice[]>
  get(model: string): Promise<ModelPrice | null>
  upsert(price: ModelPrice): Promise<void>
  /** Delete by exact model name; returns the names that existed. */
  remove(models: readonly string[]): Promise<string[]>
  /** One transaction; a manual entry is replaced only with `overwrite`; `dryRun` writes nothing. */
  import(prices: ReadonlyArray<Omit<ModelPrice, 'updatedAt'>>, options?: {overwrite?: boolean; dryRun?: boolean; now?: number}): Promise<PriceImportOutcome>
}

/** Names shown in reports: API-key aliases and masked-key hints, account labels and usage sources. */
export interface NameRepository {
  list(): Promise<AliasRow[]>
  byHash(hash: string): Promise<AliasRow | null>
  /** Aliases are unique regardless of case (NFC + lower case). */
  byName(alias: string): Promise<AliasRow | null>
  /** Insert or rename; the caller has checked that no other hash holds the alias. */
  upsert(hash: string, alias: string, now?: number): Promise<void>
  remove(hash: string): Promise<boolean>
  /** Several aliases set in one transaction (a file import, validated by the caller). */
  upsertMany(entries: ReadonlyArray<{hash: string; alias: string}>, now?: number): Promise<void>
  saveKeyHints(instance: string | null, hints: ReadonlyArray<{apiKeyHash: string; masked: string}>, now?: number): Promise<void>
  listKeyHints(): Promise<KeyHint[]>
  keyNames(hashes: readonly string[]): Promise<Map<string, KeyName>>
  /** Replace the stored auth-file list of an instance; returns the labels saved. */
  saveAccountLabels(instance: string, labels: readonly AccountLabel[], now?: number): Promise<number>
  accountNames(authIndexes: readonly string[]): Promise<Map<string, AccountName>>
  /** auth_index values an `--account` term names: the index, an auth-file name, an email/label or a usage source. */
  resolveAccount(term: string): Promise<string[]>
}

export interface InspectionRepository {
  readonly location: string
  startRun(start: InspectionRunStart): Promise<number>
  finishRun(id: number, finish: InspectionRunFinish): Promise<void>
  saveResults(runId: number, instance: string, results: readonly InspectResult[]): Promise<void>
  /** The open (not released) ownership of a credential, if cpactl disabled it. */
  openOwnership(instance: string, name: string, authIndex: string | null): Promise<OwnershipRecord | null>
  listOpenOwnership(instance: string): Promise<OwnershipRecord[]>
  /** Record a disable cpactl made (replacing a stale open row for the same credential). */
  recordDisable(d: DisableRecord): Promise<void>
  releaseOwnership(id: number, release: {at: number; by: 'cpactl' | 'external'; runId: number | null}): Promise<void>
  getRun(id: number): Promise<InspectionRunRecord | null>
  /** Newest first. */
  listRuns(query?: {instance?: string | null; limit?: number}): Promise<InspectionRunRecord[]>
  runResults(runId: number): Promise<StoredResult[]>
  /** The latest probed (not skipped) result of every credential of an instance. */
  latestResults(instance: string): Promise<StoredResult[]>
  /** quota: what the store collected for a credential since a window start (RollupRepository.usageSince). */
  usageSince(instance: string, authIndex: string, sinceMs: number): Promise<{requests: number; tokens: number}>
}

export interface MaintenanceRepository {
  info(): Promise<StoreInfo>
  /** Delete raw events before the UTC midnight at or before now − olderThanMs; rollups keep them. */
  prune(olderThanMs: number, options?: {dryRun?: boolean; now?: number}): Promise<PruneResult>
  /** Reclaim free space (SQLite: VACUUM; PostgreSQL: VACUUM (ANALYZE)). */
  vacuum(): Promise<VacuumResult>
  /** A consistent copy while collectors keep writing (SQLite: VACUUM INTO, mode 0600). */
  backup(dest: string, options?: {force?: boolean}): Promise<BackupResult>
}

/**
 * What `cpactl check … --notify` delivered last (issue 15), keyed by (check, target, receiver). A check reads the
 * rows of its receiver, posts only the targets whose state differs (a missing row counts as `ok`), and saves the
 * rows of a receiver only after that receiver accepted the post, so a receiver that was down gets the change on
 * the next run.
 */
export interface CheckStateRepository {
  /** Every target's row of one check for one receiver (ordered by target). */
  list(check: string, receiver: string): Promise<CheckStateRecord[]>
  /** Insert or replace by (check, target, receiver), all in one transaction. */
  save(records: readonly CheckStateRecord[]): Promise<void>
}
