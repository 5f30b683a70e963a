import {BaseCommand} from '../../lib/cli/base-command.js'
import {renderTable} from '../../lib/cli/output.js'
import {viewProfiles, type ProfileView} from '../../lib/profiles/login.js'

export default class ProfilesList extends BaseCommand<typeof ProfilesList> {
  static summary = 'List profiles; the current one is marked.'
  static examples = ['<%= config.bin %> profiles list', "<%= config.bin %> profiles list --json | jq '.[].name'"]

  async run(): Promise<ProfileView[]> {
    const rows = viewProfiles(await this.profiles())
    this.display(rows, (r) =>
      renderTable(
        [
          {key: 'current', header: ' ', get: (p: ProfileView) => (p.current ? '*' : '')},
          {key: 'name', header: 'NAME'},
          {key: 'url', header: 'URL'},
          {key: 'keyStorage', header: 'KEY'},
          {key: 'tz', header: 'TZ', get: (p: ProfileView) => p.tz ?? 'local'},
          {key: 'instance', header: 'INSTANCE'},
        ],
        r,
      ),
    )
    return rows
  }
}
