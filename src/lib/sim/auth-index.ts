/**
 * Credential `auth_index` derivation, as the gateway computes it (§9.3): first 8 bytes of SHA-256 over the seed
 * string, 16 lowercase hex; `<type>:<absolute cleaned file path>` for files, `<family>:<base-url>+<api-key>` for
 * config keys.
 */
import {createHash} from 'node:crypto'
import {resolve as resolvePath} from 'node:path'

import type {ConfigKeyFamily} from './account-types.js'

/** §9.3 stableAuthIndex: first 8 bytes of SHA-256 of the seed string as 16 lowercase hex chars. */
export function stableAuthIndex(seed: string): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, 16)
}

/** §9.3 rule 2: `<type>:<absolute cleaned file path>`. */
export function fileAuthIndex(type: string, absolutePath: string): string {
  return stableAuthIndex(`${type}:${resolvePath(absolutePath)}`)
}

/** §9.3 rule 3: `<family>:<base-url>+<api-key>`. */
export function configAuthIndex(family: ConfigKeyFamily, baseUrl: string, apiKey: string): string {
  return stableAuthIndex(`${family}:${baseUrl}+${apiKey}`)
}
