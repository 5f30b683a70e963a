import {BaseCommand} from '../../lib/cli/base-command.js'
import {listErrorLogFiles, type ErrorLogRow} from '../../lib/logs/logs.js'
import {renderErrorLogs} from '../../lib/logs/render.js'

export default class LogsErrors extends BaseCommand<typeof LogsErrors> {
  static summary = 'List request-error log files (newest first); print one with cpactl logs error NAME.'
  static description = 'The gateway lists none while request-log is on (then every request has a log: cpactl logs request ID).'
  static examples = ['<%= config.bin %> logs errors', "<%= config.bin %> logs errors --json | jq -r '.[0].name'"]

  async run(): Promise<ErrorLogRow[]> {
    const result = await listErrorLogFiles(await this.gateway())
    this.display(result, renderErrorLogs)
    return result
  }
}
