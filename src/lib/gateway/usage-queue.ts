/**
 * Usage-queue area of the management API:
 * - the destructive HTTP pop `GET /usage-queue?count=N` — `count` always passed (the gateway pops 1 record
 *   without it), never retried (a retried pop whose first answer was lost has already removed records);
 * - the `usage-statistics-enabled` toggle that gates publishing (default false: nothing is queued);
 * - the queue facts `collect` warns about: publishing flag and retention (absent ⇒ 60 s);
 * - the per-credential success/failed counters of `GET /auth-files`, for the coverage estimate.
 */
import {listAuthFiles} from './auth-files.js'
import type {GatewayClient} from './client.js'
import {effectiveRetentionSeconds, getConfig, getSetting, setSetting} from './config.js'
import {getConfigTree, v8MigrationNotice} from './config-tree.js'
import {v8PathOf} from './config-keymap.js'
import {UpstreamError, UsageError} from '../cli/errors.js'
import {addWarning, type Warning} from '../cli/warnings.js'

/**
 * Pop up to `count` records. The gateway answers a JSON array, oldest first: records as objects, payloads
 * that were not valid JSON as JSON strings; `[]` when empty or disabled.
 */
export async function popUsageQueue(client: GatewayClient, count: number): Promise<unknown[]> {
  if (!Number.isSafeInteger(count) || count <= 0) throw new UsageError(`batch size must be a positive integer, not ${count}`)
  const res = await client.call<unknown>('usageQueue', {query: {count}, retry: false, responseType: 'json', timeoutMs: 60_000})
  if (res.data === null) return []
  if (!Array.isArray(res.data)) {
    throw new UpstreamError('the gateway answered the usage-queue pop with something other than a JSON array', {code: 'bad_response'})
  }
  return res.data
}

export async function getUsageStatisticsEnabled(client: GatewayClient): Promise<boolean> {
  return (await getSetting(client, 'usage-statistics-enabled')) === true
}

export interface UsageToggleResult {
  enabled: boolean
  previous: boolean
  changed: boolean
  warnings: Warning[]
}

/**
 * Switch usage publishing on or off (`PUT /usage-statistics-enabled {"value": bool}`). Reads the current value
 * first and writes only when it differs; the gateway reloads asynchronously, so the write is not
 * re-read here.
 */
export async function setUsageStatisticsEnabled(client: GatewayClient, enabled: boolean): Promise<UsageToggleResult> {
  const previous = await getUsageStatisticsEnabled(client)
  const warnings: Warning[] = []
  if (previous !== enabled) {
    const notice = await v8MigrationNotice(client)
    await setSetting(client, 'usage-statistics-enabled', enabled)
    if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
  }
  return {enabled, previous, changed: previous !== enabled, warnings}
}

export interface QueueSettings {
  /** usage-statistics-enabled (default false: nothing is queued). */
  publishing: boolean
  /** redis-usage-queue-retention-seconds as the gateway applies it. */
  retentionSeconds: number
}

/**
 * v0: both from GET /config (the effective values). v8: from the config tree (`observability/usage/…`): a 404 means
 * the key is absent and the default applies (publishing false, retention 60 s).
 */
export async function getQueueSettings(client: GatewayClient): Promise<QueueSettings> {
  const {api} = await client.managementApi()
  if (api === 'v8') {
    const [publishing, retention] = await Promise.all([
      getSetting(client, 'usage-statistics-enabled'),
      getConfigTree<unknown>(client, v8PathOf('redis-usage-queue-retention-seconds').split('.')),
    ])
    return {publishing: publishing === true, retentionSeconds: effectiveRetentionSeconds({'redis-usage-queue-retention-seconds': retention.value as number | undefined})}
  }
  const config = await getConfig(client)
  return {publishing: config['usage-statistics-enabled'] === true, retentionSeconds: effectiveRetentionSeconds(config)}
}

/** auth_index → [success, failed] counters since gateway start, for credentials listed by GET /auth-files. */
export type CredentialCounters = Record<string, [number, number]>

export async function getCredentialCounters(client: GatewayClient): Promise<CredentialCounters> {
  const out: CredentialCounters = {}
  for (const f of await listAuthFiles(client)) {
    if (!f.auth_index) continue
    const cur = out[f.auth_index] ?? [0, 0]
    out[f.auth_index] = [cur[0] + (f.success ?? 0), cur[1] + (f.failed ?? 0)]
  }
  return out
}
