/** Validation of a v8 config in the gateway's order: typed parse (422) then strict validation (400), with its error strings. */
import {allowedRoots, KEY_FIELDS, LEGACY_TO_V8, PROVIDERS, SHARED_KEY_FIELDS} from './config-v8-keys.js'
import {getPath, hasPath, isObj, type Obj, type V8Revision} from './config-v8-paths.js'
import {type Leaf, schema, type Spec} from './config-v8-schema.js'
import {legacyView} from './config-v8.js'


export function yamlTag(v: unknown): string {
  if (v === null) return '!!null'
  if (Array.isArray(v)) return '!!seq'
  if (typeof v === 'object') return '!!map'
  if (typeof v === 'boolean') return '!!bool'
  if (typeof v === 'number') return Number.isInteger(v) ? '!!int' : '!!float'
  return '!!str'
}

export function unmarshalError(path: string, v: unknown, into: string): string {
  const shown = typeof v === 'object' && v !== null ? '' : ` \`${String(v)}\``
  return `yaml: unmarshal errors:\n  cannot unmarshal ${yamlTag(v)}${shown} into ${into} (${path})`
}

export const YAML_BOOL_TEXT = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE)$/

export function leafError(leaf: Leaf, v: unknown, path: string): string | undefined {
  if (v === null || leaf === 'any') return undefined
  switch (leaf) {
    case 'bool':
      return typeof v === 'boolean' || (typeof v === 'string' && YAML_BOOL_TEXT.test(v)) ? undefined : unmarshalError(path, v, 'bool')
    case 'int':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : unmarshalError(path, v, 'int')
    case 'string':
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : unmarshalError(path, v, 'string')
    case 'strings':
      if (!Array.isArray(v)) return unmarshalError(path, v, '[]string')
      return v.some((x) => x !== null && typeof x === 'object') ? unmarshalError(path, v, '[]string') : undefined
    case 'list':
      return Array.isArray(v) ? undefined : unmarshalError(path, v, 'a list')
    case 'map':
      return isObj(v) ? undefined : unmarshalError(path, v, 'a mapping')
  }
}

/** Typed decode of known fields (non-strict: unknown fields pass here). */
export function typedWalk(value: unknown, spec: Spec, path: string[]): string | undefined {
  const where = path.join('.')
  if (typeof spec === 'string') return leafError(spec, value, where)
  // a section: a mapping (routing may be null: "null means defaults" for the shared legacy section)
  if (!isObj(value)) {
    if (value === null && where === 'routing') return undefined
    return `${where} must be a mapping`
  }
  for (const [k, v] of Object.entries(value)) {
    if (!(k in spec)) continue
    const err = typedWalk(v, spec[k], [...path, k])
    if (err) return err
  }
  return undefined
}

export function weightError(w: unknown, where: string): string | undefined {
  if (w === undefined || w === null) return undefined
  if (typeof w !== 'number' || !Number.isInteger(w)) return `${where}.weight: weight must be an integer`
  if (w > 1_000_000) return `${where}.weight: weight must not exceed 1000000`
  return undefined
}

/**
 * ParseConfigBytes (the first validation of a v8 write, failure ⇒ 422 `invalid_config`): the root and
 * known sections are mappings, `config-version` is the integer 8, provider groups have the group shape,
 * typed fields have their types, weights are integers ≤ 1,000,000, a plaintext secret fits bcrypt. Legacy
 * names still present are decoded too (a mixed file loads), so their types are checked by `legacyTypes`
 * (the v0 schema).
 */
export function typedParse(js: unknown, revision: V8Revision, legacyTypes: (legacy: Obj) => string | undefined): string | undefined {
  if (!isObj(js)) return 'config must be a mapping'
  if ('config-version' in js && js['config-version'] !== 8) return 'unsupported config-version (expected 8)'
  const s = schema(revision)
  for (const [k, v] of Object.entries(js)) {
    if (k === 'api-keys' || k === 'config-version' || !(k in s)) continue
    const err = typedWalk(v, s[k], [k])
    if (err) return err
  }
  const groups = js['api-keys']
  if (isObj(groups)) {
    for (const [provider, list] of Object.entries(groups)) {
      if (!PROVIDERS.has(provider)) continue
      if (!Array.isArray(list)) return `api-keys.${provider} must be a list`
      for (const [i, g] of list.entries()) {
        if (!isObj(g)) return `api-keys.${provider}[${i}] must be a mapping`
        if (!Array.isArray(g.keys)) return `api-keys.${provider}[${i}].keys must be a list`
        for (const [j, key] of g.keys.entries()) {
          if (!isObj(key)) return `api-keys.${provider} key must be a mapping`
          const werr = weightError(key.weight, `api-keys.${provider}.keys[${j}]`)
          if (werr) return werr
        }
        if (provider === 'openai-compatibility') continue
        for (const field of Object.keys(g)) {
          if (field !== 'name' && field !== 'base-url' && field !== 'keys' && !SHARED_KEY_FIELDS.includes(field)) {
            return `api-keys.${provider}: unsupported group field ${field}`
          }
        }
        for (const key of g.keys as Obj[]) if ('base-url' in key) return `api-keys.${provider}: base-url belongs to the group`
      }
    }
  }
  const legacy = legacyView(js)
  const legacyErr = legacyTypes(legacy)
  if (legacyErr) return legacyErr
  const secret = getPath(js, 'management.secret-key') ?? getPath(js, 'remote-management.secret-key')
  if (typeof secret === 'string' && !/^\$2[aby]\$/.test(secret) && Buffer.byteLength(secret) > 72) return 'bcrypt: password length exceeds 72 bytes'
  return undefined
}

export function firstLeaf(value: unknown, path: string[]): string[] {
  if (isObj(value)) {
    const keys = Object.keys(value)
    if (keys.length > 0) return firstLeaf(value[keys[0]], [...path, keys[0]])
  }
  return path
}

export function strictWalk(value: unknown, spec: Spec, path: string[]): string | undefined {
  if (typeof spec === 'string' || !isObj(value)) return undefined
  for (const [k, v] of Object.entries(value)) {
    if (!(k in spec)) return `yaml: unmarshal errors:\n  field ${k} not found in type config.${path.join('.')}`
    const err = strictWalk(v, spec[k], [...path, k])
    if (err) return err
  }
  return undefined
}

/**
 * ValidateV8Config (after ParseConfigBytes, failure ⇒ 400 `invalid_config`): no legacy names, no unknown
 * root sections, no unknown API-key providers, no unknown fields anywhere (strict decode).
 */
export function strictValidate(js: Obj, revision: V8Revision): string | undefined {
  for (const [legacy, v8] of LEGACY_TO_V8) {
    const parts = legacy.split('.')
    if (!hasPath(js, parts)) continue
    if (legacy === 'api-keys' && !Array.isArray(js['api-keys'])) continue
    const leaf = firstLeaf(getPath(js, parts), parts)
    const rest = leaf.slice(parts.length)
    return `legacy field ${leaf.join('.')} is not accepted by v8; use ${[v8, ...rest].join('.')}`
  }
  const roots = allowedRoots(revision)
  for (const key of Object.keys(js)) if (!roots.has(key)) return `unknown v8 configuration section ${key}`
  const groups = js['api-keys']
  if (isObj(groups)) {
    for (const provider of Object.keys(groups)) if (!PROVIDERS.has(provider)) return `unknown API-key provider ${provider}`
    for (const [provider, list] of Object.entries(groups)) {
      if (!Array.isArray(list) || provider === 'openai-compatibility') continue
      const allowed = new Set(['api-key', 'weight', ...SHARED_KEY_FIELDS, ...(KEY_FIELDS[provider] ?? [])])
      for (const g of list) {
        for (const key of isObj(g) && Array.isArray(g.keys) ? g.keys : []) {
          for (const field of Object.keys(isObj(key) ? key : {})) {
            if (!allowed.has(field) && field !== 'auth_index' && field !== 'auth-index') {
              return `yaml: unmarshal errors:\n  field ${field} not found in type config.${provider}Key`
            }
          }
        }
      }
    }
  }
  const s = schema(revision)
  for (const [k, v] of Object.entries(js)) {
    if (k === 'api-keys' || !(k in s)) continue
    const err = strictWalk(v, s[k], [k])
    if (err) return err
  }
  return undefined
}

/** The Home-owned read-only fields (a change ⇒ 400 `read_only_field`), as slash paths. */
export const READ_ONLY_FIELDS = ['credentials/concurrency/lifecycle-config-revision', 'credentials/concurrency/observation-barrier-revision', 'plugins/auth-revision']

export function readOnlyViolation(before: Obj, after: Obj): string | undefined {
  for (const field of READ_ONLY_FIELDS) {
    const parts = field.split('/')
    if (JSON.stringify(getPath(before, parts) ?? null) !== JSON.stringify(getPath(after, parts) ?? null)) return field
  }
  return undefined
}
