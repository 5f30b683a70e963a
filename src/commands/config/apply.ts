import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../lib/cli/flags.js'
import {applyConfigFile, type ConfigApplyResult} from '../../lib/manage/config-apply.js'
import {renderApplyPreview, renderConfigApply} from '../../lib/manage/render-config.js'

export default class ConfigApply extends BaseCommand<typeof ConfigApply> {
  static summary = 'Replace the live config with a file: validate locally, show the diff, PUT, read back and verify.'
  static description =
    "The file is sent exactly as written (comments kept; unknown keys are warned about, never dropped). Needs --yes unless you confirm at a terminal; without a terminal it fails instead of asking (exit 2). The gateway's 400 invalid_yaml / 422 invalid_config come back with its message (exit 8)."

  static examples = [
    '<%= config.bin %> config apply gateway/config.yaml --dry-run',
    '<%= config.bin %> config apply gateway/config.yaml --yes',
    "<%= config.bin %> config apply gateway/config.yaml --yes --json | jq '.verified'",
  ]

  static args = {file: Args.string({description: 'The config.yaml to apply', required: true})}
  static flags = {
    'dry-run': dryRunFlag,
    yes: yesFlag,
    reveal: Flags.boolean({description: 'Show secrets unmasked in the diff.', default: false}),
  }

  async run(): Promise<ConfigApplyResult> {
    let previewShown = false
    const result = await applyConfigFile(await this.gateway(), this.args.file, {
      dryRun: this.flags['dry-run'],
      yes: this.flags.yes,
      reveal: this.flags.reveal,
      poll: {signal: this.signal},
      onPreview: (diff) => {
        if (this.jsonEnabled()) return
        previewShown = true
        renderApplyPreview(diff)
      },
    })
    this.display(result, (r) => renderConfigApply(r, previewShown))
    return result
  }
}
