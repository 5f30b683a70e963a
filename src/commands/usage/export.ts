import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {sinceFlag, storeFlag, tzFlag, untilFlag} from '../../lib/cli/flags.js'
import {writeErr} from '../../lib/cli/output.js'
import {resolveRange} from '../../lib/report/range.js'
import {exportUsage, type ExportResult} from '../../lib/usage-files/export.js'

export default class UsageExport extends BaseCommand<typeof UsageExport> {
  static summary = 'Export stored usage events as NDJSON (re-importable) or CSV, oldest first, streamed.'
  static description =
    'NDJSON lines are gateway records (token_breakdown holds the stored buckets) plus instance and event_hash; client keys appear only as api_key_hash. Client IP, X-Forwarded-For and User-Agent are left out unless --include-client-info. Without --since/--until everything is exported.'
  static examples = [
    '<%= config.bin %> usage export -o usage.ndjson',
    '<%= config.bin %> usage export --since 30d --format csv > last-30-days.csv',
    "<%= config.bin %> usage export --since this-month -o month.ndjson --json | jq '.events'",
  ]
  static flags = {
    format: Flags.option({options: ['ndjson', 'csv'] as const, description: 'Output format.', default: 'ndjson' as const})(),
    since: sinceFlag,
    until: untilFlag,
    tz: tzFlag,
    instance: Flags.string({description: 'Only events of this instance; repeatable.', multiple: true}),
    output: Flags.string({char: 'o', description: "Write to this file (mode 0600) instead of standard output ('-' for standard output)."}),
    force: Flags.boolean({description: 'Overwrite an existing -o file.', default: false}),
    'include-client-info': Flags.boolean({description: 'Also export client_ip, x_forwarded_for and user_agent.', default: false}),
    store: storeFlag,
  }

  async run(): Promise<ExportResult> {
    const f = this.flags
    const toFile = f.output !== undefined && f.output !== '-'
    if (this.jsonEnabled() && !toFile) throw new UsageError('--json needs --output FILE (standard output carries the export)', {code: 'usage_error'})
    const range = f.since || f.until ? resolveRange({since: f.since ?? '1970-01-01T00:00:00Z', until: f.until, tz: f.tz}) : null
    // with the export on stdout there is no progress line (stderr may be the same terminal)
    const progress = toFile ? this.progress() : null
    const result = await exportUsage(await this.storePath(f.store), {
      format: f.format,
      range,
      instances: f.instance,
      output: f.output,
      force: f.force,
      includeClientInfo: f['include-client-info'],
      onProgress: progress ? (done, total) => progress.update(`exported ${done} / ${total} events`) : undefined,
    }).finally(() => progress?.done())
    if (toFile && !this.jsonEnabled()) writeErr(`wrote ${result.events} events to ${f.output}`)
    return result
  }
}
