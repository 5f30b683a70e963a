/**
 * Flags shared by the `report` commands (defined once): range, zone, filters, sort,
 * limit, output. Kept out of src/commands (every file there becomes a command).
 */
import {Flags} from '@oclif/core'

import {csvFlag, noHeaderFlag, sinceFlag, storeFlag, tzFlag, untilFlag} from './flags.js'
import type {FilterInput} from '../report/filters.js'
import {SORT_KEYS, type SortKey} from '../report/sort.js'

export const rangeFlags = {
  since: sinceFlag,
  until: untilFlag,
  tz: tzFlag,
}

export const filterFlags = {
  instance: Flags.string({description: 'Only events of this instance (profile label); repeatable or comma-separated.', multiple: true, helpGroup: 'FILTER'}),
  provider: Flags.string({description: 'Only this provider (codex, claude, gemini, …); repeatable.', multiple: true, helpGroup: 'FILTER'}),
  model: Flags.string({description: 'Only this model (exact name as recorded); repeatable.', multiple: true, helpGroup: 'FILTER'}),
  account: Flags.string({
    description: 'Only this credential: auth_index, auth-file name, email/label; repeatable.',
    multiple: true,
    helpGroup: 'FILTER',
  }),
  'api-key': Flags.string({
    description: 'Only this client key: alias, SHA-256 hash, or the key itself (hashed locally); repeatable.',
    multiple: true,
    helpGroup: 'FILTER',
  }),
  failed: Flags.boolean({description: 'Only failed requests.', default: false, helpGroup: 'FILTER'}),
  status: Flags.integer({description: 'Only requests that ended with this status code (e.g. 429); repeatable.', multiple: true, helpGroup: 'FILTER'}),
}

export const outputFlags = {
  csv: csvFlag,
  'no-header': noHeaderFlag,
  store: storeFlag,
}

export const sortFlag = Flags.option({options: SORT_KEYS, description: 'Sort rows by this metric (descending; name ascending).', default: 'cost' as SortKey})()

export function filterInput(flags: {
  instance?: string[]
  provider?: string[]
  model?: string[]
  account?: string[]
  'api-key'?: string[]
  failed?: boolean
  status?: number[]
}): FilterInput {
  return {
    instance: flags.instance,
    provider: flags.provider,
    model: flags.model,
    account: flags.account,
    apiKey: flags['api-key'],
    failed: flags.failed || undefined,
    status: flags.status,
  }
}
