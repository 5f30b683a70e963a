import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {downloadAuthFileTo, type DownloadResult} from '../../lib/auth-files/read.js'
import {renderDownload} from '../../lib/auth-files/render.js'
import {writeRaw} from '../../lib/cli/output.js'

export default class AuthFilesDownload extends BaseCommand<typeof AuthFilesDownload> {
  static summary = 'Download an auth file (credentials) into a 0600 file.'
  static description =
    'Writes ./NAME by default, or the -o path; never overwrites without --force. The file holds live tokens: standard output is used only with an explicit -o -.'

  static examples = [
    '<%= config.bin %> auth-files download codex-alice@example.com-plus.json',
    '<%= config.bin %> auth-files download 9f2c4e1a7b3d5c60 -o backup/alice.json',
    "<%= config.bin %> auth-files download codex-alice@example.com-plus.json -o - | jq '.email'",
  ]

  static args = {name: Args.string({description: 'File name or auth_index', required: true})}
  static flags = {
    output: Flags.string({char: 'o', description: "Where to write (default ./NAME); '-' for standard output."}),
    force: Flags.boolean({description: 'Overwrite an existing file.', default: false}),
  }

  async run(): Promise<DownloadResult> {
    const toStdout = this.flags.output === '-' && !this.jsonEnabled() ? writeRaw : undefined
    const result = await downloadAuthFileTo(await this.gateway(), this.args.name, {output: this.flags.output, force: this.flags.force, toStdout})
    this.display(result, renderDownload)
    return result
  }
}
