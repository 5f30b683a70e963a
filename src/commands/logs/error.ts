import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {saveToFileFlags} from '../../lib/cli/flags.js'
import {fetchErrorLog, type LogFileResult} from '../../lib/logs/logs.js'
import {writeRaw} from '../../lib/cli/output.js'
import {renderLogFile} from '../../lib/logs/render.js'

export default class LogsError extends BaseCommand<typeof LogsError> {
  static summary = 'Print one request-error log by name (from cpactl logs errors), or save it with -o.'
  static examples = [
    '<%= config.bin %> logs error error-2026-08-22T140311-a1b2c3d4.log',
    '<%= config.bin %> logs error error-2026-08-22T140311-a1b2c3d4.log -o failed.log',
    "<%= config.bin %> logs error error-2026-08-22T140311-a1b2c3d4.log -o failed.log --json | jq '.bytes'",
  ]

  static args = {name: Args.string({description: 'Error log name (error-….log).', required: true})}
  static flags = saveToFileFlags

  async run(): Promise<LogFileResult> {
    const toStdout = this.jsonEnabled() ? undefined : writeRaw
    const result = await fetchErrorLog(await this.gateway(), this.args.name, {output: this.flags.output, force: this.flags.force, toStdout})
    this.display(result, renderLogFile)
    return result
  }
}
