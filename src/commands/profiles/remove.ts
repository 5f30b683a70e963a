import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {yesFlag} from '../../lib/cli/flags.js'
import {writeErr} from '../../lib/cli/output.js'
import {removeProfile} from '../../lib/profiles/login.js'

export default class ProfilesRemove extends BaseCommand<typeof ProfilesRemove> {
  static summary = 'Remove a profile and its stored key (keychain and credentials file).'
  static examples = ['<%= config.bin %> profiles remove staging', '<%= config.bin %> profiles remove staging --yes --json']
  static args = {name: Args.string({description: 'Profile name', required: true})}
  static flags = {yes: yesFlag}

  async run(): Promise<{profile: string; keysRemovedFrom: string[]}> {
    await this.confirm(`remove profile '${this.args.name}' and its stored key`)
    const result = await removeProfile(this.dirs.configDir, this.args.name)
    this.display(result, (r) => writeErr(`Removed profile '${r.profile}'${r.keysRemovedFrom.length ? ` and its key (${r.keysRemovedFrom.join(', ')})` : ''}.`))
    return result
  }
}
