import {BaseCommand} from '../../lib/cli/base-command.js'
import {yesFlag} from '../../lib/cli/flags.js'
import {writeOut} from '../../lib/cli/output.js'
import type {UsageToggleResult} from '../../lib/gateway/usage-queue.js'

export default class UsageDisable extends BaseCommand<typeof UsageDisable> {
  static summary = 'Turn usage publishing off (usage-statistics-enabled: false); the gateway then queues nothing.'
  static examples = ['<%= config.bin %> usage disable', "<%= config.bin %> usage disable --yes --json | jq '.previous'"]
  static flags = {yes: yesFlag}

  async run(): Promise<UsageToggleResult & {instance: string}> {
    const {setUsageStatisticsEnabled} = await import('../../lib/gateway/usage-queue.js')
    await this.confirm('turn usage publishing off (the gateway then queues no usage records)')
    const result = {instance: await this.instance(), ...(await setUsageStatisticsEnabled(await this.gateway(), false))}
    this.display(result, (r) => writeOut(r.changed ? `usage publishing disabled on ${r.instance}` : `usage publishing was already disabled on ${r.instance}`))
    return result
  }
}
