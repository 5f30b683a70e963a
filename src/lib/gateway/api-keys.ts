/**
 * Client API keys (cpa-gateway.md §3.2): the keys callers of /v1 send. The answers carry the keys in
 * plaintext; callers mask them before printing (cli-conventions.md §6).
 */
import type {GatewayClient} from './client.js'

export async function listApiKeys(client: GatewayClient): Promise<string[]> {
  const {z} = await import('zod')
  const schema = z.object({'api-keys': z.array(z.string()).nullable().optional()}).passthrough()
  const res = await client.request({path: '/api-keys', schema})
  return (res.data as {'api-keys'?: string[] | null})['api-keys'] ?? []
}

/** PUT /api-keys with a bare array (an empty array clears the list; the `items` form must be non-empty). */
export async function replaceApiKeys(client: GatewayClient, keys: string[]): Promise<void> {
  await client.request({method: 'PUT', path: '/api-keys', json: keys})
}

/** DELETE /api-keys?index=N (§3.2). */
export async function deleteApiKeyAt(client: GatewayClient, index: number): Promise<void> {
  await client.request({method: 'DELETE', path: '/api-keys', query: {index}})
}

/** DELETE /api-keys?value=<key> (§3.2): removes every entry equal to the trimmed key. */
export async function deleteApiKeyValue(client: GatewayClient, value: string): Promise<void> {
  await client.request({method: 'DELETE', path: '/api-keys', query: {value}})
}
