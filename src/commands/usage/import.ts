import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {renderTable} from '../../lib/cli/output.js'
import {importUsage, type FileImport, type ImportResult} from '../../lib/usage-files/import.js'

export default class UsageImport extends BaseCommand<typeof UsageImport> {
  static summary = 'Import usage files into the store (idempotent: events already stored are counted as duplicates).'
  static description =
    "Reads cpactl NDJSON (usage export), raw gateway usage records (one per line or a JSON array), the leading panel's JSONL export, and the legacy gateway /usage export (request details only; aggregate-only files are refused). Records go through the collector's normalisation and event hash."
  static examples = [
    '<%= config.bin %> usage import usage.ndjson',
    '<%= config.bin %> usage import usage-events.jsonl --instance prod',
    "<%= config.bin %> usage import old-usage.json --json | jq '{added, duplicates}'",
  ]
  static strict = false
  static args = {file: Args.string({description: 'File(s) to import.', required: true, ignoreStdin: true})}
  static flags = {
    instance: Flags.string({description: 'Instance label for records that carry none (default: the profile\'s, else "import").'}),
    'force-instance': Flags.boolean({description: 'Use --instance even for records of a cpactl export that name their own.', default: false}),
    store: storeFlag,
  }

  async run(): Promise<ImportResult> {
    let instance = this.flags.instance
    if (!instance) instance = await this.instance().catch(() => 'import')
    const progress = this.progress()
    const result = await importUsage(await this.storePath(this.flags.store), {
      files: this.positional,
      instance,
      forceInstance: this.flags['force-instance'],
      onProgress: (p) => progress.update(`${p.file}: ${p.unit === 'bytes' ? `${Math.round((100 * p.done) / Math.max(1, p.total))}%` : `${p.done} / ${p.total} records`}`),
    }).finally(() => progress.done())
    this.display(result, (r) => {
      renderTable(
        [
          {key: 'file', header: 'FILE'},
          {key: 'format', header: 'FORMAT'},
          {key: 'records', header: 'RECORDS', align: 'right'},
          {key: 'added', header: 'ADDED', align: 'right'},
          {key: 'duplicates', header: 'DUPLICATES', align: 'right'},
          {key: 'failed', header: 'FAILED', align: 'right'},
        ],
        r.files as FileImport[],
      )
    })
    return result
  }
}
