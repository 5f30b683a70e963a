/**
 * The one confirmation for destructive writes, used by every command that deletes or
 * turns something off: `--yes` confirms; otherwise ask only when stdin and stderr are terminals; without a
 * terminal fail at once with a usage error (exit 2, code `confirmation_required`) — never prompt in CI.
 * Declining exits 130 and changes nothing.
 */
import {CancelledError, UsageError} from './errors.js'
import {askOnTerminal, stdinIsTTY, stderrIsTTY} from './output.js'

export interface ConfirmOptions {
  yes: boolean
  /** What would happen, e.g. "delete 2 auth files". */
  action: string
  /** Extra line shown before the question and in the non-TTY error (e.g. a safer alternative). */
  note?: string
  /** Test seam: the answer source (default: a readline question on stderr). */
  ask?: (question: string) => Promise<string>
  interactive?: boolean
}

export async function confirmOrFail(opts: ConfirmOptions): Promise<void> {
  if (opts.yes) return
  const interactive = opts.interactive ?? (stdinIsTTY() && stderrIsTTY())
  if (!interactive) {
    throw new UsageError(`${opts.action}: add --yes to confirm (there is no terminal to ask on)`, {
      code: 'confirmation_required',
      hint: opts.note,
    })
  }
  const ask = opts.ask ?? askOnTerminal
  const answer = await ask(`${opts.note ? `${opts.note}\n` : ''}${opts.action}? [y/N] `)
  if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError('not confirmed; nothing was changed')
}
