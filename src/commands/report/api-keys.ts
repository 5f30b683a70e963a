import type {BreakdownResult} from '../../lib/report/index.js'
import {breakdownFlags, ReportCommand} from '../../lib/cli/report-command.js'

export default class ReportApiKeys extends ReportCommand<typeof ReportApiKeys> {
  static summary = 'Usage and cost per client API key (alias or masked key, never the key).'
  static examples = [
    '<%= config.bin %> report api-keys --since 7d',
    '<%= config.bin %> report api-keys --since 24h --csv > api-keys.csv',
    "<%= config.bin %> report api-keys --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...breakdownFlags,
  }

  async run(): Promise<BreakdownResult> {
    return this.breakdown('api-keys')
  }
}
