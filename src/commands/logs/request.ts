import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {saveToFileFlags} from '../../lib/cli/flags.js'
import {fetchRequestLog, type LogFileResult} from '../../lib/logs/logs.js'
import {writeRaw} from '../../lib/cli/output.js'
import {renderLogFile} from '../../lib/logs/render.js'

export default class LogsRequest extends BaseCommand<typeof LogsRequest> {
  static summary = 'Print the log of one request by its request id (the request_id in report events rows: 8 hex on v7, a UUIDv7 on v8).'
  static examples = [
    '<%= config.bin %> logs request a1b2c3d4',
    '<%= config.bin %> logs request a1b2c3d4 -o a1b2c3d4.log',
    '<%= config.bin %> logs request 0192f5b4-aaaa-7bbb-8ccc-0123456789ab',
    "<%= config.bin %> logs request a1b2c3d4 -o a1b2c3d4.log --json | jq '.bytes'",
  ]

  static args = {id: Args.string({description: 'Request id', required: true})}
  static flags = saveToFileFlags

  async run(): Promise<LogFileResult> {
    const toStdout = this.jsonEnabled() ? undefined : writeRaw
    const result = await fetchRequestLog(await this.gateway(), this.args.id, {output: this.flags.output, force: this.flags.force, toStdout})
    this.display(result, renderLogFile)
    return result
  }
}
