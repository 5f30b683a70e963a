import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {readStdinText} from '../../lib/cli/stdin.js'
import {addApiKey, type ApiKeyAddResult} from '../../lib/api-keys/api-keys.js'
import {renderApiKeyAdd} from '../../lib/api-keys/render.js'

export default class ApiKeysAdd extends BaseCommand<typeof ApiKeysAdd> {
  static summary = 'Add a client API key: a strong generated one, or yours from standard input. Printed once.'
  static description = 'The key is never taken as an argument (shell history, process lists). The generated key goes alone to stdout; cpactl shows it masked afterwards.'
  static examples = [
    '<%= config.bin %> api-keys add',
    'KEY=$(<%= config.bin %> api-keys add)',
    'printf %s "$MY_KEY" | <%= config.bin %> api-keys add --key-stdin',
    "<%= config.bin %> api-keys add --json | jq -r '.key'",
  ]

  static flags = {
    // --stdin: the spelling before issue 14, kept as a deprecated alias
    'key-stdin': Flags.boolean({description: 'Read the key from standard input instead of generating one.', default: false, aliases: ['stdin'], deprecateAliases: true}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<ApiKeyAddResult> {
    if (this.flags['key-stdin'] && this.flags['management-key-stdin']) throw new UsageError('--key-stdin and --management-key-stdin both want standard input')
    const key = this.flags['key-stdin'] ? await readStdinText() : undefined
    const result = await addApiKey(await this.gateway(), {key, dryRun: this.flags['dry-run'], poll: {signal: this.signal}})
    this.display(result, renderApiKeyAdd)
    return result
  }
}
