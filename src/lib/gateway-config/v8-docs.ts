/**
 * The two documents `config diff` and `config apply` compare on a v8 gateway:
 *
 * - live: `GET /v8/management/config.yaml`, the gateway's file normalised to the v8 layout (a legacy file on
 *   disk shows migrated; TURN secrets included, unlike the JSON reads). `auth_index` entries some later builds
 *   add to key entries are not config and are dropped.
 * - desired: a local file; a legacy or mixed file is migrated in memory exactly as `config migrate` does
 *   (migrate.ts), and `config-version: 8` is set, as the gateway does on every v8 write.
 *
 * `alignForCompare` then removes differences that are not real: a plaintext `management.secret-key` equal to the
 * key cpactl authenticates with (the gateway stores its bcrypt hash), and keys present on one side only with
 * the value the gateway applies when they are absent (the saver of early 8.0.x builds writes default
 * values for absent keys).
 */
import {makeWarning, type Warning} from '../cli/warnings.js'
import {UpstreamError, UsageError} from '../cli/errors.js'
import type {GatewayClient} from '../gateway/client.js'
import {getConfigTreeYaml} from '../gateway/config-tree.js'
import {deepEqual, isPlainObject} from './path.js'
import {loadConfigFile, parseConfigText} from './parse.js'
import {detectLayout, type ConfigLayout} from './layout.js'
import {migrateDocument} from './migrate.js'
import {defaultAt} from './v8-schema.js'

export interface DesiredV8 {
  file: string
  /** The document the gateway should end up with. */
  data: Record<string, unknown>
  /** Its YAML: the file as written when it already is a marked v8 file, else the migrated text (comments kept). */
  text: string
  /** The file's own layout. */
  layout: ConfigLayout
  /** The file was legacy or mixed (or unmarked) and was migrated in memory. */
  migrated: boolean
  /** Dotted paths the migration commented out (sections the v8 layout does not have). */
  commentedOut: string[]
  notes: string[]
}

/** Read FILE (exit 2 when missing or not YAML, with line and column) and bring it into the v8 layout in memory. */
export async function loadDesiredV8(file: string): Promise<DesiredV8> {
  const parsed = await loadConfigFile(file)
  const {layout} = detectLayout(parsed.data)
  const m = await migrateDocument(parsed.doc, parsed.text)
  if (m.errors.length > 0) {
    throw new UsageError(`${file} cannot be read as a v8 config: ${m.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, {
      code: 'invalid_config',
      hint: `nothing was sent; see cpactl config check ${file}`,
      details: {errors: m.errors},
    })
  }
  const notes: string[] = []
  if (layout !== 'v8') {
    notes.push(`${file} is in the ${layout === 'mixed' ? 'mixed legacy/v8' : 'legacy (v7)'} layout: it was migrated to the v8 layout in memory first, as the gateway would migrate it (cpactl config migrate ${file} shows the document)`)
  } else if (m.changed) {
    notes.push(`${file} has no config-version: 8; the gateway sets it on every v8 write (compared with it set)`)
  }
  if (m.commentedOut.length > 0) notes.push(`sections the v8 layout does not have are left out, as the gateway comments them out: ${m.commentedOut.join(', ')}`)
  for (const w of m.warnings) notes.push(w.message)
  return {file, data: m.data, text: m.text, layout, migrated: layout !== 'v8' || m.changed, commentedOut: m.commentedOut, notes}
}

/** Drop the `auth_index` later builds inject into `api-keys.<provider>[].keys[]` entries (stripped again on write). */
function dropAuthIndexes(data: Record<string, unknown>): void {
  const groups = data['api-keys']
  if (!isPlainObject(groups)) return
  for (const list of Object.values(groups)) {
    if (!Array.isArray(list)) continue
    for (const group of list) {
      const keys = isPlainObject(group) ? group.keys : undefined
      if (!Array.isArray(keys)) continue
      for (const key of keys) {
        if (!isPlainObject(key)) continue
        delete key.auth_index
        delete key['auth-index']
      }
    }
  }
}

/** The gateway's config as a v8 document (GET /v8/management/config.yaml). */
export async function readLiveV8(client: GatewayClient): Promise<Record<string, unknown>> {
  const parsed = await parseConfigText(await getConfigTreeYaml(client), 'live')
  if (parsed.data === null) {
    const e = parsed.syntaxErrors[0]
    throw new UpstreamError(`the gateway's v8 config view is not a YAML mapping${e ? `: ${e.message}` : ''}`, {code: 'bad_response'})
  }
  dropAuthIndexes(parsed.data)
  return parsed.data
}

const HASHED = /^\$2[aby]\$/

function secretOf(data: Record<string, unknown>): unknown {
  const m = data.management
  return isPlainObject(m) ? m['secret-key'] : undefined
}

/**
 * Make `live` and `desired` comparable (both are changed in place; pass copies): see the file comment. Returns
 * what a reader needs: notes (what was treated as equal) and warnings (a secret-key that a write would change).
 */
export async function alignForCompare(
  client: GatewayClient,
  live: Record<string, unknown>,
  desired: Record<string, unknown>,
): Promise<{notes: string[]; warnings: Warning[]; defaultsOnly: string[]; secretChanges: boolean}> {
  const notes: string[] = []
  const warnings: Warning[] = []
  let secretChanges = false
  const wanted = secretOf(desired)
  const stored = secretOf(live)
  if (typeof wanted === 'string' && wanted.trim() !== '' && !HASHED.test(wanted) && typeof stored === 'string' && HASHED.test(stored)) {
    // the gateway keeps only the bcrypt hash; the one plaintext cpactl can vouch for is the key it authenticates with
    if (wanted.trim() === (await client.key()).key.trim()) {
      ;(desired.management as Record<string, unknown>)['secret-key'] = stored
      notes.push('management.secret-key: the file has the plaintext of the key cpactl authenticates with; the gateway stores its bcrypt hash (treated as equal)')
    } else {
      secretChanges = true
      warnings.push(
        makeWarning('secret_key_change', 'management.secret-key: the file has a plaintext key other than the one cpactl authenticates with; applying it changes the management key (commit the bcrypt hash to avoid this)'),
      )
    }
  } else if (wanted !== undefined && !deepEqual(wanted, stored)) secretChanges = true
  const defaultsOnly: string[] = []
  dropDefaultOnly(live, desired, [], defaultsOnly)
  if (defaultsOnly.length > 0) {
    const shown = defaultsOnly.length > 6 ? `${defaultsOnly.slice(0, 6).join(', ')} and ${defaultsOnly.length - 6} more` : defaultsOnly.join(', ')
    notes.push(`${defaultsOnly.length} key${defaultsOnly.length === 1 ? '' : 's'} set on one side only, at the value the gateway applies when absent, are not differences: ${shown}`)
  }
  return {notes, warnings, defaultsOnly, secretChanges}
}

/** A value that says nothing the gateway would not apply anyway: the schema default, or a mapping of such values. */
function onlyDefaults(value: unknown, path: string[]): boolean {
  if (isPlainObject(value)) return Object.entries(value).every(([k, v]) => onlyDefaults(v, [...path, k]))
  const d = defaultAt(path)
  return d !== undefined && deepEqual(value, d)
}

/** Keys of one side only whose value is the schema default: removed from that side (recorded in `out`). */
function dropDefaultOnly(a: Record<string, unknown>, b: Record<string, unknown>, path: string[], out: string[]): void {
  for (const [one, other] of [
    [a, b],
    [b, a],
  ] as const) {
    for (const k of Object.keys(one)) {
      if (Object.hasOwn(other, k)) continue
      if (onlyDefaults(one[k], [...path, k])) {
        delete one[k]
        out.push([...path, k].join('.'))
      }
    }
  }
  for (const k of Object.keys(a)) {
    const x = a[k]
    const y = b[k]
    if (isPlainObject(x) && isPlainObject(y)) dropDefaultOnly(x, y, [...path, k], out)
  }
}
