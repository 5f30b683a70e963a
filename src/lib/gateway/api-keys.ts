/**
 * Client API keys (v0: `/api-keys`; v8: the config path `access/api-keys`): the keys callers of /v1 send. The
 * answers carry the keys in plaintext; callers mask them before printing (last 4 characters shown).
 *
 * v8 has no index or old/new operations on the list: deletes are read-modify-write of the whole list, with no
 * compare-and-swap, so concurrent editors can lose writes; a v8 write migrates a legacy config file.
 */
import type {GatewayClient} from './client.js'

export async function listApiKeys(client: GatewayClient): Promise<string[]> {
  const {api} = await client.managementApi()
  if (api === 'v8') {
    // the bare list; 404 not_found = absent from the file = no client keys
    const res = await client.call<unknown>('clientKeysList', {passStatuses: [404]})
    if (res.status === 404) return []
    return Array.isArray(res.data) ? res.data.filter((k): k is string => typeof k === 'string') : []
  }
  const {z} = await import('zod')
  const schema = z.object({'api-keys': z.array(z.string()).nullable().optional()}).passthrough()
  const res = await client.call('clientKeysList', {schema})
  return (res.data as {'api-keys'?: string[] | null})['api-keys'] ?? []
}

/** Replace the whole list (v0: a bare array, an empty one clears it; v8: the bare list on access/api-keys). */
export async function replaceApiKeys(client: GatewayClient, keys: string[]): Promise<void> {
  await client.call('clientKeysPut', {json: keys, retry: false})
}

/** Remove the entry at `index` (v0: DELETE ?index=N; v8: read, splice, PUT). */
export async function deleteApiKeyAt(client: GatewayClient, index: number): Promise<void> {
  const {api} = await client.managementApi()
  if (api === 'v8') {
    const keys = await listApiKeys(client)
    if (index < 0 || index >= keys.length) return
    keys.splice(index, 1)
    await replaceApiKeys(client, keys)
    return
  }
  await client.call('clientKeysDelete', {query: {index}, retry: false})
}

/** Remove every entry equal to the trimmed key (v0: DELETE ?value=; v8: read, filter, PUT). */
export async function deleteApiKeyValue(client: GatewayClient, value: string): Promise<void> {
  const {api} = await client.managementApi()
  if (api === 'v8') {
    const keys = await listApiKeys(client)
    const next = keys.filter((k) => k.trim() !== value.trim())
    if (next.length !== keys.length) await replaceApiKeys(client, next)
    return
  }
  await client.call('clientKeysDelete', {query: {value}, retry: false})
}
