import {chmodSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {confirmOrFail} from '../../../src/lib/cli/confirm.js'
import {dropOverlap} from '../../../src/lib/manage/logs.js'
import {generateApiKey, validateNewKey} from '../../../src/lib/manage/api-keys.js'
import {buildFieldPatch} from '../../../src/lib/manage/auth-files-write.js'
import {pollUntil} from '../../../src/lib/manage/poll.js'
import {writeSecretFile} from '../../../src/lib/manage/secret-file.js'
import {tempDir} from '../../helpers/run.js'

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

describe('client keys', () => {
  it('generates distinct 40-character base62 keys with a prefix', () => {
    const keys = new Set(Array.from({length: 50}, generateApiKey))
    expect(keys.size).toBe(50)
    for (const k of keys) expect(k).toMatch(/^sk-cpa-[0-9A-Za-z]{40}$/)
  })
  it('validates supplied keys', () => {
    expect(validateNewKey('  sk-valid-key-0000000000\n')).toBe('sk-valid-key-0000000000')
    expect(() => validateNewKey('has space in the key 0000')).toThrow(/whitespace/)
    expect(() => validateNewKey('tooshort')).toThrow(/at least 16/)
    expect(() => validateNewKey('your-api-key-2')).toThrow(/example key/)
  })
})

describe('auth-file field patch', () => {
  it('maps flags to gateway fields and types --field values', () => {
    expect(buildFieldPatch({priority: 2, weight: null, proxyUrl: 'direct', requestRetry: 1, extra: ['headers={"X-Team":"ops"}', 'label=ops box']})).toEqual({
      priority: 2,
      weight: null,
      proxy_url: 'direct',
      request_retry: 1,
      headers: {'X-Team': 'ops'},
      label: 'ops box',
    })
    expect(() => buildFieldPatch({weight: 1_000_001})).toThrow(/up to 1000000/)
    expect(buildFieldPatch({weight: 0})).toEqual({weight: 0}) // ≤ 0 parks the account (the gateway stores 0)
    expect(() => buildFieldPatch({extra: ['refresh_token=x']})).toThrow(/secret field/)
    expect(() => buildFieldPatch({})).toThrow(/nothing to change/)
  })
})

describe('writeSecretFile / pollUntil', () => {
  it('creates 0600 files and refuses to overwrite unless forced', () => {
    const p = join(tempDir(), 'f.json')
    writeSecretFile(p, Buffer.from('one'))
    expect(statSync(p).mode & 0o777).toBe(0o600)
    expect(() => writeSecretFile(p, Buffer.from('two'))).toThrow(/already exists/)
    chmodSync(p, 0o644)
    writeSecretFile(p, Buffer.from('two'), {force: true})
    expect(readFileSync(p, 'utf8')).toBe('two')
    expect(statSync(p).mode & 0o777).toBe(0o600)
  })
  it('polls until the value arrives or the deadline passes', async () => {
    let n = 0
    const ok = await pollUntil(async () => ++n, (v) => v >= 3, {intervalMs: 1, timeoutMs: 1000})
    expect(ok).toEqual({value: 3, ok: true, attempts: 3})
    const late = await pollUntil(async () => 0, (v) => v === 1, {intervalMs: 5, timeoutMs: 20})
    expect(late.ok).toBe(false)
  })
})
