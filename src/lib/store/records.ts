/**
 * Everything else that crosses the `Store` interface (types.ts), backend-neutral: collector runs and the
 * collector lock, dead letters, names (API-key aliases and hints, account labels), price-import outcomes,
 * inspection runs/results/ownership, and what maintenance reports.
 */
import type {Warning} from '../cli/warnings.js'
import type {ApplyMode, Classification, InspectResult, InspectSummary} from './inspection-rows.js'

// --------------------------------------------------------------------------------------- collector runs

export type RunMode = 'once' | 'follow' | 'import'
export type RunStatus = 'running' | 'ok' | 'failed' | 'interrupted'

/** Per-credential gateway counters: auth_index → [success, failed]. */
export type AuthCounters = Record<string, [number, number]>

export interface RunStart {
  instance: string
  mode: RunMode
  transport: string | null
  startedAt: number
  pid?: number
}

export interface RunFinish {
  status: RunStatus
  endedAt: number
  transport?: string | null
  retentionSeconds?: number | null
  publishing?: boolean | null
  errorCode?: string | null
  errorMessage?: string | null
  warnings?: Warning[]
  coverage?: unknown
  authCounters?: AuthCounters | null
  authCountersAt?: number | null
  /** Payloads written to a spool file because their batch could not be committed. */
  spooled?: number
}

/** A running collector reached the usage queue (its heartbeat); the gateway facts it read, when it read them. */
export interface RunPoll {
  /** UTC ms of the poll. */
  at: number
  transport?: string | null
  retentionSeconds?: number | null
  publishing?: boolean | null
}

export interface RunRecord {
  id: number
  instance: string
  pid: number
  mode: RunMode
  transport: string | null
  startedAt: number
  endedAt: number | null
  status: RunStatus
  popped: number
  inserted: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
  spooled: number
  recovered: number
  batches: number
  oldestRecordTs: number | null
  newestRecordTs: number | null
  retentionSeconds: number | null
  publishing: boolean | null
  /** Last successful poll of the usage queue (UTC ms; RunRepository.recordPoll), null before the first. */
  polledAt: number | null
  errorCode: string | null
  errorMessage: string | null
  warnings: Warning[]
  coverage: unknown
  authCounters: AuthCounters | null
  authCountersAt: number | null
}

export interface RunQuery {
  instance?: string | null
  limit?: number
  /** Only runs with one of these statuses. */
  status?: RunStatus[]
  /** Only runs that recorded gateway counters (the coverage baseline). */
  withAuthCounters?: boolean
  /** Exclude this run id (the current run). */
  excludeId?: number
  /** Only collector runs (once/follow), not imports. */
  collectorOnly?: boolean
}

export interface LockHolder {
  pid: number
  /** Host of the holder (PostgreSQL: collectors of one store run on several hosts). */
  host?: string
  since: number
  purpose: string
}

/** One collector per store (SQLite) or per instance (PostgreSQL): held for the whole run, gone with the process (kill -9 included). */
export interface CollectorLock {
  /** Where the lock lives (a file beside a SQLite store; the advisory lock's instance on PostgreSQL). */
  readonly path: string
  release(): void | Promise<void>
}

// ----------------------------------------------------------------------------------------- dead letters

export interface DeadLetterSummary {
  waiting: number
  oldestAt: number | null
  newestAt: number | null
  /** Most frequent reasons first (at most 10). */
  reasons: Array<{reason: string; count: number}>
}

export interface DeadLetter {
  id: number
  instance: string
  receivedAt: string
  runId: number | null
  reason: string
  /** Redacted payload (client keys replaced by their hash, credentials scrubbed). */
  payload: string
  resolvedAt: string | null
}

export interface DeadLetterQuery {
  all?: boolean
  limit: number
  instance?: string
}

export interface RetryResult {
  tried: number
  /** Parsed now and stored as new events. */
  recovered: number
  /** Parsed now, but the event was already stored. */
  duplicates: number
  /** Still not a valid record (kept, waiting). */
  stillFailing: number
  /** Reasons of the ones still failing, most common first. */
  reasons: Array<{reason: string; count: number}>
}

// ------------------------------------------------------------------------------------------------ names

export interface AliasRow {
  apiKeyHash: string
  alias: string
  updatedAt: number
}

export interface KeyHint {
  apiKeyHash: string
  masked: string
  instance: string | null
  seenAt: number
}

export interface KeyName {
  apiKeyHash: string
  alias: string | null
  masked: string | null
}

export interface AccountLabel {
  authIndex: string
  name: string | null
  email: string | null
  label: string | null
  provider: string | null
}

export interface AccountName {
  instance: string
  authIndex: string
  name: string | null
  email: string | null
  label: string | null
  provider: string | null
  /** Newest `source` the credential was seen with in usage (email, project id or masked key). */
  source: string | null
}

/** Usage of one API key over all time (from the rollups). */
export interface KeyUsage {
  requests: number
  lastTs: number
}

// ----------------------------------------------------------------------------------------------- prices

export interface PriceImportOutcome {
  added: string[]
  updated: string[]
  unchanged: number
  /** Manual entries left alone (import without overwrite). */
  keptManual: string[]
}

export interface ModelSeen {
  model: string
  requests: number
  lastTs: number
}

// ------------------------------------------------------------------------------------------ inspections

export type InspectionRunStatus = 'running' | 'completed' | 'failed' | 'interrupted'
export type InspectionTrigger = 'inspect' | 'quota'

export interface InspectionRunStart {
  instance: string
  trigger: InspectionTrigger
  startedAt: number
  apply: ApplyMode
  threshold: number
  providers: string[] | null
  settings: Record<string, unknown>
}

export interface InspectionRunFinish {
  finishedAt: number
  status: InspectionRunStatus
  summary: InspectSummary | null
  errorCode?: string | null
  errorMessage?: string | null
}

export interface InspectionRunRecord {
  id: number
  instance: string
  trigger: InspectionTrigger
  startedAt: number
  finishedAt: number | null
  status: InspectionRunStatus
  apply: ApplyMode
  threshold: number
  providers: string[] | null
  settings: Record<string, unknown>
  summary: InspectSummary | null
  errorCode: string | null
  errorMessage: string | null
}

export interface StoredResult extends InspectResult {
  runId: number
}

export interface OwnershipRecord {
  id: number
  instance: string
  name: string
  authIndex: string
  provider: string | null
  disabledAt: number
  runId: number | null
  classification: string
  reason: string | null
  modtime: string | null
}

export interface DisableRecord {
  instance: string
  name: string
  authIndex: string
  provider: string
  at: number
  runId: number | null
  classification: Classification
  reason: string
  modtime: string | null
}

// ------------------------------------------------------------------------------------------ maintenance

export interface InstanceInfo {
  instance: string
  /** Events counted in the rollups (includes pruned ones). */
  events: number
  /** PostgreSQL: raw events of the instance present (pruned ones excluded). */
  rawEvents?: number
  firstSeen: string | null
  lastSeen: string | null
}

export interface StoreInfo {
  /** Where the store lives (file path, or a URL without credentials). */
  path: string
  kind: string
  /** Bytes the store occupies (SQLite: database plus WAL and shared-memory files). */
  sizeBytes: number
  schemaVersion: number
  /** Raw events present (pruned ones excluded). */
  rawEvents: number
  /** Events ever stored, from the rollups (pruned ones included). */
  totalEvents: number
  oldestRawEvent: string | null
  newestEvent: string | null
  /** Raw events before this time may have been pruned (null: never pruned). */
  rawCompleteFrom: string | null
  instances: InstanceInfo[]
  deadLetters: {waiting: number; resolved: number; oldestWaiting: string | null}
  prices: number
  aliases: number
  lastRun: {instance: string; startedAt: string; status: string; inserted: number} | null
  /** PostgreSQL: the server's version. */
  serverVersion?: string
  /** PostgreSQL: every table of the store with its size on disk (indexes and TOAST included), largest first. */
  tables?: Array<{table: string; bytes: number; rows: number}>
}

export interface PruneResult {
  /** Raw events before this instant (a UTC midnight) are deleted. */
  cutoff: string
  deleted: number
  remaining: number
  /** Resolved dead letters older than the cutoff, deleted too. */
  deadLettersDeleted: number
  dryRun: boolean
}

export interface VacuumResult {
  sizeBefore: number
  sizeAfter: number
}

export interface BackupResult {
  path: string
  bytes: number
}

/** Progress of a schema migration that walks the stored events (reported about once per chunk). */
export interface MigrationProgress {
  /** Migration id and name, e.g. 4 / 'one-rollup-layer'. */
  id: number
  name: string
  done: number
  total: number
}

// ---------------------------------------------------------------------------------------------- checks

export type CheckStateValue = 'ok' | 'warning' | 'critical' | 'unknown'

/** The last state a check delivered for one target to one notification receiver (table check_states). */
export interface CheckStateRecord {
  /** collector | quota | failures | budget */
  check: string
  /** An instance, `instance/account`, or the check's scope (`all`, `model=…`, `api-key=…`). */
  target: string
  /** First 16 hex digits of the SHA-256 of the webhook URL (never the URL). */
  receiver: string
  state: CheckStateValue
  summary: string
  /** When the target entered this state (UTC ms). */
  since: number
  /** When the row was written (UTC ms). */
  updatedAt: number
}
