import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, limitFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {renderHistory} from '../../lib/inspect/render.js'
import type {InspectionRunView} from '../../lib/inspect/service.js'

export default class InspectHistory extends BaseCommand<typeof InspectHistory> {
  static summary = 'List stored inspection runs, newest first.'
  static examples = [
    '<%= config.bin %> inspect history',
    '<%= config.bin %> inspect history --limit 5',
    "<%= config.bin %> inspect history --json | jq '.[] | select(.summary.probeFailed > 0) | .id'",
  ]

  static flags = {
    limit: limitFlag(20),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<InspectionRunView[]> {
    const f = this.flags
    const {inspectHistory} = await import('../../lib/inspect/service.js')
    const rows = await inspectHistory({storePath: await this.storePath(f.store), limit: f.limit})
    this.display(rows, (r) => renderHistory(r, {csv: f.csv, noHeader: f['no-header']}))
    return rows
  }
}
