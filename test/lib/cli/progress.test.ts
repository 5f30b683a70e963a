import {copyFileSync} from 'node:fs'
import {join} from 'node:path'
import {Readable, Writable} from 'node:stream'
import {afterEach, describe, expect, it} from 'vitest'

import {progressEnabled, setStreamsForTesting, startProgress, writeErr, type Progress} from '../../../src/lib/cli/output.js'
import {progressSink, reportProgress, setProgressSink} from '../../../src/lib/cli/progress.js'
import {readStdinText} from '../../../src/lib/cli/stdin.js'
import {fold} from '../../../src/lib/store/migrations/004-one-rollup-layer.js'
import {withStore} from '../../../src/lib/store/index.js'
import {projectRoot, tempDir} from '../../helpers/run.js'

class Sink extends Writable {
  text = ''
  isTTY: boolean
  columns: number
  constructor(tty: boolean, columns = 40) {
    super()
    this.isTTY = tty
    this.columns = columns
  }
  _write(chunk: Buffer, _enc: string, cb: () => void): void {
    this.text += chunk.toString()
    cb()
  }
}

let restore: (() => void) | null = null
afterEach(() => {
  restore?.()
  setProgressSink(null)
})

function terminal(tty: boolean): {err: Sink; out: Sink} {
  const err = new Sink(tty)
  const out = new Sink(tty)
  restore = setStreamsForTesting({err, out})
  return {err, out}
}

const TTY_ENV = {TERM: 'xterm'}

describe('the progress renderer', () => {
  it('redraws one line in place on an interactive stderr and erases it when done', () => {
    const {err, out} = terminal(true)
    let t = 0
    const p = startProgress({env: TTY_ENV, now: () => t, intervalMs: 100})
    p.update('1 / 3')
    t = 50
    p.update('2 / 3') // throttled
    t = 150
    p.update('3 / 3')
    p.done()
    expect(err.text).toBe('\r\u001B[2K1 / 3\r\u001B[2K3 / 3\r\u001B[2K')
    expect(out.text).toBe('')
  })

  it('a forced update always draws; text is cut to the terminal width', () => {
    const {err} = terminal(true)
    const p = startProgress({env: TTY_ENV, now: () => 0})
    p.update('a')
    p.update('x'.repeat(60), true)
    expect(err.text).toBe(`\r\u001B[2Ka\r\u001B[2K${'x'.repeat(39)}`)
  })

  it('a stderr line written meanwhile erases the progress line first', () => {
    const {err} = terminal(true)
    let t = 0
    const p = startProgress({env: TTY_ENV, now: () => t})
    p.update('working')
    writeErr('Warning: something')
    t = 500
    p.update('still working')
    p.done()
    p.done()
    expect(err.text).toBe('\r\u001B[2Kworking\r\u001B[2KWarning: something\n\r\u001B[2Kstill working\r\u001B[2K')
  })

  it('is silent when stderr is not a terminal, under CI, with TERM=dumb, and when disabled (--json)', () => {
    for (const [tty, env, enabled] of [
      [false, TTY_ENV, true],
      [true, {...TTY_ENV, CI: 'true'}, true],
      [true, {TERM: 'dumb'}, true],
      [true, TTY_ENV, false],
    ] as const) {
      const {err} = terminal(tty)
      const p = startProgress({env, enabled})
      p.update('x', true)
      p.done()
      expect(err.text).toBe('')
      restore?.()
    }
  })
})

describe('the stdin reader', () => {
  it('reads everything, strings and buffers alike', async () => {
    expect(await readStdinText(Readable.from([Buffer.from('ab'), 'c\n']))).toBe('abc\n')
  })
})

describe('progress reported by lower layers (a store migration)', () => {
  it('the bar sink redraws only on change and erases the line at 100 %', () => {
    const calls: string[] = []
    const progress: Progress = {update: (text, force) => calls.push(`${force ? 'draw!' : 'draw'} ${text}`), done: () => calls.push('done')}
    const bar = progressSink(progress)
    bar('migrating', 0, 2000)
    bar('migrating', 0, 2000) // unchanged: not redrawn
    bar('migrating', 1000, 2000)
    bar('migrating', 2000, 2000)
    expect(calls).toEqual([
      'draw! migrating [............................] 0% 0 / 2,000',
      'draw migrating [##############..............] 50% 1,000 / 2,000',
      'done',
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
