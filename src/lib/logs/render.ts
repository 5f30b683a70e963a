/** Human views of the logs commands. */
import {renderTable, writeErr, writeOut} from '../cli/output.js'
import type {ErrorLogRow, LogFileResult, LogTailResult} from './logs.js'

export function renderTail(r: LogTailResult): void {
  if (r.cursorReset) writeErr('(the log rotated or was cleared since that cursor: showing a fresh tail)')
  if (r.lines.length > 0) writeOut(r.lines.join('\n'))
  else writeErr('No log lines (yet).')
}

export function renderErrorLogs(rows: ErrorLogRow[]): void {
  renderTable(
    [
      {key: 'name', header: 'NAME'},
      {key: 'size', header: 'SIZE', align: 'right'},
      {key: 'modified', header: 'MODIFIED'},
    ],
    rows,
  )
}

export function renderLogFile(r: LogFileResult): void {
  if (r.path !== '-') writeErr(`Saved ${r.name ?? 'the log'} to ${r.path} (${r.bytes} bytes, mode 0600).`)
}
