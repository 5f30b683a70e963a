import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {sortFlag} from '../../lib/report/flags.js'
import {breakdownReport, type BreakdownResult} from '../../lib/report/index.js'
import {renderBreakdown} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/report/report-command.js'

export default class ReportProviders extends ReportCommand<typeof ReportProviders> {
  static summary = 'Usage and cost per provider.'
  static examples = [
    '<%= config.bin %> report providers --since 30d',
    '<%= config.bin %> report providers --since 24h --csv > providers.csv',
    "<%= config.bin %> report providers --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...reportFlags,
    sort: sortFlag,
    limit: limitFlag(100),
    all: Flags.boolean({description: 'Show every row (no --limit).', default: false}),
  }

  async run(): Promise<BreakdownResult> {
    const result = await breakdownReport(this.reportStore(), {
      kind: 'providers',
      range: await this.reportRange(),
      filters: this.reportFilters(),
      sort: this.flags.sort,
      limit: this.flags.all ? undefined : this.flags.limit,
    })
    this.show(result, (r) => renderBreakdown(r, this.renderOptions()))
    return result
  }
}
