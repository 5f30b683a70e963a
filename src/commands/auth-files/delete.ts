import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../lib/cli/flags.js'
import {deleteAccounts, type BatchResult} from '../../lib/auth-files/write.js'
import {renderBatch} from '../../lib/auth-files/render.js'

export default class AuthFilesDelete extends BaseCommand<typeof AuthFilesDelete> {
  static summary = 'Delete auth files (needs --yes). Prefer disable: deleting breaks the history reports join by auth_index.'
  static examples = [
    '<%= config.bin %> auth-files delete codex-old@example.com-plus.json --dry-run',
    '<%= config.bin %> auth-files delete codex-old@example.com-plus.json --yes',
    "<%= config.bin %> auth-files delete 9f2c4e1a7b3d5c60 --yes --json | jq '.succeeded'",
  ]

  static strict = false
  static args = {name: Args.string({description: 'File name(s) or auth_index(es)', required: true})}
  static flags = {yes: yesFlag, 'dry-run': dryRunFlag}

  async run(): Promise<BatchResult> {
    const result = await deleteAccounts(await this.gateway(), this.positional, {yes: this.flags.yes, dryRun: this.flags['dry-run'], poll: {signal: this.signal}})
    this.display(result, renderBatch)
    this.partialIf(result.failed > 0)
    return result
  }
}
