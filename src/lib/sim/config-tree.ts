import YAML, {type Document, isMap, type Node, YAMLMap} from 'yaml'

import type {ConfigKeyFamily} from './account-types.js'
import {configAuthIndex, stableAuthIndex} from './auth-index.js'
import type {ConfigState} from './config-state.js'
import {KEY_FAMILIES} from './config-v8-keys.js'
import {migrateDocument} from './config-v8-migrate.js'
import {getPath, isObj, type V8Revision} from './config-v8-paths.js'
import {readOnlyViolation, strictValidate, typedParse} from './config-v8-validate.js'
import type {SimRequest, SimResponse, SimRoute} from './types.js'

/**
 * The v8 config tree routes of the simulated gateway, working on the persisted file, not the runtime config:
 * `GET|PUT|PATCH /config`, `GET|PUT|PATCH|DELETE /config/*path`, `DELETE /config` (refused),
 * `GET|PUT /config.yaml`. One lock-free pass per request in the gateway's order:
 *
 *   1. normalise the file in memory to v8 layout (a GET shows a migrated view; GET never writes);
 *   2. GET: JSON (TURN secrets removed; `Cache-Control: no-store`) or YAML; a missing node ⇒ 404 `not_found`;
 *   3. DELETE: root ⇒ 400 `cannot_delete_config`; missing ⇒ 404; removes the key and prunes the ancestors it
 *      emptied;
 *   4. PUT/PATCH: a non-JSON body on a JSON route ⇒ 400 `invalid_json`, an unparsable YAML body ⇒ 400
 *      `invalid_body`; a root target must be an object (`config_must_be_object`); path segments are mapping
 *      keys only (`invalid_path`); missing intermediate mappings are created; PATCH deep-merges objects and
 *      stores `null`;
 *   5. root writes of later builds keep the provider groups and fold a client-key list into access.api-keys;
 *      JSON writes keep TURN secrets left out of an ice-servers entry with the same urls;
 *   6. read-only fields ⇒ 400 `read_only_field`; typed parse ⇒ 422 `invalid_config`; strict v8 ⇒ 400
 *      `invalid_config`; any rejection leaves the file byte for byte as it was;
 *   7. persist (migrated, comments kept) ⇒ 200 `{"status":"ok","config-version":8}`.
 * Server errors (500 `read_failed`, `decode_failed`, `write_failed`) come from fault injection (faults.ts).
 */

export interface ConfigTreeOptions {
  revision: V8Revision
  /** Typed check of the legacy names a mixed file may still carry (the v0 schema). */
  legacyTypes: (legacy: Record<string, unknown>) => string | undefined
  /** Injected server errors (faults.ts `configTree`): the error code when this request fails at `stage`. */
  fault?: (stage: 'read' | 'decode' | 'write') => string | undefined
}

const fail = (status: number, error: string, extra: Record<string, unknown> = {}): SimResponse => ({status, body: {error, ...extra}})
const ICE_PATH = ['oauth', 'providers', 'codex', 'live-media-relay', 'ice-servers']

function splitPath(raw: string | undefined): string[] {
  const trimmed = (raw ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? [] : trimmed.split('/')
}

function redactIce(js: unknown): void {
  const servers = getPath(js, ICE_PATH)
  if (!Array.isArray(servers)) return
  for (const s of servers) {
    if (!isObj(s)) continue
    delete s.username
    delete s.credential
  }
}

/** Later builds inject each key's live auth_index into config reads of `api-keys…`; stripped on write. */
function injectAuthIndexes(js: unknown): void {
  const groups = isObj(js) ? js['api-keys'] : undefined
  if (!isObj(groups)) return
  for (const [family, provider] of KEY_FAMILIES) {
    const list = groups[provider]
    if (!Array.isArray(list) || family === 'meta-api-key') continue
    let flat = 0
    for (const g of list) {
      if (!isObj(g) || !Array.isArray(g.keys)) continue
      for (const k of g.keys) {
        if (!isObj(k)) continue
        const apiKey = typeof k['api-key'] === 'string' ? k['api-key'] : ''
        const baseUrl = typeof g['base-url'] === 'string' ? g['base-url'] : ''
        k.auth_index =
          family === 'vertex-api-key'
            ? stableAuthIndex(`id:${family}:${flat}`)
            : configAuthIndex(family as ConfigKeyFamily, baseUrl, provider === 'openai-compatibility' ? apiKey : apiKey)
        flat++
      }
    }
  }
}

function stripAuthIndexes(doc: Document): void {
  const groups = doc.getIn(['api-keys'], true)
  if (!isMap(groups)) return
  for (const pair of groups.items) {
    const list = (pair.value as {items?: unknown[]} | null)?.items ?? []
    for (const g of list) {
      const keys = isMap(g) ? g.get('keys', true) : undefined
      for (const k of (keys as {items?: unknown[]} | undefined)?.items ?? []) {
        if (isMap(k)) {
          k.delete('auth_index')
          k.delete('auth-index')
        }
      }
    }
  }
}

function navigate(js: unknown, parts: string[]): {found: boolean; value: unknown} {
  let cur = js
  for (const p of parts) {
    if (!isObj(cur) || !(p in cur)) return {found: false, value: undefined}
    cur = cur[p]
  }
  return {found: true, value: cur}
}

/** Merge a JSON value into a node (PATCH: objects deep-merge, lists and scalars replace, null is stored). */
function mergeInto(doc: Document, map: YAMLMap, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    const existing = map.has(k) ? map.get(k, true) : undefined
    if (isMap(existing) && isObj(v)) mergeInto(doc, existing, v)
    else map.set(k, doc.createNode(v))
  }
}

function deleteAt(map: YAMLMap, parts: string[]): boolean {
  if (parts.length === 0 || !map.has(parts[0])) return false
  if (parts.length === 1) return map.delete(parts[0])
  const child = map.get(parts[0], true)
  if (!isMap(child) || !deleteAt(child, parts.slice(1))) return false
  if (child.items.length === 0) map.delete(parts[0])
  return true
}

/** preserveV8UpstreamAPIKeys (later builds): a root write without the groups keeps them; a client-key list moves to access. */
function preserveUpstream(doc: Document, before: Record<string, unknown>): void {
  const prev = before['api-keys']
  if (!isObj(prev)) return
  const next = (doc.contents as YAMLMap).get('api-keys', true) as Node | undefined
  if (isMap(next)) return
  const incoming = Array.isArray((next as {toJSON?: () => unknown} | undefined)?.toJSON?.()) ? ((next as {toJSON: () => unknown[]}).toJSON() as unknown[]) : []
  const strings = incoming.filter((k): k is string => typeof k === 'string')
  if (strings.length > 0) {
    const haveNow = doc.getIn(['access', 'api-keys'])
    let have: string[] = Array.isArray((haveNow as {toJSON?: () => unknown})?.toJSON?.()) ? ((haveNow as {toJSON: () => string[]}).toJSON()) : []
    if (have.length === 0) {
      const had = getPath(before, 'access.api-keys')
      have = Array.isArray(had) ? had.filter((k): k is string => typeof k === 'string') : []
    }
    const merged = [...have]
    for (const key of strings.map((k) => k.trim())) if (key !== '' && !merged.includes(key)) merged.push(key)
    doc.setIn(['access', 'api-keys'], doc.createNode(merged))
  }
  doc.setIn(['api-keys'], doc.createNode(prev))
}

/** JSON writes: TURN secrets left out of an ice-servers entry are kept from the old entry with the same urls. */
function preserveTurn(doc: Document, before: Record<string, unknown>): void {
  const prev = getPath(before, ICE_PATH)
  const next = doc.getIn(ICE_PATH, true) as {items?: unknown[]} | undefined
  if (!Array.isArray(prev) || !next?.items) return
  const matched = new Array(prev.length).fill(false)
  for (const server of next.items) {
    if (!isMap(server)) continue
    const urls = JSON.stringify((server.get('urls', true) as {toJSON?: () => unknown} | undefined)?.toJSON?.() ?? null)
    const i = prev.findIndex((old, at) => !matched[at] && isObj(old) && JSON.stringify(old.urls ?? null) === urls && urls !== 'null')
    if (i < 0) continue
    matched[i] = true
    for (const name of ['username', 'credential']) {
      const old = (prev[i] as Record<string, unknown>)[name]
      if (!server.has(name) && old !== undefined) server.set(name, doc.createNode(old))
    }
  }
}

export function configTreeRoutes(state: ConfigState, opts: ConfigTreeOptions): SimRoute[] {
  const normalized = (): {doc: Document} | {error: SimResponse} => {
    const unreadable = opts.fault?.('read')
    if (unreadable) return {error: fail(500, unreadable)}
    const doc = state.document()
    try {
      migrateDocument(doc, opts.revision)
    } catch (error) {
      return {error: fail(500, 'invalid_config', {message: (error as Error).message})}
    }
    return {doc}
  }

  const read = (req: SimRequest, yaml: boolean): SimResponse => {
    const n = normalized()
    if ('error' in n) return n.error
    if (yaml) {
      return {status: 200, headers: {'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store'}, body: n.doc.toString()}
    }
    const js = n.doc.toJS() as unknown
    redactIce(js)
    const parts = splitPath(req.params?.path)
    if (opts.revision === 'later' && parts[0] === 'api-keys') injectAuthIndexes(js)
    const node = navigate(js, parts)
    if (!node.found) return fail(404, 'not_found')
    const undecodable = opts.fault?.('decode')
    if (undecodable) return fail(500, undecodable)
    return {status: 200, headers: {'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8'}, body: Buffer.from(JSON.stringify(node.value ?? null))}
  }

  const write = (req: SimRequest, method: 'PUT' | 'PATCH' | 'DELETE', yaml: boolean): SimResponse => {
    const n = normalized()
    if ('error' in n) return n.error
    let doc = n.doc
    const before = doc.toJS() as Record<string, unknown>
    const parts = yaml ? [] : splitPath(req.params?.path)
    if (method === 'DELETE') {
      if (parts.length === 0) return fail(400, 'cannot_delete_config')
      if (!isMap(doc.contents) || !deleteAt(doc.contents, parts)) return fail(404, 'not_found')
    } else {
      const text = req.body.toString('utf8')
      let value: unknown
      if (yaml) {
        const parsed = YAML.parseDocument(text, {uniqueKeys: true})
        if (parsed.errors.length > 0 || parsed.contents === null) return fail(400, 'invalid_body')
        if (!isMap(parsed.contents)) return fail(400, 'config_must_be_object')
        // a YAML document replaces the whole file, its own comments included
        parsed.comment = parsed.comment ?? null
        doc = parsed as Document
      } else {
        try {
          value = JSON.parse(text)
        } catch {
          return fail(400, 'invalid_json')
        }
        if (parts.length === 0 && !isObj(value)) return fail(400, 'config_must_be_object')
        if (!isMap(doc.contents)) doc.contents = doc.createNode({}) as YAMLMap
        let parent = doc.contents as YAMLMap
        for (const [i, part] of parts.entries()) {
          if (part === '' || !isMap(parent)) return fail(400, 'invalid_path')
          if (i === parts.length - 1) break
          if (!parent.has(part)) parent.set(part, new YAMLMap())
          parent = parent.get(part, true) as unknown as YAMLMap
        }
        if (parts.length === 0) {
          if (method === 'PUT') doc.contents = doc.createNode(value) as YAMLMap
          else mergeInto(doc, doc.contents as YAMLMap, value as Record<string, unknown>)
        } else {
          const last = parts[parts.length - 1]
          const existing = parent.has(last) ? parent.get(last, true) : undefined
          if (method === 'PATCH' && isMap(existing) && isObj(value)) mergeInto(doc, existing, value)
          else parent.set(last, doc.createNode(value))
        }
      }
    }
    if (!isMap(doc.contents)) return fail(400, 'config_must_be_object')
    if (parts.length === 0 && method !== 'DELETE' && opts.revision === 'later') preserveUpstream(doc, before)
    if (!yaml && method !== 'DELETE') preserveTurn(doc, before)
    stripAuthIndexes(doc)
    const after = doc.toJS() as Record<string, unknown>
    const field = readOnlyViolation(before, after)
    if (field) return fail(400, 'read_only_field', {field})
    const typed = typedParse(after, opts.revision, opts.legacyTypes)
    if (typed) return fail(422, 'invalid_config', {message: typed})
    const strict = strictValidate(after, opts.revision)
    if (strict) return fail(400, 'invalid_config', {message: strict})
    const unwritable = opts.fault?.('write')
    if (unwritable) return fail(500, unwritable, {message: 'simulated fault: the config file cannot be written'})
    // a YAML body (or a root write) replaces the file: make sure it is marked v8
    if (after['config-version'] !== 8) migrateDocument(doc, opts.revision)
    state.commitDocument(doc)
    return {status: 200, body: {status: 'ok', 'config-version': 8}}
  }

  return [
    {method: 'GET', path: '/config', handler: (req) => read(req, false)},
    {method: 'GET', path: '/config/*path', handler: (req) => read(req, false)},
    {method: 'PUT', path: '/config', handler: (req) => write(req, 'PUT', false)},
    {method: 'PATCH', path: '/config', handler: (req) => write(req, 'PATCH', false)},
    {method: 'PUT', path: '/config/*path', handler: (req) => write(req, 'PUT', false)},
    {method: 'PATCH', path: '/config/*path', handler: (req) => write(req, 'PATCH', false)},
    {method: 'DELETE', path: '/config/*path', handler: (req) => write(req, 'DELETE', false)},
    {method: 'GET', path: '/config.yaml', handler: (req) => read(req, true)},
    {method: 'PUT', path: '/config.yaml', handler: (req) => write(req, 'PUT', true)},
  ]
}

