import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {listPriceTable, type PriceJson} from '../../lib/pricing/manage.js'
import {renderPrices} from '../../lib/pricing/render.js'

export default class PricesList extends BaseCommand<typeof PricesList> {
  static summary = 'List model prices (USD per 1M tokens) stored for cost reports.'
  static examples = [
    '<%= config.bin %> prices list',
    '<%= config.bin %> prices list --source manual',
    "<%= config.bin %> prices list --json | jq '.[] | select(.model == \"gpt-5\")'",
  ]
  static flags = {
    source: Flags.option({options: ['manual', 'litellm', 'models.dev', 'bundled', 'cpactl-catalog'] as const, description: 'Only prices from this source.'})(),
    model: Flags.string({description: 'Only models whose name contains this text (case-insensitive).'}),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<PriceJson[]> {
    const rows = await listPriceTable(await this.storePath(this.flags.store), {source: this.flags.source, model: this.flags.model})
    this.display(rows, (r) => renderPrices(r, {csv: this.flags.csv, noHeader: this.flags['no-header']}))
    return rows
  }
}
