import {Flags} from '@oclif/core'

import {timelineReport, type TimelineResult} from '../../lib/report/index.js'
import {renderTimeline} from '../../lib/report/render.js'
import {ReportCommand, reportFlags} from '../../lib/cli/report-command.js'

export default class ReportTimeline extends ReportCommand<typeof ReportTimeline> {
  static summary = 'Usage and cost per hour, day, week or month; with a chart on a terminal.'
  static description = 'Hours are UTC-aligned; days, weeks (Monday) and months follow --tz, DST included (a DST day has 23 or 25 hours).'
  static examples = [
    '<%= config.bin %> report timeline --since 7d --granularity day',
    '<%= config.bin %> report timeline --since 90d --granularity week --chart cost',
    "<%= config.bin %> report timeline --since 24h --json | jq '.rows[] | [.bucket, .requests]'",
  ]
  static flags = {
    ...reportFlags,
    granularity: Flags.option({options: ['hour', 'day', 'week', 'month'] as const, description: 'Bucket size.', default: 'day' as const})(),
    chart: Flags.option({options: ['requests', 'cost', 'none'] as const, description: 'What the terminal chart plots.', default: 'requests' as const})(),
  }

  async run(): Promise<TimelineResult> {
    const result = await timelineReport(await this.reportStore(), {
      range: await this.reportRange(),
      granularity: this.flags.granularity,
      filters: this.reportFilters(),
    })
    this.show(result, (r) => renderTimeline(r, {...this.renderOptions(), chart: this.flags.chart}))
    return result
  }
}
