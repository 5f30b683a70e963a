/**
 * The v8 config tree: `GET|PUT|PATCH|DELETE /v8/management/config/<path>`,
 * `GET|PUT|PATCH /config`, `GET|PUT /config.yaml`. Bodies are raw JSON values (no `{"value":…}` envelope).
 *
 * - A path is a list of mapping keys (never array indexes); pass segments, or a slash path (`routing/retry`).
 * - GET answers the node as stored in the file; 404 `not_found` means "absent, the default applies" ⇒ `found:false`.
 * - Writes answer `{"status":"ok","config-version":8}` and reload asynchronously; the first successful v8 write
 *   migrates a legacy file (isConfigFileMigrated() tells beforehand, from the raw v0 file: v8 GETs always show a
 *   migrated view). Rejections leave the file unchanged and become a RejectedError (exit 8) with the gateway's
 *   error code (`invalid_config`, `invalid_path`, `read_only_field`, …) and message.
 * - Reads are secret-bearing (bcrypt hash, upstream and client keys): callers mask before display, never log.
 * All of these need a v8 gateway: on v7 the client answers `unsupported_route` (exit 8) without sending anything.
 */
import {RejectedError, UpstreamError} from '../cli/errors.js'
import type {GatewayClient, GatewayResponse} from './client.js'
import type {OperationName} from './operations.js'

export type ConfigPath = string | string[]

/** Slash path of mapping keys; empty ⇒ the whole document. */
export function configPathSegments(path: ConfigPath): string[] {
  const parts = typeof path === 'string' ? path.split('/') : path
  return parts.map((p) => p.trim()).filter((p) => p !== '')
}

export interface ConfigTreeRead<T = unknown> {
  found: boolean
  /** The node (undefined when not found). */
  value: T | undefined
}

export interface ConfigTreeWrite {
  /** Always 8 on success. */
  configVersion: number
}

/** The gateway's answer to a rejected config write, as a RejectedError carrying its code and message. */
function rejection(res: GatewayResponse<unknown>, method: string, path: string[]): RejectedError {
  const d = (res.data && typeof res.data === 'object' ? res.data : {}) as {error?: unknown; message?: unknown; field?: unknown}
  const error = typeof d.error === 'string' ? d.error : `http_${res.status}`
  const message = typeof d.message === 'string' ? d.message : ''
  const field = typeof d.field === 'string' ? d.field : null
  const where = path.length === 0 ? 'the config' : path.join('/')
  const text = error === 'read_only_field' ? `${field ?? where} is read-only (owned by CPA Home)` : message || error
  return new RejectedError(`the gateway refused ${method} config ${where}: ${text} (${res.status} ${error})`, res.status, {
    code: error,
    hint: 'nothing was changed on the gateway (a rejected v8 write leaves the file byte for byte as it was)',
    details: {status: res.status, gatewayError: error, ...(message ? {gatewayMessage: message} : {}), ...(field ? {field} : {})},
  })
}

const SERVER_FAILURES: Record<string, string> = {
  read_failed: 'could not read its config file',
  write_failed: 'could not write its config file',
  decode_failed: 'could not decode the value',
  invalid_config: 'cannot load its own config file',
}

/**
 * A 500 of the config handler (`read_failed`, `invalid_config` when the file on disk does not load,
 * `decode_failed`, `write_failed`) as an UpstreamError (exit 5) carrying the gateway's code and message.
 */
function serverFailure(res: GatewayResponse<unknown>, method: string, path: string[]): UpstreamError {
  const d = (res.data && typeof res.data === 'object' ? res.data : {}) as {error?: unknown; message?: unknown}
  const error = typeof d.error === 'string' ? d.error : `http_${res.status}`
  const message = typeof d.message === 'string' ? d.message : ''
  const where = path.length === 0 ? 'the config' : path.join('/')
  const what = SERVER_FAILURES[error] ?? 'failed'
  return new UpstreamError(`the gateway ${what} (${method} config ${where}: ${res.status} ${error}${message ? `: ${message}` : ''})`, {
    code: error,
    hint: method === 'GET' ? 'look at the gateway log and the config file on the gateway host' : 'the write was not saved; look at the gateway log and the config file on the gateway host',
    details: {status: res.status, gatewayError: error, ...(message ? {gatewayMessage: message} : {})},
  })
}

async function read<T>(client: GatewayClient, path: ConfigPath): Promise<ConfigTreeRead<T>> {
  const segs = configPathSegments(path)
  const passStatuses = [404, 500]
  const res =
    segs.length === 0
      ? await client.call<T>('configTreeRoot', {passStatuses})
      : await client.call<T>('configTreeGet', {params: {path: segs.join('/')}, passStatuses})
  if (res.status === 500) throw serverFailure(res, 'GET', segs)
  if (res.status === 404) {
    const d = res.data as {error?: unknown} | null
    if (d && d.error === 'not_found') return {found: false, value: undefined}
    throw client.unsupportedRoute(`GET /v8/management/config/${segs.join('/')}`, 'the v8 config tree')
  }
  return {found: true, value: res.data}
}

/** GET /config[/path]: the node as the file holds it (in memory migrated to v8 layout). */
export async function getConfigTree<T = unknown>(client: GatewayClient, path: ConfigPath = []): Promise<ConfigTreeRead<T>> {
  return read<T>(client, path)
}

async function write(client: GatewayClient, method: 'PUT' | 'PATCH' | 'DELETE', path: ConfigPath, value?: unknown): Promise<ConfigTreeWrite> {
  const segs = configPathSegments(path)
  const root = segs.length === 0
  let op: OperationName
  if (method === 'DELETE') op = root ? 'configTreeRootDelete' : 'configTreeDelete'
  else if (root) op = method === 'PUT' ? 'configTreeRootPut' : 'configTreeRootPatch'
  else op = method === 'PUT' ? 'configTreePut' : 'configTreePatch'
  // DELETE of the root is the gateway's to refuse (400 cannot_delete_config): it is sent, so the answer is its own
  const params = root ? undefined : {path: segs.join('/')}
  const body = method === 'DELETE' ? {} : {body: JSON.stringify(value === undefined ? null : value), contentType: 'application/json'}
  const res = await client.call<unknown>(op, {...body, params, passStatuses: [400, 404, 422, 500], retry: false})
  if (res.status === 500) throw serverFailure(res, method, segs)
  if (res.status >= 400) {
    if (res.status === 404 && !(res.data && typeof res.data === 'object')) {
      throw client.unsupportedRoute(`${method} /v8/management/config/${segs.join('/')}`, 'the v8 config tree')
    }
    throw rejection(res, method, segs)
  }
  const d = (res.data ?? {}) as {'config-version'?: unknown}
  return {configVersion: typeof d['config-version'] === 'number' ? d['config-version'] : 8}
}

/** PUT /config[/path]: replace the node (missing intermediate mappings are created). */
export function putConfigTree(client: GatewayClient, path: ConfigPath, value: unknown): Promise<ConfigTreeWrite> {
  return write(client, 'PUT', path, value)
}

/** PATCH /config[/path]: deep-merge objects; lists and scalars replace; `null` is stored, not deleted. */
export function patchConfigTree(client: GatewayClient, path: ConfigPath, value: unknown): Promise<ConfigTreeWrite> {
  return write(client, 'PATCH', path, value)
}

/** DELETE /config/path: remove the key (the default applies again); 404 `not_found` when absent. */
export function deleteConfigTree(client: GatewayClient, path: ConfigPath): Promise<ConfigTreeWrite> {
  return write(client, 'DELETE', path)
}

/** GET /v8/management/config.yaml: the normalised v8 view of the file as YAML (TURN secrets included). */
export async function getConfigTreeYaml(client: GatewayClient): Promise<string> {
  const res = await client.call<string>('configYamlGet', {responseType: 'text', headers: {accept: 'application/yaml'}, passStatuses: [500]})
  if (res.status === 500) throw serverFailure({...res, data: jsonOf(res.data)}, 'GET', ['config.yaml'])
  return res.data
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/** PUT /v8/management/config.yaml: a whole v8 document (a legacy-layout body is refused with 400 invalid_config). */
export async function putConfigTreeYaml(client: GatewayClient, yamlText: string): Promise<ConfigTreeWrite> {
  const {api} = await client.managementApi()
  if (api !== 'v8') {
    throw new RejectedError('PUT of a v8 config document needs a CPA v8 gateway', 404, {code: 'unsupported_route'})
  }
  const res = await client.call<unknown>('configYamlPut', {body: yamlText, contentType: 'application/yaml', passStatuses: [400, 422, 500], retry: false})
  if (res.status === 500) throw serverFailure(res, 'PUT', ['config.yaml'])
  if (res.status >= 400) throw rejection(res, 'PUT', ['config.yaml'])
  const d = (res.data ?? {}) as {'config-version'?: unknown}
  return {configVersion: typeof d['config-version'] === 'number' ? d['config-version'] : 8}
}

/**
 * Is the config file on disk already in v8 layout (root `config-version: 8`)? Read from the raw file
 * (`GET /v0/management/config.yaml`): the v8 GETs always show a migrated view, since the
 * handler migrates the file in memory before answering.
 */
export async function isConfigFileMigrated(client: GatewayClient): Promise<boolean> {
  const res = await client.call<string>('configFileRaw', {responseType: 'text', headers: {accept: 'application/yaml, text/plain, */*'}})
  const {parse} = await import('yaml')
  try {
    const doc = parse(res.data) as unknown
    return Boolean(doc && typeof doc === 'object' && (doc as Record<string, unknown>)['config-version'] === 8)
  } catch {
    return /^config-version:\s*8\s*(#.*)?$/m.test(res.data)
  }
}

/**
 * Before a v8 write: the warning to show when the gateway's config file is still in the legacy layout, because the
 * first successful v8 write migrates the whole file (any v8 operation that saves config does); null when the
 * gateway speaks v0 or the file is migrated.
 */
export async function v8MigrationNotice(client: GatewayClient): Promise<string | null> {
  const {api} = await client.managementApi()
  if (api !== 'v8') return null
  if (await isConfigFileMigrated(client).catch(() => true)) return null
  return 'this v8 write migrated the gateway config file to the v8 layout (config-version: 8): legacy keys moved, unknown sections commented out; v0 reads of config.yaml now show the new layout'
}
