import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {checkConfig, checkExitCode, type CheckResult} from '../../lib/manage/config-check.js'
import {renderCheck} from '../../lib/manage/render-config.js'

export default class ConfigCheck extends BaseCommand<typeof ConfigCheck> {
  static summary = 'Lint a config file (or the live config) for the mistakes operators actually make.'
  static description = `Checks: usage publishing off; queue retention shorter than the collection interval; allow-remote without TLS; example client keys your-api-key-*; a plaintext secret-key; duplicate client keys; codex/xai/openai-compatibility entries without base-url; weights outside 1–1,000,000; unknown routing strategy; wrongly typed values; unknown keys (warned, never dropped).
A rules file turns checks off or changes their severity and thresholds:
  rules: {usage-publishing-off: off, duplicate-api-keys: error}
  thresholds: {collection-interval: 5m, weight-min: 1, weight-max: 1000000}
  known-keys: [my-plugin-key]
Exit 0 clean, 1 errors (with --strict: warnings too), 2 usage errors.`

  static examples = [
    '<%= config.bin %> config check gateway/config.yaml --strict',
    '<%= config.bin %> config check',
    '<%= config.bin %> config check gateway/config.yaml --rules .cpactl-rules.yaml',
    "<%= config.bin %> config check gateway/config.yaml --json | jq '.findings[] | select(.severity==\"error\")'",
  ]

  static args = {file: Args.string({description: 'Config file to check (default: the live config)', required: false, ignoreStdin: true})}
  static flags = {
    rules: Flags.string({description: 'Rules file (YAML/JSON): rules on/off and severities, thresholds, known keys.'}),
    strict: Flags.boolean({description: 'Exit 1 on warnings too.', default: false}),
  }

  async run(): Promise<CheckResult> {
    const result = await checkConfig(this.args.file ? null : () => this.gateway(), {file: this.args.file, rulesFile: this.flags.rules})
    this.display(result, (r) => renderCheck(r, this.args.file ?? 'the live config'))
    this.exitCodeOnSuccess = checkExitCode(result, this.flags.strict)
    return result
  }
}
