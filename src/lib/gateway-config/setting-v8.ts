/**
 * `config get|set|unset PATH` on a v8 gateway: one v8 config path per call, on the config tree
 * (`GET|PUT|DELETE /v8/management/config/<path>`; gateway/config-tree.ts).
 *
 * - The path is resolved before any request (v8-value.ts): legacy names map to their v8 path, an unknown
 *   path exits 2 with the closest known paths, read-only fields and secrets on the command line are refused.
 * - get: a 404 means "absent from the file, the default applies": the schema default is reported, exit 1.
 * - set: VALUE is typed from the v8 schema (a wrong type exits 2, nothing sent), PUT as the raw JSON value,
 *   read back and verified (the gateway reloads asynchronously).
 * - unset: DELETE, confirmed like every destructive command, then read back (404).
 * - `quota-exceeded.switch-*` have no v8 name: they stay on their v0 setting routes.
 * The first v8 write migrates a legacy file on the gateway: warned first.
 */
import {UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {NO_V8_NAME} from '../gateway/config-keymap.js'
import {deleteConfigTree, getConfigTree, putConfigTree, v8MigrationNotice} from '../gateway/config-tree.js'
import {deepEqual} from './path.js'
import {type ConfigGetResult, type ConfigSetResult, type ConfigUnsetOptions, type ConfigUnsetResult, notVerified} from './setting-result.js'
import {defaultAt} from './v8-schema.js'
import {parseV8Setting, resolveV8Path, type V8Path} from './v8-value.js'
import {confirmOrFail} from '../cli/confirm.js'
import {maskConfigData} from './mask.js'
import {pollUntil, type PollOptions} from '../gateway/poll.js'
import {addWarning, type Warning} from '../cli/warnings.js'

/** The setting has no v8 name and is served by its v0 route (setting.ts handles it). */
export function hasNoV8Name(path: V8Path): boolean {
  return NO_V8_NAME.includes(path.dotted)
}

const masker = (path: V8Path, reveal?: boolean) => (v: unknown) => (reveal || v === undefined ? v : maskConfigData(v, path.parts))

/** What the user asked for as it was resolved (legacy name, inversion) and anything else worth saying. */
function describe(path: V8Path): {input: string; legacy: string | null; notes: string[]} {
  const notes = [...path.notes]
  if (path.legacy !== null) notes.push(`${path.legacy} is ${path.dotted} on a v8 gateway`)
  return {input: path.input, legacy: path.legacy, notes}
}

export async function getConfigValueV8(client: GatewayClient, path: V8Path, options: {reveal?: boolean} = {}): Promise<ConfigGetResult> {
  const show = masker(path, options.reveal)
  const info = describe(path)
  const r = await getConfigTree(client, path.parts)
  const flip = (v: unknown) => (path.inverted && typeof v === 'boolean' ? !v : v)
  if (r.found) return {key: path.dotted, ...info, found: true, value: show(flip(r.value)), source: 'config-tree', masked: !options.reveal}
  const fallback = defaultAt(path.parts)
  return {
    key: path.dotted,
    ...info,
    found: false,
    value: fallback === undefined ? null : show(flip(fallback)),
    source: fallback === undefined ? null : 'default',
    masked: !options.reveal,
  }
}

export interface ConfigSetOptionsV8 {
  dryRun?: boolean
  reveal?: boolean
  poll?: PollOptions
}

export async function setConfigValueV8(client: GatewayClient, pathText: string, valueText: string, options: ConfigSetOptionsV8 = {}): Promise<ConfigSetResult> {
  // typed and checked before any request: a wrong type exits 2 with nothing sent
  const {path, value, notes} = await parseV8Setting(pathText, valueText)
  const show = masker(path, options.reveal)
  const warnings: Warning[] = []
  for (const n of notes) addWarning(warnings, 'v8_path_caveat', n)
  if (path.legacy !== null) addWarning(warnings, 'legacy_key_name', `${path.legacy} is ${path.dotted} on a v8 gateway`)
  const before = await getConfigTree(client, path.parts)
  const changed = !before.found || !deepEqual(before.value, value)
  const base = {key: path.dotted, input: path.input, legacy: path.legacy, via: 'config-tree' as const, previous: before.found ? show(before.value) : null, value: show(value), changed, warnings}
  if (options.dryRun || !changed) return {...base, dryRun: Boolean(options.dryRun), verified: null}
  const notice = await v8MigrationNotice(client)
  await putConfigTree(client, path.parts, value)
  if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
  const check = await pollUntil(() => getConfigTree(client, path.parts), (r) => r.found && deepEqual(r.value, value), options.poll)
  if (!check.ok) throw notVerified(path.dotted, show(value), check.value.found ? show(check.value.value) : undefined)
  return {...base, dryRun: false, verified: true}
}

/** Paths whose removal would switch the management API off (an empty secret ⇒ every management call 404s). */
function removesSecret(parts: readonly string[]): boolean {
  const secret = ['management', 'secret-key']
  return parts.length <= secret.length && parts.every((p, i) => p === secret[i])
}

export async function unsetConfigValueV8(client: GatewayClient, pathText: string, options: ConfigUnsetOptions = {}): Promise<ConfigUnsetResult> {
  const path = resolveV8Path(pathText)
  if (path.hit.meta.readOnly) throw new UsageError(`${path.dotted} is read-only (owned by Home); the gateway answers 400 read_only_field`, {code: 'read_only_field'})
  if (removesSecret(path.parts)) {
    throw new UsageError(`refusing to remove ${path.dotted}: without management.secret-key the management API switches off (every /v0 and /v8 management call answers 404)`, {
      code: 'would_disable_management',
      hint: 'change the key in the gateway config file instead',
    })
  }
  if (hasNoV8Name(path)) {
    throw new UsageError(`${path.dotted} has no v8 name and no delete route; set it instead (cpactl config set ${path.dotted} false)`, {code: 'unsupported_key'})
  }
  const show = masker(path, options.reveal)
  const warnings: Warning[] = []
  for (const n of path.notes) addWarning(warnings, 'v8_path_caveat', n)
  if (path.legacy !== null) addWarning(warnings, 'legacy_key_name', `${path.legacy} is ${path.dotted} on a v8 gateway`)
  const before = await getConfigTree(client, path.parts)
  const fallback = defaultAt(path.parts)
  const base = {key: path.dotted, input: path.input, legacy: path.legacy, via: 'config-tree' as const, previous: before.found ? show(before.value) : null, default: fallback === undefined ? null : show(fallback), changed: before.found, warnings}
  if (!before.found || options.dryRun) return {...base, dryRun: Boolean(options.dryRun), verified: null}
  await confirmOrFail({
    yes: Boolean(options.yes),
    action: `remove ${path.dotted} from the gateway config${fallback === undefined ? '' : ` (the default ${JSON.stringify(show(fallback))} applies again)`}`,
    note: 'preview first with --dry-run',
    interactive: options.interactive,
  })
  const notice = await v8MigrationNotice(client)
  await deleteConfigTree(client, path.parts)
  if (notice) addWarning(warnings, 'config_migrated_to_v8', notice)
  const check = await pollUntil(() => getConfigTree(client, path.parts), (r) => !r.found, options.poll)
  if (!check.ok) throw notVerified(path.dotted, null, show(check.value.value))
  return {...base, dryRun: false, verified: true}
}
