/**
 * Collector checks for `cpactl doctor` (issue 4): the age of the last successful collection against the
 * gateway's queue retention, dead letters waiting, spooled batches waiting, and a collector that died mid-run.
 * Returns plain check rows; the doctor command renders and scores them.
 */

import type {DoctorCheck} from '../cli/checks.js'
import {formatDuration} from '../time/duration.js'
import {collectStatus} from './status.js'
import {maskLocation, storeExists} from '../store/index.js'

export type {DoctorCheck} from '../cli/checks.js'

export interface CollectDoctorOptions {
  storePath: string
  /** The instance label of the profile being checked. */
  instance: string
  /** Queue retention the gateway reports now (effectiveRetentionSeconds of GET /config); else the last run's. */
  retentionSeconds?: number | null
  now?: () => number
}

/**
 * Publishing and retention-vs-interval are gateway checks the doctor makes itself; these are the store side.
 * Check names: collector-last-run, collector-exit, dead-letters, spooled-batches.
 */
export async function collectDoctorChecks(o: CollectDoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = []
  if (!(await storeExists(o.storePath).catch(() => true))) {
    checks.push({check: 'collector-last-run', status: 'warn', message: `no store at ${maskLocation(o.storePath)}: usage has never been collected`, fix: 'cpactl collect (then schedule it, or run cpactl collect --follow)'})
    return checks
  }
  let status
  try {
    status = await collectStatus({storePath: o.storePath, instance: o.instance, now: o.now})
  } catch (error) {
    checks.push({check: 'collector-last-run', status: 'fail', message: (error as Error).message, fix: 'check the --store path and its permissions'})
    return checks
  }
  const inst = status.instances[0]
  const retention = o.retentionSeconds ?? inst?.retentionSeconds ?? 60
  if (!inst || !inst.lastRun) {
    checks.push({check: 'collector-last-run', status: 'warn', message: `no collector run recorded for ${o.instance}`, fix: 'cpactl collect (then schedule it every ≤ retention, or run cpactl collect --follow)'})
  } else if (inst.running && inst.lastSuccessAgeMs !== null && inst.lastSuccessAgeMs > retention * 1000) {
    checks.push({
      check: 'collector-last-run',
      status: 'warn',
      message: `a collector is running (pid ${inst.running.pid}, ${inst.running.mode}) but last reached the usage queue ${formatDuration(inst.lastSuccessAgeMs)} ago, longer than the queue retention (${retention}s)`,
      fix: 'read the collector\'s output (e.g. journalctl -u cpactl-collect): it cannot reach the gateway',
    })
  } else if (inst.running) {
    checks.push({check: 'collector-last-run', status: 'pass', message: `a collector is running (pid ${inst.running.pid}, ${inst.running.mode}, since ${inst.running.since})`, fix: null})
  } else if (inst.lastRun.status === 'failed') {
    checks.push({check: 'collector-last-run', status: 'fail', message: `the last collector run failed: ${inst.lastRun.error ?? 'unknown error'}`, fix: 'run cpactl collect and read its error'})
  } else if (inst.lastSuccessAgeMs === null) {
    checks.push({check: 'collector-last-run', status: 'warn', message: 'no successful collector run yet', fix: 'cpactl collect'})
  } else if (inst.lastSuccessAgeMs > retention * 1000) {
    checks.push({
      check: 'collector-last-run',
      status: 'warn',
      message: `the last successful collection ended ${formatDuration(inst.lastSuccessAgeMs)} ago, longer than the gateway's queue retention (${retention}s): records produced since then expire unseen`,
      fix: `run cpactl collect at least every ${retention}s (cron/systemd timer), or cpactl collect --follow`,
    })
  } else {
    checks.push({check: 'collector-last-run', status: 'pass', message: `last successful collection ${formatDuration(inst.lastSuccessAgeMs)} ago (retention ${retention}s)`, fix: null})
  }
  if (inst?.lastRun?.status === 'abandoned') {
    checks.push({check: 'collector-exit', status: 'warn', message: `collector run ${inst.lastRun.id} ended without closing its run record (killed?): at most its batch in flight was lost`, fix: null})
  }
  const waiting = inst?.deadLettersWaiting ?? 0
  checks.push(
    waiting > 0
      ? {
          check: 'dead-letters',
          status: 'warn',
          message: `${waiting} payload(s) did not parse and wait as dead letters${status.deadLetters.reasons[0] ? ` (most common: ${status.deadLetters.reasons[0].reason})` : ''}`,
          fix: 'inspect them with cpactl collect status; they are kept, nothing was dropped',
        }
      : {check: 'dead-letters', status: 'pass', message: 'no dead letters waiting', fix: null},
  )
  const spools = status.spoolFiles
  if (spools > 0) {
    checks.push({check: 'spooled-batches', status: 'warn', message: `${spools} spool file(s) of records that could not be stored wait beside the store`, fix: 'cpactl collect (it stores them before popping)'})
  }
  return checks
}
