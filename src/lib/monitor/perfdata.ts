/**
 * The monitoring-plugins output convention (Nagios, Icinga, Sensu, Zabbix agents run checks as they are): one
 * status line `NAME STATE - text | perfdata`, perfdata as `'label'=value[uom];[warn];[crit];[min];[max]`.
 */
import type {CheckResult, Perfdata} from './check-types.js'

/** A number as perfdata wants it: plain decimal (never exponent notation), at most 6 decimals. */
export function perfNumber(v: number): string {
  if (!Number.isFinite(v)) return 'U'
  const r = Number(v.toFixed(6))
  if (r === 0) return '0'
  return Math.abs(r) >= 1e21 ? r.toFixed(0) : String(r)
}

/** Labels are quoted when they hold anything but [A-Za-z0-9_.-]; `'` is doubled, `=` (not allowed) becomes `_`. */
export function perfLabel(label: string): string {
  const l = label.replaceAll('=', '_')
  return /^[A-Za-z0-9_.:/@-]+$/.test(l) ? l : `'${l.replaceAll("'", "''")}'`
}

export function formatPerfdata(p: Perfdata): string {
  const opt = (v: number | null) => (v === null ? '' : perfNumber(v))
  const tail = [opt(p.warn), opt(p.crit), opt(p.min), opt(p.max)]
  while (tail.length > 0 && tail.at(-1) === '') tail.pop()
  return `${perfLabel(p.label)}=${perfNumber(p.value)}${p.uom}${tail.length > 0 ? ';' + tail.join(';') : ''}`
}

/** Text that goes before the `|`: one line, no pipe. */
function clean(text: string): string {
  return text.replaceAll(/[\r\n]+/g, ' ').replaceAll('|', '/').trim()
}

/** `QUOTA CRITICAL - 2 of 7 accounts … | 'a used'=96%;80;95;0;100 …` */
export function nagiosLine(r: Pick<CheckResult, 'check' | 'state' | 'summary' | 'perfdata'>): string {
  const head = `${r.check.toUpperCase()} ${r.state.toUpperCase()} - ${clean(r.summary)}`
  return r.perfdata.length > 0 ? `${head} | ${r.perfdata.map(formatPerfdata).join(' ')}` : head
}
