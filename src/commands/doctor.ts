import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {durationFlag, storeFlag} from '../lib/cli/flags.js'
import {checksExitCode, type DoctorCheck} from '../lib/cli/checks.js'
import {runDoctor} from '../lib/health/doctor.js'
import {renderChecks} from '../lib/health/render.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static summary = 'Check everything monitoring needs: gateway, management key, usage publishing, retention, versions, client keys, auth files, store and collector.'
  static description = 'Exit 0 when every check passes, 1 when any check fails (or warns, with --warnings-as-errors).'
  static examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --expected-interval 5m',
    "<%= config.bin %> doctor --json | jq '.[] | select(.status != \"pass\")'",
  ]

  static flags = {
    'expected-interval': durationFlag('How often you run `cpactl collect` (compared with the queue retention).', '1m'),
    'warnings-as-errors': Flags.boolean({description: 'Exit 1 on warnings too.', default: false}),
    store: storeFlag,
  }

  async run(): Promise<DoctorCheck[]> {
    const client = await this.gateway()
    const {probeRespAuth} = await import('../lib/queue/probe.js')
    const {storeDoctorChecks} = await import('../lib/health/store-checks.js')
    const u = client.url
    const storePath = await this.storePath(this.flags.store)
    const instance = await this.instance()
    const checks = await runDoctor({
      client,
      profile: (await this.profile())?.name ?? null,
      expectedIntervalMs: this.flags['expected-interval'] ?? 60_000,
      probeResp: (key) => probeRespAuth({host: u.host, port: u.port, tls: u.tls, insecure: Boolean(this.flags.insecure), key}),
      extraChecks: (ctx) => storeDoctorChecks({storePath, instance, config: ctx.config}),
    })
    this.display(checks, renderChecks)
    this.exitCodeOnSuccess = checksExitCode(checks, this.flags['warnings-as-errors'])
    return checks
  }
}
