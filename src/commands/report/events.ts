import {Flags} from '@oclif/core'

import {limitFlag} from '../../lib/cli/flags.js'
import {eventsReport, type EventsResult} from '../../lib/report/index.js'
import {renderEvents} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/cli/report-command.js'

export default class ReportEvents extends ReportCommand<typeof ReportEvents> {
  static summary = 'Individual requests, newest first, for drill-down (keyset pagination with --before).'
  static examples = [
    '<%= config.bin %> report events --since 1h --failed',
    '<%= config.bin %> report events --model gpt-5 --limit 20',
    "<%= config.bin %> report events --json | jq -r '.nextCursor'",
  ]
  static flags = {
    ...reportFlags,
    limit: limitFlag(50),
    before: Flags.string({description: 'Continue after this cursor (nextCursor of the previous page) or before an ISO 8601 time.'}),
  }

  async run(): Promise<EventsResult> {
    const result = await eventsReport(await this.reportStore(), {
      range: await this.reportRange(),
      filters: this.reportFilters(),
      limit: this.flags.limit,
      before: this.flags.before,
    })
    this.show(result, (r) => renderEvents(r, this.renderOptions()))
    return result
  }
}
