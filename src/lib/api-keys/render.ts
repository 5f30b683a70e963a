/** Human views of the api-keys commands. */
import {renderTable, writeErr, writeOut} from '../cli/output.js'
import type {ApiKeyAddResult, ApiKeyRemoveResult, ApiKeyRow} from './api-keys.js'

export function renderApiKeys(rows: ApiKeyRow[], options: {csv?: boolean; noHeader?: boolean} = {}): void {
  renderTable(
    [
      {key: 'index', header: 'INDEX', align: 'right'},
      {key: 'key', header: 'KEY'},
      {key: 'alias', header: 'ALIAS'},
      {key: 'hash', header: 'SHA256', get: (k: ApiKeyRow) => (options.csv ? k.hash : k.hash.slice(0, 12))},
    ],
    rows,
    options,
  )
}

export function renderApiKeyAdd(r: ApiKeyAddResult): void {
  if (!r.changed) {
    writeErr(`that key is already configured (index ${r.index}); nothing changed.`)
    return
  }
  if (r.dryRun) {
    writeErr(`dry run: would add ${r.generated ? 'a generated key' : `key ${r.key}`}; nothing changed.`)
    return
  }
  // the key alone on stdout so `KEY=$(cpactl api-keys add)` works; it is not shown again
  writeOut(r.key)
  writeErr(`Added client key at index ${r.index}${r.generated ? ' (generated)' : ''}; read back and verified. Store it now: cpactl shows only ****${r.key.slice(-4)} from here on.`)
}

export function renderApiKeyRemove(r: ApiKeyRemoveResult): void {
  const what = `client key ${r.key}${r.alias ? ` (${r.alias})` : ''} at index ${r.index}`
  if (r.dryRun) writeErr(`dry run: would remove ${what}; nothing changed.`)
  else writeErr(`Removed ${what}; read back and verified.${r.alias ? ' Its alias and history stay in the store.' : ''}`)
}
