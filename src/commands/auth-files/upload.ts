import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {uploadAuthFilesFrom, type BatchResult} from '../../lib/auth-files/write.js'
import {renderBatch} from '../../lib/auth-files/render.js'

export default class AuthFilesUpload extends BaseCommand<typeof AuthFilesUpload> {
  static summary = 'Upload auth files (multipart); a partial answer is reported per file and exits 6.'
  static examples = [
    '<%= config.bin %> auth-files upload codex-alice@example.com-plus.json',
    '<%= config.bin %> auth-files upload auths/*.json',
    "<%= config.bin %> auth-files upload auths/*.json --json | jq '.items[] | select(.ok | not)'",
  ]

  static strict = false
  static args = {file: Args.string({description: 'Auth file(s) ending in .json', required: true})}
  static flags = {'dry-run': dryRunFlag}

  async run(): Promise<BatchResult> {
    const result = await uploadAuthFilesFrom(await this.gateway(), this.positional, {dryRun: this.flags['dry-run'], poll: {signal: this.signal}})
    this.display(result, renderBatch)
    this.partialIf(result.failed > 0)
    return result
  }
}
