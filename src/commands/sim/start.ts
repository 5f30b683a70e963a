import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {writeErr, writeOut} from '../../lib/cli/output.js'

export default class SimStart extends BaseCommand<typeof SimStart> {
  static summary = 'Run a local simulated CLIProxyAPI gateway (HTTP + RESP on one port) in the foreground.'
  static description =
    'Prints its URL on stdout; says on stderr where the management key came from (without --key-file a strong key is generated into a new 0600 file and only its path is printed). Stops on SIGINT/SIGTERM and exits 0.'
  static examples = [
    '<%= config.bin %> sim start --port 8317 --records 500 --rate 5',
    'CPA_URL=$(<%= config.bin %> sim start --port 0 --key-file key.txt 2>sim.log | head -n1)',
    '<%= config.bin %> sim start --version 8.0.23 --port 8317',
    '<%= config.bin %> sim start --version 7.1.40 --fault latency=200 --fault drop-every=10 --stats-on-exit',
    '<%= config.bin %> sim start --records 5000 --retention 3600 --spread 1h --seed 7 --plugins --oauth auto=2s --panel-file ./management.html',
  ]
  static enableJsonFlag = false

  static flags = {
    port: Flags.integer({description: 'Port for HTTP and RESP (0 = any free port).', default: 8317, min: 0, max: 65_535}),
    host: Flags.string({description: 'Address to listen on.', default: '127.0.0.1'}),
    'key-file': Flags.string({description: 'File holding the management key (first line).'}),
    records: Flags.integer({description: 'Usage records preloaded into the queue at start.', default: 0, min: 0}),
    spread: Flags.string({description: 'Spread the preloaded records back in time over this duration, e.g. 7d, 12h (default: the retention window).'}),
    rate: Flags.integer({description: 'Live usage records per second.', default: 0, min: 0}),
    seed: Flags.integer({description: 'Seed of accounts, client keys and traffic.', default: 1}),
    version: Flags.string({
      description: 'Gateway version to impersonate (X-CPA-VERSION, sent as given, and the feature gates): 8.0.x serves /v8/management too; dev or a bare SHA count as the newest.',
      default: '7.2.140',
    }),
    'v8-revision': Flags.string({description: 'With an 8.0.x version: early (quota routes, docs-era config roots) or later builds.', options: ['early', 'later'], default: 'later'}),
    'resp-usage': Flags.boolean({description: 'With an 8.0.x version: also serve the RESP usage output (unknown whether upstream v8 does).', default: false}),
    'config-layout': Flags.string({description: 'Layout of the initial config.yaml (a v8 gateway migrates a legacy one on its first v8 write).', options: ['legacy', 'v8'], default: 'legacy'}),
    'home-mode': Flags.boolean({description: 'Act as a node in CPA Home mode: /v0 and /v8 answer a bare 404, RESP refuses.', default: false}),
    retention: Flags.integer({description: 'redis-usage-queue-retention-seconds of the simulated config.', default: 60, min: 1}),
    'ban-duration': Flags.string({description: 'IP ban length after 5 failed keys, e.g. 30m, 10s.', default: '30m'}),
    fault: Flags.string({
      description: 'Inject a fault: malformed-every=N, latency=MS, drop-every=N, 5xx=COUNT[:STATUS], config-write-fail=AFTER (v8: the config-tree write after AFTER good ones answers 500 write_failed). Repeatable.',
      multiple: true,
      default: [],
    }),
    'stats-on-exit': Flags.boolean({description: 'Print counters and totals as JSON to stderr on exit.', default: false}),
    'auth-dir': Flags.string({description: 'Credential directory (default: a temporary one, removed on exit).'}),
    plugins: Flags.boolean({description: 'Switch plugins on and install the scripted plugins (default: plugins off, none installed).', default: false}),
    oauth: Flags.string({
      description: 'What an OAuth login does without a callback: manual (wait, like the gateway), auto[=DELAY] (succeed after DELAY, default 3s), error[=DELAY] (fail).',
      default: 'manual',
    }),
    'allow-remote': Flags.boolean({
      description: 'Accept management calls from other hosts (remote-management.allow-remote: true); pair with --host 0.0.0.0.',
      default: false,
    }),
    'panel-file': Flags.string({description: 'A management panel page (management.html) to serve at /management.html, same origin as the API.'}),
  }

  async run(): Promise<void> {
    const {runSimulatorCommand} = await import('../../lib/sim/run-command.js')
    const f = this.flags
    await runSimulatorCommand(
      {
        port: f.port,
        host: f.host,
        keyFile: f['key-file'],
        records: f.records,
        spread: f.spread,
        rate: f.rate,
        seed: f.seed,
        version: f.version,
        retentionSeconds: f.retention,
        banDuration: f['ban-duration'],
        faults: f.fault,
        statsOnExit: f['stats-on-exit'],
        authDir: f['auth-dir'],
        v8Revision: f['v8-revision'] as 'early' | 'later',
        respUsage: f['resp-usage'],
        configLayout: f['config-layout'] as 'legacy' | 'v8',
        homeMode: f['home-mode'],
        plugins: f.plugins,
        oauth: f.oauth,
        panelFile: f['panel-file'],
        allowRemote: f['allow-remote'],
      },
      {signal: this.signal, out: writeOut, err: writeErr},
    )
  }
}
