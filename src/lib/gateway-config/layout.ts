/**
 * Which config layout a decoded file uses: `v8` when it says `config-version`
 * or has a v8-only section (or an `api-keys` mapping, or routing's v8-only children); `legacy` when it has only
 * legacy keys (an empty file counts as legacy); `mixed` when it has both, which the gateway loads with the v8
 * value winning wherever a key exists under both spellings.
 */
import {isPlainObject} from './path.js'
import {KEY_FAMILIES, KEY_MOVES, SHARED_ROOTS} from '../gateway/config-keymap.js'
import {V8_ONLY_ROOTS} from './v8-spec.js'

export type ConfigLayout = 'legacy' | 'v8' | 'mixed'

export interface LayoutInfo {
  layout: ConfigLayout
  /** `config-version` is present (the file says it is v8; legacy names then fail every v8 write). */
  marked: boolean
}

const LEGACY_ONLY_ROOTS = new Set([...KEY_MOVES.map((m) => m.legacy.split('.')[0]), ...KEY_FAMILIES.map((f) => f.legacy)].filter((r) => !SHARED_ROOTS.includes(r) && r !== 'api-keys'))

export function detectLayout(data: Record<string, unknown>): LayoutInfo {
  const marked = Object.hasOwn(data, 'config-version')
  const routing = data.routing
  const v8 =
    marked ||
    Object.keys(data).some((k) => V8_ONLY_ROOTS.includes(k)) ||
    isPlainObject(data['api-keys']) ||
    (isPlainObject(routing) && ['retry', 'cooldown', 'force-model-prefix'].some((k) => Object.hasOwn(routing, k)))
  const quota = data['quota-exceeded']
  const legacy =
    Object.keys(data).some((k) => LEGACY_ONLY_ROOTS.has(k)) ||
    (Object.hasOwn(data, 'api-keys') && !isPlainObject(data['api-keys'])) ||
    (isPlainObject(quota) && Object.hasOwn(quota, 'antigravity-credits'))
  return {layout: v8 && legacy ? 'mixed' : v8 ? 'v8' : 'legacy', marked}
}
