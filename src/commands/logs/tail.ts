import {Flags} from '@oclif/core'

import {BaseCommand} from '../../lib/cli/base-command.js'
import {UsageError} from '../../lib/cli/errors.js'
import {durationFlag} from '../../lib/cli/flags.js'
import {writeErr, writeOut} from '../../lib/cli/output.js'
import {followLogs, tailLogs, type LogTailResult} from '../../lib/logs/logs.js'
import {renderTail} from '../../lib/logs/render.js'

export default class LogsTail extends BaseCommand<typeof LogsTail> {
  static summary = "Print the end of the gateway's main log; --follow keeps printing new lines (rotations handled)."
  static description =
    'Needs logging-to-file on the gateway (cpactl config set logging-to-file true). Lines carry the gateway\'s local time. --json returns the lines and a nextCursor; pass it back with --cursor to get only newer lines.'

  static examples = [
    '<%= config.bin %> logs tail --lines 100',
    '<%= config.bin %> logs tail --follow',
    '<%= config.bin %> logs tail --follow --stop-after 5m > gateway.log',
    "<%= config.bin %> logs tail --json | jq -r '.nextCursor'",
  ]

  static flags = {
    lines: Flags.integer({char: 'n', description: 'Lines of the initial tail.', default: 50, min: 1}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new lines until interrupted.', default: false}),
    cursor: Flags.string({description: 'Continue after this cursor (from a previous --json result).'}),
    interval: durationFlag('Poll interval with --follow.', '1s'),
    'stop-after': durationFlag('Stop following after this long.'),
  }

  /** One result shape with or without --follow (--follow refuses --json: its lines go straight to stdout). */
  async run(): Promise<LogTailResult> {
    const f = this.flags
    const client = await this.gateway()
    if (!f.follow) {
      const result = await tailLogs(client, {lines: f.lines, cursor: f.cursor})
      this.display(result, renderTail)
      return result
    }
    if (this.jsonEnabled()) throw new UsageError('--follow prints lines as they come; it cannot be combined with --json (use --cursor to poll instead)')
    const summary = await followLogs(client, {
      lines: f.lines,
      cursor: f.cursor,
      intervalMs: f.interval,
      stopAfterMs: f['stop-after'],
      signal: this.signal,
      onLines: (lines) => writeOut(lines.join('\n')),
      onReset: () => writeErr('(the gateway log rotated or was cleared; continuing with the new file)'),
    })
    this.throwIfAborted()
    return {lines: [], lineCount: summary.printed, nextCursor: summary.nextCursor, cursorReset: summary.resets > 0, latestTime: null}
  }
}
