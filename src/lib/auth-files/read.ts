/**
 * Reading auth files (accounts): list with local filters, resolve a name or auth_index,
 * show one, its models, and download one into a 0600 file. Accounts are named by file name or auth_index
 * everywhere in cpactl (the gateway's /reset-quota and /api-call accept only the auth_index).
 */
import {join} from 'node:path'

import {RejectedError, UsageError} from '../cli/errors.js'
import {type AuthFileEntry, downloadAuthFile, getAuthFileModels, listAuthFiles} from '../gateway/auth-files.js'
import type {GatewayClient} from '../gateway/client.js'
import {listProviderKeys, type ProviderKeyRef} from '../gateway/provider-keys.js'
import {maskProxyUrl} from '../gateway-config/mask.js'
import {writeSecretFile} from '../files/secret-file.js'

export interface AuthFileRow {
  name: string
  authIndex: string | null
  provider: string | null
  /** Email when known, else the label. */
  account: string | null
  label: string | null
  status: string | null
  statusMessage: string | null
  disabled: boolean
  unavailable: boolean
  priority: number | null
  weight: number | null
  note: string | null
  /** ISO 8601 UTC. */
  lastRefresh: string | null
  success: number
  failed: number
}

/** Go time (RFC 3339 with nanoseconds and the server's local offset) → ISO UTC; null when absent or unparseable. */
export function toUtc(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '' || value.startsWith('0001-01-01')) return null
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

export function toRow(e: AuthFileEntry): AuthFileRow {
  return {
    name: e.name,
    authIndex: str(e.auth_index),
    provider: str(e.provider) ?? str(e.type),
    account: str(e.email) ?? str(e.label) ?? str(e.account),
    label: str(e.label),
    status: str(e.status),
    statusMessage: str(e.status_message),
    disabled: e.disabled === true,
    unavailable: e.unavailable === true,
    priority: num(e.priority),
    weight: num(e.weight),
    note: str(e.note),
    lastRefresh: toUtc(e.last_refresh),
    success: num(e.success) ?? 0,
    failed: num(e.failed) ?? 0,
  }
}

export interface AuthFileFilter {
  provider?: string
  status?: string
  /** true: only disabled; false: only enabled. */
  disabled?: boolean
  /** true: only temporarily unavailable (quota/cooldown). */
  unavailable?: boolean
}

export async function listAuthFileRows(client: GatewayClient, filter: AuthFileFilter = {}): Promise<AuthFileRow[]> {
  const rows = (await listAuthFiles(client)).map(toRow)
  return rows.filter(
    (r) =>
      (filter.provider === undefined || (r.provider ?? '').toLowerCase() === filter.provider.toLowerCase()) &&
      (filter.status === undefined || (r.status ?? '').toLowerCase() === filter.status.toLowerCase()) &&
      (filter.disabled === undefined || r.disabled === filter.disabled) &&
      (filter.unavailable === undefined || r.unavailable === filter.unavailable),
  )
}

export const AUTH_INDEX_RE = /^[0-9a-f]{16}$/

export function notFound(target: string, extra = ''): RejectedError {
  return new RejectedError(`no auth file named '${target}'${extra}`, 404, {
    code: 'not_found',
    hint: 'accounts are named by file name or auth_index; see cpactl auth-files list',
    details: {target},
  })
}

/** Find an entry by file name, auth id or auth_index in an already fetched list. */
export function findEntry(entries: AuthFileEntry[], target: string): AuthFileEntry | undefined {
  const t = target.trim()
  return (
    entries.find((e) => e.name === t || e.id === t) ??
    entries.find((e) => e.auth_index === t.toLowerCase()) ??
    entries.find((e) => e.name.toLowerCase() === t.toLowerCase())
  )
}

export async function resolveAuthFile(client: GatewayClient, target: string): Promise<AuthFileEntry> {
  const entry = findEntry(await listAuthFiles(client), target)
  if (!entry) throw notFound(target)
  return entry
}

/** A file entry, or a config-backed API key when `target` is its auth_index (config keys have no file). */
export type ResolvedAccount = {kind: 'file'; target: string; entry: AuthFileEntry} | {kind: 'config-key'; target: string; key: ProviderKeyRef}

export async function resolveAccounts(client: GatewayClient, targets: string[]): Promise<Array<ResolvedAccount | {kind: 'missing'; target: string}>> {
  const entries = await listAuthFiles(client)
  let keys: ProviderKeyRef[] | null = null
  const out: Array<ResolvedAccount | {kind: 'missing'; target: string}> = []
  for (const target of targets) {
    const entry = findEntry(entries, target)
    if (entry) {
      out.push({kind: 'file', target, entry})
      continue
    }
    if (AUTH_INDEX_RE.test(target.trim().toLowerCase())) {
      keys ??= await listProviderKeys(client)
      const key = keys.find((k) => k.authIndex === target.trim().toLowerCase())
      if (key) {
        out.push({kind: 'config-key', target, key})
        continue
      }
    }
    out.push({kind: 'missing', target})
  }
  return out
}

export interface AuthFileDetail {
  row: AuthFileRow
  /** The gateway's list entry as served (no tokens are in it; proxy credentials masked). */
  raw: Record<string, unknown>
}

export async function showAuthFile(client: GatewayClient, target: string): Promise<AuthFileDetail> {
  const entry = await resolveAuthFile(client, target)
  const raw: Record<string, unknown> = {...entry}
  delete raw.recent_requests
  if (typeof raw.proxy_url === 'string') raw.proxy_url = maskProxyUrl(raw.proxy_url)
  return {row: toRow(entry), raw}
}

export interface AuthFileModelsResult {
  name: string
  authIndex: string | null
  models: Array<{id: string; displayName: string | null; type: string | null; ownedBy: string | null}>
}

export async function authFileModels(client: GatewayClient, target: string): Promise<AuthFileModelsResult> {
  // the gateway answers [] for an unknown name: resolve first so a typo is a 404, not "no models"
  const entry = await resolveAuthFile(client, target)
  const models = await getAuthFileModels(client, entry.name)
  return {
    name: entry.name,
    authIndex: str(entry.auth_index),
    models: models.map((m) => ({id: m.id, displayName: str(m.display_name), type: str(m.type), ownedBy: str(m.owned_by)})),
  }
}

export interface DownloadResult {
  name: string
  authIndex: string | null
  /** File written, or '-' for standard output. */
  path: string
  bytes: number
  /** '0600' for files, null for stdout. */
  mode: string | null
}

export interface DownloadOptions {
  /** Output file; '-' = stdout (explicit only); default: ./<name> in the current directory. */
  output?: string
  force?: boolean
  cwd?: string
  /** Receives the bytes for `-o -` (the command writes them through the output layer). */
  toStdout?: (data: Buffer) => void
}

/**
 * Download an auth file. Credentials go to a 0600 file (default ./NAME, never overwritten without --force);
 * standard output only with an explicit `-o -`.
 */
export async function downloadAuthFileTo(client: GatewayClient, target: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const entry = await resolveAuthFile(client, target)
  const data = await downloadAuthFile(client, entry.name)
  const base = {name: entry.name, authIndex: str(entry.auth_index), bytes: data.length}
  if (options.output === '-') {
    if (!options.toStdout) throw new UsageError('-o - cannot be combined with --json (standard output carries the JSON result)')
    options.toStdout(data)
    return {...base, path: '-', mode: null}
  }
  const path = options.output ?? join(options.cwd ?? process.cwd(), entry.name)
  writeSecretFile(path, data, {force: options.force})
  return {...base, path, mode: '0600'}
}
