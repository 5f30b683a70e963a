import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {writeErr} from '../../lib/cli/output.js'
import {useProfile, type ProfileView} from '../../lib/profiles/login.js'

export default class ProfilesUse extends BaseCommand<typeof ProfilesUse> {
  static summary = 'Make a profile the current one.'
  static examples = ['<%= config.bin %> profiles use prod']
  static args = {name: Args.string({description: 'Profile name', required: true})}

  async run(): Promise<ProfileView> {
    const result = await useProfile(this.dirs.configDir, this.args.name)
    this.display(result, (r) => writeErr(`Current profile: ${r.name} (${r.url})`))
    return result
  }
}
