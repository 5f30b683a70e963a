/**
 * Changing auth files: upload (multipart, 207 partial), enable/disable (PATCH status; config API keys by
 * auth_index), delete (207 partial) and field edits (PATCH fields). Every write is re-read and verified. Batches report per item; a mix of successes and failures keeps this result shape, with
 * the per-item errors, a `partial_success` warning and exit 6 (the command sets it).
 */
import {readFileSync} from 'node:fs'
import {basename} from 'node:path'

import {RejectedError, UpstreamError, UsageError, CheckFailedError} from '../cli/errors.js'
import {
  type BatchAnswer,
  deleteAuthFiles,
  downloadAuthFile,
  listAuthFiles,
  patchAuthFileFields,
  resetCooldown,
  setAuthFileDisabled,
  type UploadPart,
  uploadAuthFiles,
} from '../gateway/auth-files.js'
import type {GatewayClient} from '../gateway/client.js'
import {v8MigrationNotice} from '../gateway/config-tree.js'
import {listProviderKeys, setConfigKeyDisabled} from '../gateway/provider-keys.js'
import {deepEqual} from '../gateway-config/path.js'
import {confirmOrFail} from '../cli/confirm.js'
import {maskProxyUrl, secretKind} from '../gateway-config/mask.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {findEntry, notFound, resolveAccounts, resolveAuthFile} from './read.js'
import {addWarning, type Warning} from '../cli/warnings.js'

export interface ItemResult {
  /** What the user typed (file path, name or auth_index). */
  target: string
  name: string | null
  authIndex: string | null
  ok: boolean
  /** false when it was already in the requested state (nothing sent). */
  changed: boolean
  error: string | null
}

export interface BatchResult {
  action: 'upload' | 'enable' | 'disable' | 'delete'
  dryRun: boolean
  items: ItemResult[]
  succeeded: number
  failed: number
  /** Re-read after the write and found as expected; null on a dry run. */
  verified: boolean | null
  warnings: Warning[]
}

function finish(result: BatchResult, what: string): BatchResult {
  result.succeeded = result.items.filter((i) => i.ok).length
  result.failed = result.items.length - result.succeeded
  if (result.failed === 0) return result
  if (result.succeeded === 0) {
    const first = result.items.find((i) => !i.ok)!
    const allMissing = result.items.every((i) => i.error?.startsWith('not found'))
    throw new RejectedError(
      result.items.length === 1 ? `${what} failed for ${first.target}: ${first.error}` : `${what} failed for all ${result.items.length} items (first: ${first.target}: ${first.error})`,
      allMissing ? 404 : 400,
      {code: allMissing ? 'not_found' : 'rejected', details: {items: result.items}, hint: allMissing ? 'accounts are named by file name or auth_index; see cpactl auth-files list' : undefined},
    )
  }
  const failed = result.items.filter((i) => !i.ok).map((i) => i.target)
  addWarning(result.warnings, 'partial_success', `${what}: ${result.succeeded} of ${result.items.length} succeeded, ${result.failed} failed`, failed)
  return result
}

// ------------------------------------------------------------------------------------------------ upload

export interface UploadOptions {
  dryRun?: boolean
  poll?: PollOptions
}

/**
 * Upload local files. Unreadable files and names not ending in .json are usage errors before anything is sent;
 * the content is the gateway's to judge (it answers per file in a 207).
 */
export async function uploadAuthFilesFrom(client: GatewayClient, paths: string[], options: UploadOptions = {}): Promise<BatchResult> {
  if (paths.length === 0) throw new UsageError('name at least one file to upload')
  const parts: Array<UploadPart & {target: string}> = []
  const names = new Set<string>()
  for (const path of paths) {
    const name = basename(path)
    if (!name.toLowerCase().endsWith('.json')) throw new UsageError(`${path}: auth files must end in .json (the gateway refuses other names)`, {code: 'invalid_name'})
    if (names.has(name)) throw new UsageError(`${name} is given twice; auth files are stored by base name`, {code: 'duplicate_name'})
    names.add(name)
    let data: Buffer
    try {
      data = readFileSync(path)
    } catch (error) {
      throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {code: 'file_unreadable'})
    }
    parts.push({target: path, name, data})
  }
  const result: BatchResult = {action: 'upload', dryRun: Boolean(options.dryRun), items: [], succeeded: 0, failed: 0, verified: null, warnings: []}
  if (options.dryRun) {
    result.items = parts.map((p) => ({target: p.target, name: p.name, authIndex: null, ok: true, changed: true, error: null}))
    return finish(result, 'upload')
  }
  let answer: BatchAnswer
  try {
    answer = await uploadAuthFiles(client, parts)
  } catch (error) {
    // a one-file upload that the gateway refuses (400 bad name/content, 500 content does not make an auth)
    const status = error instanceof RejectedError ? error.status : error instanceof UpstreamError ? Number((error.details as {status?: number} | undefined)?.status) : NaN
    if (parts.length === 1 && (error instanceof RejectedError || status === 500)) {
      const text = (error as Error).message.replace(/^the gateway failed POST \S+ \(\d+ ?/, '').replace(/\)$/, '')
      result.items = [{target: parts[0].target, name: parts[0].name, authIndex: null, ok: false, changed: false, error: text}]
      return finish(result, 'upload')
    }
    throw error
  }
  const failedBy = new Map(answer.failed.map((f) => [f.name, f.error]))
  const reported = parts.filter((p) => !failedBy.has(p.name) && answer.files.includes(p.name)).map((p) => p.name)
  const check = await pollUntil(() => listAuthFiles(client), (files) => reported.every((n) => files.some((e) => e.name === n)), options.poll)
  result.items = parts.map((p) => {
    const entry = check.value.find((e) => e.name === p.name)
    const error = failedBy.get(p.name) ?? (!answer.files.includes(p.name) ? 'not reported as uploaded' : entry ? null : 'uploaded but not listed afterwards')
    return {target: p.target, name: p.name, authIndex: entry?.auth_index ?? null, ok: error === null, changed: error === null, error}
  })
  result.verified = check.ok
  return finish(result, 'upload')
}

// ----------------------------------------------------------------------------------------- enable/disable

export interface StatusOptions {
  dryRun?: boolean
  poll?: PollOptions
}

export async function setAccountsDisabled(client: GatewayClient, targets: string[], disabled: boolean, options: StatusOptions = {}): Promise<BatchResult> {
  if (targets.length === 0) throw new UsageError(`name at least one account to ${disabled ? 'disable' : 'enable'}`)
  const action = disabled ? 'disable' : 'enable'
  const result: BatchResult = {action, dryRun: Boolean(options.dryRun), items: [], succeeded: 0, failed: 0, verified: null, warnings: []}
  const resolved = await resolveAccounts(client, targets)
  const pendingFiles: string[] = []
  const pendingKeys: string[] = []
  for (const r of resolved) {
    if (r.kind === 'missing') {
      result.items.push({target: r.target, name: null, authIndex: null, ok: false, changed: false, error: 'not found (no auth file or config key with that name or auth_index)'})
      continue
    }
    if (r.kind === 'file') {
      const item: ItemResult = {target: r.target, name: r.entry.name, authIndex: r.entry.auth_index ?? null, ok: true, changed: (r.entry.disabled === true) !== disabled, error: null}
      result.items.push(item)
      if (!item.changed || options.dryRun) continue
      try {
        await setAuthFileDisabled(client, {name: r.entry.name, authIndex: r.entry.auth_index}, disabled)
        pendingFiles.push(r.entry.name)
      } catch (error) {
        if (!(error instanceof RejectedError)) throw error
        Object.assign(item, {ok: false, changed: false, error: error.message})
      }
      continue
    }
    const label = `${r.key.family}[${r.key.index}]${r.key.name ? ` (${r.key.name})` : ''}`
    const item: ItemResult = {target: r.target, name: label, authIndex: r.key.authIndex, ok: true, changed: r.key.disabled === null || r.key.disabled !== disabled, error: null}
    result.items.push(item)
    if (r.key.family === 'openai-compatibility') {
      // the gateway can only switch off the whole provider: refused before anything is sent (dry run too)
      Object.assign(item, {ok: false, changed: false, error: 'openai-compatibility keys cannot be enabled or disabled one by one (only the whole provider, via its disabled field in the config)'})
      continue
    }
    if (!item.changed || options.dryRun) continue
    try {
      // config API keys: `*` in the key's excluded-models, written through the provider-key list (never
      // PATCH /auth-files/status: it needs an internal auth ID no endpoint returns)
      const notice = await v8MigrationNotice(client)
      const toggled = await setConfigKeyDisabled(client, r.key, disabled)
      if (notice && toggled.changed) addWarning(result.warnings, 'config_migrated_to_v8', notice)
      if (toggled.changed) pendingKeys.push(r.key.authIndex)
      else item.changed = false
    } catch (error) {
      if (!(error instanceof RejectedError)) throw error
      Object.assign(item, {ok: false, changed: false, error: error.message})
    }
  }
  if (!options.dryRun) {
    const check = await pollUntil(
      async () => ({
        files: pendingFiles.length > 0 ? await listAuthFiles(client) : [],
        keys: pendingKeys.length > 0 ? await listProviderKeys(client) : [],
      }),
      ({files, keys}) =>
        pendingFiles.every((n) => (findEntry(files, n)?.disabled === true) === disabled) &&
        pendingKeys.every((ai) => {
          const k = keys.find((x) => x.authIndex === ai)
          return k !== undefined && (k.disabled === null || k.disabled === disabled)
        }),
      options.poll,
    )
    result.verified = check.ok
    if (!check.ok) addWarning(result.warnings, 'not_verified', `the gateway accepted the change but a re-read does not show every account ${action}d yet`)
  }
  return finish(result, action)
}

// ------------------------------------------------------------------------------------------------- delete

export const DELETE_WARNING =
  'deleting an auth file breaks history correlation: reports and inspection join usage by auth_index, and a re-uploaded or renamed file gets a new one. Prefer `cpactl auth-files disable` to retire an account.'

export interface DeleteOptions {
  yes?: boolean
  dryRun?: boolean
  interactive?: boolean
  poll?: PollOptions
}

export async function deleteAccounts(client: GatewayClient, targets: string[], options: DeleteOptions = {}): Promise<BatchResult> {
  if (targets.length === 0) throw new UsageError('name at least one auth file to delete')
  const result: BatchResult = {action: 'delete', dryRun: Boolean(options.dryRun), items: [], succeeded: 0, failed: 0, verified: null, warnings: []}
  addWarning(result.warnings, 'delete_breaks_history', DELETE_WARNING)
  const entries = await listAuthFiles(client)
  const toDelete: string[] = []
  for (const target of targets) {
    const entry = findEntry(entries, target)
    if (!entry) result.items.push({target, name: null, authIndex: null, ok: false, changed: false, error: 'not found (no auth file with that name or auth_index)'})
    else if (!toDelete.includes(entry.name)) {
      toDelete.push(entry.name)
      result.items.push({target, name: entry.name, authIndex: entry.auth_index ?? null, ok: true, changed: true, error: null})
    }
  }
  if (toDelete.length === 0 || options.dryRun) return finish(result, 'delete')
  await confirmOrFail({
    yes: Boolean(options.yes),
    action: `delete ${toDelete.length} auth file${toDelete.length === 1 ? '' : 's'} (${toDelete.join(', ')})`,
    note: 'to keep history joinable, disable instead: cpactl auth-files disable NAME',
    interactive: options.interactive,
  })
  let answer: BatchAnswer
  try {
    answer = await deleteAuthFiles(client, toDelete)
  } catch (error) {
    if (toDelete.length === 1 && error instanceof RejectedError) {
      const item = result.items.find((i) => i.name === toDelete[0])!
      Object.assign(item, {ok: false, changed: false, error: error.message})
      return finish(result, 'delete')
    }
    throw error
  }
  const failedBy = new Map(answer.failed.map((f) => [f.name, f.error]))
  for (const item of result.items) {
    if (!item.ok || item.name === null) continue
    const error = failedBy.get(item.name) ?? (answer.files.includes(item.name) ? null : 'not reported as deleted')
    if (error) Object.assign(item, {ok: false, changed: false, error})
  }
  const deleted = result.items.filter((i) => i.ok).map((i) => i.name!)
  const check = await pollUntil(() => listAuthFiles(client), (files) => deleted.every((n) => !files.some((e) => e.name === n)), options.poll)
  result.verified = check.ok
  if (!check.ok) addWarning(result.warnings, 'not_verified', 'the gateway reported the files deleted but still lists some of them')
  return finish(result, 'delete')
}

// ---------------------------------------------------------------------------------------------------- set

export interface AuthFileFieldChanges {
  priority?: number
  /** null clears it. */
  weight?: number | null
  note?: string
  prefix?: string
  proxyUrl?: string
  websockets?: boolean
  /** null clears it. */
  requestRetry?: number | null
  /** Other fields as `key=value` pairs (value parsed as JSON when it parses, else a string). */
  extra?: string[]
}

export interface SetFieldsResult {
  name: string
  authIndex: string | null
  dryRun: boolean
  /** The fields sent, in the gateway's spelling (proxy credentials masked). */
  fields: Record<string, unknown>
  /** Values before the change, same keys (null when absent). */
  previous: Record<string, unknown>
  verified: boolean | null
}

/** Map the flags to gateway field names, validating locally what the gateway would refuse (a weight that is not an
 * integer or exceeds 1,000,000). */
export function buildFieldPatch(changes: AuthFileFieldChanges): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  if (changes.priority !== undefined) fields.priority = changes.priority
  if (changes.weight !== undefined) {
    // ≤ 0 is valid: the gateway stores 0, which parks the key under weighted round-robin
    if (changes.weight !== null && (!Number.isInteger(changes.weight) || changes.weight > 1_000_000)) {
      throw new UsageError(`--weight must be an integer up to 1000000 (0 or less parks the account under weighted round-robin), not ${changes.weight}`, {code: 'invalid_value'})
    }
    fields.weight = changes.weight
  }
  if (changes.note !== undefined) fields.note = changes.note
  if (changes.prefix !== undefined) {
    if (changes.prefix.includes('/')) throw new UsageError(`--prefix must not contain '/' (it is a model namespace), not '${changes.prefix}'`, {code: 'invalid_value'})
    fields.prefix = changes.prefix
  }
  if (changes.proxyUrl !== undefined) fields.proxy_url = changes.proxyUrl
  if (changes.websockets !== undefined) fields.websockets = changes.websockets
  if (changes.requestRetry !== undefined) fields.request_retry = changes.requestRetry
  for (const pair of changes.extra ?? []) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--field takes key=value, not '${pair}'`, {code: 'invalid_value'})
    const key = pair.slice(0, eq).trim()
    const text = pair.slice(eq + 1)
    if (key === 'name') throw new UsageError('--field name=… would rename nothing: the file name is the target', {code: 'invalid_value'})
    if (secretKind([key]) === 'secret' || /^(access|refresh|id)_token$|^api_key$|^cookie$/i.test(key)) {
      throw new UsageError(`refusing to take the secret field '${key}' on the command line`, {code: 'secret_in_argv', hint: 'edit the file and upload it: cpactl auth-files download NAME, then upload'})
    }
    let value: unknown = text
    try {
      value = JSON.parse(text)
    } catch {
      // plain string
    }
    if (Object.hasOwn(fields, key)) throw new UsageError(`field '${key}' is given twice`, {code: 'invalid_value'})
    fields[key] = value
  }
  if (Object.keys(fields).length === 0) {
    throw new UsageError('nothing to change: pass at least one of --priority, --weight, --note, --prefix, --proxy-url, --websockets, --request-retry, --field', {code: 'no_fields'})
  }
  return fields
}

function valueAt(md: Record<string, unknown>, key: string): unknown {
  let cur: unknown = md
  for (const p of key.split('.')) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined
    cur = (cur as Record<string, unknown>)[p]
  }
  return cur
}

function showField(key: string, v: unknown): unknown {
  return typeof v === 'string' && /proxy/i.test(key) ? maskProxyUrl(v) : v
}

export async function setAuthFileFields(client: GatewayClient, target: string, changes: AuthFileFieldChanges, options: {dryRun?: boolean; poll?: PollOptions} = {}): Promise<SetFieldsResult> {
  const fields = buildFieldPatch(changes)
  const entry = await resolveAuthFile(client, target).catch((error) => {
    throw error instanceof RejectedError && error.status === 404 ? notFound(target, ' (set works on auth files; config API keys are edited in the config)') : error
  })
  const readMeta = async () => JSON.parse((await downloadAuthFile(client, entry.name)).toString('utf8')) as Record<string, unknown>
  const before = await readMeta()
  const previous = Object.fromEntries(Object.keys(fields).map((k) => [k, showField(k, valueAt(before, k) ?? null)]))
  const shown = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, showField(k, v)]))
  const base = {name: entry.name, authIndex: entry.auth_index ?? null, fields: shown, previous}
  if (options.dryRun) return {...base, dryRun: true, verified: null}
  await patchAuthFileFields(client, entry.name, fields)
  // what the gateway stores: null / a negative request_retry delete the field; a weight ≤ 0 is stored as 0
  const expected = (k: string, v: unknown) =>
    v === null || (k === 'request_retry' && typeof v === 'number' && v < 0) ? undefined : k === 'weight' && typeof v === 'number' && v < 0 ? 0 : v
  const check = await pollUntil(
    readMeta,
    (md) =>
      Object.entries(fields).every(([k, v]) => {
        if (v !== null && typeof v === 'object') return true // merged maps (headers) are not compared
        return deepEqual(valueAt(md, k), expected(k, v))
      }),
    options.poll,
  )
  if (!check.ok) throw new CheckFailedError(`the gateway accepted the change to ${entry.name} but the file does not show it when read back`, {code: 'not_verified'})
  return {...base, dryRun: false, verified: true}
}

// ------------------------------------------------------------------------------------------- reset cooldown

export interface CooldownResetResult {
  target: string
  /** Auth-file name, or `<family>[i]` for a config API key. */
  name: string
  authIndex: string
  kind: 'file' | 'config-key'
  /** Models whose quota/cooldown state the gateway cleared. */
  models: string[]
  dryRun: boolean
}

/**
 * `auth-files reset-cooldown NAME`: resolve an auth file (name or auth_index) or a config API key (auth_index)
 * and ask the gateway to clear its quota and cooldown state (v8 /routing/cooldown/reset, v0 /reset-quota).
 */
export async function resetAccountCooldown(client: GatewayClient, target: string, options: {dryRun?: boolean} = {}): Promise<CooldownResetResult> {
  const [resolved] = await resolveAccounts(client, [target])
  if (resolved.kind === 'missing') throw notFound(target, ' (name an auth file, or an auth_index of a file or a config API key)')
  const authIndex = resolved.kind === 'file' ? resolved.entry.auth_index : resolved.key.authIndex
  const name = resolved.kind === 'file' ? resolved.entry.name : `${resolved.key.family}[${resolved.key.index}]${resolved.key.name ? ` (${resolved.key.name})` : ''}`
  if (!authIndex) {
    throw new RejectedError(`${name} has no auth_index on this gateway (its list answer carries none), so its cooldown cannot be addressed`, 404, {code: 'no_auth_index'})
  }
  if (options.dryRun) return {target, name, authIndex, kind: resolved.kind, models: [], dryRun: true}
  const answer = await resetCooldown(client, authIndex)
  return {target, name, authIndex: answer.authIndex, kind: resolved.kind, models: answer.models, dryRun: false}
}
