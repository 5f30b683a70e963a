/**
 * Legacy → v8 migration of a config document, the way a v8 gateway rewrites the
 * file on its first v8 write: every legacy key to its v8 path (KEY_MOVES), one `api-keys.<provider>` group per
 * legacy provider-key entry (`<provider>-<n>`), openai-compatibility `api-key-entries` → `keys`, the inverted
 * `allow-private-remote-ips`, fields outside the v8 tree commented out at the end, `config-version: 8`.
 * Mixed files: a key present under both spellings keeps the v8 value (even false, 0 or empty) and the legacy
 * duplicate is dropped. Works on the `yaml` AST, so comments travel with the keys they belong to.
 */
import {makeWarning, type Warning} from '../cli/warnings.js'
import type {Document, Pair, Scalar, YAMLMap} from 'yaml'

import {isPlainObject} from './path.js'
import {KEY_FAMILIES, KEY_MOVES, OPENAI_COMPAT_KEYS_FIELD} from '../gateway/config-keymap.js'
import {detectLayout, type ConfigLayout} from './layout.js'
import {expandAliases} from './parse.js'
import {SHARED_GROUP_FIELDS, V8_ROOT, V8_ROOT_NAMES, type V8Spec} from './v8-spec.js'

export interface Moved {
  from: string
  to: string
}

export interface MigrationResult {
  /** The layout of the input. */
  layout: ConfigLayout
  /** The migrated document (a copy; the input is not changed). */
  doc: Document
  text: string
  data: Record<string, unknown>
  /** false: the input already was a v8 document; `text` is the input unchanged. */
  changed: boolean
  moved: Moved[]
  /** Dotted paths of fields outside the v8 tree, now comments at the end of the document. */
  commentedOut: string[]
  /** Legacy keys dropped because the v8 key exists too (the v8 value wins, even `false`, `0` or empty). */
  shadowed: Moved[]
  warnings: Warning[]
  /** What stops a gateway from migrating this file (it would answer 500 invalid_config). */
  errors: Array<{path: string; message: string}>
}

type Y = typeof import('yaml')

const keyOf = (y: Y, pair: Pair): string | null => (y.isScalar(pair.key) ? String((pair.key as Scalar).value) : null)

function findPair(y: Y, map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => keyOf(y, p) === key)
}

const toBool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : typeof v === 'string' && /^(true|yes|on|y)$/i.test(v) ? true : typeof v === 'string' && /^(false|no|off|n)$/i.test(v) ? false : null)

/** Migrate a parsed document. Errors are collected, never thrown: a caller decides what they mean. */
export async function migrateDocument(input: Document, originalText?: string): Promise<MigrationResult> {
  const y = await import('yaml')
  const doc = input.clone()
  const result: Omit<MigrationResult, 'text' | 'data' | 'changed' | 'layout' | 'doc'> = {moved: [], commentedOut: [], shadowed: [], warnings: [], errors: []}
  const hadAliases = hasAliases(y, doc)
  await expandAliases(doc)
  if (doc.contents === null || doc.contents === undefined) doc.contents = new y.YAMLMap() as never
  if (!y.isMap(doc.contents)) {
    result.errors.push({path: '(root)', message: 'config must be a mapping'})
    return finish(doc, input, originalText, result, 'legacy', false)
  }
  const root = doc.contents as YAMLMap
  const layout = detectLayout((doc.toJS() ?? {}) as Record<string, unknown>).layout
  splitHeaderComment(y, doc, root)

  /** The map at `parts`, created where missing; null (with an error) when a non-mapping is in the way. */
  const ensureMap = (parts: string[]): YAMLMap | null => {
    let cur = root
    for (let i = 0; i < parts.length; i++) {
      const pair = findPair(y, cur, parts[i])
      if (!pair) {
        const next = new y.YAMLMap()
        cur.items.push(new y.Pair(new y.Scalar(parts[i]), next))
        cur = next
      } else if (y.isMap(pair.value)) cur = pair.value
      else if (pair.value === null || (y.isScalar(pair.value) && pair.value.value === null)) {
        const next = new y.YAMLMap()
        pair.value = next
        cur = next
      } else {
        result.errors.push({path: parts.slice(0, i + 1).join('.'), message: `${parts.slice(0, i + 1).join('.')} must be a mapping`})
        return null
      }
    }
    return cur
  }

  /** Put a legacy pair at a v8 path; a v8 key already there wins (struct mappings merge key by key). */
  const place = (pair: Pair, from: string, to: string[], spec: V8Spec | null): void => {
    const parent = ensureMap(to.slice(0, -1))
    if (!parent) return
    const last = to[to.length - 1]
    const existing = findPair(y, parent, last)
    if (!existing) {
      const key = y.isScalar(pair.key) ? (pair.key as Scalar) : new y.Scalar(last)
      key.value = last
      // a blank line above the key belonged to its old neighbours
      key.spaceBefore = false
      parent.items.push(new y.Pair(key, pair.value))
      result.moved.push({from, to: to.join('.')})
      return
    }
    if (spec?.kind === 'map' && y.isMap(existing.value) && y.isMap(pair.value)) {
      for (const child of pair.value.items) {
        const name = keyOf(y, child)
        if (name !== null) place(child, `${from}.${name}`, [...to, name], spec.fields[name] ?? null)
      }
      return
    }
    result.shadowed.push({from, to: to.join('.')})
    result.warnings.push(makeWarning('shadowed_legacy_key', `legacy ${from} dropped: ${to.join('.')} is set too, and the v8 value wins`))
  }

  /** Remove the pair at a nested legacy path, pruning mappings it leaves empty; returns the pair. */
  const take = (parts: string[]): Pair | null => {
    const chain: YAMLMap[] = [root]
    for (const p of parts.slice(0, -1)) {
      const pair = findPair(y, chain[chain.length - 1], p)
      if (!pair || !y.isMap(pair.value)) return null
      chain.push(pair.value)
    }
    const parent = chain[chain.length - 1]
    const pair = findPair(y, parent, parts[parts.length - 1])
    if (!pair) return null
    parent.items.splice(parent.items.indexOf(pair), 1)
    for (let i = chain.length - 1; i > 0 && chain[i].items.length === 0; i--) {
      const owner = findPair(y, chain[i - 1], parts[i - 1])
      if (owner) chain[i - 1].items.splice(chain[i - 1].items.indexOf(owner), 1)
    }
    return pair
  }

  // 1. nested legacy paths first (the inverted relay flag, antigravity credits inside quota-exceeded)
  for (const move of KEY_MOVES.filter((m) => m.legacy.includes('.'))) {
    const parts = move.legacy.split('.')
    if (!hasPath(y, root, parts)) continue
    const pair = take(parts)
    if (!pair) continue
    if (move.invert) {
      const value = y.isScalar(pair.value) ? toBool(pair.value.value) : null
      if (value === null) {
        result.errors.push({path: move.legacy, message: `${move.legacy} must be true or false`})
        continue
      }
      const scalar = new y.Scalar(!value)
      scalar.comment = (pair.value as Scalar).comment
      pair.value = scalar
    }
    place(pair, move.legacy, move.v8.split('.'), specOf(move.v8.split('.')))
  }

  // 2. the legacy client-key list (a root api-keys that is not a mapping)
  const clientKeys = findPair(y, root, 'api-keys')
  if (clientKeys && !y.isMap(clientKeys.value)) {
    root.items.splice(root.items.indexOf(clientKeys), 1)
    place(clientKeys, 'api-keys', ['access', 'api-keys'], null)
  }

  // 3. root keys in file order: moves, provider-key families, v8 sections stay
  for (const pair of [...root.items]) {
    const name = keyOf(y, pair)
    if (name === null || name === 'api-keys') continue
    const move = KEY_MOVES.find((m) => m.legacy === name)
    const family = KEY_FAMILIES.find((f) => f.legacy === name)
    if (!move && !family) continue
    root.items.splice(root.items.indexOf(pair), 1)
    if (move) place(pair, name, move.v8.split('.'), specOf(move.v8.split('.')))
    else if (family) migrateFamily(y, pair, family, ensureMap, result)
  }

  // 4. fields outside the v8 tree become comments at the end
  const archive: string[] = []
  commentOutUnknown(y, root, V8_ROOT, [], archive, result.commentedOut)

  // 5. config-version: 8 first, then the sections in their usual order
  const version = findPair(y, root, 'config-version')
  if (version && !(y.isScalar(version.value) && version.value.value === 8)) {
    result.errors.push({path: 'config-version', message: 'unsupported config-version (expected 8)'})
  } else if (!version) root.items.unshift(new y.Pair(new y.Scalar('config-version'), new y.Scalar(8)))
  const rank = (p: Pair) => {
    const i = V8_ROOT_NAMES.indexOf(keyOf(y, p) ?? '')
    return i < 0 ? V8_ROOT_NAMES.length : i
  }
  root.items.sort((a, b) => rank(a) - rank(b))
  // a legacy file gets every section new: write its keys in the v8 tree's order (a v8 or mixed file keeps its own)
  if (layout === 'legacy') sortBySpec(y, root, V8_ROOT)
  if (archive.length > 0) doc.comment = [doc.comment, ...archive].filter(Boolean).join('\n')

  const changed = hadAliases || !version || result.moved.length + result.commentedOut.length + result.shadowed.length > 0
  return finish(doc, input, originalText, result, layout, changed)
}

function finish(doc: Document, input: Document, originalText: string | undefined, r: Omit<MigrationResult, 'text' | 'data' | 'changed' | 'layout' | 'doc'>, layout: ConfigLayout, changed: boolean): MigrationResult {
  const out = changed ? doc : input
  const text = !changed && originalText !== undefined ? originalText : out.toString({lineWidth: 0})
  const js = out.toJS({maxAliasCount: 1000}) as unknown
  return {...r, layout, doc: out, text, data: isPlainObject(js) ? js : {}, changed}
}

function hasAliases(y: Y, doc: Document): boolean {
  let found = false
  y.visit(doc, {
    Alias() {
      found = true
      return y.visit.BREAK
    },
    Pair(_, pair) {
      if (y.isScalar(pair.key) && typeof pair.key.value === 'symbol') {
        found = true
        return y.visit.BREAK
      }
    },
  })
  return found
}

function hasPath(y: Y, root: YAMLMap, parts: string[]): boolean {
  let cur: unknown = root
  for (const p of parts) {
    if (!y.isMap(cur)) return false
    const pair = findPair(y, cur, p)
    if (!pair) return false
    cur = pair.value
  }
  return true
}

function specOf(parts: string[]): V8Spec | null {
  let spec: V8Spec = V8_ROOT
  for (const p of parts) {
    if (spec.kind !== 'map' || !spec.fields[p]) return null
    spec = spec.fields[p]
  }
  return spec
}

/** The file's opening comment block (up to the last blank line) belongs to the document, not the first key. */
function splitHeaderComment(y: Y, doc: Document, root: YAMLMap): void {
  const first = root.items[0]
  if (!first || !y.isScalar(first.key) || !first.key.commentBefore || doc.commentBefore) return
  const text = first.key.commentBefore
  const cut = text.lastIndexOf('\n\n')
  if (cut < 0) return
  doc.commentBefore = text.slice(0, cut)
  first.key.commentBefore = text.slice(cut + 2) || undefined
}

/** `codex-api-key: [...]` → `api-keys.codex`: one group per entry; openai-compatibility keeps its entries. */
function migrateFamily(
  y: Y,
  pair: Pair,
  family: {legacy: string; provider: string},
  ensureMap: (parts: string[]) => YAMLMap | null,
  result: Omit<MigrationResult, 'text' | 'data' | 'changed' | 'layout' | 'doc'>,
): void {
  const groupsParent = ensureMap(['api-keys'])
  if (!groupsParent) return
  if (findPair(y, groupsParent, family.provider)) {
    result.shadowed.push({from: family.legacy, to: `api-keys.${family.provider}`})
    result.warnings.push(makeWarning('shadowed_legacy_key', `legacy ${family.legacy} dropped: api-keys.${family.provider} is set too, and the v8 value wins`))
    return
  }
  const entries = pair.value === null || (y.isScalar(pair.value) && pair.value.value === null) ? new y.YAMLSeq() : pair.value
  if (!y.isSeq(entries)) {
    result.errors.push({path: family.legacy, message: `${family.legacy} must be a list`})
    return
  }
  const groups = new y.YAMLSeq()
  entries.items.forEach((entry, i) => {
    const from = `${family.legacy}[${i}]`
    const to = `api-keys.${family.provider}[${i}]`
    if (!y.isMap(entry)) {
      result.warnings.push(makeWarning('not_a_mapping', `${from} is not a mapping; it is kept as written and the gateway will reject it`))
      groups.items.push(entry)
      return
    }
    if (family.provider === 'openai-compatibility') {
      const entriesPair = findPair(y, entry, OPENAI_COMPAT_KEYS_FIELD.legacy)
      if (entriesPair && y.isScalar(entriesPair.key)) entriesPair.key.value = OPENAI_COMPAT_KEYS_FIELD.v8
      else if (!findPair(y, entry, OPENAI_COMPAT_KEYS_FIELD.v8)) entry.items.push(new y.Pair(new y.Scalar(OPENAI_COMPAT_KEYS_FIELD.v8), new y.YAMLSeq()))
      if (!findPair(y, entry, 'name')) result.warnings.push(makeWarning('unnamed_group', `${from} has no name; openai-compatibility groups are named after their provider`))
      groups.items.push(entry)
    } else {
      const group = new y.YAMLMap()
      group.commentBefore = entry.commentBefore
      group.items.push(new y.Pair(new y.Scalar('name'), new y.Scalar(`${family.provider}-${i + 1}`)))
      const key = new y.YAMLMap()
      for (const field of entry.items) {
        const name = keyOf(y, field) ?? ''
        if (name === 'base-url' || SHARED_GROUP_FIELDS.includes(name)) group.items.push(field)
        else key.items.push(field)
      }
      const keys = new y.YAMLSeq()
      keys.items.push(key)
      group.items.push(new y.Pair(new y.Scalar('keys'), keys))
      groups.items.push(group)
    }
    result.moved.push({from, to})
  })
  const key = y.isScalar(pair.key) ? (pair.key as Scalar) : new y.Scalar(family.provider)
  key.value = family.provider
  groupsParent.items.push(new y.Pair(key, groups))
}

/** Order a mapping's keys as the spec lists them (unknown keys last), recursively through struct mappings. */
function sortBySpec(y: Y, map: YAMLMap, spec: V8Spec): void {
  if (spec.kind !== 'map') return
  const names = Object.keys(spec.fields)
  const rank = (p: Pair) => {
    const i = names.indexOf(keyOf(y, p) ?? '')
    return i < 0 ? names.length : i
  }
  map.items.sort((a, b) => rank(a) - rank(b))
  for (const pair of map.items) {
    const child = spec.fields[keyOf(y, pair) ?? '']
    if (child && y.isMap(pair.value) && !(spec === V8_ROOT && keyOf(y, pair) === 'api-keys')) sortBySpec(y, pair.value, child)
  }
}

/** Comment out keys the v8 tree does not have (closed mappings only; api-keys groups are validated instead). */
function commentOutUnknown(y: Y, map: YAMLMap, spec: V8Spec, path: string[], archive: string[], out: string[]): void {
  if (spec.kind !== 'map' || (path.length === 1 && path[0] === 'api-keys')) return
  for (const pair of [...map.items]) {
    const name = keyOf(y, pair)
    if (name === null) continue
    const child = spec.fields[name]
    if (child) {
      if (y.isMap(pair.value)) commentOutUnknown(y, pair.value, child, [...path, name], archive, out)
      continue
    }
    if (spec.open) continue
    map.items.splice(map.items.indexOf(pair), 1)
    const dotted = [...path, name].join('.')
    out.push(dotted)
    const block = new y.Document(new y.YAMLMap())
    ;(block.contents as YAMLMap).items.push(new y.Pair(new y.Scalar(dotted), pair.value))
    archive.push(` unrecognized configuration section "${dotted}" commented out during v8 migration:`)
    for (const line of block.toString({lineWidth: 0}).trimEnd().split('\n')) archive.push(` ${line}`)
  }
}
