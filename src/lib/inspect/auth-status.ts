/**
 * `PATCH /v0/management/auth-files/status` (cpa-gateway.md §3.5): the one write inspection makes. The body
 * names the file and, as a disambiguator, its auth_index, so the gateway refuses (404) when that name now
 * belongs to a different credential. Never retried (a mutation, §4).
 */
import type {GatewayClient} from '../gateway/client.js'

export interface SetDisabledRequest {
  name: string
  authIndex: string | null
  disabled: boolean
}

export async function setAuthFileDisabled(client: GatewayClient, req: SetDisabledRequest): Promise<{disabled: boolean}> {
  const json: Record<string, unknown> = {name: req.name, disabled: req.disabled}
  if (req.authIndex) json.auth_index = req.authIndex
  const res = await client.call<{status?: string; disabled?: boolean}>('credentialsStatus', {json, retry: false})
  const data = res.data ?? {}
  return {disabled: typeof data.disabled === 'boolean' ? data.disabled : req.disabled}
}
