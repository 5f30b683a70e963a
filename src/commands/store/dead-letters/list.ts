import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../lib/cli/base-command.js'
import {csvFlag, limitFlag, noHeaderFlag, storeFlag} from '../../../lib/cli/flags.js'
import {renderTable, stdoutIsTTY} from '../../../lib/cli/output.js'
import {listDeadLettersAt} from '../../../lib/store/admin.js'
import type {DeadLetter} from '../../../lib/store/index.js'

export default class DeadLettersList extends BaseCommand<typeof DeadLettersList> {
  static summary = 'List payloads the collector could not parse (redacted), newest first.'
  static examples = ['<%= config.bin %> store dead-letters list', "<%= config.bin %> store dead-letters list --all --json | jq '.[].reason'"]
  static flags = {
    all: Flags.boolean({description: 'Include resolved ones.', default: false}),
    instance: Flags.string({description: 'Only this instance.'}),
    limit: limitFlag(50),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  /** A list: an array under --json (cut by --limit; a stderr warning says how many there are in all). */
  async run(): Promise<DeadLetter[]> {
    const result = await listDeadLettersAt(await this.storePath(this.flags.store), {all: this.flags.all, limit: this.flags.limit, instance: this.flags.instance})
    const human = stdoutIsTTY() && !this.flags.csv
    if (result.total > result.items.length) this.warning('list_truncated', `showing ${result.items.length} of ${result.total} dead letters (--limit)`)
    this.display(result, (r) => {
      renderTable(
        [
          {key: 'id', header: 'ID'},
          {key: 'receivedAt', header: 'RECEIVED'},
          {key: 'instance', header: 'INSTANCE'},
          {key: 'reason', header: 'REASON'},
          {key: 'resolvedAt', header: 'RESOLVED', get: (d: DeadLetter) => d.resolvedAt ?? ''},
          {key: 'payload', header: 'PAYLOAD', get: (d: DeadLetter) => (human && d.payload.length > 60 ? `${d.payload.slice(0, 59)}…` : d.payload)},
        ],
        r.items,
        {csv: this.flags.csv, noHeader: this.flags['no-header']},
      )
    })
    return result.items
  }
}
