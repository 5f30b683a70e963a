import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {diffConfigFile, type ConfigDiffResult} from '../../lib/gateway-config/diff.js'
import {renderConfigDiff} from '../../lib/gateway-config/render.js'

export default class ConfigDiff extends BaseCommand<typeof ConfigDiff> {
  static summary = 'Compare a config file with the live config; exit 1 when they differ (CI drift check).'
  static description = `Values are compared, not text: comments, quoting and key order do not count, list order does. The unified diff (live → FILE) masks secrets unless --reveal; --json lists the changes path by path.
On a v8 gateway both sides are v8 documents: the gateway's v8 view (GET /v8/management/config.yaml) and FILE — a legacy or mixed FILE is migrated in memory first, and the output says so. A plaintext management.secret-key equal to the key cpactl uses counts as equal to the stored hash; keys set on one side only at their default value are not differences.
On a v7 gateway FILE must be in the legacy layout (a v8 FILE exits 2).
Exit 0 equal, 1 different, 2 when FILE is missing or not YAML.`

  static examples = [
    '<%= config.bin %> config diff gateway/config.yaml',
    "<%= config.bin %> config diff gateway/config.yaml --json | jq '.changes[].path'",
  ]

  static args = {file: Args.string({description: 'Desired config.yaml', required: true})}
  static flags = {reveal: Flags.boolean({description: 'Show secrets unmasked in the diff.', default: false})}

  async run(): Promise<ConfigDiffResult> {
    const result = await diffConfigFile(await this.gateway(), this.args.file, {reveal: this.flags.reveal})
    this.display(result, renderConfigDiff)
    this.exitCodeOnSuccess = result.equal ? 0 : 1
    return result
  }
}
