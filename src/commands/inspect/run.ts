import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {csvFlag, dryRunFlag, durationFlag, noHeaderFlag, storeFlag} from '../../lib/cli/flags.js'
import {listFlag} from '../../lib/inspect/policy.js'
import {renderInspectRun} from '../../lib/inspect/render.js'
import {type InspectRunResult} from '../../lib/inspect/types.js'
import {APPLY_MODES, type ApplyMode} from '../../lib/store/index.js'

export default class InspectRun extends BaseCommand<typeof InspectRun> {
  static summary = "Probe every account's health and quota through the gateway and propose (or apply) keep/disable/enable."
  static description = `Codex (wham/usage), Claude (OAuth usage) and xAI (billing) credentials are probed through /v0/management/api-call; other providers are listed as skipped. Report-only unless --apply allows writes. Disables need explicit evidence (long window exhausted, deactivated workspace, revoked or invalid token), never a bare 401/403; enables only touch credentials cpactl itself disabled; nothing is deleted. Each write re-reads the auth-file list first and is skipped when the file changed. Exit 6 when some probes failed.`

  static examples = [
    '<%= config.bin %> inspect run',
    '<%= config.bin %> inspect run --provider codex --threshold 95',
    '<%= config.bin %> inspect run --apply disable --account codex-alice@example.com-plus.json',
    '<%= config.bin %> inspect run --policy ./inspect-policy.yaml',
    "<%= config.bin %> inspect run --json | jq '.results[] | select(.classification != \"ok\")'",
  ]

  static flags = {
    provider: Flags.string({description: 'Only these providers (comma-separated or repeated), e.g. codex,claude,xai.', multiple: true}),
    account: Flags.string({description: 'Only these credentials: auth-file name, auth_index or e-mail (comma-separated or repeated).', multiple: true}),
    concurrency: Flags.integer({description: 'Probes in flight at once (default 4).', min: 1, max: 64}),
    'probe-timeout': durationFlag('Per-probe timeout; a timed-out probe is retried once (default 15s, or the policy file).'),
    threshold: Flags.custom<number>({
      description: 'Used percentage that counts as exhausted (default 100).',
      parse: async (input) => {
        const n = Number(input)
        if (!Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`--threshold must be a number in (0, 100], not '${input}'`, {code: 'invalid_threshold'})
        return n
      },
    })(),
    apply: Flags.string({description: 'Which writes may run: none (default), disable, enable or all.', options: [...APPLY_MODES]}),
    policy: Flags.string({description: 'Policy file (YAML/JSON: threshold, providers, concurrency, timeout, apply); default <configDir>/inspect-policy.yaml when present.'}),
    'dry-run': dryRunFlag,
    store: storeFlag,
    csv: csvFlag,
    'no-header': noHeaderFlag,
  }

  async run(): Promise<InspectRunResult> {
    const f = this.flags
    const {inspectRun} = await import('../../lib/inspect/service.js')
    const result = await inspectRun({
      client: await this.gateway(),
      storePath: await this.storePath(f.store),
      instance: await this.instance(),
      configDir: this.dirs.configDir,
      accounts: listFlag(f.account, false) ?? null,
      signal: this.signal,
      flags: {
        providers: listFlag(f.provider),
        concurrency: f.concurrency,
        timeoutMs: f['probe-timeout'],
        threshold: f.threshold,
        apply: f.apply as ApplyMode | undefined,
        dryRun: f['dry-run'],
        policy: f.policy,
      },
    })
    this.display(result, (r) => renderInspectRun(r, {csv: f.csv, noHeader: f['no-header']}))
    this.partialIf(result.warnings.some((w) => w.code === 'partial_success'))
    return result
  }
}
