/**
 * `cpactl config diff FILE`: the desired config against the live one. Equality is structural (comments,
 * quoting and map key order do not count; list order does), so a CI drift check fails only on real changes.
 * The unified diff is rendered from both sides re-serialised in the desired file's key order, secrets masked
 * (mask.ts) unless `reveal`. Used by `config apply` for its preview as well.
 *
 * On a v8 gateway both sides are v8 documents (v8-docs.ts): the gateway's normalised v8 view, and FILE —
 * migrated in memory first when it is a legacy or mixed file, which the result says. Paths are v8 dotted paths.
 * On a v7 gateway a v8 FILE is refused (exit 2): v7 does not read the v8 layout.
 */
import {UsageError} from '../cli/errors.js'
import {writeErr} from '../cli/output.js'
import type {GatewayClient} from '../gateway/client.js'
import {deepEqual, formatPath, isPlainObject, type PathPart} from './path.js'
import {loadConfigFile, parseConfigText, type ParsedConfig} from './parse.js'
import {detectLayout, type ConfigLayout} from './layout.js'
import {alignForCompare, type DesiredV8, loadDesiredV8, readLiveV8} from './v8-docs.js'
import {maskConfigData, maskSecret, secretKind} from './mask.js'
import {addWarning, reportWarning, type Warning} from '../cli/warnings.js'

export interface ConfigChange {
  path: string
  /** added: only in the desired file; removed: only live; changed: both, different values. */
  kind: 'added' | 'removed' | 'changed'
  /** Masked unless reveal; undefined when absent on that side. */
  live?: unknown
  desired?: unknown
}

export interface ConfigDiffResult {
  file: string
  equal: boolean
  changes: ConfigChange[]
  /** Unified diff (live → desired); '' when equal. */
  unified: string
  masked: boolean
  /** What was treated as equal or left out, for a reader (also on stderr). */
  notes: string[]
  /** What a reader must act on (e.g. a plaintext secret-key never equals the stored hash). */
  warnings: Warning[]
  /** The management API the comparison was made on (v8: both sides v8 documents). */
  api?: 'v8' | 'v0'
  /** FILE's own layout. */
  layout?: ConfigLayout
  /** v8: FILE was migrated to the v8 layout in memory before comparing. */
  migrated?: boolean
}

function collectChanges(live: unknown, desired: unknown, path: PathPart[], out: Array<{parts: PathPart[]; kind: ConfigChange['kind']; live?: unknown; desired?: unknown}>): void {
  if (deepEqual(live, desired)) return
  if (isPlainObject(live) && isPlainObject(desired)) {
    for (const k of Object.keys(desired)) {
      if (!Object.hasOwn(live, k)) out.push({parts: [...path, k], kind: 'added', desired: desired[k]})
      else collectChanges(live[k], desired[k], [...path, k], out)
    }
    for (const k of Object.keys(live)) if (!Object.hasOwn(desired, k)) out.push({parts: [...path, k], kind: 'removed', live: live[k]})
    return
  }
  if (Array.isArray(live) && Array.isArray(desired) && live.length === desired.length) {
    live.forEach((v, i) => collectChanges(v, desired[i], [...path, i], out))
    return
  }
  out.push({parts: path, kind: 'changed', live, desired})
}

/** `live` re-ordered to follow `desired`'s key order (keys only in `live` keep their order, at the end). */
function alignOrder(live: unknown, desired: unknown): unknown {
  if (isPlainObject(live) && isPlainObject(desired)) {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(desired)) if (Object.hasOwn(live, k)) out[k] = alignOrder(live[k], desired[k])
    for (const k of Object.keys(live)) if (!Object.hasOwn(out, k)) out[k] = live[k]
    return out
  }
  if (Array.isArray(live) && Array.isArray(desired)) return live.map((v, i) => alignOrder(v, desired[i]))
  return live
}

function setAt(data: unknown, parts: PathPart[], value: unknown): void {
  let cur = data as Record<string | number, unknown>
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>
  cur[parts[parts.length - 1]] = value
}

/** Structural diff of two decoded configs, with the unified text. */
export async function diffConfigData(
  live: Record<string, unknown>,
  desired: Record<string, unknown>,
  options: {file: string; reveal?: boolean; liveLabel?: string},
): Promise<ConfigDiffResult> {
  const YAML = await import('yaml')
  const raw: Array<{parts: PathPart[]; kind: ConfigChange['kind']; live?: unknown; desired?: unknown}> = []
  collectChanges(live, desired, [], raw)
  const reveal = Boolean(options.reveal)
  const view = (parts: PathPart[], v: unknown) => (reveal || v === undefined ? v : maskConfigData(v, parts))
  const changes: ConfigChange[] = raw.map((c) => ({
    path: formatPath(c.parts),
    kind: c.kind,
    ...(c.kind !== 'added' ? {live: view(c.parts, c.live)} : {}),
    ...(c.kind !== 'removed' ? {desired: view(c.parts, c.desired)} : {}),
  }))
  const liveView = (reveal ? alignOrder(live, desired) : maskConfigData(alignOrder(live, desired))) as Record<string, unknown>
  const desiredView = (reveal ? structuredClone(desired) : maskConfigData(desired)) as Record<string, unknown>
  if (!reveal) {
    // two different secrets can mask alike (same last 4): make the difference visible in the text
    for (const c of raw) {
      if (c.kind === 'changed' && typeof c.live === 'string' && typeof c.desired === 'string' && secretKind(c.parts) !== null) {
        if (maskSecret(c.live) === maskSecret(c.desired)) setAt(desiredView, c.parts, `${maskConfigData(c.desired, c.parts) as string} (differs)`)
      }
    }
  }
  const notes: string[] = []
  const warnings: Warning[] = []
  const dSecret = (desired['remote-management'] as Record<string, unknown> | undefined)?.['secret-key']
  const lSecret = (live['remote-management'] as Record<string, unknown> | undefined)?.['secret-key']
  if (typeof dSecret === 'string' && dSecret.trim() !== '' && !/^\$2[aby]\$/.test(dSecret) && typeof lSecret === 'string' && /^\$2[aby]\$/.test(lSecret)) {
    addWarning(warnings, 'plaintext_secret_key', 'remote-management.secret-key is plaintext in the file but a bcrypt hash on the gateway: it always shows as a difference; commit the hash instead')
  }
  const equal = raw.length === 0
  let unified = ''
  if (!equal) {
    const {createTwoFilesPatch} = await import('diff')
    const stringify = (v: unknown) => (Object.keys(v as object).length === 0 ? '' : YAML.stringify(v, {lineWidth: 0}))
    unified = createTwoFilesPatch(options.liveLabel ?? 'live', options.file, stringify(liveView), stringify(desiredView), undefined, undefined, {context: 3})
    // drop the "Index:" / "===" preamble: start at the --- line
    unified = unified.slice(unified.indexOf('--- '))
  }
  return {file: options.file, equal, changes, unified, masked: !reveal, notes, warnings}
}

/** `config diff FILE`: read and parse FILE (usage error when it is not YAML), fetch the live config, compare. */
export async function diffConfigFile(client: GatewayClient, file: string, options: {reveal?: boolean} = {}): Promise<ConfigDiffResult> {
  if ((await client.managementApi()).api === 'v8') return (await compareWithLiveV8(client, file, options)).diff
  const desired = await loadLegacyFile(client, file)
  const {getConfigYaml} = await import('../gateway/config.js')
  const live = await parseConfigText(await getConfigYaml(client), 'live')
  return {...(await diffConfigData(live.data ?? {}, desired.data, {file, reveal: options.reveal, liveLabel: 'live'})), api: 'v0', layout: 'legacy', migrated: false}
}

/** FILE for a v7 gateway: it must be in the legacy layout (v7 ignores v8 sections, so a v8 file would not apply). */
export async function loadLegacyFile(client: GatewayClient, file: string): Promise<ParsedConfig & {data: Record<string, unknown>}> {
  const desired = await loadConfigFile(file)
  const {layout} = detectLayout(desired.data)
  if (layout !== 'legacy') {
    const version = client.detectedApi?.version ?? client.version?.version ?? 'unknown'
    throw new UsageError(`${file} is in the ${layout === 'mixed' ? 'mixed legacy/v8' : 'v8'} layout, but the gateway is v7 (version ${version}), which reads only the legacy layout`, {
      code: 'layout_mismatch',
      hint: 'keep a legacy file for v7 gateways (a v8 gateway migrates it itself), or upgrade the gateway to 8.0.x',
    })
  }
  return desired
}

export interface V8Comparison {
  desired: DesiredV8
  /** The gateway's v8 view as read (auth_index entries dropped). */
  live: Record<string, unknown>
  /** Both sides after alignForCompare (what the diff and a plan compare). */
  aligned: {live: Record<string, unknown>; desired: Record<string, unknown>; secretChanges: boolean}
  diff: ConfigDiffResult
}

/** The v8 comparison of FILE with the gateway's config (diff, and the basis of apply's plan). */
export async function compareWithLiveV8(client: GatewayClient, file: string, options: {reveal?: boolean} = {}): Promise<V8Comparison> {
  const desired = await loadDesiredV8(file)
  const live = await readLiveV8(client)
  const l = structuredClone(live)
  const d = structuredClone(desired.data)
  const {notes, warnings, secretChanges} = await alignForCompare(client, l, d)
  const label = desired.migrated && desired.layout !== 'v8' ? `${file} (migrated to v8)` : file
  const shown: string[] = []
  // printed now (stderr, every mode), as diffConfigData does with its own notes
  for (const n of [...desired.notes, ...notes]) {
    shown.push(n)
    writeErr(`note: ${n}`)
  }
  const warned = warnings.map(reportWarning)
  const diff = await diffConfigData(l, d, {file: label, reveal: options.reveal, liveLabel: 'live'})
  return {
    desired,
    live,
    aligned: {live: l, desired: d, secretChanges},
    diff: {...diff, file, notes: [...shown, ...diff.notes], warnings: [...warned, ...diff.warnings], api: 'v8', layout: desired.layout, migrated: desired.migrated},
  }
}
