import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {checkConfig, checkExitCode, type CheckResult} from '../../lib/gateway-config/check.js'
import {renderCheck} from '../../lib/gateway-config/render.js'

export default class ConfigCheck extends BaseCommand<typeof ConfigCheck> {
  static summary = 'Lint a config file (or the live config), in the v7 or the v8 layout, for the mistakes operators actually make.'
  static description = `The layout decides the rules. A v8 file (config-version: 8 or a v8-only section) is checked against the v8 schema with v8 dotted paths: errors for what a v8 gateway rejects (legacy names, unknown sections or fields with the closest known name, api-keys group mistakes such as base-url on a key or a missing keys list, weights that are not integers or above 1,000,000, wrong value types, config-version other than 8); warnings for what it ignores, clamps or drops (retention outside 1–3600, weight ≤ 0 under weighted-round-robin, groups without base-url, dropped keys, plaintext or empty management.secret-key, example client keys, strategy aliases, quota-exceeded.switch-*, …); info for later-build keys.
A legacy file gets the v7 checks (usage publishing off; retention shorter than the collection interval; allow-remote without TLS; example client keys; a plaintext secret-key; duplicate client keys; entries without base-url; weights above 1,000,000; unknown routing strategy; wrongly typed values; unknown keys) and an info finding: a v8 gateway migrates it on its first v8 write (cpactl config migrate shows the result).
YAML errors carry line and column; duplicate keys are errors; anchors and merge keys are expanded first.
A rules file turns checks off or changes their severity and thresholds:
  rules: {usage-publishing-off: off, duplicate-api-keys: error}
  thresholds: {collection-interval: 5m, weight-min: 1, weight-max: 1000000}
  known-keys: [my-plugin-key]
Exit 0 clean (info never fails), 1 errors (with --strict: warnings too), 2 usage errors.`

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
