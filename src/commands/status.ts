import {BaseCommand} from '../lib/cli/base-command.js'
import {renderStatus} from '../lib/health/render.js'
import {gatherStatus, type StatusResult} from '../lib/health/status.js'

export default class Status extends BaseCommand<typeof Status> {
  static summary = 'Show the gateway version, whether management answers and accepts the key, usage publishing and queue transports.'
  static examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --url http://127.0.0.1:8317',
    "<%= config.bin %> status --json | jq '.usage.publishing'",
  ]

  async run(): Promise<StatusResult> {
    const client = await this.gateway()
    const {probeRespAuth} = await import('../lib/queue/probe.js')
    const u = client.url
    const {status, error} = await gatherStatus({
      client,
      profile: (await this.profile())?.name ?? null,
      probeResp: (key) => probeRespAuth({host: u.host, port: u.port, tls: u.tls, insecure: Boolean(this.flags.insecure), key}),
    })
    this.display(status, renderStatus)
    // a gateway that is down, refuses the key or has management off is an error for scripts too
    if (error) throw error
    if (!status.gateway.reachable) {
      const {UpstreamError} = await import('../lib/cli/errors.js')
      throw new UpstreamError(status.management.error?.message ?? 'gateway unreachable', {code: 'unreachable'})
    }
    return status
  }
}
