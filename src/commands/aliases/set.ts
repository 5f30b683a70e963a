import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {keyStdinFlag, storeFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import type {Warning} from '../../lib/cli/warnings.js'
import {keyHashOf, setAlias, type SetAliasResult} from '../../lib/aliases/aliases.js'
import {readStdinText} from '../../lib/cli/stdin.js'

export default class AliasesSet extends BaseCommand<typeof AliasesSet> {
  static summary = 'Name a client API key (by its SHA-256 hash, or the key itself — hashed at once, never stored).'
  static description = 'Aliases are at most 120 characters and unique regardless of case. Prefer --key-stdin over a key on the command line (shell history).'
  static examples = [
    '<%= config.bin %> aliases set 3b1f0c9a5e8d7f6a2c4b1e0d9f8a7c6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b "CI pipeline"',
    'printf %s "$CLIENT_KEY" | <%= config.bin %> aliases set --key-stdin "Alice laptop"',
    "<%= config.bin %> aliases set <HASH> build-bot --json | jq '.previousAlias'",
  ]
  static args = {
    first: Args.string({description: 'KEY-OR-HASH then ALIAS; with --key-stdin just ALIAS.', required: true, ignoreStdin: true}),
    second: Args.string({description: 'ALIAS (when the first argument is the key or hash).', ignoreStdin: true}),
  }
  static flags = {
    'key-stdin': keyStdinFlag,
    store: storeFlag,
  }

  async run(): Promise<SetAliasResult & {warnings: Warning[]}> {
    let keyOrHash: string
    let alias: string
    if (this.flags['key-stdin']) {
      if (this.args.second !== undefined) throw new UsageError('with --key-stdin pass only the ALIAS', {code: 'usage_error'})
      keyOrHash = (await readStdinText()).trim()
      alias = this.args.first
    } else {
      if (this.args.second === undefined) throw new UsageError('pass KEY-OR-HASH and ALIAS (or --key-stdin and ALIAS)', {code: 'usage_error'})
      keyOrHash = this.args.first
      alias = this.args.second
      if (keyHashOf(keyOrHash).wasRawKey) this.warning('key_in_argv', 'the key was given on the command line (visible in shell history); it was hashed and not stored — prefer --key-stdin')
    }
    const result = await setAlias(await this.storePath(this.flags.store), keyOrHash, alias)
    this.display(result, (r) =>
      writeOut(r.changed ? `${r.previousAlias ? `renamed ${r.previousAlias} →` : 'named'} ${r.alias} (sha256:${r.apiKeyHash.slice(0, 12)})` : `${r.alias} unchanged`),
    )
    return {...result, warnings: []}
  }
}
