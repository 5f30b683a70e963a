import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {csvFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {importAliasFile, importFromGateway, type AliasImportResult} from '../../lib/aliases/aliases.js'
import {renderAliasFileImport, renderGatewayKeys} from '../../lib/aliases/render.js'

export default class AliasesImport extends BaseCommand<typeof AliasesImport> {
  static summary = "List the gateway's client keys (masked) with their hashes so they can be named, or import aliases from a file."
  static description =
    'With --from-gateway the keys are read from GET /api-keys, shown masked with their SHA-256 and current alias, and their masked form is remembered for reports. With FILE, aliases are imported from JSON: [{apiKeyHash|key, alias}], {items: [...]} or `aliases list --json` output.'
  static examples = [
    '<%= config.bin %> aliases import --from-gateway',
    '<%= config.bin %> aliases import aliases.json',
    "<%= config.bin %> aliases import --from-gateway --json | jq -r '.keys[] | select(.alias == null) | .apiKeyHash'",
  ]
  static args = {file: Args.string({description: 'JSON file of aliases.', ignoreStdin: true})}
  static flags = {
    'from-gateway': Flags.boolean({description: "Read the gateway's client keys.", default: false}),
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<AliasImportResult> {
    const store = await this.storePath(this.flags.store)
    if (this.flags['from-gateway'] === Boolean(this.args.file)) throw new UsageError('pass either --from-gateway or FILE', {code: 'usage_error'})
    if (this.args.file) {
      const result = await importAliasFile(store, this.args.file)
      this.display(result, renderAliasFileImport)
      return result
    }
    const result = await importFromGateway(store, await this.gateway(), await this.instance())
    this.display(result, (r) => renderGatewayKeys(r, {csv: this.flags.csv, noHeader: this.flags['no-header']}))
    return result
  }
}
