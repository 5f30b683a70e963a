/**
 * The v8 zod schema, built from the spec tree (v8-spec.ts), and the lookups on that tree: the spec at
 * a path, its default, every addressable path (for "did you mean"). `validateV8Data` turns zod's issues into
 * findings-ready problems with the gateway's own wording where it is known (e.g. `base-url belongs to the group`,
 * `unknown API-key provider X`).
 *
 * zod is imported lazily (it adds ~40 ms to a cold start).
 */
import type {ZodType} from 'zod'

import {formatPath, getAt, type PathPart} from './path.js'
import {closest, editDistance} from './similar.js'
import {describeValue, YAML11_BOOL} from './schema.js'
import {V8_ROOT, type V8MapSpec, type V8Meta, type V8Spec} from './v8-spec.js'

export interface V8SpecHit {
  spec: V8Spec
  /** later / unknown / readOnly, inherited from the nearest ancestor that says so. */
  meta: V8Meta
  /** The path runs through an open map past its known fields: nothing is known about the value. */
  open: boolean
}

/** The spec at a path (string parts are map keys, numbers list indexes); null when the path is not in the tree. */
export function specAt(parts: readonly PathPart[]): V8SpecHit | null {
  let spec: V8Spec = V8_ROOT
  const meta: V8Meta = {}
  for (const p of parts) {
    if (spec.later) meta.later = true
    if (spec.unknown) meta.unknown = spec.unknown
    if (spec.kind === 'list' && typeof p === 'number') spec = spec.of
    else if (spec.kind === 'record' && typeof p === 'string') spec = spec.of
    else if (spec.kind === 'map' && typeof p === 'string') {
      const next: V8Spec | undefined = spec.fields[p]
      if (next) spec = next
      else if (spec.open) return {spec: {kind: 'any'}, meta, open: true}
      else return null
    } else if (spec.kind === 'any') return {spec, meta, open: true}
    else return null
  }
  if (spec.later) meta.later = true
  if (spec.unknown) meta.unknown = spec.unknown
  if (spec.readOnly) meta.readOnly = true
  return {spec, meta, open: false}
}

/** Every path `config get/set` can address: map fields, recursively (records and lists end a path). */
export function knownV8Paths(): string[] {
  const out: string[] = []
  const walk = (spec: V8Spec, prefix: string[]) => {
    if (spec.kind !== 'map') return
    for (const [k, child] of Object.entries(spec.fields)) {
      out.push([...prefix, k].join('.'))
      if (!(prefix.length === 0 && k === 'api-keys')) walk(child, [...prefix, k])
    }
  }
  walk(V8_ROOT, [])
  return out
}

/**
 * Up to `n` known paths closest to a mistyped one: the same last segment anywhere, then a near spelling of the
 * whole path, then a near or contained last segment, then the other keys of the same section.
 */
export function closestV8Paths(text: string, n = 3): string[] {
  const wanted = text.replaceAll('/', '.')
  const leafOf = (p: string) => p.slice(p.lastIndexOf('.') + 1)
  const parentOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('.')))
  const leaf = leafOf(wanted)
  const scored = knownV8Paths().map((p) => {
    const sibling = parentOf(wanted) !== '' && parentOf(p) === parentOf(wanted)
    const d = editDistance(p, wanted)
    let score = Number.POSITIVE_INFINITY
    if (leafOf(p) === leaf) score = 0
    else if (d <= Math.max(2, Math.floor(wanted.length / 5))) score = 1 + d / 100
    else if (closest(leaf, [leafOf(p)]) !== undefined) score = sibling ? 2 : 2.6
    else if (leaf.length >= 4 && (leafOf(p).includes(leaf) || leaf.includes(leafOf(p)))) score = sibling ? 2.1 : 2.7
    else if (sibling) score = 2.5
    return {p, score}
  })
  return scored
    .filter((x) => Number.isFinite(x.score))
    .sort((a, b) => a.score - b.score)
    .slice(0, n)
    .map((x) => x.p)
}

/** Paths of the read-only fields (owned by Home; a write that changes one answers 400 read_only_field). */
export function readOnlyV8Paths(): string[][] {
  const out: string[][] = []
  const walk = (spec: V8Spec, prefix: string[]) => {
    if (spec.readOnly) out.push(prefix)
    if (spec.kind === 'map') for (const [k, child] of Object.entries(spec.fields)) walk(child, [...prefix, k])
  }
  walk(V8_ROOT, [])
  return out
}

/** The value that applies when the key is absent, or undefined when the reference gives none. */
export function defaultAt(parts: readonly PathPart[]): unknown {
  const hit = specAt(parts)
  if (!hit || hit.open) return undefined
  if (hit.spec.kind === 'map') {
    const out: Record<string, unknown> = {}
    for (const k of Object.keys(hit.spec.fields)) {
      const d = defaultAt([...parts, k])
      if (d !== undefined) out[k] = d
    }
    return Object.keys(out).length > 0 ? out : undefined
  }
  return hit.spec.default
}

/** What a value of this spec looks like, in words. */
export function expectedText(spec: V8Spec): string {
  switch (spec.kind) {
    case 'bool':
      return 'true or false'
    case 'int':
      return 'an integer'
    case 'string':
      return 'a string'
    case 'duration':
      return 'a duration string such as 30s or 1h'
    case 'enum':
      return spec.lenient ? 'a string' : `one of ${spec.values.map((v) => JSON.stringify(v)).join(', ')}`
    case 'list':
      return 'a list'
    case 'map':
    case 'record':
      return 'a mapping'
    default:
      return 'any value'
  }
}

let schemaPromise: Promise<ZodType> | null = null

/** The v8 zod schema (built once, lazily). */
export function loadV8Schema(): Promise<ZodType> {
  schemaPromise ??= buildSchema()
  return schemaPromise
}

async function buildSchema(): Promise<ZodType> {
  const {z} = await import('zod')
  const scalar = z.union([z.string(), z.number(), z.boolean()])
  const build = (spec: V8Spec, path: string[]): ZodType => {
    const optional = <T extends ZodType>(s: T) => (path.length === 1 && !['routing', 'plugins', 'quota-exceeded'].includes(path[0]) ? s.optional() : s.nullable().optional())
    switch (spec.kind) {
      case 'bool':
        return optional(z.union([z.boolean(), z.string().regex(YAML11_BOOL)]))
      case 'int':
        if (path.at(-1) === 'weight') return optional(z.number().int().max(1_000_000))
        if (path.length === 1) return z.literal(8).optional()
        return optional(z.number())
      case 'string':
        return optional(scalar)
      case 'duration':
        return optional(z.string())
      case 'enum': {
        if (spec.lenient) return optional(z.string())
        const values = [...spec.values, ...Object.keys(spec.aliases ?? {})]
        const literal = z.union(values.map((v) => z.literal(v)) as unknown as [ZodType, ZodType])
        return optional(values.includes(true) ? z.union([literal, z.string().regex(YAML11_BOOL)]) : literal)
      }
      case 'list':
        return optional(z.array(build(spec.of, [...path, '*'])))
      case 'record':
        return optional(z.record(z.string(), build(spec.of, [...path, '*'])))
      case 'map': {
        const shape: Record<string, ZodType> = {}
        for (const [k, child] of Object.entries(spec.fields)) shape[k] = build(child, [...path, k])
        if (spec.role === 'group') shape.keys = z.array(build((spec.fields.keys as Extract<V8Spec, {kind: 'list'}>).of, [...path, 'keys', '*']))
        const obj = spec.open ? z.looseObject(shape) : z.strictObject(shape)
        return path.length === 0 ? obj : optional(obj)
      }
      default:
        return z.unknown().optional()
    }
  }
  return build(V8_ROOT, [])
}

export interface V8Issue {
  parts: PathPart[]
  path: string
  /** unknown-key: not in the tree; api-keys: group/key structure; weight; type: wrong value type. */
  kind: 'unknown-key' | 'api-keys' | 'weight' | 'type'
  message: string
  /** For unknown keys: the closest known name or path. */
  suggestion?: string
}

/** Validate a v8-layout document (already normalized: no legacy keys). One issue per offending value. */
export async function validateV8Data(data: unknown): Promise<V8Issue[]> {
  const schema = await loadV8Schema()
  const res = schema.safeParse(data)
  if (res.success) return []
  const out: V8Issue[] = []
  const seen = new Set<string>()
  const push = (issue: V8Issue) => {
    if (seen.has(issue.path)) return
    seen.add(issue.path)
    out.push(issue)
  }
  for (const issue of res.error.issues) {
    const base = issue.path.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number')
    if (issue.code === 'unrecognized_keys') {
      for (const key of (issue as {keys: string[]}).keys) push(unknownKeyIssue([...base, key]))
      continue
    }
    push(typeIssue(base, getAt(data, base), issue.code))
  }
  return out
}

function unknownKeyIssue(parts: PathPart[]): V8Issue {
  const path = formatPath(parts)
  const key = String(parts.at(-1))
  const [root, provider] = parts
  if (root === 'api-keys') {
    if (parts.length === 2) {
      const near = closest(key, Object.keys((V8_ROOT.fields['api-keys'] as V8MapSpec).fields))
      return {parts, path, kind: 'api-keys', message: `unknown API-key provider ${key}${near ? ` (did you mean '${near}'?)` : ''}`, suggestion: near}
    }
    if (parts.length === 4) {
      const keyLevel = key === 'api-key' || key === 'weight' || specAt([...parts.slice(0, 3), 'keys', 0, key]) !== null
      return {parts, path, kind: 'api-keys', message: `api-keys.${String(provider)}: unsupported group field ${key}${keyLevel ? ' (it belongs on each key under keys)' : ''}`}
    }
    if (parts.length === 6 && key === 'base-url') return {parts, path, kind: 'api-keys', message: `api-keys.${String(provider)}: base-url belongs to the group`}
  }
  const parent = specAt(parts.slice(0, -1))
  const siblings = parent?.spec.kind === 'map' ? Object.keys(parent.spec.fields) : []
  const near = closest(key, siblings)
  const elsewhere = near ? undefined : closestV8Paths(key, 1).find((p) => p.split('.').pop() === key)
  const suggestion = near ?? elsewhere
  const where = parts.length === 1 ? `unknown v8 configuration section ${key}` : `unknown field ${key} under ${formatPath(parts.slice(0, -1))}`
  return {parts, path, kind: 'unknown-key', message: `${where}${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`, suggestion}
}

function typeIssue(parts: PathPart[], actual: unknown, code: string): V8Issue {
  const path = formatPath(parts)
  const [root, provider, group] = parts
  if (parts.at(-1) === 'weight' && typeof actual === 'number') {
    const message = Number.isInteger(actual) ? `weight ${actual} must not exceed 1000000` : `weight ${actual} must be an integer`
    return {parts, path, kind: 'weight', message}
  }
  if (root === 'api-keys' && parts.length >= 2) {
    const p = String(provider)
    if (parts.length === 2) return {parts, path, kind: 'api-keys', message: `api-keys.${p} must be a list, found ${describeValue(actual)}`}
    if (parts.length === 3) return {parts, path, kind: 'api-keys', message: `api-keys.${p}[${String(group)}] must be a mapping, found ${describeValue(actual)}`}
    if (parts.length === 4 && parts[3] === 'keys') {
      return {parts, path, kind: 'api-keys', message: actual === undefined ? `api-keys.${p}[${String(group)}].keys is missing (every group needs a list of keys)` : `api-keys.${p}[${String(group)}].keys must be a list, found ${describeValue(actual)}`}
    }
    if (parts.length === 5 && parts[3] === 'keys') return {parts, path, kind: 'api-keys', message: `api-keys.${p} key must be a mapping, found ${describeValue(actual)}`}
  }
  const hit = specAt(parts)
  if (parts.length === 1 && parts[0] === 'config-version') return {parts, path, kind: 'type', message: `unsupported config-version (expected 8), found ${describeValue(actual)}`}
  if (!hit) return {parts, path, kind: 'type', message: `invalid value (${code}), found ${describeValue(actual)}`}
  const expected = expectedText(hit.spec)
  if (hit.spec.kind === 'map' && parts.length === 1) return {parts, path, kind: 'type', message: `${path} must be a mapping, found ${describeValue(actual)}`}
  return {parts, path, kind: 'type', message: `expected ${expected}, found ${describeValue(actual)}`}
}
