import {Flags} from '@oclif/core'

import {BaseCommand} from '../lib/cli/base-command.js'
import {parseDuration} from '../lib/time/duration.js'
import {ConfigError} from '../lib/cli/errors.js'
import {renderKeyValues} from '../lib/cli/output.js'
import {resolveManagementKey} from '../lib/profiles/credentials.js'
import {login, type LoginResult} from '../lib/profiles/login.js'
import {checkProfileStore} from '../lib/store/index.js'

export default class Login extends BaseCommand<typeof Login> {
  static summary = 'Verify a management key against a gateway and save it as a profile.'
  static description =
    'The key is read from --management-key-stdin, CPA_MANAGEMENT_KEY or CPA_MANAGEMENT_KEY_FILE (never from an argument), verified with exactly one request, then kept in the OS keychain (or a 0600 file with --insecure-storage). The profile becomes the current one.'

  static examples = [
    'printf %s "$KEY" | <%= config.bin %> login --url https://gw.example:8317 --profile prod --management-key-stdin',
    'CPA_MANAGEMENT_KEY_FILE=/run/secrets/cpa <%= config.bin %> login --url http://127.0.0.1:8317 --key-storage none',
    'printf %s "$KEY" | <%= config.bin %> login --url http://gw2:8317 --profile gw2 --profile-store postgres://cpactl@db.internal/cpactl --management-key-stdin',
    '<%= config.bin %> login --url http://127.0.0.1:8317 --management-key-stdin --insecure-storage --json < key.txt',
  ]

  static flags = {
    'insecure-storage': Flags.boolean({description: 'Keep the key in a 0600 credentials file instead of the OS keychain.', default: false}),
    'key-storage': Flags.string({
      description: 'Where to keep the key: keychain, file (= --insecure-storage), or none (provide it at run time via env).',
      options: ['keychain', 'file', 'none'],
    }),
    tz: Flags.string({description: 'Default IANA time zone for reports with this profile.'}),
    instance: Flags.string({description: 'Label for events collected with this profile (default: the profile name).'}),
    'profile-store': Flags.string({
      description:
        'Store for this profile: a file path or a postgres:// URL without password (the password comes from PGPASSWORD or ~/.pgpass). Commands run with this profile use it unless --store / CPACTL_STORE says otherwise. Default: keep the saved one.',
    }),
  }

  async run(): Promise<LoginResult> {
    const url = this.flags.url
    if (!url) throw new ConfigError('login needs --url (or CPA_URL)', {code: 'no_gateway'})
    const name = this.flags.profile ?? 'default'
    if (this.flags['profile-store']) checkProfileStore(this.flags['profile-store'])
    const key = await resolveManagementKey({env: process.env, configDir: this.dirs.configDir, profile: null, fromStdin: this.flags['management-key-stdin']})
    const storage = (this.flags['key-storage'] ?? (this.flags['insecure-storage'] ? 'file' : 'keychain')) as 'keychain' | 'file' | 'none'
    const {getConfig} = await import('../lib/gateway/config.js')
    const {GatewayClient} = await import('../lib/gateway/client.js')
    const {normalizeBaseUrl} = await import('../lib/gateway/url.js')
    const origin = normalizeBaseUrl(url).origin
    const result = await login({
      configDir: this.dirs.configDir,
      name,
      url: origin,
      insecure: this.flags.insecure,
      tz: this.flags.tz ?? null,
      instance: this.flags.instance ?? null,
      store: this.flags['profile-store'],
      storage,
      key,
      verify: async () => {
        // exactly one authenticated request; a rejection is never retried
        const verifier = new GatewayClient({
          baseUrl: origin,
          timeoutMs: this.flags.timeout ? parseDuration(this.flags.timeout, '--timeout') : 10_000,
          insecure: this.flags.insecure,
          getKey: async () => key,
          signal: this.signal,
          userAgent: `cpactl/${this.config.version}`,
        })
        try {
          await getConfig(verifier)
          return {version: verifier.version?.version ?? null}
        } finally {
          await verifier.close()
        }
      },
    })
    this.display(result, (r) =>
      renderKeyValues([
        ['Profile', `${r.profile} (current)`],
        ['URL', r.url],
        ['Gateway version', r.gatewayVersion],
        ['Key verified from', r.keySource],
        ['Key stored in', r.keyStorage === 'none' ? 'nowhere (provide it via env at run time)' : r.keyStorage],
      ]),
    )
    return result
  }
}
