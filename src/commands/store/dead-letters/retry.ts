import {Flags} from '@oclif/core'

import {BaseCommand} from '../../../lib/cli/base-command.js'
import {storeFlag} from '../../../lib/cli/flags.js'
import {formatInt, renderKeyValues, warn} from '../../../lib/cli/output.js'
import {retryDeadLettersAt} from '../../../lib/store/admin.js'
import type {RetryResult} from '../../../lib/store/index.js'

export default class DeadLettersRetry extends BaseCommand<typeof DeadLettersRetry> {
  static summary = 'Parse waiting dead letters again (after an upgrade); those that parse are stored as events.'
  static examples = ['<%= config.bin %> store dead-letters retry', '<%= config.bin %> store dead-letters retry --id 12 --id 13 --json']
  static flags = {
    id: Flags.integer({description: 'Only this dead letter; repeatable.', multiple: true}),
    instance: Flags.string({description: 'Only this instance.'}),
    store: storeFlag,
  }

  async run(): Promise<RetryResult> {
    const result = await retryDeadLettersAt(await this.storePath(this.flags.store), {ids: this.flags.id, instance: this.flags.instance})
    this.display(result, (r) => {
      renderKeyValues([
        ['tried', formatInt(r.tried)],
        ['recovered', formatInt(r.recovered)],
        ['already stored', formatInt(r.duplicates)],
        ['still failing', formatInt(r.stillFailing)],
      ])
      for (const x of r.reasons.slice(0, 5)) warn(`${x.count} × ${x.reason}`)
    })
    return result
  }
}
