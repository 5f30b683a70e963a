import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {missingPrices, type MissingPrice} from '../../lib/pricing/manage.js'
import {renderMissing} from '../../lib/pricing/render.js'

export default class PricesMissing extends BaseCommand<typeof PricesMissing> {
  static summary = 'List models seen in stored usage that have no price (their cost would be a lower bound).'
  static examples = [
    '<%= config.bin %> prices missing',
    "<%= config.bin %> prices missing --json | jq -r '.[].model'",
    '<%= config.bin %> prices import --bundled $(<%= config.bin %> prices missing --json | jq -r \'.[].model | "--only=" + .\')',
  ]
  static flags = {
    instance: Flags.string({description: 'Only usage of this instance; repeatable.', multiple: true}),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<MissingPrice[]> {
    const rows = await missingPrices(await this.storePath(this.flags.store), this.flags.instance)
    this.display(rows, (r) => renderMissing(r, {csv: this.flags.csv, noHeader: this.flags['no-header']}))
    return rows
  }
}
