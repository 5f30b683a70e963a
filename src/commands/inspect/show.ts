import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {renderInspectRun} from '../../lib/inspect/render.js'
import type {InspectRunResult} from '../../lib/inspect/types.js'

export default class InspectShow extends BaseCommand<typeof InspectShow> {
  static summary = 'Show one stored inspection run: the same document `inspect run` printed.'
  static examples = [
    '<%= config.bin %> inspect show 12',
    '<%= config.bin %> inspect show latest',
    "<%= config.bin %> inspect show latest --json | jq '.results[] | select(.actionTaken != null)'",
  ]

  static args = {
    run: Args.string({description: "Run id (from `inspect history`) or 'latest'.", required: true}),
  }

  static flags = {
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<InspectRunResult & {status: string}> {
    const f = this.flags
    const {inspectShow} = await import('../../lib/inspect/service.js')
    const result = await inspectShow({storePath: await this.storePath(f.store), run: this.args.run})
    this.display(result, (r) => renderInspectRun(r, {csv: f.csv, noHeader: f['no-header']}))
    return result
  }
}
