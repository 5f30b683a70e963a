import {BaseCommand} from '../../lib/cli/base-command.js'
import {warn, writeOut} from '../../lib/cli/output.js'
import type {UsageToggleResult} from '../../lib/gateway/usage-queue.js'

export default class UsageDisable extends BaseCommand<typeof UsageDisable> {
  static summary = 'Turn usage publishing off (usage-statistics-enabled: false); the gateway then queues nothing.'
  static examples = ['<%= config.bin %> usage disable', "<%= config.bin %> usage disable --json | jq '.previous'"]

  async run(): Promise<UsageToggleResult & {instance: string}> {
    const {setUsageStatisticsEnabled} = await import('../../lib/gateway/usage-queue.js')
    const result = {instance: await this.instance(), ...(await setUsageStatisticsEnabled(await this.gateway(), false, {onWarning: (m) => warn(m)}))}
    this.display(result, (r) => writeOut(r.changed ? `usage publishing disabled on ${r.instance}` : `usage publishing was already disabled on ${r.instance}`))
    return result
  }
}
