import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {migrateStoreAt, type MigrateResult} from '../../lib/store/admin.js'

export default class StoreMigrate extends BaseCommand<typeof StoreMigrate> {
  static summary = "Bring the store to this version's schema, in place."
  static description =
    'Reports open the store read-only, so a store written by an older cpactl must be migrated first: this command does it (collect and the other writing commands do it too). A migration that walks the stored events shows a progress bar on an interactive terminal and resumes where it stopped if it is interrupted.'
  static examples = ['<%= config.bin %> store migrate', '<%= config.bin %> store migrate --store ./old.db --json']
  static flags = {store: storeFlag}

  async run(): Promise<MigrateResult> {
    const result = await migrateStoreAt(await this.storePath(this.flags.store))
    this.display(result, (r) =>
      writeOut(
        r.applied.length === 0
          ? `${r.path} is current (schema ${r.schemaAfter})`
          : `migrated ${r.path} from schema ${r.schemaBefore} to ${r.schemaAfter} (${r.applied.map((m) => `${m.id} ${m.name}`).join(', ')})`,
      ),
    )
    return result
  }
}
