/** The v8 config model's basics: revisions, plain-object checks and dotted-path access. */
export type V8Revision = 'early' | 'later'

export type Obj = Record<string, unknown>

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v)


export function getPath(obj: unknown, path: string | string[]): unknown {
  const parts = typeof path === 'string' ? path.split('.') : path
  let cur: unknown = obj
  for (const p of parts) {
    if (!isObj(cur) || !(p in cur)) return undefined
    cur = cur[p]
  }
  return cur
}

export function hasPath(obj: unknown, path: string[]): boolean {
  let cur: unknown = obj
  for (const p of path) {
    if (!isObj(cur) || !(p in cur)) return false
    cur = cur[p]
  }
  return true
}

export function setPath(obj: Obj, path: string[], value: unknown): void {
  let cur = obj
  for (const p of path.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {}
    cur = cur[p] as Obj
  }
  cur[path[path.length - 1]] = value
}

/** Remove a key and the ancestor mappings it left empty. */
export function deletePath(obj: Obj, path: string[]): boolean {
  if (path.length === 0 || !isObj(obj) || !(path[0] in obj)) return false
  if (path.length === 1) {
    delete obj[path[0]]
    return true
  }
  const child = obj[path[0]]
  if (!isObj(child) || !deletePath(child, path.slice(1))) return false
  if (Object.keys(child).length === 0) delete obj[path[0]]
  return true
}
