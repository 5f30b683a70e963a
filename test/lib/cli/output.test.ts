import {describe, expect, it} from 'vitest'

import {colorEnabled, formatTable, formatUsd, formatInt} from '../../../src/lib/cli/output.js'

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
