import {Flags} from '@oclif/core'

import {durationFlag} from '../../lib/cli/flags.js'
import {CheckCommand, checkFlags} from '../../lib/monitor/check-command.js'
import type {CheckResult} from '../../lib/monitor/check-types.js'
import type {CollectorItem} from '../../lib/monitor/check-collector.js'

export default class CheckCollector extends CheckCommand<typeof CheckCollector> {
  static summary = 'Is the collector keeping up? The last successful collect per instance is recent and no dead letters pile up.'
  static description = `Reads the run log in the store (no gateway call). CRITICAL when an instance never collected successfully or its usage queue was last drained more than --max-age ago: the end of the last successful run, or the last poll of a collector running now (its heartbeat, so a collect --follow stuck retrying an unreachable gateway is CRITICAL too); WARNING when more than --max-dead-letters payloads wait in dead letters, or when the gateway had usage publishing off at the last collect; UNKNOWN when the store has no instance yet.
Exit: 0 OK, 1 a problem (or 0/1/2/3 with --nagios).`

  static examples = [
    '<%= config.bin %> check collector --max-age 3m',
    '<%= config.bin %> check collector --max-age 3m --max-dead-letters 10 --nagios',
    '<%= config.bin %> check collector --notify https://hooks.slack.com/services/… --notify-format slack',
    "<%= config.bin %> check collector --json | jq '.items[] | {instance, ageSeconds}'",
  ]

  static flags = {
    ...checkFlags,
    'max-age': durationFlag('Longest acceptable time since the usage queue was last drained (a run ended, or a running collector polled).', '5m'),
    'max-dead-letters': Flags.integer({description: 'Dead letters that may wait before WARNING.', default: 0, min: 0}),
    instance: Flags.string({description: 'Only these instances (repeatable; default every instance in the store).', multiple: true}),
  }

  async run(): Promise<CheckResult<CollectorItem>> {
    const {collectorCheck} = await import('../../lib/monitor/check-run.js')
    const f = this.flags
    return this.verdict(await collectorCheck(await this.checkContext(), {instances: f.instance ?? null, maxAgeMs: f['max-age']!, maxDeadLetters: f['max-dead-letters']}))
  }
}
