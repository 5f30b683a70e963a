import {Flags} from '@oclif/core'

import {summaryReport, type SummaryResult} from '../../lib/report/index.js'
import {renderSummary} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/cli/report-command.js'

export default class ReportSummary extends ReportCommand<typeof ReportSummary> {
  static summary = 'Totals for a time range: requests, failures, token buckets, cache hit rate, cost, latency.'
  static description =
    'Reads the local store (never the gateway). Cost uses the price table (cpactl prices); models without a price are named in the warnings and the cost is then a lower bound.'
  static examples = [
    '<%= config.bin %> report summary',
    '<%= config.bin %> report summary --since 7d --compare',
    '<%= config.bin %> report summary --since this-month --tz Europe/Berlin --explain',
    "<%= config.bin %> report summary --since 30d --json | jq '.totals.costUsd'",
  ]
  static flags = {
    ...reportFlags,
    compare: Flags.boolean({description: 'Also show the previous period of equal length.', default: false}),
    explain: Flags.boolean({description: 'Show the price and token-bucket arithmetic per model.', default: false}),
  }

  async run(): Promise<SummaryResult> {
    const result = await summaryReport(await this.reportStore(), {
      range: await this.reportRange(),
      filters: this.reportFilters(),
      compare: this.flags.compare,
      explain: this.flags.explain,
    })
    this.show(result, (r) => renderSummary(r, this.renderOptions()))
    return result
  }
}
