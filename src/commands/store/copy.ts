import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {formatInt, renderKeyValues} from '../../lib/cli/output.js'
import {copyStore, type CopyResult} from '../../lib/store/admin.js'

export default class StoreCopy extends BaseCommand<typeof StoreCopy> {
  static summary = 'Copy a store to another one: SQLite ↔ PostgreSQL (or file to file, database to database).'
  static description =
    'Moves everything a store holds — events (same event hashes), rollups of pruned history, prices, aliases, account labels, collector runs, dead letters, inspections. Idempotent: events already in the destination are skipped by their event hash, so the copy can be repeated, and an interrupted one resumes where it stopped. The source is only read; the destination is created or migrated. Shows a progress bar on an interactive terminal (stderr; never under CI or --json). Passwords come from PGPASSWORD or ~/.pgpass (or the URL) and are never printed.'

  static examples = [
    '<%= config.bin %> store copy --from ~/.local/share/cpactl/cpactl.db --to postgres://cpactl@db.internal/cpactl',
    '<%= config.bin %> store copy --from postgres://cpactl@db.internal/cpactl --to ./snapshot.db --json',
  ]

  static flags = {
    from: Flags.string({description: 'Source store: a file path or a postgres:// URL.', required: true}),
    to: Flags.string({description: 'Destination store: a file path or a postgres:// URL.', required: true}),
  }

  async run(): Promise<CopyResult> {
    const result = await copyStore(this.flags.from, this.flags.to)
    this.display(result, (r) =>
      renderKeyValues([
        ['from', r.from],
        ['to', r.to],
        ['events copied', `${formatInt(r.events.inserted)} (${formatInt(r.events.duplicates)} already there${r.events.resumedFrom ? `, resumed from ${r.events.resumedFrom}` : ''})`],
        ['rollup rows of pruned history', formatInt(r.prunedRollups)],
        ['other rows', Object.entries(r.rows).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${formatInt(n)}`).join(', ') || 'none new'],
        ['took', `${(r.durationMs / 1000).toFixed(1)} s`],
      ]),
    )
    return result
  }
}
