import {Args} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag, yesFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {removePriceEntries, type RemoveResult} from '../../lib/pricing/manage.js'

export default class PricesRemove extends BaseCommand<typeof PricesRemove> {
  static summary = 'Remove the price of one or more models (their cost then shows as unpriced).'
  static examples = ['<%= config.bin %> prices remove gpt-5', '<%= config.bin %> prices remove old-model-a old-model-b --yes --json']
  static strict = false
  static args = {model: Args.string({description: 'Model name(s).', required: true, ignoreStdin: true})}
  static flags = {yes: yesFlag, store: storeFlag}

  async run(): Promise<RemoveResult> {
    const models = this.positional
    await this.confirm(`remove the price${models.length === 1 ? '' : 's'} of ${models.join(', ')} (their cost then shows as unpriced)`)
    const result = await removePriceEntries(await this.storePath(this.flags.store), models)
    this.display(result, (r) => writeOut(`removed ${r.removed.join(', ')}`))
    return result
  }
}
