import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {listAliasViews, type AliasView} from '../../lib/aliases/aliases.js'
import {renderAliases} from '../../lib/aliases/render.js'

export default class AliasesList extends BaseCommand<typeof AliasesList> {
  static summary = 'List the names given to client API keys, with their usage.'
  static examples = ['<%= config.bin %> aliases list', "<%= config.bin %> aliases list --json | jq -r '.[] | [.alias, .apiKeyHash] | @tsv'"]
  static flags = {store: storeFlag, csv: csvFlag, 'no-header': noHeaderFlag}

  async run(): Promise<AliasView[]> {
    const rows = await listAliasViews(await this.storePath(this.flags.store))
    this.display(rows, (r) => renderAliases(r, {csv: this.flags.csv, noHeader: this.flags['no-header']}))
    return rows
  }
}
