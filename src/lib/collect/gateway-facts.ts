/**
 * What a collection reads from the gateway besides the queue: the publishing flag and the queue retention
 * (warnings when records may expire unseen, or none are queued at all), and the per-credential counters the
 * coverage estimate compares (coverage.ts). A gateway whose config cannot be read still gets collected; a
 * rejected key stops everything (never retried).
 */
import {AuthError, ConfigError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {getCredentialCounters, getQueueSettings, type CredentialCounters, type QueueSettings} from '../gateway/usage-queue.js'
import type {RunRecord} from '../store/index.js'
import {formatDuration} from '../time/duration.js'

/** Records a warning of the run (code, message). */
export type Warn = (code: string, message: string) => void

export class GatewayFacts {
  /** Publishing flag and retention, once read (null when the config could not be read). */
  settings: QueueSettings | null = null

  constructor(
    private readonly gateway: GatewayClient,
    private readonly warn: Warn,
  ) {}

  /** Read the settings (a warning when they cannot be read), then the counters. */
  async read(): Promise<CredentialCounters | null> {
    try {
      this.settings = await getQueueSettings(this.gateway)
    } catch (error) {
      if (error instanceof AuthError || error instanceof ConfigError) throw error
      this.warn('gateway_config_unreadable', `could not read the gateway config (${(error as Error).message}); publishing and retention unchecked`)
    }
    return this.counters()
  }

  /** The per-credential counters now; null when they cannot be read (a rejected key throws). */
  async counters(): Promise<CredentialCounters | null> {
    try {
      return await getCredentialCounters(this.gateway)
    } catch (error) {
      if (error instanceof AuthError) throw error
      return null
    }
  }

  /** With publishing off the gateway counts requests it never queues: a low coverage then accuses nobody. */
  get publishingOff(): boolean {
    return this.settings?.publishing === false
  }

  /**
   * Warn when nothing is queued, when the cron interval or the gap since the previous run exceeds the queue
   * retention. True when records may have expired since the previous run.
   */
  retentionWarnings(previous: RunRecord | null, startedAt: number, expectedIntervalMs: number | null | undefined): boolean {
    const s = this.settings
    if (!s) return false
    if (!s.publishing) {
      this.warn('publishing_off', 'usage publishing is off on the gateway (usage-statistics-enabled: false): nothing is queued; turn it on with `cpactl usage enable`')
    }
    const retentionMs = s.retentionSeconds * 1000
    if (expectedIntervalMs && expectedIntervalMs > retentionMs) {
      this.warn('interval_exceeds_retention', `--expected-interval ${formatDuration(expectedIntervalMs)} exceeds the gateway's queue retention (${s.retentionSeconds}s): records expire before the next run collects them`)
    }
    if (previous) {
      const gap = startedAt - (previous.endedAt ?? previous.startedAt)
      if (gap > retentionMs) {
        this.warn('gap_exceeds_retention', `${formatDuration(gap)} passed since the previous run ended, more than the gateway's queue retention (${s.retentionSeconds}s): records produced in between may have expired unseen`)
        return true
      }
    }
    return false
  }
}
