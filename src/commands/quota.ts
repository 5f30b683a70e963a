import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {csvFlag, durationFlag, noHeaderFlag, storeFlag, tzFlag} from '../lib/cli/flags.js'
import {listFlag} from '../lib/inspect/policy.js'
import type {QuotaRow} from '../lib/inspect/quota.js'
import {renderQuota} from '../lib/inspect/render.js'

export default class Quota extends BaseCommand<typeof Quota> {
  static summary = 'Quota windows per account from the last inspection (or fresh probes), least headroom first.'
  static description = `Each window shows its used percentage, its reset time in --tz, and the requests and tokens the store has collected for that account since the window started. --refresh probes first (a report-only inspection run, stored like any other); without it nothing is sent to the gateway.`

  static examples = [
    '<%= config.bin %> quota',
    '<%= config.bin %> quota --provider codex --refresh --tz Asia/Shanghai',
    "<%= config.bin %> quota --json | jq '.[] | select(.windows.long.usedPercent > 90)'",
  ]

  static flags = {
    provider: Flags.string({description: 'Only these providers (comma-separated or repeated).', multiple: true}),
    account: Flags.string({description: 'Only these credentials: auth-file name, auth_index or e-mail.', multiple: true}),
    refresh: Flags.boolean({description: 'Probe the accounts now (report only) instead of reading the last inspection.', default: false}),
    'probe-timeout': durationFlag('Per-probe timeout with --refresh (default 15s).'),
    concurrency: Flags.integer({description: 'Probes in flight at once with --refresh (default 4).', min: 1, max: 64}),
    tz: tzFlag,
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<QuotaRow[]> {
    const f = this.flags
    const {quota} = await import('../lib/inspect/service.js')
    const providers = listFlag(f.provider) ?? null
    const result = await quota({
      storePath: await this.storePath(f.store),
      instance: await this.instance(),
      tz: f.tz ?? (await this.profile())?.tz ?? null,
      providers,
      accounts: listFlag(f.account, false) ?? null,
      refresh: f.refresh
        ? {
            client: await this.gateway(),
            configDir: this.dirs.configDir,
            signal: this.signal,
            flags: {
              providers: providers ?? undefined,
              concurrency: f.concurrency,
              timeoutMs: f['probe-timeout'],
            },
          }
        : null,
    })
    this.display(result.rows, (rows) => renderQuota(rows, result.tz, {csv: f.csv, noHeader: f['no-header']}))
    // a list: the refresh run's partial_success warnings are on stderr only
    this.partialIf(Boolean(result.refreshed?.warnings.some((w) => w.code === 'partial_success')))
    return result.rows
  }
}
