import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, yesFlag} from '../../lib/cli/flags.js'
import {applyConfigFile} from '../../lib/gateway-config/apply.js'
import type {ApplyStrategy, ConfigApplyResult} from '../../lib/gateway-config/apply-result.js'
import {renderApplyPreview, renderConfigApply} from '../../lib/gateway-config/render.js'

export default class ConfigApply extends BaseCommand<typeof ConfigApply> {
  static summary = 'Make the live config equal to a file: validate locally, show the diff, write, read back and verify.'
  static description = `On a v8 gateway FILE may be in the v8 or the legacy layout (a legacy or mixed file is migrated in memory first, and the output says so). By default only what differs is written, one PUT or DELETE per v8 config path (a change under routing never rewrites upstream keys; lists such as access.api-keys or api-keys.<provider> are written whole); --strategy replace PUTs the whole v8 document to /config.yaml instead. If a write fails midway, the remaining writes are not sent and the result lists what became of each write (exit 6, a partial_success warning); running the same apply again sends only what still differs.
On a v7 gateway the file (legacy layout) is sent exactly as written with PUT /config.yaml (comments kept; unknown keys are warned about, never dropped); a v8 file is refused (exit 2).
Needs --yes unless you confirm at a terminal; without a terminal it fails instead of asking (exit 2). The gateway's rejections come back with its error code and message (exit 8).`

  static examples = [
    '<%= config.bin %> config apply gateway/config.yaml --dry-run',
    '<%= config.bin %> config apply gateway/config.yaml --yes',
    '<%= config.bin %> config apply gateway/config.yaml --yes --strategy replace',
    "<%= config.bin %> config apply gateway/config.yaml --yes --json | jq '.writes'",
  ]

  static args = {file: Args.string({description: 'The config.yaml to apply', required: true})}
  static flags = {
    'dry-run': dryRunFlag,
    yes: yesFlag,
    strategy: Flags.string({
      description: 'v8: paths = write only the changed paths (default); replace = PUT the whole v8 document. A v7 gateway always takes the whole file.',
      options: ['paths', 'replace'],
    }),
    reveal: Flags.boolean({description: 'Show secrets unmasked in the diff.', default: false}),
  }

  async run(): Promise<ConfigApplyResult> {
    let previewShown = false
    const result = await applyConfigFile(await this.gateway(), this.args.file, {
      strategy: this.flags.strategy as ApplyStrategy | undefined,
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
    this.partialIf(result.writes.some((w) => w.status === 'failed'))
    return result
  }
}
