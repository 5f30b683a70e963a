// Progress of long store work (a migration walking millions of events): drawn as one redrawn line on an
// interactive stderr, silent without a sink (pipes, CI, --json), fed by the store's migration.
import {copyFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {progressEnabled} from '../../../src/lib/cli/output.js'
import {reportProgress, setProgressSink, stderrBar} from '../../../src/lib/cli/progress.js'
import {fold} from '../../../src/lib/store/migrations/004-one-rollup-layer.js'
import {withStore} from '../../../src/lib/store/index.js'
import {projectRoot, tempDir} from '../../helpers/run.js'

afterEach(() => setProgressSink(null))

describe('progress', () => {
  it('stderrBar redraws one line in place and ends it at 100 %', () => {
    const out: string[] = []
    const bar = stderrBar((t) => out.push(t))
    bar('migrating', 0, 2000)
    bar('migrating', 0, 2000) // unchanged: not redrawn
    bar('migrating', 1000, 2000)
    bar('migrating', 2000, 2000)
    expect(out).toEqual([
      '\rmigrating [............................] 0% 0 / 2,000',
      '\rmigrating [##############..............] 50% 1,000 / 2,000',
      '\rmigrating [############################] 100% 2,000 / 2,000\n',
    ])
  })

  it('is silent without a sink, and never on CI or a dumb terminal', () => {
    expect(() => reportProgress('x', 1, 2)).not.toThrow()
    expect(progressEnabled({CI: 'true'})).toBe(false)
    expect(progressEnabled({TERM: 'dumb'})).toBe(false)
  })

  it('a store migration that walks events reports through the sink', async () => {
    const path = join(tempDir('cpactl-progress-'), 'store.db')
    copyFileSync(join(projectRoot, 'test', 'fixtures', 'store', 'v3.db'), path)
    const seen: Array<[string, number, number]> = []
    setProgressSink((label, done, total) => seen.push([label, done, total]))
    const saved = fold.chunk
    fold.chunk = 100
    try {
      await withStore({path}, async () => undefined)
    } finally {
      fold.chunk = saved
    }
    expect(seen).toEqual([0, 100, 200, 260].map((d) => ['migrating the store (4 one-rollup-layer)', d, 260]))
  })
})
