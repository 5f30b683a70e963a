import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../lib/cli/flags.js'
import type {ConfigUnsetResult} from '../../lib/gateway-config/setting-result.js'
import {unsetConfigValue} from '../../lib/gateway-config/setting.js'
import {renderConfigUnset} from '../../lib/gateway-config/render.js'

export default class ConfigUnset extends BaseCommand<typeof ConfigUnset> {
  static summary = "Remove one key from the gateway's config so its default applies again; read back to verify."
  static description = `On a v8 gateway: DELETE /v8/management/config/<path> (legacy names map to their v8 path; an unknown path exits 2 with the closest known paths; the gateway prunes only the mappings the removal leaves empty). On a v7 gateway: the key is removed from config.yaml by a comment-preserving YAML round trip.
Needs --yes unless you confirm at a terminal; without a terminal it fails instead of asking (exit 2). A key that is not set is not an error (exit 0, nothing sent). management.secret-key cannot be removed (the management API would switch off).`

  static examples = [
    '<%= config.bin %> config unset routing.retry.max-retry-interval --yes',
    '<%= config.bin %> config unset proxy-url --dry-run',
    "<%= config.bin %> config unset oauth.excluded-models.claude --yes --json | jq '.previous'",
  ]

  static args = {key: Args.string({description: 'Dotted path (v8: observability.logs.debug, or a legacy name such as debug)', required: true})}
  static flags = {
    'dry-run': dryRunFlag,
    yes: yesFlag,
    reveal: Flags.boolean({description: 'Show secrets unmasked in the result.', default: false}),
  }

  async run(): Promise<ConfigUnsetResult> {
    const result = await unsetConfigValue(await this.gateway(), this.args.key, {
      yes: this.flags.yes,
      dryRun: this.flags['dry-run'],
      reveal: this.flags.reveal,
      poll: {signal: this.signal},
    })
    this.display(result, renderConfigUnset)
    return result
  }
}
