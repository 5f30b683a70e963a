import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {sortFlag} from '../../lib/report/flags.js'
import {breakdownReport, type BreakdownResult} from '../../lib/report/index.js'
import {renderBreakdown} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/report/report-command.js'

export default class ReportModels extends ReportCommand<typeof ReportModels> {
  static summary = 'Usage and cost per model.'
  static examples = [
    '<%= config.bin %> report models --since 7d --sort cost',
    '<%= config.bin %> report models --since 24h --csv > models.csv',
    "<%= config.bin %> report models --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...reportFlags,
    sort: sortFlag,
    limit: limitFlag(100),
    all: Flags.boolean({description: 'Show every row (no --limit).', default: false}),
    explain: Flags.boolean({description: 'Show the price and token-bucket arithmetic per model.', default: false}),
  }

  async run(): Promise<BreakdownResult> {
    const result = await breakdownReport(this.reportStore(), {
      kind: 'models',
      range: await this.reportRange(),
      filters: this.reportFilters(),
      sort: this.flags.sort,
      limit: this.flags.all ? undefined : this.flags.limit,
      explain: this.flags.explain,
    })
    this.show(result, (r) => renderBreakdown(r, this.renderOptions()))
    return result
  }
}
