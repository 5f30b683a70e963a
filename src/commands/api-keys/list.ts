import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {listApiKeyRows, type ApiKeyRow} from '../../lib/api-keys/api-keys.js'
import {renderApiKeys} from '../../lib/api-keys/render.js'

export default class ApiKeysList extends BaseCommand<typeof ApiKeysList> {
  static summary = 'List the client API keys (masked; --reveal prints them) with their aliases from the store.'
  static examples = ['<%= config.bin %> api-keys list', "<%= config.bin %> api-keys list --json | jq -r '.[] | [.index, .alias] | @tsv'"]
  static flags = {
    reveal: Flags.boolean({description: 'Print the keys in plaintext.', default: false}),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<ApiKeyRow[]> {
    const result = await listApiKeyRows(await this.gateway(), {reveal: this.flags.reveal, storePath: await this.storePath(this.flags.store)})
    this.display(result, (r) => renderApiKeys(r, {csv: this.flags.csv, noHeader: this.flags['no-header']}))
    return result
  }
}
