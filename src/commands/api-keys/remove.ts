import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {dryRunFlag, storeFlag, yesFlag} from '../../lib/cli/flags.js'
import {readStdinText} from '../../lib/cli/stdin.js'
import {removeApiKey, type ApiKeyRemoveResult} from '../../lib/api-keys/api-keys.js'
import {renderApiKeyRemove} from '../../lib/api-keys/render.js'

export default class ApiKeysRemove extends BaseCommand<typeof ApiKeysRemove> {
  static summary = 'Remove a client API key by value, alias or index (needs --yes). Its alias and history stay.'
  static description =
    'TARGET is matched as a configured key value, then as an index, then as an alias from the store; --by forces one. To keep the key out of shell history, pass --key-stdin and pipe the value.'

  static examples = [
    '<%= config.bin %> api-keys remove 2 --yes',
    '<%= config.bin %> api-keys remove ci-runner --by alias --yes',
    'printf %s "$OLD_KEY" | <%= config.bin %> api-keys remove --key-stdin --yes',
    "<%= config.bin %> api-keys remove 2 --dry-run --json | jq '.key'",
  ]

  static args = {target: Args.string({description: 'Key value, alias or index', required: false, ignoreStdin: true})}
  static flags = {
    by: Flags.string({description: 'How to read TARGET.', options: ['value', 'alias', 'index']}),
    // --stdin: the spelling before issue 14, kept as a deprecated alias
    'key-stdin': Flags.boolean({description: 'Read the key value from standard input.', default: false, aliases: ['stdin'], deprecateAliases: true}),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    store: storeFlag,
  }

  async run(): Promise<ApiKeyRemoveResult> {
    const f = this.flags
    if (f['key-stdin'] && this.args.target) throw new UsageError('give TARGET or --key-stdin, not both')
    if (!f['key-stdin'] && !this.args.target) throw new UsageError('name the key to remove: TARGET (value, alias or index) or --key-stdin')
    const target = f['key-stdin'] ? await readStdinText() : this.args.target!
    const result = await removeApiKey(await this.gateway(), target, {
      by: f['key-stdin'] ? 'value' : (f.by as 'value' | 'alias' | 'index' | undefined),
      yes: f.yes,
      dryRun: f['dry-run'],
      storePath: await this.storePath(f.store),
      poll: {signal: this.signal},
    })
    this.display(result, renderApiKeyRemove)
    return result
  }
}
