import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {formatInt, renderKeyValues, renderTable} from '../../lib/cli/output.js'
import {storeInfoAt} from '../../lib/store/admin.js'
import type {StoreInfo} from '../../lib/store/index.js'

export default class StoreInfoCommand extends BaseCommand<typeof StoreInfoCommand> {
  static summary = 'Show the store: path, size, events, time range, instances, dead letters (PostgreSQL: also server version and table sizes).'
  static examples = ['<%= config.bin %> store info', "<%= config.bin %> store info --json | jq '.rawEvents'"]
  static flags = {store: storeFlag}

  async run(): Promise<StoreInfo> {
    const info = await storeInfoAt(await this.storePath(this.flags.store))
    this.display(info, (i) => {
      renderKeyValues([
        ['path', i.path],
        ['size', `${(i.sizeBytes / 1024 / 1024).toFixed(1)} MiB`],
        ['schema', i.schemaVersion],
        ['events (raw)', formatInt(i.rawEvents)],
        ['events (all, incl. pruned)', formatInt(i.totalEvents)],
        ['oldest raw event', i.oldestRawEvent],
        ['newest event', i.newestEvent],
        ['raw events complete from', i.rawCompleteFrom ?? 'the beginning (never pruned)'],
        ['dead letters', `${i.deadLetters.waiting} waiting, ${i.deadLetters.resolved} resolved`],
        ['prices', i.prices],
        ['aliases', i.aliases],
        ['last collect run', i.lastRun ? `${i.lastRun.startedAt} ${i.lastRun.instance} ${i.lastRun.status} (+${i.lastRun.inserted})` : null],
        ...(i.serverVersion ? [['server', i.serverVersion] as [string, string]] : []),
      ])
      if (i.instances.length > 0) {
        renderTable(
          [
            {key: 'instance', header: 'INSTANCE'},
            {key: 'events', header: 'EVENTS', align: 'right', get: (r: StoreInfo['instances'][number]) => formatInt(r.events)},
            ...(i.kind === 'postgres' ? [{key: 'rawEvents', header: 'RAW', align: 'right' as const, get: (r: StoreInfo['instances'][number]) => formatInt(r.rawEvents ?? 0)}] : []),
            {key: 'firstSeen', header: 'FIRST'},
            {key: 'lastSeen', header: 'LAST'},
          ],
          i.instances,
        )
      }
      if (i.tables) {
        renderTable(
          [
            {key: 'table', header: 'TABLE'},
            {key: 'bytes', header: 'SIZE', align: 'right', get: (t: NonNullable<StoreInfo['tables']>[number]) => `${(t.bytes / 1024 / 1024).toFixed(1)} MiB`},
            {key: 'rows', header: 'ROWS (est.)', align: 'right', get: (t: NonNullable<StoreInfo['tables']>[number]) => formatInt(t.rows)},
          ],
          i.tables,
        )
      }
    })
    return info
  }
}
