/**
 * `cpactl collect status`: what the run log says, read-only, no gateway call — per instance the last run, the
 * last successful run and its age against the queue retention that run saw, dead letters waiting, stored
 * events, pending spool files, and whether a collector is running now.
 */

import {isProcessAlive, maskLocation, openStore, storeExists, type RunRecord} from '../store/index.js'

export interface InstanceStatus {
  instance: string
  lastRun: RunSummary | null
  lastSuccess: RunSummary | null
  /** ms since the last successful run ended; null when there was none. */
  lastSuccessAgeMs: number | null
  /** Queue retention the gateway reported at the last run that read it (s). */
  retentionSeconds: number | null
  /** The last successful run is older than the retention: records produced since may expire unseen. */
  stale: boolean
  /** A collector is running for this instance right now (pid alive). */
  running: {pid: number; since: string; mode: string} | null
  events: number
  newestEventAt: string | null
  deadLettersWaiting: number
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
  warnings: string[]
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
      const runs = await store.runs.list({instance, collectorOnly: true, limit: 50})
      const last = runs[0] ?? null
      const success = runs.find((r) => r.status === 'ok' || r.status === 'interrupted') ?? null
      const retention = runs.find((r) => r.retentionSeconds !== null)?.retentionSeconds ?? null
      const age = success ? now - (success.endedAt ?? success.startedAt) : null
      const live = runs.find((r) => r.status === 'running' && isProcessAlive(r.pid)) ?? null
      const t = await store.events.totals(instance)
      const dl = await store.deadLetters.summary(instance)
      instances.push({
        instance,
        lastRun: last ? summarizeRun(last) : null,
        lastSuccess: success ? summarizeRun(success) : null,
        lastSuccessAgeMs: age,
        retentionSeconds: retention,
        stale: live === null && (age === null || age > (retention ?? 60) * 1000),
        running: live ? {pid: live.pid, since: iso(live.startedAt)!, mode: live.mode} : null,
        events: t.events,
        newestEventAt: iso(t.newestTs),
        deadLettersWaiting: dl.waiting,
      })
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
