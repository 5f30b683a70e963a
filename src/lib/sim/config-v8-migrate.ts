/** Migration of a YAML config document to the v8 layout, in place (comments move with their keys). */
import YAML, {type Document, isMap, isNode, isPair, isScalar, isSeq, type Pair, type Scalar, YAMLMap} from 'yaml'

import {KEY_FAMILIES, LEGACY_TO_V8} from './config-v8-keys.js'
import type {V8Revision} from './config-v8-paths.js'
import {schema, type Spec} from './config-v8-schema.js'
import {groupLegacyKeys} from './config-v8.js'

/** A pair's key as text (keys set through the API are plain strings, parsed ones are Scalars). */
export function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String((pair.key as Scalar).value) : String(pair.key)
}

export function renameKey(pair: Pair, name: string): void {
  if (isScalar(pair.key)) {
    ;(pair.key as Scalar).value = name
    // the blank line before a moved key would be indented into its new section
    ;(pair.key as Scalar).spaceBefore = false
  } else pair.key = name
}

export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((p) => isPair(p) && keyName(p as Pair) === key) as Pair | undefined
}

export function mapAt(doc: Document, parts: string[], create: boolean): YAMLMap | undefined {
  if (!isMap(doc.contents)) return undefined
  let cur: YAMLMap = doc.contents
  for (const part of parts) {
    let pair = pairOf(cur, part)
    if (!pair) {
      if (!create) return undefined
      pair = doc.createPair(part, new YAMLMap())
      cur.items.push(pair)
    }
    if (!isMap(pair.value)) {
      if (!create) return undefined
      pair.value = new YAMLMap()
    }
    cur = pair.value as YAMLMap
  }
  return cur
}

/** Remove the pair at `parts` and prune the ancestors it left empty; returns the removed pair. */
export function takePair(doc: Document, parts: string[]): Pair | undefined {
  const parent = mapAt(doc, parts.slice(0, -1), false)
  if (!parent) return undefined
  const pair = pairOf(parent, parts[parts.length - 1])
  if (!pair) return undefined
  parent.items = parent.items.filter((p) => p !== pair)
  for (let depth = parts.length - 1; depth > 0; depth--) {
    const m = mapAt(doc, parts.slice(0, depth), false)
    if (!m || m.items.length > 0) break
    const up = mapAt(doc, parts.slice(0, depth - 1), false)
    const emptied = up && pairOf(up, parts[depth - 1])
    if (!up || !emptied) break
    // the emptied section's own comments travel with the moved key
    const k = emptied.key as Scalar | undefined
    const moved = pair.key as Scalar | undefined
    if (k?.commentBefore && moved) moved.commentBefore = [k.commentBefore, moved.commentBefore].filter(Boolean).join('\n')
    up.items = up.items.filter((p) => p !== emptied)
  }
  return pair
}

/** Move the node at legacy `from` to `to` (v8 wins by presence: an existing destination drops the legacy copy). */
export function movePath(doc: Document, from: string[], to: string[]): void {
  const srcParent = mapAt(doc, from.slice(0, -1), false)
  const srcPair = srcParent && pairOf(srcParent, from[from.length - 1])
  if (!srcPair) return
  const dstParent = mapAt(doc, to.slice(0, -1), false)
  const dstPair = dstParent && pairOf(dstParent, to[to.length - 1])
  if (dstPair) {
    if (isMap(srcPair.value) && isMap(dstPair.value)) {
      for (const child of [...(srcPair.value as YAMLMap).items]) {
        const key = keyName(child as Pair)
        movePath(doc, [...from, key], [...to, key])
      }
    }
    takePair(doc, from)
    return
  }
  const pair = takePair(doc, from)
  if (!pair) return
  const target = mapAt(doc, to.slice(0, -1), true)!
  renameKey(pair, to[to.length - 1])
  target.items.push(pair)
}

/** The JS value of a pair value: a parsed Node, or a raw JS value stored through the API (`map.set`). */
export function jsOf(value: unknown): unknown {
  return isNode(value) ? (value as {toJSON: () => unknown}).toJSON() : structuredClone(value ?? null)
}

export function yamlOf(key: string, value: unknown): string {
  return YAML.stringify({[key]: value}).trimEnd()
}

/**
 * Migrate a document to the v8 layout in place, as a successful v8 write does: legacy keys move (with their
 * comments), legacy provider lists become groups, unknown sections and unknown fields of known sections are
 * commented out at the end of the file, `config-version: 8` is set. Returns the commented-out sections.
 */
export function migrateDocument(doc: Document, revision: V8Revision): string[] {
  if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as YAMLMap
  const root = doc.contents as YAMLMap
  // the file's header comment stays at the top (the parser attaches it to the first key when no blank line follows)
  const first = root.items[0] as Pair | undefined
  if (first && isScalar(first.key) && (first.key as Scalar).commentBefore && !doc.commentBefore) {
    doc.commentBefore = (first.key as Scalar).commentBefore ?? null
    ;(first.key as Scalar).commentBefore = undefined
  }
  // the deprecated allow flag is the inverse of disable-private-remote-ips
  const relay = mapAt(doc, ['codex', 'live-media-relay'], false)
  const allow = relay && pairOf(relay, 'allow-private-remote-ips')
  if (relay && allow) {
    if (!pairOf(relay, 'disable-private-remote-ips') && isScalar(allow.value)) {
      renameKey(allow, 'disable-private-remote-ips')
      ;(allow.value as Scalar).value = !(allow.value as Scalar).value
    } else relay.items = relay.items.filter((p) => p !== allow)
  }
  // client keys first: the root `api-keys` name is reused for the provider groups
  const clientKeys = pairOf(root, 'api-keys')
  if (clientKeys && isSeq(clientKeys.value)) movePath(doc, ['api-keys'], ['access', 'api-keys'])
  for (const [legacy, v8] of LEGACY_TO_V8) {
    if (legacy === 'api-keys') continue
    movePath(doc, legacy.split('.'), v8.split('.'))
  }
  for (const [family, provider] of KEY_FAMILIES) {
    const pair = pairOf(root, family)
    if (!pair) continue
    const existing = mapAt(doc, ['api-keys'], false)
    if (!existing || !pairOf(existing, provider)) {
      const entries = jsOf(pair.value)
      mapAt(doc, ['api-keys'], true)!.items.push(doc.createPair(provider, groupLegacyKeys(Array.isArray(entries) ? entries : [], provider)))
    }
    root.items = root.items.filter((p) => p !== pair)
  }
  // unknown sections and unknown fields of known sections: archived as comments at the end, as the gateway does
  const archived: string[] = []
  const notes: string[] = []
  const walk = (map: YAMLMap, spec: {[k: string]: Spec}, path: string[]) => {
    for (const item of [...map.items]) {
      const pair = item as Pair
      const key = keyName(pair)
      const childSpec = spec[key]
      if (childSpec === undefined) {
        const section = [...path, key].join('.')
        archived.push(section)
        // the library prefixes each line of a document comment with '#'
        notes.push(` ${yamlOf(section, jsOf(pair.value)).replaceAll('\n', '\n ')}`)
        map.items = map.items.filter((p) => p !== pair)
        continue
      }
      if (typeof childSpec === 'object' && isMap(pair.value)) walk(pair.value as YAMLMap, childSpec, [...path, key])
    }
  }
  const s = schema(revision)
  walk(root, {...s, 'api-keys': 'any'}, [])
  if (notes.length > 0) doc.comment = [doc.comment, ...notes].filter(Boolean).join('\n')
  const version = pairOf(root, 'config-version')
  if (version) version.value = doc.createNode(8)
  else root.items.unshift(doc.createPair('config-version', 8))
  return archived
}

