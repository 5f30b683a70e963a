// The store has one way in (issue 12): outside src/lib/store no module imports a database driver or reaches a
// store module that could hand out a handle; the store itself imports nothing from the report layer (the old
// store → report → store cycle).
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

import {describe, expect, it} from 'vitest'

import {projectRoot} from '../../helpers/run.js'

const SRC = join(projectRoot, 'src')
const STORE = join(SRC, 'lib', 'store')
/** What other modules may import from the store: the interface, the by-path entry points, pure helpers. */
const PUBLIC = ['index.ts', 'admin.ts', 'histogram.ts'].map((f) => join(STORE, f))

function files(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
}

/** Every module specifier a file imports (static, dynamic, type-only and `import('…')` types). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const out: string[] = []
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) out.push(m[1])
  return out
}

const resolveTs = (from: string, spec: string) => resolve(dirname(from), spec).replace(/\.js$/, '.ts')

describe('the store boundary', () => {
  const all = files(SRC)
  const outside = all.filter((f) => !f.startsWith(STORE + '/'))

  it('no module outside src/lib/store imports a database driver', () => {
    const offenders = outside.filter((f) => imports(f).some((s) => /^(better-sqlite3|pg|postgres|@electric-sql\/pglite)(\/|$)/.test(s)))
    expect(offenders.map((f) => relative(projectRoot, f))).toEqual([])
  })

  it('outside the store only the interface and pure helpers are imported (nothing that holds a handle)', () => {
    const offenders: string[] = []
    for (const f of outside) {
      for (const s of imports(f)) {
        if (!s.startsWith('.')) continue
        const target = resolveTs(f, s)
        if (target.startsWith(STORE + '/') && !PUBLIC.includes(target)) offenders.push(`${relative(projectRoot, f)} → ${relative(projectRoot, target)}`)
      }
    }
    expect(offenders).toEqual([])
  })

  it('the public store modules export no handle, connection or backend class', async () => {
    // besides functions: the value lists of the inspection row shapes the store owns (inspection-rows.ts)
    const index = await import('../../../src/lib/store/index.js')
    expect(Object.keys(index).sort()).toEqual(['APPLY_MODES', 'CLASSIFICATIONS', 'PROPOSED_ACTIONS', 'addCounts', 'aliasKey', 'checkProfileStore', 'classifyLocation', 'emptyCounts', 'isDatabaseUrl', 'isProcessAlive', 'maskLocation', 'openStore', 'rangeIndex', 'storeExists', 'withStore'])
    const admin = await import('../../../src/lib/store/admin.js')
    for (const [name, value] of Object.entries(admin)) expect(typeof value, name).toBe('function')
  })

  it('the store imports nothing from the layers above it (report, collect, commands, pricing logic)', () => {
    const inside = all.filter((f) => f.startsWith(STORE + '/'))
    const offenders: string[] = []
    for (const f of inside) {
      for (const s of imports(f)) {
        if (!s.startsWith('.')) continue
        const target = relative(SRC, resolveTs(f, s))
        if (/^(commands|lib\/(report|collect|demo|manage|health|gateway|queue|sim)\/)/.test(target) || target === 'lib/pricing/cost.ts' || target === 'lib/pricing/manage.ts') {
          offenders.push(`${relative(projectRoot, f)} → ${target}`)
        }
      }
    }
    expect(offenders).toEqual([])
  })

  it('no store file is over 400 lines', () => {
    const long = all.filter((f) => f.startsWith(STORE + '/')).filter((f) => readFileSync(f, 'utf8').split('\n').length > 400)
    expect(long.map((f) => relative(projectRoot, f))).toEqual([])
  })
})
