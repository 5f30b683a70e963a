import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag} from '../../lib/cli/flags.js'
import {listAuthFileRows, type AuthFileRow} from '../../lib/auth-files/read.js'
import {renderAuthFileRows} from '../../lib/auth-files/render.js'

export default class AuthFilesList extends BaseCommand<typeof AuthFilesList> {
  static summary = 'List auth files (accounts): provider, account, status, auth_index, priority/weight, last refresh, success/failed.'
  static examples = [
    '<%= config.bin %> auth-files list',
    '<%= config.bin %> auth-files list --provider codex --disabled',
    "<%= config.bin %> auth-files list --json | jq -r '.[] | select(.failed > 0) | .name'",
  ]

  static flags = {
    provider: Flags.string({description: 'Only this provider (codex, claude, xai, vertex, antigravity, kimi, …).'}),
    status: Flags.string({description: 'Only this status (active, disabled, error, refreshing, pending, unknown).'}),
    disabled: Flags.boolean({description: 'Only disabled accounts.', default: false, exclusive: ['enabled']}),
    enabled: Flags.boolean({description: 'Only enabled accounts.', default: false, exclusive: ['disabled']}),
    unavailable: Flags.boolean({description: 'Only accounts temporarily unavailable (quota or cooldown).', default: false}),
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<AuthFileRow[]> {
    const f = this.flags
    const rows = await listAuthFileRows(await this.gateway(), {
      provider: f.provider,
      status: f.status,
      disabled: f.disabled ? true : f.enabled ? false : undefined,
      unavailable: f.unavailable ? true : undefined,
    })
    this.display(rows, (r) => renderAuthFileRows(r, {csv: f.csv, noHeader: f['no-header']}))
    return rows
  }
}
