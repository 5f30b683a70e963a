import {describe, expect, it} from 'vitest'

import {colorEnabled, failureRateTone, formatInt, formatTable, formatUsd, paint, setStreamsForTesting, severityTone} from '../../../src/lib/cli/output.js'

const cols = [
  {key: 'name', header: 'NAME'},
  {key: 'n', header: 'N', align: 'right' as const},
]
const rows = [
  {name: 'a,b', n: 1},
  {name: 'say "hi"\tthere', n: 22},
]

describe('tables', () => {
  it('TSV when piped: no truncation, tabs and newlines flattened', () => {
    expect(formatTable(cols, rows, {mode: 'tsv'})).toBe('NAME\tN\na,b\t1\nsay "hi" there\t22\n')
    expect(formatTable(cols, rows, {mode: 'tsv', noHeader: true})).toBe('a,b\t1\nsay "hi" there\t22\n')
  })

  it('CSV per RFC 4180', () => {
    expect(formatTable(cols, rows, {mode: 'csv'})).toBe('NAME,N\r\n"a,b",1\r\n"say ""hi""\tthere",22\r\n')
  })

  it('TTY table has no ANSI colour', () => {
    const text = formatTable(cols, rows, {mode: 'tty'})
    expect(text).not.toMatch(/\u001B\[/)
    expect(text.split('\n')[0]).toMatch(/^NAME\s+N$/)
  })

  it('colour rules', () => {
    expect(colorEnabled('out', {NO_COLOR: '1'})).toBe(false)
    expect(colorEnabled('out', {FORCE_COLOR: '1', NO_COLOR: '1'})).toBe(true)
    expect(colorEnabled('out', {TERM: 'dumb'})).toBe(false)
  })

  it('numbers', () => {
    expect(formatUsd(12.34567)).toBe('$12.3457')
    expect(formatInt(1234567)).toBe('1,234,567')
  })
})

describe('colour (chalk)', () => {
  const tty = {out: {isTTY: true, write: () => true} as never, err: {isTTY: true, write: () => true} as never}

  it('paints severities and failure rates on a terminal, with the same rule as colorEnabled', () => {
    const restore = setStreamsForTesting(tty)
    try {
      const env = {TERM: 'xterm'}
      expect(paint('FAIL', severityTone('fail'), 'out', env)).toBe('\u001B[31m\u001B[1mFAIL\u001B[22m\u001B[39m')
      expect(paint('warning', severityTone('warning'), 'out', env)).toBe('\u001B[33mwarning\u001B[39m')
      expect(paint('PASS', severityTone('pass'), 'out', env)).toBe('\u001B[32mPASS\u001B[39m')
      expect(paint('12.0%', failureRateTone(0.12), 'out', env)).toBe('\u001B[31m\u001B[1m12.0%\u001B[22m\u001B[39m')
      expect(paint('2.0%', failureRateTone(0.02), 'out', env)).toBe('\u001B[33m2.0%\u001B[39m')
      expect(paint('0.5%', failureRateTone(0.005), 'out', env)).toBe('0.5%')
      // NO_COLOR, TERM=dumb and CLICOLOR=0 turn it off even on a terminal
      for (const off of [{NO_COLOR: '1'}, {TERM: 'dumb'}, {CLICOLOR: '0'}]) expect(paint('FAIL', 'error', 'out', off)).toBe('FAIL')
    } finally {
      restore()
    }
  })

  it('never paints when the stream is not a terminal; TSV and CSV strip colour from cells', () => {
    expect(paint('FAIL', 'error', 'out', {})).toBe('FAIL')
    const painted = [{name: '\u001B[31mFAIL\u001B[39m', n: 1}]
    expect(formatTable(cols, painted, {mode: 'tsv'})).toBe('NAME\tN\nFAIL\t1\n')
    expect(formatTable(cols, painted, {mode: 'csv'})).toBe('NAME,N\r\nFAIL,1\r\n')
    expect(formatTable(cols, painted, {mode: 'tty'})).toContain('\u001B[31mFAIL\u001B[39m')
  })
})
