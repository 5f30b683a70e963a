import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {getConfigValue} from '../../lib/gateway-config/setting.js'
import type {ConfigGetResult} from '../../lib/gateway-config/setting-result.js'
import {renderConfigGet} from '../../lib/gateway-config/render.js'

export default class ConfigGet extends BaseCommand<typeof ConfigGet> {
  static summary = 'Print one config value by dotted path (exit 1 when it is not set).'
  static description = `On a v8 gateway the path is a v8 config path (observability.usage.usage-statistics-enabled, or the same with /); legacy names (usage-statistics-enabled, request-retry, tls.enable, …) map to their v8 path and say so; an unknown path exits 2 with the closest known paths. It is read with GET /v8/management/config/<path>; a key absent from the gateway's file prints the default that applies and exits 1.
On a v7 gateway keys with a dedicated setting endpoint (usage-statistics-enabled, routing.strategy, request-retry, …) are read there; any other key from config.yaml, falling back to the value the gateway reports for an absent key.
Secrets are masked unless --reveal.`

  static examples = [
    '<%= config.bin %> config get usage-statistics-enabled',
    '<%= config.bin %> config get routing.session-affinity-ttl',
    '<%= config.bin %> config get observability/usage/redis-usage-queue-retention-seconds',
    "<%= config.bin %> config get codex-api-key[0].base-url --json | jq -r '.value'",
  ]

  static args = {key: Args.string({description: 'Dotted path, e.g. routing.strategy (v8: routing.retry.request-retry; v7: codex-api-key[0].base-url)', required: true})}
  static flags = {reveal: Flags.boolean({description: 'Show secrets unmasked.', default: false})}

  async run(): Promise<ConfigGetResult> {
    const result = await getConfigValue(await this.gateway(), this.args.key, {reveal: this.flags.reveal})
    if (!this.jsonEnabled()) await renderConfigGet(result)
    if (!result.found) this.exitCodeOnSuccess = 1
    return result
  }
}
