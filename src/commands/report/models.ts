import {Flags} from '@oclif/core'

import type {BreakdownResult} from '../../lib/report/index.js'
import {breakdownFlags, ReportCommand} from '../../lib/cli/report-command.js'

export default class ReportModels extends ReportCommand<typeof ReportModels> {
  static summary = 'Usage and cost per model.'
  static examples = [
    '<%= config.bin %> report models --since 7d --sort cost',
    '<%= config.bin %> report models --since 24h --csv > models.csv',
    "<%= config.bin %> report models --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...breakdownFlags,
    explain: Flags.boolean({description: 'Show the price and token-bucket arithmetic per model.', default: false}),
  }

  async run(): Promise<BreakdownResult> {
    return this.breakdown('models', {explain: this.flags.explain})
  }
}
