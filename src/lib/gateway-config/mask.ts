/**
 * Secret masking for gateway config (issue 6): the secret-key hash, client `api-keys`,
 * provider `api-key` values (including openai-compatibility `api-key-entries`), credentials inside proxy URLs,
 * credential-bearing headers, and any string under a key that names a secret (token, password, secret…).
 * Masked form: `****` + the last 4 characters (only `****` for short values). `--reveal` skips all of this.
 */
import type {Document} from 'yaml'

import {maskSecret} from '../usage/mask.js'
import {isPlainObject, type PathPart} from './path.js'

// the one masker lives with the other secret handling in lib/usage; re-exported for the config modules
export {maskSecret} from '../usage/mask.js'

const SECRET_KEY_NAME = /(secret|token|password|passwd|api[-_]?key$|^authorization$|^cookie$|^x-api-key$|^proxy-authorization$)/i
const PROXY_KEY_NAME = /(^|[-_])proxy[-_]?url$|^proxy$/i

/** Mask the password (and a token-like user) in a proxy URL: `socks5://bob:****cret@host:1080`. */
export function maskProxyUrl(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@/i.exec(value)
  if (!m) return value
  const userinfo = m[2]
  const colon = userinfo.indexOf(':')
  const user = colon >= 0 ? userinfo.slice(0, colon) : userinfo
  const pass = colon >= 0 ? userinfo.slice(colon + 1) : null
  const maskedUser = pass === null ? maskSecret(user) : user
  const maskedPass = pass === null ? '' : `:${maskSecret(pass) === pass ? '****' : maskSecret(pass)}`
  return `${m[1]}${maskedUser}${maskedPass}@${value.slice(m[0].length)}`
}

/**
 * How the string at `path` must be shown: 'secret' (mask the whole value), 'proxy' (mask URL credentials) or
 * null (not secret). `path` is the full path from the config root.
 */
export function secretKind(path: readonly PathPart[]): 'secret' | 'proxy' | null {
  if (path.length === 0) return null
  const last = path[path.length - 1]
  // list items: api-keys[3] (top level or any list named api-keys)
  if (typeof last === 'number') {
    const owner = path[path.length - 2]
    return typeof owner === 'string' && /^api-keys$/i.test(owner) ? 'secret' : null
  }
  if (PROXY_KEY_NAME.test(last)) return 'proxy'
  if (SECRET_KEY_NAME.test(last)) return 'secret'
  // TURN secrets of the Codex live-media relay (the only values the gateway itself redacts, and only in JSON reads)
  if ((last === 'username' || last === 'credential') && path.includes('ice-servers')) return 'secret'
  // headers: {Authorization: Bearer …}
  const parent = path[path.length - 2]
  if (typeof parent === 'string' && /headers$/i.test(parent) && /^(authorization|x-api-key|api-key|cookie|x-goog-api-key|proxy-authorization)$/i.test(last)) {
    return 'secret'
  }
  return null
}

export function maskScalar(path: readonly PathPart[], value: unknown): unknown {
  if (typeof value !== 'string') return value
  const kind = secretKind(path)
  if (kind === 'secret') return maskSecret(value)
  if (kind === 'proxy') return maskProxyUrl(value)
  return value
}

/** A masked deep copy of decoded config data. */
export function maskConfigData(data: unknown, path: PathPart[] = []): unknown {
  if (Array.isArray(data)) return data.map((v, i) => maskConfigData(v, [...path, i]))
  if (isPlainObject(data)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(data)) out[k] = maskConfigData(v, [...path, k])
    return out
  }
  return maskScalar(path, data)
}

/** Mask secrets in a YAML Document in place (comments, order and styles survive). */
export async function maskConfigDocument(doc: Document): Promise<Document> {
  const {isMap, isPair, isScalar, isSeq} = await import('yaml')
  const walk = (node: unknown, path: PathPart[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
        walk(pair.value, [...path, key])
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]))
    } else if (isScalar(node) && typeof node.value === 'string') {
      const masked = maskScalar(path, node.value)
      if (masked !== node.value) node.value = masked
    }
  }
  walk(doc.contents, [])
  return doc
}
