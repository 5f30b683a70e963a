/** Human/TSV/CSV views of the `aliases` results (never a raw key: hashes and masked keys only). */
import {formatInt, renderKeyValues, renderTable, stdoutIsTTY, warn} from '../cli/output.js'
import type {AliasView, ImportFileResult, ImportFromGatewayResult, GatewayKeyView} from './aliases.js'

export interface AliasRenderOptions {
  csv?: boolean
  noHeader?: boolean
}

const human = (o: AliasRenderOptions) => !o.csv && stdoutIsTTY()

export function renderAliases(rows: AliasView[], o: AliasRenderOptions = {}): void {
  const h = human(o)
  renderTable(
    [
      {key: 'alias', header: 'ALIAS'},
      {key: 'apiKeyHash', header: h ? 'KEY HASH' : 'API_KEY_HASH', get: (r: AliasView) => (h ? `${r.apiKeyHash.slice(0, 16)}…` : r.apiKeyHash)},
      {key: 'masked', header: h ? 'KEY' : 'MASKED_KEY', get: (r: AliasView) => r.masked ?? (h ? '-' : '')},
      {key: 'requests', header: 'REQUESTS', align: 'right', get: (r: AliasView) => (h ? formatInt(r.requests) : r.requests)},
      {key: 'lastSeen', header: h ? 'LAST SEEN' : 'LAST_SEEN', get: (r: AliasView) => r.lastSeen ?? (h ? '-' : '')},
    ],
    rows,
    {csv: o.csv, noHeader: o.noHeader},
  )
}

export function renderGatewayKeys(r: ImportFromGatewayResult, o: AliasRenderOptions = {}): void {
  const h = human(o)
  renderTable(
    [
      {key: 'index', header: 'INDEX'},
      {key: 'masked', header: 'KEY'},
      {key: 'apiKeyHash', header: h ? 'KEY HASH' : 'API_KEY_HASH'},
      {key: 'alias', header: 'ALIAS', get: (k: GatewayKeyView) => k.alias ?? (h ? '-' : '')},
      {key: 'requests', header: 'REQUESTS', align: 'right', get: (k: GatewayKeyView) => (h ? formatInt(k.requests) : k.requests)},
      {key: 'lastSeen', header: h ? 'LAST SEEN' : 'LAST_SEEN', get: (k: GatewayKeyView) => k.lastSeen ?? (h ? '-' : '')},
    ],
    r.keys,
    {csv: o.csv, noHeader: o.noHeader},
  )
  const unnamed = r.keys.filter((k) => !k.alias)
  if (unnamed.length > 0 && h) warn(`${unnamed.length} key(s) without an alias: cpactl aliases set <KEY HASH> <ALIAS>`)
}

export function renderAliasFileImport(r: ImportFileResult): void {
  renderKeyValues([
    ['file', r.file],
    ['entries', formatInt(r.read)],
    ['set', formatInt(r.set)],
    ['unchanged', formatInt(r.unchanged)],
    ['rejected', formatInt(r.rejected.length)],
  ])
}
