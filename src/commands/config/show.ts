import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {writeOut} from '../../lib/cli/output.js'
import {showConfig, type ConfigShowResult} from '../../lib/gateway-config/show.js'

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static summary = "Show the gateway's live config (secrets masked)."
  static description =
    'By default the effective config: config.yaml merged with the values the gateway applies for absent keys. --raw prints config.yaml exactly as stored, comments included. The secret-key hash, client keys, provider api-key values and proxy credentials are masked as ****abcd unless --reveal.'

  static examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show --raw > gateway-config.yaml',
    "<%= config.bin %> config show --json | jq '.config[\"usage-statistics-enabled\"]'",
  ]

  static flags = {
    raw: Flags.boolean({description: 'config.yaml as stored (comments kept) instead of the effective config.', default: false}),
    reveal: Flags.boolean({description: 'Show secrets unmasked.', default: false}),
  }

  async run(): Promise<ConfigShowResult> {
    const result = await showConfig(await this.gateway(), {raw: this.flags.raw, reveal: this.flags.reveal})
    this.display(result, (r) => writeOut(r.yaml.replace(/\n$/, '')))
    return result
  }
}
