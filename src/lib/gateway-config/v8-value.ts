/**
 * `config get/set/unset PATH [VALUE]` on a v8 gateway, before any request: resolve what the user typed to a v8
 * config path (legacy names map through the key map, config-keymap.ts), refuse what cannot be written (unknown
 * paths with the closest known ones, read-only fields, secrets on the command line), and type VALUE from the
 * v8 schema (booleans, integers, durations, JSON lists and mappings). Pure: every error is a UsageError (exit 2).
 */
import {UsageError} from '../cli/errors.js'
import {legacyToV8, type KeyMove, STRATEGY_ALIASES, V8_STRATEGIES} from '../gateway/config-keymap.js'
import {secretKind} from './mask.js'
import {closestV8Paths, expectedText, specAt, validateV8Data, type V8SpecHit} from './v8-schema.js'
import {GO_DURATION} from './v8-spec.js'

export interface V8Path {
  /** What the user typed. */
  input: string
  /** v8 path segments (mapping keys; the API path is their `/` join). */
  parts: string[]
  /** Dotted form, for messages. */
  dotted: string
  /** The legacy name it was given as, or null. */
  legacy: string | null
  /** The legacy key means the opposite of the v8 key (allow-… → disable-…): values are inverted. */
  inverted: boolean
  hit: V8SpecHit
  /** Things the user should know (later builds only, no v8 name, UNKNOWN parts of the reference). */
  notes: string[]
}

const SECRET_PREFIXES = ['management.secret-key', 'access.api-keys', 'api-keys', 'server.github-token']

/** `observability/usage/x` or `observability.usage.x` (a `/` form keeps dots inside keys) → segments. */
function splitPath(text: string): string[] {
  const s = text.trim().replace(/^\/+|\/+$/g, '')
  if (s === '') throw new UsageError('empty config path', {code: 'invalid_key'})
  const parts = s.includes('/') ? s.split('/') : s.split('.')
  if (parts.some((p) => p === '')) throw new UsageError(`invalid config path '${text}' (empty segment)`, {code: 'invalid_key'})
  const indexed = parts.find((p) => /^\d+$/.test(p) || /\[\d+\]$/.test(p))
  if (indexed !== undefined) {
    throw new UsageError(`'${text}': v8 config paths address mapping keys only, never list positions`, {
      code: 'invalid_key',
      hint: 'read the whole list, change it, and set it back as JSON (for client keys: cpactl api-keys add/remove)',
    })
  }
  return parts
}

/** Resolve a typed path to its v8 path, or exit 2 with the closest known paths. */
export function resolveV8Path(text: string): V8Path {
  const typed = splitPath(text)
  const {v8, move, family} = legacyToV8(typed)
  const hit = specAt(v8)
  const dotted = v8.join('.')
  if (!hit) {
    const near = closestV8Paths(dotted)
    throw new UsageError(`unknown config path '${text}'${near.length > 0 ? ` (closest: ${near.join(', ')})` : ''}`, {
      code: 'unknown_key',
      hint: near.length > 0 ? `did you mean ${near[0]}?` : 'cpactl config get server shows a whole section',
      details: {closest: near},
    })
  }
  const notes: string[] = []
  if (hit.meta.later) notes.push(`${dotted} exists only in later 8.0.x builds; an early v8 gateway rejects it`)
  if (hit.meta.unknown) notes.push(`the reference leaves ${hit.meta.unknown} UNKNOWN`)
  if (v8[0] === 'quota-exceeded') notes.push(`${dotted} has no v8 name: writing it under /v8 is unsupported (UNKNOWN); v0 edits it`)
  if (hit.open) notes.push(`${dotted} is not a field cpactl knows; it is written as given`)
  const legacy = move || family ? typed.join('.') : null
  return {input: text, parts: v8, dotted, legacy, inverted: Boolean((move as KeyMove | null)?.invert && typed.length === move?.legacy.split('.').length), hit, notes}
}

/** Refuse writes the gateway refuses (read-only) and values that must not be typed on a command line. */
export function assertWritable(path: V8Path): void {
  if (path.hit.meta.readOnly) {
    throw new UsageError(`${path.dotted} is read-only (owned by Home); the gateway answers 400 read_only_field`, {code: 'read_only_field'})
  }
  const secret = SECRET_PREFIXES.some((p) => path.dotted === p || path.dotted.startsWith(`${p}.`)) || secretKind(path.parts) === 'secret'
  if (secret) {
    throw new UsageError(`refusing to take ${path.dotted} on the command line (it would land in shell history and process lists)`, {
      code: 'secret_in_argv',
      hint: path.dotted.startsWith('access.api-keys') ? 'use cpactl api-keys add (it reads the key from stdin or generates one)' : 'edit the config file and use cpactl config apply FILE',
    })
  }
}


function bad(path: V8Path, text: string, what = expectedText(path.hit.spec)): UsageError {
  return new UsageError(`${path.dotted} takes ${what}, not '${text}'`, {code: 'invalid_value', hint: 'nothing was sent to the gateway'})
}

function parseJson(path: V8Path, text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw bad(path, text, `${what} written as JSON (e.g. ${what === 'a list' ? '\'["a","b"]\'' : '\'{"key":"value"}\''})`)
  }
}

/** Type VALUE for a path from the schema; the result is the raw JSON value a v8 PUT sends. */
export async function typeV8Value(path: V8Path, text: string): Promise<{value: unknown; notes: string[]}> {
  const spec = path.hit.spec
  const notes: string[] = []
  const t = text.trim()
  let value: unknown
  switch (spec.kind) {
    case 'bool':
      if (/^(true|yes|on)$/i.test(t)) value = true
      else if (/^(false|no|off)$/i.test(t)) value = false
      else throw bad(path, text)
      break
    case 'int':
      if (!/^-?\d+$/.test(t)) throw bad(path, text)
      value = Number(t)
      break
    case 'duration':
      if (!GO_DURATION.test(t)) throw bad(path, text)
      value = t
      break
    case 'string':
      value = /^".*"$/.test(t) ? parseJson(path, t, 'a string') : text
      break
    case 'enum': {
      if (path.dotted === 'routing.strategy') {
        const canonical = (V8_STRATEGIES as readonly string[]).includes(t) ? t : STRATEGY_ALIASES[t.toLowerCase()]
        if (!canonical) throw new UsageError(`unknown routing strategy '${text}'`, {code: 'invalid_value', hint: 'use round-robin, weighted-round-robin or fill-first'})
        if (canonical !== t) notes.push(`${t} is an alias: writing ${canonical}`)
        value = canonical
        break
      }
      const found = spec.values.find((v) => String(v) === t)
      if (found === undefined) throw bad(path, text)
      value = found
      break
    }
    case 'list':
      value = parseJson(path, t, 'a list')
      if (!Array.isArray(value)) throw bad(path, text)
      break
    case 'map':
    case 'record':
      value = parseJson(path, t, 'a mapping')
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw bad(path, text)
      break
    default:
      // nothing is known about the value: JSON when it is JSON, else the text
      try {
        value = JSON.parse(t) as unknown
      } catch {
        value = text
      }
  }
  if (path.inverted) {
    notes.push(`${path.legacy} is the inverse of ${path.dotted}: writing ${String(!value)}`)
    value = !value
  }
  // the whole schema below this path (list items, nested fields)
  const doc: Record<string, unknown> = {}
  let cur = doc
  for (const p of path.parts.slice(0, -1)) cur = cur[p] = {}
  cur[path.parts[path.parts.length - 1]] = value
  const issue = (await validateV8Data(doc)).find((i) => i.parts.length >= path.parts.length)
  if (issue) throw new UsageError(`${issue.path}: ${issue.message}`, {code: 'invalid_value', hint: 'nothing was sent to the gateway'})
  return {value, notes}
}

/** Resolve, check and type a `config set PATH VALUE` in one step. */
export async function parseV8Setting(pathText: string, valueText: string): Promise<{path: V8Path; value: unknown; notes: string[]}> {
  const path = resolveV8Path(pathText)
  assertWritable(path)
  const {value, notes} = await typeV8Value(path, valueText)
  return {path, value, notes: [...path.notes, ...notes]}
}
