import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {BugError} from '../lib/cli/errors.js'
import {writeErr} from '../lib/cli/output.js'
import type {DemoResult} from '../lib/demo/run.js'

/** The gateway the demo simulates by default: the current major (cpa-gateway-v8.md). */
const DEMO_GATEWAY_VERSION = '8.0.23'

export default class Demo extends BaseCommand<typeof Demo> {
  static summary = 'Run the whole pipeline against the bundled simulator: generate traffic, collect it, price it, report it, check the totals.'
  static description =
    'Starts `cpactl sim` in-process on a loopback port with a random key (a CPA v8 gateway unless --gateway-version says otherwise), preloads seeded usage records spread over the past days, collects them into a store exactly as `cpactl collect` does (v8: the HTTP usage queue; v7: RESP), loads the bundled price catalogue and prints the summary and per-model reports. Exits 1 if the store totals differ from the simulator\'s generated totals.'
  static examples = [
    '<%= config.bin %> demo',
    '<%= config.bin %> demo --gateway-version 7.2.140',
    '<%= config.bin %> demo --records 50000 --days 30 --store ./demo.db',
    "<%= config.bin %> demo --json | jq '.check'",
  ]

  static flags = {
    records: Flags.integer({description: 'Usage records to generate.', default: 20_000, min: 1, max: 2_000_000}),
    days: Flags.integer({description: 'Spread the records over this many past days.', default: 14, min: 1, max: 365}),
    seed: Flags.integer({description: 'Traffic seed (same seed, same traffic).', default: 42}),
    store: Flags.string({description: 'Store file to fill (default: a new temp file).'}),
    'gateway-version': Flags.string({description: 'Version the simulated gateway reports (8.0.x speaks /v8/management; 7.2.140 shows the v7 path over RESP).', default: DEMO_GATEWAY_VERSION}),
  }

  async run(): Promise<DemoResult> {
    const {runDemo} = await import('../lib/demo/run.js')
    const {renderDemo} = await import('../lib/demo/render.js')
    const result = await runDemo({
      records: this.flags.records,
      days: this.flags.days,
      seed: this.flags.seed,
      storePath: this.flags.store,
      gatewayVersion: this.flags['gateway-version'],
      signal: this.signal,
      onNote: (m) => writeErr(m),
    })
    this.display(result, renderDemo)
    if (!result.check.exact) throw new BugError('the store totals differ from the simulator\'s generated totals', {details: {figures: result.check.figures}})
    return result
  }
}
