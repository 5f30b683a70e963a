import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {storeFlag} from '../../lib/cli/flags.js'
import {setPrice, type PriceJson} from '../../lib/pricing/manage.js'
import {renderPrice} from '../../lib/pricing/render.js'
import {parseRate} from '../../lib/pricing/spec.js'

const rate = (description: string) => Flags.custom<number>({description, parse: async (v) => parseRate(v, description.split(' ')[0])})()

export default class PricesSet extends BaseCommand<typeof PricesSet> {
  static summary = 'Set the price of a model (USD per 1M tokens); manual prices are never overwritten by imports.'
  static description =
    'A new model needs --input and --output. Unset cache rates bill at the input rate; reasoning bills at the output rate unless --reasoning is set. Context tiers (--tier ABOVE:rate=…) price the whole request when its input exceeds ABOVE tokens. Service tiers default to flex/batch ×0.5 and priority ×2; --service-tier overrides per model.'
  static examples = [
    '<%= config.bin %> prices set gpt-5 --input 1.25 --cache-read 0.125 --output 10',
    '<%= config.bin %> prices set claude-sonnet-4-5 --input 3 --cache-read 0.3 --cache-write 3.75 --output 15 --tier 200k:input=6,cache-read=0.6,cache-write=7.5,output=22.5',
    '<%= config.bin %> prices set gpt-5 --service-tier priority=2.5 --service-tier flex:input=0.625,output=5',
    "<%= config.bin %> prices set my-model --input 1 --output 2 --json | jq '.source'",
  ]
  static args = {model: Args.string({description: 'Model name as usage records carry it.', required: true, ignoreStdin: true})}
  static flags = {
    input: rate('input price (uncached input tokens)'),
    'cache-read': rate('cache-read price'),
    'cache-write': rate('cache-write price'),
    output: rate('output price'),
    reasoning: rate('reasoning price (default: the output price)'),
    tier: Flags.string({description: 'Context tier ABOVE:input=…,output=…,cache-read=…,cache-write=… (replaces the model\'s tiers); repeatable.', multiple: true}),
    'clear-tiers': Flags.boolean({description: 'Remove the model\'s context tiers.', default: false}),
    'service-tier': Flags.string({description: 'NAME=MULTIPLIER or NAME:input=…,output=… (e.g. priority=2, flex=0.5); repeatable.', multiple: true}),
    'clear-service-tiers': Flags.boolean({description: 'Remove the model\'s service-tier rules (defaults apply).', default: false}),
    store: storeFlag,
  }

  async run(): Promise<PriceJson> {
    const f = this.flags
    const result = await setPrice(await this.storePath(f.store), {
      model: this.args.model,
      input: f.input,
      cacheRead: f['cache-read'],
      cacheWrite: f['cache-write'],
      output: f.output,
      reasoning: f.reasoning,
      tiers: f.tier,
      clearTiers: f['clear-tiers'],
      serviceTiers: f['service-tier'],
      clearServiceTiers: f['clear-service-tiers'],
    })
    this.display(result, renderPrice)
    return result
  }
}
