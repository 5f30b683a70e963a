/**
 * Base of the `check` commands (kept out of src/commands: every file there becomes a command). The shared
 * flags, the three output modes and their exit codes:
 * - default: a verdict line and the items on stdout; exit 0 OK, 1 when the check found a problem (cpactl's map;
 *   errors keep their own codes: 3 store missing, 5 gateway down …);
 * - --nagios: exactly one status line with perfdata on stdout; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN — and
 *   every error, bad flags included, becomes UNKNOWN (3) with its message on that line;
 * - --json: `{check, state, summary, items, perfdata, thresholds, notifications, warnings, checkedAt}`, exit
 *   codes as in the default mode.
 * Notifications and warnings go to stderr in every mode; a failed notification never changes the exit code.
 */
import {Flags, type Command} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {parseDuration} from '../time/duration.js'
import {storeFlag} from '../cli/flags.js'
import {formatTable, writeErr, writeOut} from '../cli/output.js'
import type {CheckContext} from './check-run.js'
import {byRank, CPACTL_EXIT, NAGIOS_EXIT, type CheckResult, type NotifyFormat} from './check-types.js'
import {nagiosLine} from './perfdata.js'
import {webhooksFrom} from './webhook.js'

export const checkFlags = {
  store: storeFlag,
  nagios: Flags.boolean({description: 'Monitoring-plugin output: one status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', default: false, exclusive: ['json']}),
  notify: Flags.string({description: 'POST a JSON payload to this webhook when a state changes (repeatable); states are kept in the store.', multiple: true, helpGroup: 'NOTIFY'}),
  'notify-file': Flags.string({description: 'Read webhook URLs from this file, one per line (keeps them out of the process list).', helpGroup: 'NOTIFY'}),
  'notify-format': Flags.option({options: ['generic', 'slack', 'discord'] as const, description: 'Payload format.', default: 'generic' as const, helpGroup: 'NOTIFY'})(),
  'notify-retries': Flags.integer({description: 'Retries after a failed post (network error, timeout, 429, 5xx).', default: 2, min: 0, max: 5, helpGroup: 'NOTIFY'}),
  'notify-timeout': Flags.string({description: 'Timeout of one post, e.g. 10s.', default: '10s', helpGroup: 'NOTIFY'}),
}

type CheckFlagValues = {
  store?: string
  nagios: boolean
  notify?: string[]
  'notify-file'?: string
  'notify-format': NotifyFormat
  'notify-retries': number
  'notify-timeout': string
}

function renderHuman(r: CheckResult): void {
  writeOut(`${r.state.toUpperCase()}: ${r.summary}`)
  if (r.items.length > 1) {
    const rows = [...r.items].sort((a, b) => byRank(a.state, b.state))
    writeOut(formatTable([{key: 'state', header: 'STATE', get: (i) => i.state.toUpperCase()}, {key: 'summary', header: 'SUMMARY'}], rows).trimEnd())
  }
}

export abstract class CheckCommand<T extends typeof Command> extends BaseCommand<T> {
  private get checkFlagValues(): CheckFlagValues {
    return this.flags as unknown as CheckFlagValues
  }

  private get nagiosMode(): boolean {
    return (this.flags as unknown as CheckFlagValues | undefined)?.nagios ?? this.argv.includes('--nagios')
  }

  private get checkName(): string {
    return (this.id ?? 'check').split(/[: ]/).at(-1)!
  }

  /** --tz / CPACTL_TZ is read by the caller; this is the profile's zone, else null (the system's). */
  protected async profileTz(): Promise<string | null> {
    try {
      return (await this.profile())?.tz ?? null
    } catch {
      return null
    }
  }

  /** Store path, notification settings and the clock for the check. */
  protected async checkContext(): Promise<CheckContext> {
    const f = this.checkFlagValues
    const webhooks = webhooksFrom(f.notify ?? [], f['notify-file'] ?? null)
    return {
      storePath: await this.storePath(f.store),
      notify: webhooks.length > 0 ? {webhooks, format: f['notify-format'], retries: f['notify-retries'], timeoutMs: parseDuration(f['notify-timeout'], '--notify-timeout')} : null,
      now: Date.now(),
    }
  }

  /** Print the verdict in the chosen mode, report notifications and warnings, set the exit code. */
  protected verdict<R extends CheckResult>(r: R): R {
    // the result's warnings reach stderr and the JSON through the base command
    for (const n of r.notifications) {
      if (n.error && n.delivered) this.warning('notification_retried', `notification to ${n.receiver} (${n.receiverId}): ${n.error}`, [n.receiverId])
      else if (n.error) this.warning('notification_failed', `notification to ${n.receiver} (${n.receiverId}) failed${n.attempts > 0 ? ` after ${n.attempts} attempt${n.attempts === 1 ? '' : 's'}` : ''}: ${n.error}`, [n.receiverId])
      else if (n.delivered) writeErr(`notified ${n.receiver} (${n.receiverId}): ${n.changes.map((c) => `${c.target} ${c.from} → ${c.to}`).join(', ')}`)
    }
    if (this.nagiosMode) writeOut(nagiosLine(r))
    else this.display(r, renderHuman)
    this.exitCodeOnSuccess = (this.nagiosMode ? NAGIOS_EXIT : CPACTL_EXIT)[r.state]
    return r
  }

  async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    if (!this.nagiosMode) return super.catch(err)
    // a monitoring plugin that cannot run reports UNKNOWN, whatever went wrong (bad flags included)
    writeOut(`${this.checkName.toUpperCase()} UNKNOWN - ${err.message.replaceAll(/\s+/g, ' ').replaceAll('|', '/').trim()}`)
    process.exitCode = NAGIOS_EXIT.unknown
    return undefined
  }
}
