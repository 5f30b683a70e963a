import YAML, {type Document, isMap, isScalar, isSeq} from 'yaml'

import {hashSecret, isHashedSecret} from './auth.js'
import {groupLegacyKeys, isV8Marked, legacyView, providerOfFamily, v8PathOf} from './config-v8.js'
import {coerceTyped, deepMerge, DEFAULTS, HIDDEN_FROM_JSON, isPlainObject, loadConfigProblem, validateConfig} from './config-schema.js'

/**
 * Config state of the simulated gateway: the config.yaml text is the source of truth (held as a `yaml`
 * Document so comments survive edits, as the gateway preserves them when it writes config.yaml back). The routes
 * that read and write it are in routes/config.ts.
 */

export type ReplaceResult = {ok: true} | {ok: false; status: 400 | 422; error: string; message: string}

export class ConfigState {
  private doc: Document
  private cache: Record<string, unknown> | undefined
  private fullCache: Record<string, unknown> | undefined
  private readonly listeners: Array<() => void> = []
  private writeCount = 0

  /** `v8`: the gateway is a v8 one (its loader reads the v8 layout and mixed files); v7 reads legacy only. */
  private readonly v8: boolean

  constructor(text: string, opts: {v8?: boolean} = {}) {
    this.v8 = Boolean(opts.v8)
    const doc = YAML.parseDocument(text, {uniqueKeys: true})
    if (doc.errors.length > 0) throw new Error(`invalid initial config: ${doc.errors[0].message}`)
    this.doc = doc
    this.hashPlaintextSecret()
  }

  /** Called after every change (simple setting, setConfigValue, PUT /config.yaml). */
  onChange(listener: () => void): void {
    this.listeners.push(listener)
  }

  /** How many times the config changed (a handler that saved config moved it). */
  writes(): number {
    return this.writeCount
  }

  private changed(): void {
    this.writeCount++
    this.cache = undefined
    this.fullCache = undefined
    for (const l of this.listeners) l()
  }

  /** The config.yaml bytes, as GET /config.yaml returns them. */
  text(): string {
    return this.doc.toString()
  }

  /**
   * The effective config in legacy names (typed keys coerced), without defaults: for a v8-layout or mixed file
   * the v8 values win and provider groups are expanded (config-v8.ts legacyView). What the runtime runs on.
   */
  raw(): Record<string, unknown> {
    if (!this.cache) {
      const js = this.doc.toJS() as unknown
      this.cache = isPlainObject(js) ? coerceTyped(this.v8 ? legacyView(js) : js) : {}
    }
    return this.cache
  }

  /** The file as decoded, in its own layout (no defaults, no legacy view). */
  fileJs(): Record<string, unknown> {
    const js = this.doc.toJS() as unknown
    return isPlainObject(js) ? js : {}
  }

  /** The file is in v8 layout (root `config-version: 8`; reading never migrates). */
  isV8Layout(): boolean {
    return this.v8 && isV8Marked(this.doc.toJS())
  }

  /** A copy of the file as a YAML document (comments included), e.g. to migrate in memory. */
  document(): Document {
    // re-parsed from the text: values set through the API become nodes, nothing is shared with the live file
    return YAML.parseDocument(this.doc.toString(), {uniqueKeys: true}) as Document
  }

  /** Replace the file with a v8 document that passed validation (a v8 write: legacy spellings gone, `config-version: 8`). */
  commitDocument(doc: Document): void {
    this.doc = doc
    this.hashPlaintextSecret()
    this.changed()
  }

  /** Defaults + YAML, including host/port/auth-dir/remote-management (SimContext.config()). A fresh copy. */
  full(): Record<string, unknown> {
    return structuredClone(this.merged())
  }

  /** Cached merged view for internal reads (never handed out: callers could mutate it). */
  private merged(): Record<string, unknown> {
    this.fullCache ??= deepMerge(DEFAULTS, this.raw())
    return this.fullCache
  }

  /** What GET /config returns: the full config without the `json:"-"` keys (`host`, `port`, `auth-dir`, `remote-management`). */
  publicJson(): Record<string, unknown> {
    const out = this.full()
    for (const k of HIDDEN_FROM_JSON) delete out[k]
    return out
  }

  get(path: string | string[]): unknown {
    const parts = typeof path === 'string' ? path.split('.') : path
    let cur: unknown = this.merged()
    for (const p of parts) {
      if (!isPlainObject(cur)) return undefined
      cur = cur[p]
    }
    return cur !== null && typeof cur === 'object' ? structuredClone(cur) : cur
  }

  /**
   * Set one value by its legacy name, keeping comments: scalars are mutated in place, other values replace the
   * node. On a v8-layout file the value lands at its v8 path (restoreV8Layout: no legacy spelling comes back); a changed provider-key
   * list is rebuilt as one group per key named `<provider>-<n>` (the documented pitfall).
   */
  set(path: string | string[], value: unknown): void {
    let parts = typeof path === 'string' ? path.split('.') : path
    if (parts.join('.') === 'remote-management.secret-key' && typeof value === 'string' && value && !isHashedSecret(value)) {
      value = hashSecret(value)
    }
    if (this.isV8Layout()) {
      const provider = parts.length === 1 ? providerOfFamily(parts[0]) : undefined
      if (provider) {
        parts = ['api-keys', provider]
        value = groupLegacyKeys(Array.isArray(value) ? value : [], provider)
      } else {
        const mapped = v8PathOf(parts)
        if (mapped) parts = mapped
      }
    }
    const node = this.doc.getIn(parts, true)
    const scalarValue = value === null || ['string', 'number', 'boolean'].includes(typeof value)
    if (isScalar(node) && scalarValue) node.value = value
    else {
      if (this.doc.contents === null || !(isMap(this.doc.contents) || isSeq(this.doc.contents))) this.doc = new YAML.Document({}) as Document
      // collections become YAML nodes, so later path edits (setIn/deleteIn below them) work
      this.doc.setIn(parts, scalarValue ? value : this.doc.createNode(value))
    }
    this.changed()
  }

  delete(path: string | string[]): void {
    let parts = typeof path === 'string' ? path.split('.') : path
    if (this.isV8Layout()) parts = v8PathOf(parts) ?? parts
    if (this.doc.hasIn(parts)) this.doc.deleteIn(parts)
    this.changed()
  }

  /**
   * PUT /v0/management/config.yaml (corrected 2026-12): YAML syntax and any type error while decoding ⇒ 400
   * `invalid_yaml`; a decoded text whose full load fails ⇒ 422 `invalid_config`; else the file is replaced
   * verbatim (any layout; a v8 gateway does not migrate it). An empty body passes and wipes the file.
   */
  replace(text: string): ReplaceResult {
    const doc = YAML.parseDocument(text, {uniqueKeys: true})
    if (doc.errors.length > 0) return {ok: false, status: 400, error: 'invalid_yaml', message: doc.errors[0].message}
    let js: unknown
    try {
      js = doc.toJS()
    } catch (error) {
      return {ok: false, status: 400, error: 'invalid_yaml', message: (error as Error).message}
    }
    const view = this.v8 && isPlainObject(js) ? legacyView(js) : js
    const typeError = validateConfig(view)
    if (typeError) return {ok: false, status: 400, error: 'invalid_yaml', message: typeError}
    const problem = loadConfigProblem(view)
    if (problem) return {ok: false, status: 422, error: 'invalid_config', message: problem}
    this.doc = doc
    this.hashPlaintextSecret()
    this.changed()
    return {ok: true}
  }

  /** A plaintext secret-key is hashed on load and written back, comments preserved (v7 and v8 alike). */
  private hashPlaintextSecret(): void {
    this.fullCache = undefined
    for (const at of [['remote-management', 'secret-key'], ['management', 'secret-key']]) {
      const node = this.doc.getIn(at, true)
      if (isScalar(node) && typeof node.value === 'string' && node.value !== '' && !isHashedSecret(node.value)) {
        node.value = hashSecret(node.value)
      }
    }
    this.cache = undefined
  }

  /** The stored (hashed) secret, '' when none: management is then disabled (every route 404s without X-CPA-* headers). */
  secretKey(): string {
    const v = this.get('remote-management.secret-key')
    return typeof v === 'string' ? v : ''
  }

  allowRemote(): boolean {
    return this.get('remote-management.allow-remote') === true
  }
}

