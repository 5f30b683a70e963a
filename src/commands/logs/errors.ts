import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {fetchErrorLog, listErrorLogFiles, type ErrorLogsResult, type LogFileResult} from '../../lib/manage/logs.js'
import {renderRaw} from '../../lib/manage/render-raw.js'
import {renderErrorLogs, renderLogFile} from '../../lib/manage/render-logs.js'

export default class LogsErrors extends BaseCommand<typeof LogsErrors> {
  static summary = 'List request-error log files (newest first), or print one with --download NAME.'
  static description = 'The gateway lists none while request-log is on (then every request has a log: cpactl logs request ID). -o FILE saves a log with mode 0600.'
  static examples = [
    '<%= config.bin %> logs errors',
    '<%= config.bin %> logs errors --download error-2026-08-22T140311-a1b2c3d4.log',
    '<%= config.bin %> logs errors --download error-2026-08-22T140311-a1b2c3d4.log -o failed.log',
    "<%= config.bin %> logs errors --json | jq -r '.files[0].name'",
  ]

  static flags = {
    download: Flags.string({description: 'Print (or save with -o) this error log.'}),
    output: Flags.string({char: 'o', description: 'Save to this file (0600) instead of printing.', dependsOn: ['download']}),
    force: Flags.boolean({description: 'Overwrite an existing -o file.', default: false}),
  }

  async run(): Promise<ErrorLogsResult | LogFileResult> {
    const client = await this.gateway()
    if (this.flags.download) {
      const toStdout = this.jsonEnabled() ? undefined : renderRaw
      const file = await fetchErrorLog(client, this.flags.download, {output: this.flags.output, force: this.flags.force, toStdout})
      this.display(file, renderLogFile)
      return file
    }
    const result = await listErrorLogFiles(client)
    this.display(result, renderErrorLogs)
    return result
  }
}
