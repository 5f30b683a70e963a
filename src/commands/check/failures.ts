import {Flags} from '@oclif/core'

import {tzFlag, untilFlag} from '../../lib/cli/flags.js'
import {CheckCommand, checkFlags} from '../../lib/monitor/check-command.js'
import type {CheckResult} from '../../lib/monitor/check-types.js'
import type {FailuresItem} from '../../lib/monitor/check-usage.js'

export default class CheckFailures extends CheckCommand<typeof CheckFailures> {
  static summary = 'Did the failure rate just jump? Failed / all requests over a recent window against --warn-rate/--crit-rate.'
  static description = `Reads the store (the numbers report summary shows for the same range and filters). CRITICAL at or above --crit-rate, WARNING at or above --warn-rate; with fewer than --min-requests requests in the window the rate is not judged (OK, said so).`

  static examples = [
    '<%= config.bin %> check failures --since 15m --warn-rate 0.1 --crit-rate 0.3',
    '<%= config.bin %> check failures --since 15m --model gpt-5 --nagios',
    '<%= config.bin %> check failures --since 1h --account alice@example.com --notify https://example.net/hooks/cpactl',
    "<%= config.bin %> check failures --json | jq '.items[0].failureRate'",
  ]

  static flags = {
    ...checkFlags,
    since: Flags.string({char: 's', description: 'Start of the window: 15m, 1h, today, ISO 8601 …', default: '15m'}),
    until: untilFlag,
    tz: tzFlag,
    'warn-rate': Flags.string({description: 'WARNING at or above this failure rate (0–1).', default: '0.1'}),
    'crit-rate': Flags.string({description: 'CRITICAL at or above this failure rate (0–1).', default: '0.3'}),
    'min-requests': Flags.integer({description: 'Fewer requests than this in the window are not judged.', default: 1, min: 1}),
    model: Flags.string({description: 'Only this model (repeatable).', multiple: true}),
    account: Flags.string({description: 'Only this credential: auth_index, auth-file name, email/label (repeatable).', multiple: true}),
    provider: Flags.string({description: 'Only this provider (repeatable).', multiple: true}),
    instance: Flags.string({description: 'Only this instance (repeatable).', multiple: true}),
  }

  async run(): Promise<CheckResult<FailuresItem>> {
    const {failuresCheck} = await import('../../lib/monitor/check-run.js')
    const {rateFlag} = await import('../../lib/monitor/check-flags.js')
    const {resolveRange} = await import('../../lib/report/range.js')
    const f = this.flags
    const ctx = await this.checkContext()
    const [warnRate, critRate] = [rateFlag(f['warn-rate'], '--warn-rate'), rateFlag(f['crit-rate'], '--crit-rate')]
    const {UsageError} = await import('../../lib/cli/errors.js')
    if (warnRate > critRate) throw new UsageError(`--warn-rate ${warnRate} is above --crit-rate ${critRate}`, {code: 'invalid_thresholds'})
    const range = resolveRange({since: f.since, until: f.until, tz: f.tz ?? (await this.profileTz()), now: ctx.now})
    const filters = {model: f.model, account: f.account, provider: f.provider, instance: f.instance}
    return this.verdict(await failuresCheck(ctx, {range, sinceText: f.since, filters, warnRate, critRate, minRequests: f['min-requests']}))
  }
}
