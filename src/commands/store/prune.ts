import {BaseCommand} from '../../lib/cli/base-command.js'
import {formatDuration} from '../../lib/time/duration.js'
import {UsageError} from '../../lib/cli/errors.js'
import {dryRunFlag, durationFlag, storeFlag, yesFlag} from '../../lib/cli/flags.js'
import {formatInt, renderKeyValues} from '../../lib/cli/output.js'
import {confirmOrFail} from '../../lib/cli/confirm.js'
import {pruneStoreAt} from '../../lib/store/admin.js'
import type {PruneResult} from '../../lib/store/index.js'

export default class StorePrune extends BaseCommand<typeof StorePrune> {
  static summary = 'Delete raw usage events older than a duration; the rollups stay, so long-range reports still work.'
  static description =
    'Events are folded into the report rollups first. The cut is at the UTC midnight before now minus --older-than. Afterwards reports read that period from the rollups (whole hours; per-request views such as report events no longer list it). Run store vacuum to give the space back to the file system.'
  static examples = ['<%= config.bin %> store prune --older-than 90d --dry-run', '<%= config.bin %> store prune --older-than 90d --yes']
  static flags = {
    'older-than': durationFlag('Delete raw events older than this (e.g. 90d, 12w).'),
    yes: yesFlag,
    'dry-run': dryRunFlag,
    store: storeFlag,
  }

  async run(): Promise<PruneResult> {
    const olderThan = this.flags['older-than']
    if (olderThan === undefined) {
      throw new UsageError('--older-than is required (e.g. --older-than 90d)', {code: 'usage_error'})
    }
    const path = await this.storePath(this.flags.store)
    if (!this.flags['dry-run']) await confirmOrFail({yes: this.flags.yes, action: `delete raw events older than ${formatDuration(olderThan)} from ${path}`})
    const result = await pruneStoreAt(path, olderThan, {dryRun: this.flags['dry-run']})
    this.display(result, (r) =>
      renderKeyValues([
        ['cutoff', r.cutoff],
        [r.dryRun ? 'would delete' : 'deleted', formatInt(r.deleted)],
        ['remaining raw events', formatInt(r.remaining)],
        ['resolved dead letters deleted', formatInt(r.deadLettersDeleted)],
      ]),
    )
    return result
  }
}
