import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {sortFlag} from '../../lib/report/flags.js'
import {breakdownReport, type BreakdownResult} from '../../lib/report/index.js'
import {renderBreakdown} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/report/report-command.js'

export default class ReportApiKeys extends ReportCommand<typeof ReportApiKeys> {
  static summary = 'Usage and cost per client API key (alias or masked key, never the key).'
  static examples = [
    '<%= config.bin %> report api-keys --since 7d',
    '<%= config.bin %> report api-keys --since 24h --csv > api-keys.csv',
    "<%= config.bin %> report api-keys --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...reportFlags,
    sort: sortFlag,
    limit: limitFlag(100),
    all: Flags.boolean({description: 'Show every row (no --limit).', default: false}),
  }

  async run(): Promise<BreakdownResult> {
    const result = await breakdownReport(this.reportStore(), {
      kind: 'api-keys',
      range: await this.reportRange(),
      filters: this.reportFilters(),
      sort: this.flags.sort,
      limit: this.flags.all ? undefined : this.flags.limit,
    })
    this.show(result, (r) => renderBreakdown(r, this.renderOptions()))
    return result
  }
}
