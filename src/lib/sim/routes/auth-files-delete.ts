/** DELETE /auth-files: repeatable `name`, a JSON body, or `all`; 207 on partial success. */
import type {SimAccountRegistry} from '../account-types.js'
import {baseName, fail, isRecord, isUnsafeName, ok, refreshed, registryOf} from './http.js'
import type {SimContext, SimRequest, SimResponse} from '../types.js'

export function uniqueNames(names: unknown[]): string[] {
  const out: string[] = []
  for (const n of names) {
    if (typeof n !== 'string') continue
    const t = n.trim()
    if (t !== '' && !out.includes(t)) out.push(t)
  }
  return out
}

export function deleteOne(reg: SimAccountRegistry, raw: string): {ok: true; name: string} | {ok: false; status: number; error: string; name: string} {
  const name = raw.trim()
  if (isUnsafeName(name)) return {ok: false, status: 400, error: 'invalid name', name}
  const f = reg.file(name)
  const target = f?.name ?? baseName(name)
  if (!reg.remove(target)) return {ok: false, status: 404, error: 'auth file not found', name: baseName(name)}
  return {ok: true, name: target}
}

export function deleteAuthFiles(req: SimRequest, sim: SimContext): SimResponse {
  const reg = registryOf(sim)
  const all = req.query.get('all')
  if (all === 'true' || all === '1' || all === '*') {
    const deleted = reg.removeAll()
    if (deleted > 0) refreshed(sim)
    return ok({status: 'ok', deleted})
  }

  let names = uniqueNames(req.query.getAll('name'))
  if (names.length === 0) {
    const text = req.body.toString('utf8').trim()
    if (text !== '') {
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return fail(400, 'invalid request body')
      }
      if (Array.isArray(body)) {
        if (!body.every((n) => typeof n === 'string')) return fail(400, 'invalid request body')
        names = uniqueNames(body)
      } else if (isRecord(body)) {
        const list: unknown[] = []
        if (typeof body.name === 'string' && body.name.trim() !== '') list.push(body.name)
        if (Array.isArray(body.names)) list.push(...body.names)
        names = uniqueNames(list)
      } else {
        return fail(400, 'invalid request body')
      }
    }
  }
  if (names.length === 0) return fail(400, 'invalid name')
  if (names.length === 1) {
    const r = deleteOne(reg, names[0]!)
    if (r.ok) refreshed(sim)
    return r.ok ? ok() : fail(r.status, r.error)
  }
  const deleted: string[] = []
  const failed: Array<{name: string; error: string}> = []
  for (const n of names) {
    const r = deleteOne(reg, n)
    if (r.ok) deleted.push(r.name)
    else failed.push({name: n, error: r.error})
  }
  if (deleted.length > 0) refreshed(sim)
  if (failed.length > 0) return ok({status: 'partial', deleted: deleted.length, files: deleted, failed}, 207)
  return ok({status: 'ok', deleted: deleted.length, files: deleted})
}
