import {Flags} from '@oclif/core'

import type {BreakdownResult} from '../../lib/report/index.js'
import {breakdownFlags, ReportCommand} from '../../lib/cli/report-command.js'

export default class ReportAccounts extends ReportCommand<typeof ReportAccounts> {
  static summary = 'Usage, failures and cost per credential (account).'
  static examples = [
    '<%= config.bin %> report accounts --since 7d --sort failures',
    '<%= config.bin %> report accounts --since 24h --csv > accounts.csv',
    "<%= config.bin %> report accounts --since 7d --json | jq '.rows[] | {name, requests, costUsd}'",
  ]
  static flags = {
    ...breakdownFlags,
    'refresh-accounts': Flags.boolean({description: "Read account names from the gateway's auth-file list first (needs the gateway).", default: false}),
  }

  async run(): Promise<BreakdownResult> {
    return this.breakdown('accounts', {refreshAccounts: this.flags['refresh-accounts'] ? {client: await this.gateway(), instance: await this.instance()} : undefined})
  }
}
