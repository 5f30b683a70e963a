import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {durationFlag, storeFlag} from '../../lib/cli/flags.js'
import {startProgress, writeErr} from '../../lib/cli/output.js'
import type {CollectResult} from '../../lib/collect/index.js'

export default class Collect extends BaseCommand<typeof Collect> {
  static summary = 'Drain the gateway usage queue into the local store, losing nothing that reached cpactl.'
  static description = `One-shot (for cron) drains until the queue is empty or --max-records; --follow keeps draining until SIGINT/SIGTERM.
Each batch is popped inside an open store transaction and committed before the next pop; a batch that cannot be stored is spooled beside the store and stored by the next run.
Exit codes: 0 done (dead letters are not an error), 3 store unusable, 4 key rejected or IP banned, 5 gateway unreachable, 7 another collector holds the store, 130 interrupted (one-shot).`

  static examples = [
    '<%= config.bin %> collect',
    '<%= config.bin %> collect --follow --interval 2s',
    '<%= config.bin %> collect --transport http --batch-size 1000 --max-records 100000',
    "<%= config.bin %> collect --json | jq '{popped, inserted, warnings}'",
  ]

  static flags = {
    store: storeFlag,
    follow: Flags.boolean({description: 'Keep draining until SIGINT/SIGTERM (exit 0).', default: false}),
    interval: durationFlag('--follow: wait between polls after an empty or short batch.', '1s'),
    'batch-size': Flags.integer({description: 'Records per pop (one transaction each).', default: 500, min: 1, max: 100_000}),
    'max-records': Flags.integer({description: 'Stop after popping this many records.', min: 1}),
    transport: Flags.string({
      description: 'auto: RESP, falling back to HTTP when RESP cannot be established; subscribe needs --follow.',
      options: ['auto', 'resp', 'http', 'subscribe'],
      default: 'auto',
    }),
    'expected-interval': durationFlag('How often cron runs this; warns when longer than the gateway queue retention.'),
  }

  async run(): Promise<CollectResult> {
    const f = this.flags
    const {runCollect, createPopClient, respEndpointFor} = await import('../../lib/collect/index.js')
    const {summaryLine, progressLine} = await import('../../lib/collect/render.js')
    const gateway = await this.gateway()
    const target = await this.target()
    const popClient = createPopClient(gateway, {insecure: target.insecure})
    // the one progress renderer: an interactive stderr only, never under CI or --json
    const progress = startProgress({enabled: !this.jsonEnabled()})
    try {
      const result = await runCollect({
        gateway,
        popClient,
        resp: respEndpointFor(gateway, {insecure: target.insecure}),
        storePath: await this.storePath(f.store),
        instance: await this.instance(),
        transport: f.transport as 'auto',
        follow: f.follow,
        intervalMs: f.interval,
        batchSize: f['batch-size'],
        maxRecords: f['max-records'] ?? null,
        expectedIntervalMs: f['expected-interval'] ?? null,
        signal: this.signal,
        onNote: (m) => writeErr(m),
        onProgress: (p) => {
          // once a backlog is clearly being drained
          if (p.batches >= 4) progress.update(progressLine(p))
        },
      })
      writeErr(summaryLine(result))
      return result
    } finally {
      progress.done()
      await popClient.close()
    }
  }
}
