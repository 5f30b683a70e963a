/**
 * `cpactl check collector`: is every instance collected recently enough, and are no dead letters waiting beyond
 * a threshold? From the run log (the same facts `collect status` shows), read-only.
 *   CRITICAL  the queue was last drained more than --max-age ago: the last successful run ended then, and no
 *             collector running now has polled the queue since (a running collector counts from its heartbeat,
 *             so one stuck reconnecting to an unreachable gateway turns CRITICAL too); or it never was;
 *   WARNING   more than --max-dead-letters payloads wait in dead letters, or the gateway's usage publishing was
 *             off when last read (usage-statistics-enabled: false: the queue stays empty, nothing is counted);
 *   UNKNOWN   the store knows no instance (nothing ever collected), or an --instance it has never seen.
 */
import {formatDuration} from '../time/duration.js'
import {collectorState} from '../collect/status.js'
import type {Store} from '../store/index.js'
import {summarize, worst, type CheckItem, type CheckState, type Evaluation, type Perfdata} from './check-types.js'

export interface CollectorCheckOptions {
  instances: string[] | null
  maxAgeMs: number
  maxDeadLetters: number
  now: number
}

export interface CollectorItem extends CheckItem {
  instance: string
  /** End of the last successful run (ISO 8601 UTC), null when there was none. */
  lastSuccessAt: string | null
  /** Seconds since then (0 while a collector runs), null when there was none. */
  ageSeconds: number | null
  running: boolean
  /** Status of the newest run (ok, failed, interrupted, running, abandoned), null when none. */
  lastRunStatus: string | null
  lastRunError: string | null
  /** How the newest run reads the queue: resp, http or subscribe. */
  transport: string | null
  retentionSeconds: number | null
  /** usage-statistics-enabled as last read from the gateway, null when never read. */
  publishing: boolean | null
  deadLettersWaiting: number
}

export async function checkCollector(store: Store, o: CollectorCheckOptions): Promise<Evaluation<CollectorItem>> {
  const known = await store.events.instances()
  const names = o.instances && o.instances.length > 0 ? o.instances : known
  const items: CollectorItem[] = []
  const perfdata: Perfdata[] = []
  for (const instance of names) {
    const s = await collectorState(store, instance, o.now)
    const age = s.lastSuccessAgeMs
    const problems: Array<[CheckState, string]> = []
    if (!known.includes(instance)) problems.push(['unknown', 'never seen in this store'])
    else if (age === null) problems.push(['critical', 'no successful collect run yet'])
    else if (age > o.maxAgeMs && s.running) {
      problems.push(['critical', `collector running (pid ${s.running.pid}) but last reached the usage queue ${formatDuration(age)} ago (max ${formatDuration(o.maxAgeMs)})`])
    } else if (age > o.maxAgeMs) problems.push(['critical', `last collected ${formatDuration(age)} ago (max ${formatDuration(o.maxAgeMs)})`])
    if (s.publishing === false) problems.push(['warning', 'usage publishing is off on the gateway: nothing is queued (cpactl usage enable)'])
    if (s.deadLettersWaiting > o.maxDeadLetters) problems.push(['warning', `${s.deadLettersWaiting} dead letter${s.deadLettersWaiting === 1 ? '' : 's'} waiting (max ${o.maxDeadLetters})`])
    const state = worst(problems.map(([st]) => st))
    const okText = s.running ? `collecting now (pid ${s.running.pid}, queue polled ${formatDuration(age ?? 0)} ago)` : age === null ? 'no run yet' : `last collected ${formatDuration(age)} ago`
    items.push({
      target: instance,
      instance,
      state,
      summary: `${instance}: ${problems.length > 0 ? problems.map(([, t]) => t).join(', ') : okText}`,
      lastSuccessAt: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(),
      ageSeconds: age === null ? null : Math.round(age) / 1000,
      running: s.running !== null,
      lastRunStatus: s.lastRun?.status ?? null,
      lastRunError: s.lastRun?.error ?? null,
      transport: s.lastRun?.transport ?? null,
      retentionSeconds: s.retentionSeconds,
      publishing: s.publishing,
      deadLettersWaiting: s.deadLettersWaiting,
    })
    if (age !== null) perfdata.push({label: `${instance} age`, value: Math.round(age) / 1000, uom: 's', warn: null, crit: o.maxAgeMs / 1000, min: 0, max: null})
    perfdata.push({label: `${instance} dead_letters`, value: s.deadLettersWaiting, uom: '', warn: o.maxDeadLetters, crit: null, min: 0, max: null})
  }
  const state: CheckState = items.length === 0 ? 'unknown' : worst(items.map((i) => i.state))
  const summary =
    items.length === 0
      ? 'no collector has run against this store yet (cpactl collect)'
      : summarize(items, `${items.length} instance${items.length === 1 ? '' : 's'} collected within ${formatDuration(o.maxAgeMs)}, dead letters within ${o.maxDeadLetters}`, 'instance')
  return {check: 'collector', state, summary, items, perfdata, thresholds: {maxAgeSeconds: o.maxAgeMs / 1000, maxDeadLetters: o.maxDeadLetters}, warnings: []}
}
