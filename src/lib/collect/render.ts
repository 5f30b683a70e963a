/** Human views of collect results (stderr lines and the status tables); the command decides when to print. */
import {formatDuration} from '../time/duration.js'
import {formatInt, formatPercent, type Column} from '../cli/output.js'
import {barLine} from '../cli/progress.js'
import type {CollectProgress, CollectResult} from './types.js'
import type {CollectStatusResult, InstanceStatus, RunSummary} from './status.js'

/** The one summary line `collect` prints on stderr. */
export function summaryLine(r: CollectResult): string {
  const parts = [
    `${formatInt(r.popped)} popped`,
    `${formatInt(r.inserted)} stored`,
    `${formatInt(r.duplicates)} duplicates`,
    `${formatInt(r.deadLettered)} dead letters`,
    `${formatInt(r.controlSkipped)} control`,
  ]
  if (r.recovered > 0) parts.push(`${formatInt(r.recovered)} recovered from spool`)
  const coverage = r.coverage.ratio === null ? '' : `, coverage ${formatPercent(r.coverage.ratio, 0)}`
  return `collect ${r.instance} via ${r.transport}: ${parts.join(', ')} in ${formatDuration(r.durationMs)} (${formatInt(r.recordsPerSecond)}/s${coverage})`
}

/** A progress line (the command draws it with the one progress renderer); the bar is cli/progress.ts's. */
export function progressLine(p: CollectProgress): string {
  const rate = p.elapsedMs > 0 ? Math.round((p.popped / p.elapsedMs) * 1000) : 0
  if (p.maxRecords) return `${barLine('draining…', p.popped, p.maxRecords)} records, ${formatInt(rate)}/s`
  return `draining… ${formatInt(p.popped)} records in ${p.batches} batches, ${formatInt(rate)}/s`
}

export const instanceColumns: Column<InstanceStatus>[] = [
  {key: 'instance', header: 'INSTANCE'},
  {key: 'state', header: 'STATE', get: (i) => (i.running ? `running (pid ${i.running.pid})` : i.lastRun?.status ?? 'never')},
  {key: 'lastSuccess', header: 'LAST SUCCESS', get: (i) => i.lastSuccess?.endedAt ?? ''},
  {key: 'age', header: 'AGE', align: 'right', get: (i) => (i.lastSuccessAgeMs === null ? '' : formatDuration(i.lastSuccessAgeMs))},
  {key: 'retention', header: 'RETENTION', align: 'right', get: (i) => (i.retentionSeconds === null ? '' : `${i.retentionSeconds}s`)},
  {key: 'stale', header: 'STALE', get: (i) => (i.stale ? 'yes' : 'no')},
  {key: 'events', header: 'EVENTS', align: 'right', get: (i) => formatInt(i.events)},
  {key: 'dead', header: 'DEAD LETTERS', align: 'right', get: (i) => formatInt(i.deadLettersWaiting)},
]

export const runColumns: Column<RunSummary & {instance: string}>[] = [
  {key: 'id', header: 'RUN', align: 'right'},
  {key: 'instance', header: 'INSTANCE'},
  {key: 'startedAt', header: 'STARTED'},
  {key: 'mode', header: 'MODE'},
  {key: 'transport', header: 'TRANSPORT'},
  {key: 'status', header: 'STATUS'},
  {key: 'popped', header: 'POPPED', align: 'right', get: (r) => formatInt(r.popped)},
  {key: 'inserted', header: 'STORED', align: 'right', get: (r) => formatInt(r.inserted)},
  {key: 'duplicates', header: 'DUPS', align: 'right', get: (r) => formatInt(r.duplicates)},
  {key: 'deadLettered', header: 'DEAD', align: 'right', get: (r) => formatInt(r.deadLettered)},
  {key: 'error', header: 'ERROR', get: (r) => r.error ?? ''},
]

export function statusNotes(s: CollectStatusResult): string[] {
  const notes: string[] = []
  if (!s.exists) notes.push(`no store at ${s.store} yet: run cpactl collect`)
  if (s.deadLetters.waiting > 0) {
    notes.push(`${s.deadLetters.waiting} dead letter(s) waiting: ${s.deadLetters.reasons.map((r) => `${r.count}× ${r.reason}`).join('; ')}`)
  }
  if (s.spoolFiles > 0) notes.push(`${s.spoolFiles} spool file(s) wait to be stored by the next cpactl collect`)
  for (const i of s.instances) {
    if (i.stale && i.lastSuccessAgeMs !== null) {
      notes.push(`${i.instance}: last successful collection ${formatDuration(i.lastSuccessAgeMs)} ago, longer than the queue retention (${i.retentionSeconds ?? 60}s)`)
    }
  }
  return notes
}
