import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {getConfigValue} from '../../lib/manage/config-setting.js'
import type {ConfigGetResult} from '../../lib/manage/config-setting-result.js'
import {renderConfigGet} from '../../lib/manage/render-config.js'

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static summary = 'Print one config value by dotted path (exit 1 when it is not set).'
  static description =
    'Keys with a dedicated setting endpoint (usage-statistics-enabled, routing.strategy, request-retry, …) are read there; any other key from config.yaml, falling back to the value the gateway reports for an absent key. Secrets are masked unless --reveal.'

  static examples = [
    '<%= config.bin %> config get usage-statistics-enabled',
    '<%= config.bin %> config get routing.session-affinity-ttl',
    "<%= config.bin %> config get codex-api-key[0].base-url --json | jq -r '.value'",
  ]

  static args = {key: Args.string({description: 'Dotted path, e.g. routing.strategy or codex-api-key[0].base-url', required: true})}
  static flags = {reveal: Flags.boolean({description: 'Show secrets unmasked.', default: false})}

  async run(): Promise<ConfigGetResult> {
    const result = await getConfigValue(await this.gateway(), this.args.key, {reveal: this.flags.reveal})
    if (!this.jsonEnabled()) await renderConfigGet(result)
    if (!result.found) this.exitCodeOnSuccess = 1
    return result
  }
}
