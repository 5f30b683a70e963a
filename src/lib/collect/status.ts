/**
 * `cpactl collect status`: what the run log says, read-only, no gateway call — per instance the last run, the
 * last successful run and its age against the queue retention that run saw, dead letters waiting, stored
 * events, pending spool files, and whether a collector is running now.
 */

import type {Warning} from '../cli/warnings.js'
import {isProcessAlive, maskLocation, openStore, storeExists, type RunRecord, type Store} from '../store/index.js'

/** What the run log says about one instance's collector (collect status, check collector, metrics). */
export interface CollectorState {
  lastRun: RunSummary | null
  lastSuccess: RunSummary | null
  /**
   * When the collector last drained the queue (UTC ms): the end of the last successful run, or — while a
   * collector runs — its last poll of the queue (its heartbeat; its start until the first poll), whichever is
   * newer. Null when there was none.
   */
  lastSuccessAt: number | null
  /** ms since lastSuccessAt; null when there was none. */
  lastSuccessAgeMs: number | null
  /** Queue retention the gateway reported at the last run that read it (s). */
  retentionSeconds: number | null
  /** usage-statistics-enabled as the last run that read it saw it; null when no run read it. */
  publishing: boolean | null
  /** lastSuccessAt is older than the retention (or there is none): records produced since may expire unseen. */
  stale: boolean
  /**
   * A collector is running for this instance right now (pid alive); `polledAt` is its last poll of the queue
   * (ISO 8601), null before the first.
   */
  running: {pid: number; since: string; mode: string; polledAt: string | null} | null
  deadLettersWaiting: number
}

export interface InstanceStatus extends Omit<CollectorState, 'lastSuccessAt'> {
  instance: string
  events: number
  newestEventAt: string | null
}

export interface RunSummary {
  id: number
  mode: string
  transport: string | null
  /** running | ok | failed | interrupted | abandoned (marked running but its process is gone) */
  status: string
  startedAt: string
  endedAt: string | null
  popped: number
  inserted: number
  duplicates: number
  deadLettered: number
  controlSkipped: number
  spooled: number
  recovered: number
  error: string | null
  warnings: Warning[]
}

export interface CollectStatusResult {
  store: string
  exists: boolean
  instances: InstanceStatus[]
  /** Most recent runs across instances (newest first). */
  recentRuns: Array<RunSummary & {instance: string}>
  deadLetters: {waiting: number; reasons: Array<{reason: string; count: number}>}
  spoolFiles: number
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function effectiveStatus(r: RunRecord): string {
  if (r.status === 'running' && !isProcessAlive(r.pid)) return 'abandoned'
  return r.status
}

export function summarizeRun(r: RunRecord): RunSummary {
  return {
    id: r.id,
    mode: r.mode,
    transport: r.transport,
    status: effectiveStatus(r),
    startedAt: iso(r.startedAt)!,
    endedAt: iso(r.endedAt),
    popped: r.popped,
    inserted: r.inserted,
    duplicates: r.duplicates,
    deadLettered: r.deadLettered,
    controlSkipped: r.controlSkipped,
    spooled: r.spooled,
    recovered: r.recovered,
    error: r.errorMessage,
    warnings: r.warnings,
  }
}

/** The collector facts of one instance from the run log (newest 50 collector runs) and its dead letters. */
export async function collectorState(store: Store, instance: string, now: number): Promise<CollectorState> {
  const runs = await store.runs.list({instance, collectorOnly: true, limit: 50})
  const last = runs[0] ?? null
  const success = runs.find((r) => r.status === 'ok' || r.status === 'interrupted') ?? null
  const retention = runs.find((r) => r.retentionSeconds !== null)?.retentionSeconds ?? null
  const publishing = runs.find((r) => r.publishing !== null)?.publishing ?? null
  const live = runs.find((r) => r.status === 'running' && isProcessAlive(r.pid)) ?? null
  const ended = success ? (success.endedAt ?? success.startedAt) : null
  const contact = live ? (live.polledAt ?? live.startedAt) : null
  const at = ended === null ? contact : contact === null ? ended : Math.max(ended, contact)
  const age = at === null ? null : Math.max(0, now - at)
  const dl = await store.deadLetters.summary(instance)
  return {
    lastRun: last ? summarizeRun(last) : null,
    lastSuccess: success ? summarizeRun(success) : null,
    lastSuccessAt: at,
    lastSuccessAgeMs: age,
    retentionSeconds: retention,
    publishing,
    stale: age === null || age > (retention ?? 60) * 1000,
    running: live ? {pid: live.pid, since: iso(live.startedAt)!, mode: live.mode, polledAt: iso(live.polledAt)} : null,
    deadLettersWaiting: dl.waiting,
  }
}

export async function collectStatus(options: {storePath: string; instance?: string | null; limit?: number; now?: () => number}): Promise<CollectStatusResult> {
  const now = (options.now ?? Date.now)()
  const empty: CollectStatusResult = {store: maskLocation(options.storePath), exists: false, instances: [], recentRuns: [], deadLetters: {waiting: 0, reasons: []}, spoolFiles: 0}
  if (!(await storeExists(options.storePath))) return empty
  const store = await openStore({path: options.storePath, readonly: true})
  try {
    const totals = await store.events.totals()
    const names = options.instance ? [options.instance] : totals.instances
    const instances: InstanceStatus[] = []
    for (const instance of names) {
      const {lastSuccessAt: _at, ...state} = await collectorState(store, instance, now)
      const t = await store.events.totals(instance)
      instances.push({instance, ...state, events: t.events, newestEventAt: iso(t.newestTs)})
    }
    const recent = await store.runs.list({instance: options.instance ?? null, collectorOnly: true, limit: options.limit ?? 10})
    const dl = await store.deadLetters.summary(options.instance ?? null)
    return {
      store: store.location,
      exists: true,
      instances,
      recentRuns: recent.map((r) => ({instance: r.instance, ...summarizeRun(r)})),
      deadLetters: {waiting: dl.waiting, reasons: dl.reasons},
      spoolFiles: await store.spool.pending(),
    }
  } finally {
    await store.close()
  }
}
