import {chmodSync, readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {writeSecretFile} from '../../../src/lib/files/secret-file.js'
import {tempDir} from '../../helpers/run.js'

describe('writeSecretFile', () => {
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
})
