import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {migrateConfigFile, type ConfigMigrateResult} from '../../lib/gateway-config/migrate-file.js'
import {renderConfigMigrate} from '../../lib/gateway-config/render.js'

export default class ConfigMigrate extends BaseCommand<typeof ConfigMigrate> {
  static summary = 'Rewrite a legacy (v7) config file in the v8 layout, as a v8 gateway does on its first v8 write.'
  static description = `Every legacy key goes to its v8 path (request-retry → routing.retry.request-retry, remote-management → management, …); each legacy provider-key entry becomes its own api-keys group named <provider>-<n>; openai-compatibility api-key-entries become keys; codex.live-media-relay.allow-private-remote-ips becomes the inverted disable-private-remote-ips; sections the v8 layout does not have are commented out at the end. A mixed file keeps the v8 value wherever a key is set under both names. Comments move with their keys. A file already in the v8 layout comes back unchanged.
Offline: no gateway is contacted. The document goes to standard output, or to -o OUT (mode 0600: the file holds secrets; --force to overwrite). Exit 0 migrated, 1 when the gateway could not migrate it either, 2 when FILE is missing or not YAML.`

  static examples = [
    '<%= config.bin %> config migrate gateway/config.yaml',
    '<%= config.bin %> config migrate gateway/config.yaml -o gateway/config.v8.yaml',
    "<%= config.bin %> config migrate gateway/config.yaml --json | jq '.moved[] | \"\\(.from) → \\(.to)\"'",
  ]

  static args = {file: Args.string({description: 'The config.yaml to migrate', required: true})}
  static flags = {
    output: Flags.string({char: 'o', description: "Write the v8 document to this file instead of standard output ('-' for standard output)."}),
    force: Flags.boolean({description: 'Overwrite OUT when it exists (e.g. migrate a file in place).', default: false}),
  }

  async run(): Promise<ConfigMigrateResult> {
    const {changed, layout, ...result} = await migrateConfigFile(this.args.file, {output: this.flags.output, force: this.flags.force})
    this.display(result, (r) => renderConfigMigrate(r, {file: this.args.file, output: this.flags.output, changed, layout}))
    return result
  }
}
