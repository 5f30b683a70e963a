import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import {backupStoreAt} from '../../lib/store/admin.js'
import type {BackupResult} from '../../lib/store/index.js'

export default class StoreBackup extends BaseCommand<typeof StoreBackup> {
  static summary = 'Copy the store to FILE: a consistent, compacted snapshot (VACUUM INTO) while collectors keep writing.'
  static description = 'The store is opened read-only; the copy is created with mode 0600 and can itself be read by every report (--store FILE) without being changed. A PostgreSQL store is backed up with pg_dump: this command then exits 2 and prints the pg_dump command to use.'
  static examples = ['<%= config.bin %> store backup /backups/cpactl-$(date +%F).db', '<%= config.bin %> store backup copy.db --force --json']
  static args = {file: Args.string({description: 'Destination file (created with mode 0600).', required: true, ignoreStdin: true})}
  static flags = {
    force: Flags.boolean({description: 'Replace FILE if it exists.', default: false}),
    store: storeFlag,
  }

  async run(): Promise<BackupResult> {
    const result = await backupStoreAt(await this.storePath(this.flags.store), this.args.file, {force: this.flags.force})
    this.display(result, (r) => writeOut(`wrote ${r.path} (${(r.bytes / 1024 / 1024).toFixed(1)} MiB)`))
    return result
  }
}
