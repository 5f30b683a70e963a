/**
 * Auth files (v0 `/auth-files`, v8 `/credentials`): OAuth and file-backed credentials. The list entry is a map
 * whose fields vary by provider; only what cpactl relies on is typed, the rest passes through.
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
  const res = await client.call('credentialsList', {
    query: {name: filter.name, auth_index: filter.authIndex},
    schema: await listSchema(),
  })
  return ((res.data as {files?: AuthFileEntry[] | null}).files ?? []) as AuthFileEntry[]
}

export interface AuthFileModel {
  id: string
  display_name?: string
  type?: string
  owned_by?: string
  [key: string]: unknown
}

/**
 * GET /auth-files/models?name=: the models registered for that credential. The gateway answers [] for an unknown
 * name: resolve the name first.
 */
export async function getAuthFileModels(client: GatewayClient, name: string): Promise<AuthFileModel[]> {
  const {z} = await import('zod')
  const schema = z.object({models: z.array(z.object({id: z.string()}).passthrough()).nullable().optional()}).passthrough()
  const res = await client.call('credentialsModels', {query: {name}, schema})
  return ((res.data as {models?: AuthFileModel[] | null}).models ?? []) as AuthFileModel[]
}

/**
 * GET a file body byte-exact (auth files, log files). 4xx answers map to RejectedError with the gateway's
 * `error` text passed through unchanged.
 */
export async function requestFileBytes(
  client: GatewayClient,
  op: 'credentialsDownload' | 'errorLogDownload' | 'requestLogById',
  options: {query?: Record<string, string>; params?: Record<string, string>} = {},
): Promise<{content: Buffer; headers: Record<string, string>}> {
  const res = await client.call<Buffer>(op, {...options, responseType: 'buffer'})
  return {content: res.data, headers: res.headers}
}

/** GET /auth-files/download?name=<file>.json: the raw file bytes (credentials: handle as a secret). */
export async function downloadAuthFile(client: GatewayClient, name: string): Promise<Buffer> {
  return (await requestFileBytes(client, 'credentialsDownload', {query: {name}})).content
}

export interface UploadPart {
  /** File name sent with the part (the gateway stores the base name; must end in .json). */
  name: string
  data: Buffer
}

export interface BatchFailure {
  name: string
  error: string
}

/** The gateway's answer to a batch upload/delete: `partial` on HTTP 207, with a `failed` list of `{name, error}`. */
export interface BatchAnswer {
  status: number
  partial: boolean
  /** Names the gateway reports as done (uploaded / deleted). */
  files: string[]
  failed: BatchFailure[]
}

function batchAnswer(status: number, data: unknown, requested: string[]): BatchAnswer {
  const d = (data && typeof data === 'object' ? data : {}) as {files?: unknown; failed?: unknown}
  const files = Array.isArray(d.files) ? d.files.filter((f): f is string => typeof f === 'string') : null
  const failed = Array.isArray(d.failed)
    ? d.failed
        .filter((f): f is Record<string, unknown> => Boolean(f) && typeof f === 'object')
        .map((f) => ({name: String(f.name ?? ''), error: String(f.error ?? '')}))
    : []
  // a one-item call answers just {"status":"ok"}: everything requested was done
  return {status, partial: status === 207, files: files ?? (status === 207 ? [] : requested), failed}
}

/** Build a multipart/form-data body (one `file` part per upload). */
export function multipartBody(parts: UploadPart[], boundary = `----cpactl${Date.now().toString(16)}${Math.random().toString(16).slice(2)}`): {body: Buffer; contentType: string} {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const safeName = part.name.replaceAll('"', '%22').replaceAll(/[\r\n]/g, ' ')
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/json\r\n\r\n`),
      part.data,
      Buffer.from('\r\n'),
    )
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return {body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`}
}

/**
 * POST /auth-files, multipart (every part a `.json` file). 200 for all uploaded, 207 partial with per-file
 * failures; other 4xx/5xx (one bad file in a one-file upload, `no files uploaded`) are thrown by the client's
 * mapping.
 */
export async function uploadAuthFiles(client: GatewayClient, parts: UploadPart[]): Promise<BatchAnswer> {
  const {body, contentType} = multipartBody(parts)
  const res = await client.call('credentialsUpload', {body, contentType, passStatuses: [207], timeoutMs: 60_000})
  return batchAnswer(res.status, res.data, parts.map((p) => p.name.split(/[/\\]/).pop() ?? p.name))
}

/** DELETE /auth-files?name=…&name=… (`name` repeatable). 207 partial with per-file failures. */
export async function deleteAuthFiles(client: GatewayClient, names: string[]): Promise<BatchAnswer> {
  const res = await client.call('credentialsDelete', {query: {name: names}, passStatuses: [207]})
  return batchAnswer(res.status, res.data, names)
}

export interface StatusAnswer {
  disabled: boolean
  /** `config:excluded-models` when the target was a config API key (the gateway toggles `*` in its excluded-models). */
  via: string | null
}

/**
 * PATCH /auth-files/status `{name, auth_index?, disabled}`, the one auth-file status write (auth-files
 * enable/disable and inspection's policy use it): `auth_index` disambiguates — the gateway refuses (404) when the
 * name now belongs to another credential — and addresses config API keys. A mutation: never retried.
 */
export async function setAuthFileDisabled(client: GatewayClient, target: {name: string; authIndex?: string}, disabled: boolean): Promise<StatusAnswer> {
  const res = await client.call<{disabled?: boolean; via?: string}>('credentialsStatus', {
    json: {name: target.name, ...(target.authIndex ? {auth_index: target.authIndex} : {}), disabled},
  })
  return {disabled: res.data?.disabled ?? disabled, via: typeof res.data?.via === 'string' ? res.data.via : null}
}

/** PATCH /auth-files/fields: every key other than `name` is written into the file's metadata. */
export async function patchAuthFileFields(client: GatewayClient, name: string, fields: Record<string, unknown>): Promise<void> {
  await client.call('credentialsFields', {json: {name, ...fields}})
}

export interface CooldownResetAnswer {
  authIndex: string
  /** Models whose quota/cooldown state was cleared. */
  models: string[]
}

/**
 * Clear the quota and cooldown state of one credential (file or config key) by auth_index: v8
 * `POST /routing/cooldown/reset`, v0 `POST /reset-quota` (≥ 7.2.22; older gateways: exit 8 naming the route).
 * 404 `auth not found` and 400s map to RejectedError (exit 8) with the gateway's text. Never retried.
 */
export async function resetCooldown(client: GatewayClient, authIndex: string): Promise<CooldownResetAnswer> {
  const res = await client.call<{auth_index?: unknown; models?: unknown}>('cooldownReset', {json: {auth_index: authIndex}, retry: false})
  const models = Array.isArray(res.data?.models) ? res.data.models.filter((m): m is string => typeof m === 'string') : []
  return {authIndex: typeof res.data?.auth_index === 'string' ? res.data.auth_index : authIndex, models}
}
