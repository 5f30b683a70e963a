import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {authFileModels, type AuthFileModelsResult} from '../../lib/auth-files/read.js'
import {renderAuthFileModels} from '../../lib/auth-files/render.js'

export default class AuthFilesModels extends BaseCommand<typeof AuthFilesModels> {
  static summary = 'List the models an account serves (by file name or auth_index).'
  static examples = ['<%= config.bin %> auth-files models codex-alice@example.com-plus.json', "<%= config.bin %> auth-files models 9f2c4e1a7b3d5c60 --json | jq -r '.models[].id'"]
  static args = {name: Args.string({description: 'File name or auth_index', required: true})}

  async run(): Promise<AuthFileModelsResult> {
    const result = await authFileModels(await this.gateway(), this.args.name)
    this.display(result, renderAuthFileModels)
    return result
  }
}
