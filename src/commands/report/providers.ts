import type {BreakdownResult} from '../../lib/report/index.js'
import {breakdownFlags, ReportCommand} from '../../lib/cli/report-command.js'

export default class ReportProviders extends ReportCommand<typeof ReportProviders> {
  static summary = 'Usage and cost per provider.'
  static examples = [
    '<%= config.bin %> report providers --since 30d',
    '<%= config.bin %> report providers --since 24h --csv > providers.csv',
    "<%= config.bin %> report providers --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...breakdownFlags,
  }

  async run(): Promise<BreakdownResult> {
    return this.breakdown('providers')
  }
}
