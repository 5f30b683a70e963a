/** Human views of the auth-files commands. */
import {formatInt, renderKeyValues, renderTable, writeErr} from '../cli/output.js'
import type {AuthFileDetail, AuthFileModelsResult, AuthFileRow, DownloadResult} from './read.js'
import type {BatchResult, SetFieldsResult} from './write.js'

export function renderAuthFileRows(rows: AuthFileRow[], options: {csv?: boolean; noHeader?: boolean} = {}): void {
  renderTable(
    [
      {key: 'name', header: 'NAME'},
      {key: 'provider', header: 'PROVIDER'},
      {key: 'account', header: 'ACCOUNT'},
      {key: 'status', header: 'STATUS', get: (r: AuthFileRow) => (r.unavailable && r.status !== 'disabled' ? `${r.status ?? ''} (unavailable)` : r.status)},
      {key: 'authIndex', header: 'AUTH_INDEX'},
      {key: 'priority', header: 'PRIORITY', align: 'right'},
      {key: 'weight', header: 'WEIGHT', align: 'right'},
      {key: 'lastRefresh', header: 'LAST_REFRESH'},
      {key: 'success', header: 'SUCCESS', align: 'right'},
      {key: 'failed', header: 'FAILED', align: 'right'},
    ],
    rows,
    options,
  )
}

export function renderAuthFileDetail(d: AuthFileDetail): void {
  const r = d.row
  const pairs: Array<[string, unknown]> = [
    ['Name', r.name],
    ['Auth index', r.authIndex],
    ['Provider', r.provider],
    ['Account', r.account],
    ['Label', r.label],
    ['Status', r.statusMessage ? `${r.status} (${r.statusMessage})` : r.status],
    ['Disabled', r.disabled ? 'yes' : 'no'],
    ['Unavailable', r.unavailable ? `yes${typeof d.raw.next_retry_after === 'string' ? ` (retry after ${d.raw.next_retry_after})` : ''}` : 'no'],
    ['Priority', r.priority],
    ['Weight', r.weight],
    ['Note', r.note],
    ['Last refresh', r.lastRefresh],
    ['Success', formatInt(r.success)],
    ['Failed', formatInt(r.failed)],
  ]
  for (const k of ['account_type', 'project_id', 'source', 'path', 'created_at', 'updated_at', 'websockets', 'request_retry', 'proxy_url']) {
    if (d.raw[k] !== undefined && d.raw[k] !== '') pairs.push([k, typeof d.raw[k] === 'object' ? JSON.stringify(d.raw[k]) : d.raw[k]])
  }
  renderKeyValues(pairs)
}

export function renderAuthFileModels(r: AuthFileModelsResult): void {
  if (r.models.length === 0) writeErr(`${r.name} serves no models right now (disabled, or none registered).`)
  renderTable(
    [
      {key: 'id', header: 'MODEL'},
      {key: 'displayName', header: 'DISPLAY_NAME'},
      {key: 'type', header: 'TYPE'},
      {key: 'ownedBy', header: 'OWNED_BY'},
    ],
    r.models,
  )
}

export function renderDownload(r: DownloadResult): void {
  if (r.path !== '-') writeErr(`Saved ${r.name} to ${r.path} (${r.bytes} bytes, mode 0600). It holds credentials: keep it private.`)
}

const PAST: Record<BatchResult['action'], string> = {upload: 'uploaded', enable: 'enabled', disable: 'disabled', delete: 'deleted'}

export function renderBatch(r: BatchResult): void {
  renderTable(
    [
      {key: 'target', header: 'TARGET'},
      {key: 'name', header: 'NAME'},
      {key: 'authIndex', header: 'AUTH_INDEX'},
      {
        key: 'result',
        header: 'RESULT',
        get: (i: BatchResult['items'][number]) => (!i.ok ? `failed: ${i.error}` : r.dryRun ? `would be ${PAST[r.action]}` : i.changed ? PAST[r.action] : `already ${PAST[r.action]}`),
      },
    ],
    r.items,
  )
  if (r.dryRun) writeErr('dry run: nothing was changed.')
  else if (r.verified) writeErr(`${r.succeeded} ${PAST[r.action]}${r.failed ? `, ${r.failed} failed` : ''}; read back and verified.`)
}

export function renderSetFields(r: SetFieldsResult): void {
  const rows = Object.keys(r.fields).map((k) => ({field: k, before: JSON.stringify(r.previous[k] ?? null), after: JSON.stringify(r.fields[k])}))
  renderTable(
    [
      {key: 'field', header: 'FIELD'},
      {key: 'before', header: 'BEFORE'},
      {key: 'after', header: r.dryRun ? 'WOULD_BE' : 'AFTER'},
    ],
    rows,
  )
  writeErr(r.dryRun ? `dry run: ${r.name} was not changed.` : `updated ${r.name}; read back and verified.`)
}
