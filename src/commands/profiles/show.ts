import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {ConfigError} from '../../lib/cli/errors.js'
import {renderKeyValues} from '../../lib/cli/output.js'
import {viewProfiles, type ProfileView} from '../../lib/profiles/login.js'

export default class ProfilesShow extends BaseCommand<typeof ProfilesShow> {
  static summary = 'Show one profile (default: the current one). Never shows the key.'
  static examples = ['<%= config.bin %> profiles show', '<%= config.bin %> profiles show prod --json']
  static args = {name: Args.string({description: 'Profile name'})}

  async run(): Promise<ProfileView> {
    const file = await this.profiles()
    const name = this.args.name ?? this.flags.profile ?? file.currentProfile
    const view = viewProfiles(file).find((p) => p.name === name)
    if (!view) throw new ConfigError(name ? `profile '${name}' does not exist` : 'no current profile', {code: 'unknown_profile', hint: 'cpactl profiles list'})
    this.display(view, (v) =>
      renderKeyValues([
        ['Name', `${v.name}${v.current ? ' (current)' : ''}`],
        ['URL', v.url],
        ['Key storage', v.keyStorage],
        ['Insecure TLS', v.insecure ? 'yes' : 'no'],
        ['Time zone', v.tz ?? 'local'],
        ['Instance', v.instance],
        ['Store', v.store ?? 'default (<dataDir>/cpactl.db)'],
      ]),
    )
    return view
  }
}
