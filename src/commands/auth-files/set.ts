import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {dryRunFlag} from '../../lib/cli/flags.js'
import {setAuthFileFields, type SetFieldsResult} from '../../lib/auth-files/write.js'
import {renderSetFields} from '../../lib/auth-files/render.js'

export default class AuthFilesSet extends BaseCommand<typeof AuthFilesSet> {
  static summary = 'Change fields of an auth file (priority, weight, note, prefix, proxy, websockets, …), then verify.'
  static description =
    "Fields are PATCHed into the file's metadata; the gateway's validation errors are passed through (exit 8). --unset weight|request-retry removes those fields. Other fields: --field key=value (value read as JSON when it parses)."

  static examples = [
    '<%= config.bin %> auth-files set codex-alice@example.com-plus.json --priority 10 --weight 3',
    '<%= config.bin %> auth-files set 9f2c4e1a7b3d5c60 --note "rotating out in May" --no-websockets',
    "<%= config.bin %> auth-files set codex-alice@example.com-plus.json --unset weight --json | jq '.verified'",
  ]

  static args = {name: Args.string({description: 'File name or auth_index', required: true})}
  static flags = {
    priority: Flags.integer({description: 'Priority (higher is preferred).'}),
    weight: Flags.integer({description: 'Weight for weighted-round-robin, up to 1000000; 0 or less parks the account (the gateway stores 0).'}),
    note: Flags.string({description: 'Free-text note.'}),
    prefix: Flags.string({description: "Model namespace prefix (no '/')."}),
    'proxy-url': Flags.string({description: 'Proxy for this account (http://, socks5://; direct or none to bypass).'}),
    websockets: Flags.boolean({description: 'Use websockets (codex); --no-websockets turns it off.', allowNo: true}),
    'request-retry': Flags.integer({description: 'Retries for this account.'}),
    unset: Flags.string({description: 'Remove a field.', options: ['weight', 'request-retry'], multiple: true}),
    field: Flags.string({description: 'Any other field as key=value (repeatable).', multiple: true}),
    'dry-run': dryRunFlag,
  }

  async run(): Promise<SetFieldsResult> {
    const f = this.flags
    const unset = new Set(f.unset ?? [])
    if ((unset.has('weight') && f.weight !== undefined) || (unset.has('request-retry') && f['request-retry'] !== undefined)) {
      throw new UsageError('a field cannot be set and unset at once')
    }
    const result = await setAuthFileFields(
      await this.gateway(),
      this.args.name,
      {
        priority: f.priority,
        weight: unset.has('weight') ? null : f.weight,
        note: f.note,
        prefix: f.prefix,
        proxyUrl: f['proxy-url'],
        websockets: f.websockets,
        requestRetry: unset.has('request-retry') ? null : f['request-retry'],
        extra: f.field,
      },
      {dryRun: f['dry-run'], poll: {signal: this.signal}},
    )
    this.display(result, renderSetFields)
    return result
  }
}
