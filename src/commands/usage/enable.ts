import {BaseCommand} from '../../lib/cli/base-command.js'
import {writeOut} from '../../lib/cli/output.js'
import type {UsageToggleResult} from '../../lib/gateway/usage-queue.js'

export default class UsageEnable extends BaseCommand<typeof UsageEnable> {
  static summary = 'Turn usage publishing on (usage-statistics-enabled: true) so the gateway queues usage records.'
  static examples = ['<%= config.bin %> usage enable', "<%= config.bin %> usage enable --json | jq '.changed'"]

  async run(): Promise<UsageToggleResult & {instance: string}> {
    const {setUsageStatisticsEnabled} = await import('../../lib/gateway/usage-queue.js')
    const result = {instance: await this.instance(), ...(await setUsageStatisticsEnabled(await this.gateway(), true))}
    this.display(result, (r) => writeOut(r.changed ? `usage publishing enabled on ${r.instance}` : `usage publishing was already enabled on ${r.instance}`))
    return result
  }
}
