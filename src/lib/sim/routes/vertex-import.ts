/**
 * `POST /vertex/import`: a multipart upload whose `file` field is a Google service
 * account JSON becomes the auth file `vertex-<project>.json` (type `vertex`). `location` comes from the
 * form or the query (default `us-central1`). Answers `{"status":"ok","auth-file":<saved path>,
 * "project_id","email","location"}`; 400 `file required` / `invalid json` / `invalid service account`
 * (no PEM `private_key`) / `project_id missing`.
 */
import {join} from 'node:path'

import type {SimContext, SimRequest, SimResponse, SimRoute} from '../types.js'
import {fail, isRecord, ok, registryOf} from './http.js'

function asText(v: unknown): string {
  if (v === null || v === undefined) return ''
  return typeof v === 'string' ? v : String(v)
}

function filePart(p: string): string {
  const out = p.trim().replaceAll('/', '_').replaceAll('\\', '_').replaceAll(':', '_').replaceAll(' ', '-')
  return out === '' ? 'vertex' : out
}

async function importVertex(req: SimRequest, sim: SimContext): Promise<SimResponse> {
  const reg = registryOf(sim)
  let form: FormData
  try {
    form = await new Response(req.body, {headers: {'content-type': req.headers['content-type'] ?? ''}}).formData()
  } catch {
    return fail(400, 'file required')
  }
  const file = form.get('file')
  if (file === null || typeof file === 'string') return fail(400, 'file required')
  const text = Buffer.from(await file.arrayBuffer()).toString('utf8')
  let sa: unknown
  try {
    sa = JSON.parse(text)
  } catch (error) {
    return fail(400, 'invalid json', {message: (error as Error).message})
  }
  if (!isRecord(sa)) return fail(400, 'invalid json', {message: 'json: cannot unmarshal into Go value of type map[string]interface {}'})
  const key = typeof sa.private_key === 'string' ? sa.private_key.trim() : ''
  if (key === '') return fail(400, 'invalid service account', {message: 'service account missing private_key'})
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) return fail(400, 'invalid service account', {message: 'private_key is not valid pem'})
  const projectId = asText(sa.project_id).trim()
  if (projectId === '') return fail(400, 'project_id missing')
  const email = asText(sa.client_email).trim()
  const formLocation = form.get('location')
  const location = (typeof formLocation === 'string' ? formLocation.trim() : '') || (req.query.get('location') ?? '').trim() || 'us-central1'
  const name = `vertex-${filePart(projectId)}.json`
  const label = projectId && email ? `${projectId} (${email})` : projectId || email || 'vertex'
  const content = {email, label, location, project_id: projectId, service_account: sa, type: 'vertex'}
  const saved = reg.upload(name, Buffer.from(JSON.stringify(content, null, 2) + '\n'))
  if (!saved.ok) return fail(500, 'save_failed', {message: saved.error})
  sim.notifyRefresh?.()
  return ok({status: 'ok', 'auth-file': join(reg.authDir, name), project_id: projectId, email, location})
}

export const vertexImportRoutes: SimRoute[] = [{method: 'POST', path: '/vertex/import', handler: importVertex}]
