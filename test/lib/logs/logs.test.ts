import {describe, expect, it} from 'vitest'

import {dropOverlap} from '../../../src/lib/logs/logs.js'

describe('dropOverlap', () => {
  it('drops lines already printed when a fresh tail repeats them', () => {
    expect(dropOverlap(['a', 'b', 'c'], ['b', 'c', 'd', 'e'])).toEqual(['d', 'e'])
    expect(dropOverlap(['a', 'b', 'c'], ['x', 'a', 'b', 'c'])).toEqual([])
  })
  it('keeps everything when the log was cleared (no overlap) or nothing was printed', () => {
    expect(dropOverlap(['a', 'b'], ['n1', 'n2'])).toEqual(['n1', 'n2'])
    expect(dropOverlap([], ['n1'])).toEqual(['n1'])
  })
  it('needs the preceding lines to match too, not just the last one', () => {
    expect(dropOverlap(['x', 'same'], ['y', 'same', 'new'])).toEqual(['y', 'same', 'new'])
  })
})
