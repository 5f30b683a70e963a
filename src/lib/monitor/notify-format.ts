/**
 * What a state-change notification posts (`--notify-format`):
 * - generic: the JSON document below (`event: "check_state_changed"`), for scripts and alert routers;
 * - slack:   an incoming-webhook message `{text}` (mrkdwn; `&`, `<`, `>` escaped);
 * - discord: a webhook message `{content, allowed_mentions: {parse: []}}` (≤ 2000 characters, nobody pinged).
 */
import type {CheckItem, CheckResult, CheckState, NotifyFormat} from './check-types.js'

export interface Change {
  target: string
  from: CheckState
  to: CheckState
  summary: string
}

export interface GenericPayload {
  source: 'cpactl'
  event: 'check_state_changed'
  check: string
  /** The check's overall state now. */
  state: CheckState
  summary: string
  host: string
  checkedAt: string
  /** The targets whose state changed since this receiver was last told. */
  changes: Change[]
  /** Every target's current state. */
  items: Array<Pick<CheckItem, 'target' | 'state' | 'summary'>>
  perfdata: CheckResult['perfdata']
}

const ICON: Record<CheckState, string> = {ok: ':white_check_mark:', warning: ':warning:', critical: ':rotating_light:', unknown: ':grey_question:'}
const MAX_LINES = 20

function lines(changes: readonly Change[], escape: (s: string) => string, bullet: string): string[] {
  const out = changes.slice(0, MAX_LINES).map((c) => `${bullet} ${escape(c.target)}: ${c.from.toUpperCase()} → ${c.to.toUpperCase()} — ${escape(c.summary)}`)
  if (changes.length > MAX_LINES) out.push(`${bullet} … and ${changes.length - MAX_LINES} more`)
  return out
}

export function buildPayload(format: NotifyFormat, r: Omit<CheckResult, 'notifications'>, changes: readonly Change[], host: string): unknown {
  if (format === 'generic') {
    const p: GenericPayload = {
      source: 'cpactl',
      event: 'check_state_changed',
      check: r.check,
      state: r.state,
      summary: r.summary,
      host,
      checkedAt: r.checkedAt,
      changes: [...changes],
      items: r.items.map((i) => ({target: i.target, state: i.state, summary: i.summary})),
      perfdata: r.perfdata,
    }
    return p
  }
  if (format === 'slack') {
    const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    const head = `${ICON[r.state]} *cpactl check ${r.check}: ${r.state.toUpperCase()}* on ${esc(host)}`
    return {text: [head, esc(r.summary), ...lines(changes, esc, '•')].join('\n')}
  }
  // discord: plain text, markdown bold; mentions disabled so an account named @everyone pings nobody
  const esc = (s: string) => s.replaceAll(/([*_`~|\\])/g, '\\$1')
  const head = `**cpactl check ${r.check}: ${r.state.toUpperCase()}** on ${esc(host)}`
  let content = [head, esc(r.summary), ...lines(changes, esc, '-')].join('\n')
  if (content.length > 2000) content = content.slice(0, 1990) + '\n… (cut)'
  return {content, allowed_mentions: {parse: []}}
}
