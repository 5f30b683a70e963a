import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {resetAccountCooldown, type CooldownResetResult} from '../../lib/auth-files/write.js'

export default class AuthFilesResetCooldown extends BaseCommand<typeof AuthFilesResetCooldown> {
  static summary = 'Clear the quota and cooldown state of one account (file name or auth_index; config API keys by auth_index).'
  static description = `Asks the gateway to forget the account's quota-exceeded and cooldown state so it is routed again at once (v8: POST /routing/cooldown/reset; v7: POST /reset-quota, since 7.2.22). Nothing else about the account changes.
Exit codes: 0 done, 8 unknown account or a gateway without the route (named, with the release that added it), 4 key rejected.`

  static examples = [
    '<%= config.bin %> auth-files reset-cooldown codex-alice@example.com-plus.json',
    '<%= config.bin %> auth-files reset-cooldown 9f2c4e1a7b3d5c60',
    "<%= config.bin %> auth-files reset-cooldown 9f2c4e1a7b3d5c60 --json | jq '.models'",
  ]

  static args = {name: Args.string({description: 'File name or auth_index', required: true})}
  static flags = {'dry-run': dryRunFlag}

  async run(): Promise<CooldownResetResult> {
    const result = await resetAccountCooldown(await this.gateway(), this.args.name, {dryRun: this.flags['dry-run']})
    this.display(result, (r) =>
      writeOut(
        r.dryRun
          ? `would reset the cooldown of ${r.name} (auth_index ${r.authIndex})`
          : `reset the cooldown of ${r.name} (auth_index ${r.authIndex})${r.models.length > 0 ? `: ${r.models.length} model(s) cleared (${r.models.join(', ')})` : ''}`,
      ),
    )
    return result
  }
}
