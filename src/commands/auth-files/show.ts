import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {showAuthFile, type AuthFileDetail} from '../../lib/auth-files/read.js'
import {renderAuthFileDetail} from '../../lib/auth-files/render.js'

export default class AuthFilesShow extends BaseCommand<typeof AuthFilesShow> {
  static summary = 'Show one auth file (by file name or auth_index); no tokens are shown.'
  static examples = ['<%= config.bin %> auth-files show codex-alice@example.com-plus.json', "<%= config.bin %> auth-files show 9f2c4e1a7b3d5c60 --json | jq '.row.status'"]
  static args = {name: Args.string({description: 'File name or auth_index', required: true})}

  async run(): Promise<AuthFileDetail> {
    const result = await showAuthFile(await this.gateway(), this.args.name)
    this.display(result, renderAuthFileDetail)
    return result
  }
}
