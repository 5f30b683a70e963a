import {describe, expect, it} from 'vitest'

import {confirmOrFail} from '../../../src/lib/cli/confirm.js'

describe('confirmOrFail', () => {
  it('passes with --yes, fails with exit 2 without a terminal, asks on a terminal', async () => {
    await expect(confirmOrFail({yes: true, action: 'x', interactive: false})).resolves.toBeUndefined()
    await expect(confirmOrFail({yes: false, action: 'delete 1 file', interactive: false})).rejects.toMatchObject({exitCode: 2, code: 'confirmation_required'})
    const questions: string[] = []
    await expect(confirmOrFail({yes: false, action: 'delete 1 file', interactive: true, ask: async (q) => (questions.push(q), 'y')})).resolves.toBeUndefined()
    expect(questions).toEqual(['delete 1 file? [y/N] '])
    await expect(confirmOrFail({yes: false, action: 'delete', interactive: true, ask: async () => ''})).rejects.toMatchObject({exitCode: 130})
  })
})
