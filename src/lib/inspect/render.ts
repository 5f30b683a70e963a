/**
 * Human views of inspection results (tables on stdout, summary lines on stderr). Same data as --json.
 */
import {formatInt, renderTable, writeErr, type Column} from '../cli/output.js'
import type {QuotaRow, QuotaWindowView} from './quota.js'
import type {InspectionRunView} from './service.js'
import {shortLocal} from '../time/zone.js'
import type {InspectRunResult} from './types.js'
import type {InspectResult, QuotaWindow} from '../store/index.js'

export interface TableFlags {
  csv?: boolean
  noHeader?: boolean
}

function pct(w: QuotaWindow | null): string {
  if (!w) return '-'
  return `${w.usedPercent === null ? '?' : `${w.usedPercent}%`} ${w.label}`
}

export function renderInspectRun(result: InspectRunResult, flags: TableFlags = {}): void {
  const columns: Column<InspectResult>[] = [
    {key: 'name', header: 'NAME'},
    {key: 'provider', header: 'PROVIDER'},
    {key: 'plan', header: 'PLAN', get: (r) => r.plan ?? '-'},
    {key: 'short', header: 'SHORT', get: (r) => pct(r.windows.short)},
    {key: 'long', header: 'LONG', get: (r) => pct(r.windows.long)},
    {key: 'httpStatus', header: 'HTTP', get: (r) => r.httpStatus ?? '-'},
    {key: 'classification', header: 'CLASSIFICATION'},
    {key: 'action', header: 'ACTION'},
    {key: 'actionTaken', header: 'TAKEN', get: (r) => r.actionTaken ?? '-'},
    {key: 'reason', header: 'REASON'},
  ]
  renderTable(columns, result.results, {csv: flags.csv, noHeader: flags.noHeader})
  renderSummaryLine(result)
}

export function renderSummaryLine(result: InspectRunResult): void {
  const s = result.summary
  const counts = Object.entries(s.classifications)
    .filter(([, n]) => n > 0)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ')
  const writes =
    result.run.applied === 'none'
      ? 'report only (--apply none)'
      : `${s.disabled} disabled, ${s.enabled} enabled${s.writesSkipped ? `, ${s.writesSkipped} write(s) skipped` : ''}${s.writesFailed ? `, ${s.writesFailed} write(s) failed` : ''}`
  writeErr(`run ${result.run.id ?? '-'}: ${s.total} credential(s): ${counts || 'none'}; ${writes}`)
}

/** Warnings a script must see in every mode (stderr, also under --json). */
export function renderHistory(rows: InspectionRunView[], flags: TableFlags = {}): void {
  const n = (r: InspectionRunView, f: (s: NonNullable<InspectionRunView['summary']>) => number) => (r.summary ? f(r.summary) : '-')
  renderTable<InspectionRunView>(
    [
      {key: 'id', header: 'RUN', align: 'right'},
      {key: 'startedAt', header: 'STARTED'},
      {key: 'instance', header: 'INSTANCE'},
      {key: 'trigger', header: 'TRIGGER'},
      {key: 'applied', header: 'APPLY'},
      {key: 'status', header: 'STATUS'},
      {key: 'total', header: 'TOTAL', align: 'right', get: (r) => n(r, (s) => s.total)},
      {key: 'failed', header: 'FAILED', align: 'right', get: (r) => n(r, (s) => s.probeFailed)},
      {key: 'exhausted', header: 'EXHAUSTED', align: 'right', get: (r) => n(r, (s) => s.classifications.quota_exhausted)},
      {key: 'disabled', header: 'DISABLED', align: 'right', get: (r) => n(r, (s) => s.disabled)},
      {key: 'enabled', header: 'ENABLED', align: 'right', get: (r) => n(r, (s) => s.enabled)},
    ],
    rows,
    {csv: flags.csv, noHeader: flags.noHeader},
  )
}

function usage(w: QuotaWindowView | null): string {
  if (!w || w.requests === null) return '-'
  return `${formatInt(w.tokens)} tok / ${formatInt(w.requests)} req`
}

function resets(tz: string, w: QuotaWindowView | null): string {
  if (!w || !w.resetsAt) return '-'
  return shortLocal(tz, Date.parse(w.resetsAt))
}

export function renderQuota(rows: QuotaRow[], tz: string, flags: TableFlags = {}): void {
  renderTable<QuotaRow>(
    [
      {key: 'name', header: 'NAME'},
      {key: 'provider', header: 'PROVIDER'},
      {key: 'plan', header: 'PLAN', get: (r) => r.plan ?? '-'},
      {key: 'headroomPercent', header: 'HEADROOM', align: 'right', get: (r) => (r.headroomPercent === null ? '-' : `${r.headroomPercent}%`)},
      {key: 'short', header: 'SHORT', get: (r) => pct(r.windows.short)},
      {key: 'shortResets', header: `RESETS (${tz})`, get: (r) => resets(tz, r.windows.short)},
      {key: 'shortUsage', header: 'SINCE START', get: (r) => usage(r.windows.short)},
      {key: 'long', header: 'LONG', get: (r) => pct(r.windows.long)},
      {key: 'longResets', header: `RESETS (${tz})`, get: (r) => resets(tz, r.windows.long)},
      {key: 'longUsage', header: 'SINCE START', get: (r) => usage(r.windows.long)},
      {key: 'classification', header: 'STATUS', get: (r) => (r.disabled ? `${r.classification} (disabled)` : r.classification)},
      {key: 'checkedAt', header: 'CHECKED'},
    ],
    rows,
    {csv: flags.csv, noHeader: flags.noHeader},
  )
  if (rows.length === 0) writeErr('No inspection results yet: run `cpactl inspect run` or `cpactl quota --refresh`.')
}
