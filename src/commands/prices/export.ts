import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {writeErr, writeOut} from '../../lib/cli/output.js'
import {exportPriceTable, type PriceExport} from '../../lib/pricing/manage.js'
import {writeSecretFile} from '../../lib/files/secret-file.js'

export default class PricesExport extends BaseCommand<typeof PricesExport> {
  static summary = 'Export the price table as JSON (re-importable with `prices import`).'
  static examples = ['<%= config.bin %> prices export > prices.json', '<%= config.bin %> prices export -o prices.json']
  static flags = {
    output: Flags.string({char: 'o', description: "Write to this file (mode 0600) instead of standard output ('-' for standard output)."}),
    force: Flags.boolean({description: 'Overwrite an existing -o file.', default: false}),
    store: storeFlag,
  }

  async run(): Promise<PriceExport> {
    const result = await exportPriceTable(await this.storePath(this.flags.store))
    const out = this.flags.output
    if (out !== undefined && out !== '-') {
      writeSecretFile(out, Buffer.from(JSON.stringify(result, null, 2) + '\n'), {force: this.flags.force})
      if (!this.jsonEnabled()) writeErr(`wrote ${result.prices.length} prices to ${out}`)
    } else this.display(result, (r) => writeOut(JSON.stringify(r, null, 2)))
    return result
  }
}
