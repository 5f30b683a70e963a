import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {setAccountsDisabled, type BatchResult} from '../../lib/auth-files/write.js'
import {renderBatch} from '../../lib/auth-files/render.js'

export default class AuthFilesEnable extends BaseCommand<typeof AuthFilesEnable> {
  static summary = 'Enable accounts (by file name or auth_index; config API keys by auth_index).'
  static examples = [
    '<%= config.bin %> auth-files enable codex-alice@example.com-plus.json',
    '<%= config.bin %> auth-files enable 9f2c4e1a7b3d5c60 1bec4a82afd571ea',
    "<%= config.bin %> auth-files enable codex-alice@example.com-plus.json --json | jq '.verified'",
  ]

  static strict = false
  static args = {name: Args.string({description: 'File name(s) or auth_index(es)', required: true})}
  static flags = {'dry-run': dryRunFlag}

  async run(): Promise<BatchResult> {
    const result = await setAccountsDisabled(await this.gateway(), this.positional, false, {dryRun: this.flags['dry-run'], poll: {signal: this.signal}})
    this.display(result, renderBatch)
    this.partialIf(result.failed > 0)
    return result
  }
}
