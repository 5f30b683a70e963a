import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {failuresReport, type FailuresResult} from '../../lib/report/index.js'
import {renderFailures} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/cli/report-command.js'

export default class ReportFailures extends ReportCommand<typeof ReportFailures> {
  static summary = 'Failed requests by status code × account × model, with the latest error and its credential class.'
  static description = 'Credential classes: reauth (token revoked, invalid or expired), quota (allowance or usage limit), workspace_deactivated, review (401/402/403 without explicit evidence).'
  static examples = [
    '<%= config.bin %> report failures --since 24h',
    '<%= config.bin %> report failures --since 7d --status 401 --status 403',
    "<%= config.bin %> report failures --json | jq '.rows[] | select(.credentialClass == \"reauth\") | .account'",
  ]
  static flags = {
    ...reportFlags,
    limit: limitFlag(100),
    'refresh-accounts': Flags.boolean({description: "Read account names from the gateway's auth-file list first (needs the gateway).", default: false}),
  }

  async run(): Promise<FailuresResult> {
    const result = await failuresReport(await this.reportStore(), {
      range: await this.reportRange(),
      filters: this.reportFilters(),
      limit: this.flags.limit,
      refreshAccounts: this.flags['refresh-accounts'] ? {client: await this.gateway(), instance: await this.instance()} : undefined,
    })
    this.show(result, (r) => renderFailures(r, this.renderOptions()))
    return result
  }
}
