import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {vacuumStoreAt} from '../../lib/store/admin.js'
import type {VacuumResult} from '../../lib/store/index.js'

export default class StoreVacuum extends BaseCommand<typeof StoreVacuum> {
  static summary = 'Give freed space back after a prune: SQLite rewrites the file (no other process may use it); PostgreSQL runs VACUUM (ANALYZE).'
  static examples = ['<%= config.bin %> store vacuum', "<%= config.bin %> store vacuum --json | jq '.sizeAfter'"]
  static flags = {store: storeFlag}

  async run(): Promise<VacuumResult> {
    const result = await vacuumStoreAt(await this.storePath(this.flags.store))
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`
    this.display(result, (r) => writeOut(`${mib(r.sizeBefore)} → ${mib(r.sizeAfter)}`))
    return result
  }
}
