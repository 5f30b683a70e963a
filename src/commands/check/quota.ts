import {Flags} from '@oclif/core'

import {durationFlag} from '../../lib/cli/flags.js'
import {listFlag} from '../../lib/inspect/policy.js'
import {CheckCommand, checkFlags} from '../../lib/monitor/check-command.js'
import type {QuotaItem} from '../../lib/monitor/check-quota.js'
import type {CheckResult} from '../../lib/monitor/check-types.js'

export default class CheckQuota extends CheckCommand<typeof CheckQuota> {
  static summary = 'Which accounts are about to run out? Used quota per account against --warn/--crit percentages.'
  static description = `Reads the latest inspection of every account from the store (cpactl inspect run or quota --refresh stored it), or probes now with --live (report-only; nothing is stored). An account's value is the highest used percent of its windows (--window any), or of its short or long window.
CRITICAL at or above --crit (or exhausted without a number), WARNING at or above --warn; UNKNOWN when the quota could not be read (probe failed, token revoked, workspace deactivated, review), when the inspection is older than --max-inspection-age, or when there is none. Disabled accounts are left out unless --include-disabled.`

  static examples = [
    '<%= config.bin %> check quota --warn 80 --crit 95',
    '<%= config.bin %> check quota --live --provider codex --nagios',
    '<%= config.bin %> check quota --window long --notify-file /etc/cpactl/webhooks --notify-format discord',
    "<%= config.bin %> check quota --json | jq '.items[] | select(.state != \"ok\") | .account'",
  ]

  static flags = {
    ...checkFlags,
    warn: Flags.integer({description: 'WARNING at or above this used percent.', default: 80, min: 0, max: 1000}),
    crit: Flags.integer({description: 'CRITICAL at or above this used percent.', default: 95, min: 0, max: 1000}),
    window: Flags.option({options: ['any', 'short', 'long'] as const, description: 'Which windows count: the highest of all, or only the short/long one.', default: 'any' as const})(),
    live: Flags.boolean({description: 'Probe the accounts now through the gateway (report-only, not stored) instead of reading the last inspection.', default: false}),
    'max-inspection-age': durationFlag('Inspections older than this are UNKNOWN (not with --live).', '24h'),
    'include-disabled': Flags.boolean({description: 'Also judge accounts that are disabled on the gateway.', default: false}),
    provider: Flags.string({description: 'Only these providers (comma-separated or repeated).', multiple: true}),
    account: Flags.string({description: 'Only these accounts: auth-file name, auth_index or e-mail (repeatable).', multiple: true}),
    instance: Flags.string({description: 'Only these instances (default: every inspected instance; --live: the profile).', multiple: true}),
    concurrency: Flags.integer({description: '--live: probes in flight at once (default 4).', min: 1, max: 64}),
    'probe-timeout': Flags.string({description: '--live: per-probe timeout (default 15s).'}),
  }

  async run(): Promise<CheckResult<QuotaItem>> {
    const {quotaCheck} = await import('../../lib/monitor/check-run.js')
    const {parseDuration} = await import('../../lib/time/duration.js')
    const {UsageError} = await import('../../lib/cli/errors.js')
    const f = this.flags
    if (f.warn > f.crit) throw new UsageError(`--warn ${f.warn} is above --crit ${f.crit}`, {code: 'invalid_thresholds'})
    const providers = listFlag(f.provider) ?? null
    const accounts = listFlag(f.account, false) ?? null
    const live = f.live
      ? {
          client: await this.gateway(),
          instance: await this.instance(),
          configDir: this.dirs.configDir,
          signal: this.signal,
          flags: {concurrency: f.concurrency, timeoutMs: f['probe-timeout'] === undefined ? undefined : parseDuration(f['probe-timeout'], '--probe-timeout')},
        }
      : null
    const result = await quotaCheck(
      await this.checkContext(),
      {instances: listFlag(f.instance, false) ?? null, live},
      {warn: f.warn, crit: f.crit, window: f.window, includeDisabled: f['include-disabled'], maxInspectionAgeMs: f['max-inspection-age']!, providers, accounts},
    )
    return this.verdict(result)
  }
}
