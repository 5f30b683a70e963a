/**
 * Auth files (cpa-gateway.md §3.5). The list entry is a map whose fields vary by provider; only what cpactl
 * relies on is typed, the rest passes through.
 */
import type {GatewayClient} from './client.js'

export interface AuthFileEntry {
  id: string
  name: string
  auth_index?: string
  type?: string
  provider?: string
  label?: string
  email?: string
  account?: string
  account_type?: string
  project_id?: string
  status?: string
  status_message?: string
  disabled?: boolean
  unavailable?: boolean
  runtime_only?: boolean
  source?: string
  success?: number
  failed?: number
  priority?: number
  weight?: number
  note?: string
  last_refresh?: string
  next_retry_after?: string
  recent_requests?: Array<{time: string; success: number; failed: number}>
  [key: string]: unknown
}

async function listSchema() {
  const {z} = await import('zod')
  const entry = z
    .object({
      id: z.string(),
      name: z.string(),
      auth_index: z.string().optional(),
      disabled: z.boolean().optional(),
      success: z.number().optional(),
      failed: z.number().optional(),
    })
    .passthrough()
  return z.object({files: z.array(entry).nullable().optional()}).passthrough()
}

export async function listAuthFiles(client: GatewayClient, filter: {name?: string; authIndex?: string} = {}): Promise<AuthFileEntry[]> {
  const res = await client.request({
    path: '/auth-files',
    query: {name: filter.name, auth_index: filter.authIndex},
    schema: await listSchema(),
  })
  return ((res.data as {files?: AuthFileEntry[] | null}).files ?? []) as AuthFileEntry[]
}
