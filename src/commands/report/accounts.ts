import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {sortFlag} from '../../lib/report/flags.js'
import {breakdownReport, type BreakdownResult} from '../../lib/report/index.js'
import {renderBreakdown} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/report/report-command.js'

export default class ReportAccounts extends ReportCommand<typeof ReportAccounts> {
  static summary = 'Usage, failures and cost per credential (account).'
  static examples = [
    '<%= config.bin %> report accounts --since 7d --sort failures',
    '<%= config.bin %> report accounts --since 24h --csv > accounts.csv',
    "<%= config.bin %> report accounts --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...reportFlags,
    sort: sortFlag,
    limit: limitFlag(100),
    all: Flags.boolean({description: 'Show every row (no --limit).', default: false}),
    'refresh-accounts': Flags.boolean({description: "Read account names from the gateway's auth-file list first (needs the gateway).", default: false}),
  }

  async run(): Promise<BreakdownResult> {
    const result = await breakdownReport(this.reportStore(), {
      kind: 'accounts',
      range: await this.reportRange(),
      filters: this.reportFilters(),
      sort: this.flags.sort,
      limit: this.flags.all ? undefined : this.flags.limit,
      refreshAccounts: this.flags['refresh-accounts'] ? {client: await this.gateway(), instance: await this.instance()} : undefined,
    })
    this.show(result, (r) => renderBreakdown(r, this.renderOptions()))
    return result
  }
}
