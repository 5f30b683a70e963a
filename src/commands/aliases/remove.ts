import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag, yesFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {removeAliasEntry, type RemoveAliasResult} from '../../lib/aliases/aliases.js'

export default class AliasesRemove extends BaseCommand<typeof AliasesRemove> {
  static summary = 'Remove an alias (by alias, key hash or key); the usage history stays, shown by hash.'
  static examples = ['<%= config.bin %> aliases remove "CI pipeline"', '<%= config.bin %> aliases remove 3b1f0c9a5e8d7f6a2c4b1e0d9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b --yes --json']
  static args = {target: Args.string({description: 'Alias, key hash or key.', required: true, ignoreStdin: true})}
  static flags = {yes: yesFlag, store: storeFlag}

  async run(): Promise<RemoveAliasResult> {
    await this.confirm(`remove the alias ${JSON.stringify(this.args.target)} (usage stays, shown by key hash)`)
    const result = await removeAliasEntry(await this.storePath(this.flags.store), this.args.target)
    this.display(result, (r) => writeOut(`removed ${r.alias} (sha256:${r.apiKeyHash.slice(0, 12)})`))
    return result
  }
}
