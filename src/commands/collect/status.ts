import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {renderTable, writeErr} from '../../lib/cli/output.js'
import type {CollectStatusResult} from '../../lib/collect/index.js'

export default class CollectStatus extends BaseCommand<typeof CollectStatus> {
  static summary = 'Show the collector run log: last runs, age of the last success against the queue retention, dead letters.'
  static description = 'Reads the store only (no gateway call). Every instance in the store is listed unless --instance is given.'
  static examples = [
    '<%= config.bin %> collect status',
    '<%= config.bin %> collect status --instance prod --runs 20',
    "<%= config.bin %> collect status --json | jq '.instances[] | {instance, stale, lastSuccessAgeMs}'",
  ]

  static flags = {
    store: storeFlag,
    instance: Flags.string({description: 'Only this instance (profile name, or host:port).'}),
    runs: Flags.integer({description: 'How many recent runs to list.', default: 10, min: 1}),
  }

  async run(): Promise<CollectStatusResult> {
    const {collectStatus} = await import('../../lib/collect/index.js')
    const {instanceColumns, runColumns, statusNotes} = await import('../../lib/collect/render.js')
    const result = await collectStatus({storePath: await this.storePath(this.flags.store), instance: this.flags.instance ?? null, limit: this.flags.runs})
    this.display(result, (r) => {
      if (r.instances.length > 0) renderTable(instanceColumns, r.instances)
      if (r.recentRuns.length > 0) {
        writeErr('')
        renderTable(runColumns, r.recentRuns)
      }
      for (const note of statusNotes(r)) writeErr(note)
    })
    return result
  }
}
