import {Flags} from '@oclif/core'

import {tzFlag, untilFlag} from '../../lib/cli/flags.js'
import {CheckCommand, checkFlags} from '../../lib/monitor/check-command.js'
import type {CheckResult} from '../../lib/monitor/check-types.js'
import type {BudgetItem} from '../../lib/monitor/check-usage.js'

export default class CheckBudget extends CheckCommand<typeof CheckBudget> {
  static summary = 'Is a team over its budget? Cost since the start of a period against a USD budget, with the projection to its end.'
  static description = `Cost is priced exactly as the reports price it (cpactl report summary for the same range and keys). The period ends at --until, or at the end of a calendar --since (today, this-week, this-month, last-month); the projection is linear in elapsed time.
CRITICAL when the spend reaches --crit % of the budget, WARNING at --warn % or when the projection reaches the budget once a tenth of the period has passed (--ignore-projection turns that off). Unpriced usage makes the cost a lower bound (a warning says so).`

  static examples = [
    '<%= config.bin %> check budget --since this-month --budget 200',
    '<%= config.bin %> check budget --since this-month --budget 50 --api-key team-a --nagios',
    '<%= config.bin %> check budget --since 2026-12-01 --until 2027-01-01 --budget 1000 --notify-file /etc/cpactl/webhooks',
    "<%= config.bin %> check budget --since this-week --budget 40 --json | jq '.items[0] | {spentUsd, projectedUsd}'",
  ]

  static flags = {
    ...checkFlags,
    since: Flags.string({char: 's', description: 'Start of the period: this-month, this-week, today, a date …', default: 'this-month'}),
    until: untilFlag,
    tz: tzFlag,
    budget: Flags.string({description: 'Budget in USD for the period.', required: true}),
    warn: Flags.integer({description: 'WARNING at or above this % of the budget spent.', default: 80, min: 0}),
    crit: Flags.integer({description: 'CRITICAL at or above this % of the budget spent.', default: 100, min: 0}),
    'ignore-projection': Flags.boolean({description: 'Do not warn when only the projection reaches the budget.', default: false}),
    'api-key': Flags.string({description: 'Only these client keys: alias, SHA-256 hash, or the key (hashed locally); repeatable.', multiple: true}),
    instance: Flags.string({description: 'Only this instance (repeatable).', multiple: true}),
  }

  async run(): Promise<CheckResult<BudgetItem>> {
    const {budgetCheck} = await import('../../lib/monitor/check-run.js')
    const {budgetPeriod, usdFlag} = await import('../../lib/monitor/check-flags.js')
    const {UsageError} = await import('../../lib/cli/errors.js')
    const f = this.flags
    if (f.warn > f.crit) throw new UsageError(`--warn ${f.warn} is above --crit ${f.crit}`, {code: 'invalid_thresholds'})
    const ctx = await this.checkContext()
    const period = budgetPeriod({since: f.since, until: f.until, tz: f.tz ?? (await this.profileTz()), now: ctx.now})
    return this.verdict(
      await budgetCheck(ctx, {
        ...period,
        sinceText: f.since,
        budgetUsd: usdFlag(f.budget, '--budget'),
        warnPercent: f.warn,
        critPercent: f.crit,
        ignoreProjection: f['ignore-projection'],
        filters: {apiKey: f['api-key'], instance: f.instance},
      }),
    )
  }
}
