import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {setConfigValue} from '../../lib/gateway-config/setting.js'
import type {ConfigSetResult} from '../../lib/gateway-config/setting-result.js'
import {renderConfigSet} from '../../lib/gateway-config/render.js'

export default class ConfigSet extends BaseCommand<typeof ConfigSet> {
  static summary = 'Change one config value, then read it back to verify.'
  static description = `On a v8 gateway the path is a v8 config path; legacy names map to their v8 path (request-retry → routing.retry.request-retry) and an unknown path exits 2 with the closest known paths. VALUE is typed from the v8 schema (true/false, integers, durations, lists and mappings as JSON such as '["a","b"]'); a value of the wrong type exits 2 before any request. The raw JSON value is PUT to /v8/management/config/<path>, read back and verified. The first v8 write migrates a legacy config file on the gateway (warned). quota-exceeded.switch-* have no v8 name and use their v0 route.
On a v7 gateway keys with a dedicated setting endpoint are written there; any other key by a YAML round trip through config.yaml that keeps comments and key order; VALUE is typed by the key or read as YAML for unknown keys.
Secrets are refused on the command line: use config apply or api-keys add.`

  static examples = [
    '<%= config.bin %> config set usage-statistics-enabled true',
    '<%= config.bin %> config set redis-usage-queue-retention-seconds 600',
    '<%= config.bin %> config set routing.session-affinity true --dry-run',
    '<%= config.bin %> config set oauth.excluded-models.claude \'["claude-3-5-haiku-*"]\'',
    "<%= config.bin %> config set logging-to-file true --json | jq '.verified'",
  ]

  static args = {
    key: Args.string({description: 'Dotted path, e.g. routing.strategy', required: true}),
    value: Args.string({description: 'New value', required: true}),
  }

  static flags = {
    'dry-run': dryRunFlag,
    reveal: Flags.boolean({description: 'Show secrets (e.g. proxy credentials) unmasked in the result.', default: false}),
  }

  async run(): Promise<ConfigSetResult> {
    const result = await setConfigValue(await this.gateway(), this.args.key, this.args.value, {dryRun: this.flags['dry-run'], reveal: this.flags.reveal, poll: {signal: this.signal}})
    this.display(result, renderConfigSet)
    return result
  }
}
