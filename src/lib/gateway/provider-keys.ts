/**
 * Upstream provider keys (cpa-gateway.md §3.3): config-backed API-key credentials. cpactl reads them to
 * resolve an `auth_index` that is not a file (enable/disable go through PATCH /auth-files/status, §3.3 last
 * paragraph). Keys are returned masked; the plaintext never leaves this module.
 */
import type {GatewayClient} from './client.js'

export const PROVIDER_KEY_FAMILIES = [
  'gemini-api-key',
  'interactions-api-key',
  'codex-api-key',
  'claude-api-key',
  'xai-api-key',
  'vertex-api-key',
  'openai-compatibility',
] as const

export type ProviderKeyFamily = (typeof PROVIDER_KEY_FAMILIES)[number]

export interface ProviderKeyRef {
  family: ProviderKeyFamily
  /** Index of the entry in the family list. */
  index: number
  /** openai-compatibility: index in `api-key-entries`, else null. */
  keyIndex: number | null
  /** openai-compatibility provider name, else null. */
  name: string | null
  authIndex: string
  baseUrl: string | null
  /** `****abcd` — never the key itself. */
  apiKeyMasked: string | null
  /** `excluded-models` holds `*`: the key is disabled (§3.3); null where the family has no such field per key. */
  disabled: boolean | null
}

function mask(key: unknown): string | null {
  if (typeof key !== 'string' || key.trim() === '') return null
  const v = key.trim()
  return v.length >= 12 ? `****${v.slice(-4)}` : '****'
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/**
 * Every config-backed credential with its live `auth-index` (spelled with a hyphen in these answers, §9.2).
 * Families the gateway does not serve (older versions) are skipped.
 */
export async function listProviderKeys(client: GatewayClient): Promise<ProviderKeyRef[]> {
  const out: ProviderKeyRef[] = []
  const answers = await Promise.allSettled(
    PROVIDER_KEY_FAMILIES.map(async (family) => ({family, res: await client.request<Record<string, unknown>>({path: `/${family}`, passStatuses: [404]})})),
  )
  for (const a of answers) {
    if (a.status === 'rejected') {
      const code = (a.reason as {code?: string})?.code
      // an auth problem must surface; anything else (old gateway, odd answer) just hides that family
      if (code === 'auth_failed' || code === 'ip_banned' || code === 'remote_disabled' || code === 'forbidden') throw a.reason
      continue
    }
    const {family, res} = a.value
    if (res.status !== 200) continue
    const list = res.data?.[family]
    if (!Array.isArray(list)) continue
    list.forEach((entry, index) => {
      if (!entry || typeof entry !== 'object') return
      const e = entry as Record<string, unknown>
      const baseUrl = str(e['base-url'])
      if (family === 'openai-compatibility') {
        const keys = Array.isArray(e['api-key-entries']) ? (e['api-key-entries'] as unknown[]) : []
        keys.forEach((k, keyIndex) => {
          const ke = (k && typeof k === 'object' ? k : {}) as Record<string, unknown>
          const ai = str(ke['auth-index'])
          if (ai) out.push({family, index, keyIndex, name: str(e.name), authIndex: ai, baseUrl, apiKeyMasked: mask(ke['api-key']), disabled: null})
        })
        const ai = str(e['auth-index'])
        if (keys.length === 0 && ai) out.push({family, index, keyIndex: null, name: str(e.name), authIndex: ai, baseUrl, apiKeyMasked: null, disabled: null})
        return
      }
      const ai = str(e['auth-index'])
      const excluded = Array.isArray(e['excluded-models']) ? (e['excluded-models'] as unknown[]) : []
      if (ai) out.push({family, index, keyIndex: null, name: null, authIndex: ai, baseUrl, apiKeyMasked: mask(e['api-key']), disabled: excluded.includes('*')})
    })
  }
  return out
}
