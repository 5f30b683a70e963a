/**
 * Credential `auth_index` derivation, as the gateway computes it (runtime only, never persisted): first 8
 * bytes of SHA-256 over the seed
 * string, 16 lowercase hex; `<type>:<absolute cleaned file path>` for files, `<family>:<base-url>+<api-key>` for
 * config keys.
 */
import {createHash} from 'node:crypto'
import {resolve as resolvePath} from 'node:path'

import type {ConfigKeyFamily} from './account-types.js'

/** The gateway's stableAuthIndex: first 8 bytes of SHA-256 of the seed string as 16 lowercase hex chars. */
export function stableAuthIndex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16)
}

/** Seed of a file-backed auth (path ends `.json`): `<type>:<absolute cleaned file path>`. */
export function fileAuthIndex(type: string, absolutePath: string): string {
  return stableAuthIndex(`${type}:${resolvePath(absolutePath)}`)
}

/** Seed of a config API key: `<family>:<base-url>+<api-key>`. */
export function configAuthIndex(family: ConfigKeyFamily, baseUrl: string, apiKey: string): string {
  return stableAuthIndex(`${family}:${baseUrl}+${apiKey}`)
}
