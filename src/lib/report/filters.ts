/**
 * Report filters as users type them → the exact values the store filters on. `--account` takes an
 * auth_index, an auth-file name, an email/label or a usage `source`; `--api-key` takes an alias, a 64-hex hash
 * or a raw key (hashed here at once, never stored or echoed).
 */
import {hashApiKey, isSha256Hex} from '../usage/mask.js'
import type {RowFilters, Store} from '../store/index.js'
import type {ReportWarning} from './engine.js'

export interface FilterInput {
  instance?: string[]
  provider?: string[]
  model?: string[]
  account?: string[]
  apiKey?: string[]
  failed?: boolean
  status?: number[]
}

/** Filters echoed in results (raw keys never appear: API keys are shown as alias or hash prefix). */
export interface FiltersJson {
  instances: string[]
  providers: string[]
  models: string[]
  accounts: string[]
  apiKeys: string[]
  failed: boolean | null
  statuses: number[]
}

/** A value no row carries: makes a filter that resolved to nothing match nothing. */
const NOTHING = '\u0000'

export interface ResolvedFilters {
  filters: RowFilters
  json: FiltersJson
  warnings: ReportWarning[]
}

export async function resolveFilters(store: Store, input: FilterInput): Promise<ResolvedFilters> {
  const warnings: ReportWarning[] = []
  const filters: RowFilters = {}
  const json: FiltersJson = {instances: [], providers: [], models: [], accounts: [], apiKeys: [], failed: null, statuses: []}
  const list = (v?: string[]) => (v ?? []).flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '')
  const instances = list(input.instance)
  if (instances.length > 0) filters.instances = json.instances = instances
  const providers = list(input.provider)
  if (providers.length > 0) filters.providers = json.providers = providers
  const models = list(input.model)
  if (models.length > 0) filters.models = json.models = models
  const accounts = list(input.account)
  if (accounts.length > 0) {
    const found = new Set<string>()
    for (const a of accounts) {
      const idx = await store.aliases.resolveAccount(a)
      if (idx.length === 0) warnings.push({code: 'unknown_account', message: `no credential matches --account ${a}`, items: [a]})
      for (const i of idx) found.add(i)
    }
    filters.authIndexes = found.size > 0 ? [...found] : [NOTHING]
    json.accounts = accounts
  }
  const keys = (input.apiKey ?? []).map((x) => x.trim()).filter((x) => x !== '')
  if (keys.length > 0) {
    const hashes = new Set<string>()
    for (const k of keys) {
      const alias = await store.aliases.byName(k)
      if (alias) {
        hashes.add(alias.apiKeyHash)
        json.apiKeys.push(alias.alias)
      } else if (isSha256Hex(k)) {
        hashes.add(k.toLowerCase())
        json.apiKeys.push(`sha256:${k.toLowerCase().slice(0, 12)}`)
      } else {
        const h = hashApiKey(k)!
        hashes.add(h)
        json.apiKeys.push(`sha256:${h.slice(0, 12)}`)
      }
    }
    filters.apiKeyHashes = [...hashes]
  }
  if (input.failed) filters.failed = json.failed = true
  const statuses = input.status ?? []
  if (statuses.length > 0) filters.statuses = json.statuses = statuses
  return {filters, json, warnings}
}
