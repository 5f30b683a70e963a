import {BaseCommand} from '../lib/cli/base-command.js'
import {ConfigError} from '../lib/cli/errors.js'
import {writeErr} from '../lib/cli/output.js'
import {forgetKey} from '../lib/profiles/login.js'

export interface LogoutResult {
  profile: string
  keysRemovedFrom: string[]
}

export default class Logout extends BaseCommand<typeof Logout> {
  static summary = 'Forget the stored management key of a profile (keychain and credentials file); the profile stays.'
  static examples = ['<%= config.bin %> logout', '<%= config.bin %> logout --profile prod --json']

  async run(): Promise<LogoutResult> {
    const profile = await this.profile()
    if (!profile) throw new ConfigError('no profile selected: pass --profile NAME', {code: 'unknown_profile'})
    const result = {profile: profile.name, keysRemovedFrom: await forgetKey(this.dirs.configDir, profile.name)}
    this.display(result, (r) => writeErr(r.keysRemovedFrom.length > 0 ? `Removed the key of '${r.profile}' from: ${r.keysRemovedFrom.join(', ')}` : `No stored key for '${r.profile}'.`))
    return result
  }
}
