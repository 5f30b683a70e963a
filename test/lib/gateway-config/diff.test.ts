import {describe, expect, it} from 'vitest'

import {matchesApplied} from '../../../src/lib/gateway-config/apply.js'
import {diffConfigData} from '../../../src/lib/gateway-config/diff.js'
import {deepEqual, formatPath, getAt, hasAt, parsePath} from '../../../src/lib/gateway-config/path.js'

describe('config paths', () => {
  it('parses and formats dotted paths with indexes', () => {
    expect(parsePath('codex-api-key[0].base-url')).toEqual(['codex-api-key', 0, 'base-url'])
    expect(parsePath('codex-api-key.0.base-url')).toEqual(['codex-api-key', 0, 'base-url'])
    expect(parsePath('routing.strategy')).toEqual(['routing', 'strategy'])
    expect(formatPath(['openai-compatibility', 0, 'api-key-entries', 1, 'weight'])).toBe('openai-compatibility[0].api-key-entries[1].weight')
    expect(() => parsePath('a..b')).toThrow(/empty segment/)
    expect(() => parsePath('[0]')).toThrow(/must start with a key name/)
  })

  it('reads values and compares structurally', () => {
    const d = {a: {b: [1, {c: null}]}}
    expect(getAt(d, ['a', 'b', 1, 'c'])).toBeNull()
    expect(hasAt(d, ['a', 'b', 1, 'c'])).toBe(true)
    expect(hasAt(d, ['a', 'x'])).toBe(false)
    expect(deepEqual({x: 1, y: [1, 2]}, {y: [1, 2], x: 1})).toBe(true)
    expect(deepEqual([1, 2], [2, 1])).toBe(false)
  })
})

describe('diffConfigData', () => {
  it('is equal when only map order differs; lists keep order', async () => {
    expect((await diffConfigData({a: 1, b: 2}, {b: 2, a: 1}, {file: 'f.yaml'})).equal).toBe(true)
    const r = await diffConfigData({l: [1, 2]}, {l: [2, 1]}, {file: 'f.yaml'})
    expect(r.changes).toEqual([
      {path: 'l[0]', kind: 'changed', live: 1, desired: 2},
      {path: 'l[1]', kind: 'changed', live: 2, desired: 1},
    ])
  })

  it('a list that changes length is one change of the whole list, masked', async () => {
    const r = await diffConfigData({'api-keys': ['sk-cpa-aaaaaaaaaaaa1111']}, {'api-keys': ['sk-cpa-aaaaaaaaaaaa1111', 'sk-cpa-bbbbbbbbbbbb2222']}, {file: 'f.yaml'})
    expect(r.changes).toEqual([{path: 'api-keys', kind: 'changed', live: ['****1111'], desired: ['****1111', '****2222']}])
    expect(r.unified).toBe('--- live\n+++ f.yaml\n@@ -1,2 +1,3 @@\n api-keys:\n   - "****1111"\n+  - "****2222"\n')
  })

  it('two different secrets that mask alike still show as a difference', async () => {
    const r = await diffConfigData({'api-keys': ['sk-cpa-aaaaaaaaaaaa1111']}, {'api-keys': ['sk-cpa-cccccccccccc1111']}, {file: 'f.yaml'})
    expect(r.equal).toBe(false)
    expect(r.unified).toContain('-  - "****1111"\n+  - "****1111 (differs)"')
  })

  it('notes that a plaintext secret-key never equals the stored hash', async () => {
    const r = await diffConfigData({'remote-management': {'secret-key': '$2a$10$xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'}}, {'remote-management': {'secret-key': 'plain-text-key-123'}}, {file: 'f.yaml'})
    expect(r.warnings).toEqual([{code: 'plaintext_secret_key', message: 'remote-management.secret-key is plaintext in the file but a bcrypt hash on the gateway: it always shows as a difference; commit the hash instead'}])
  })
})

describe('matchesApplied', () => {
  it('accepts the gateway hashing a plaintext secret-key, nothing else', () => {
    const desired = {'remote-management': {'secret-key': 'plain-text-key-123', 'allow-remote': false}, debug: true}
    expect(matchesApplied({'remote-management': {'secret-key': '$2a$10$abc', 'allow-remote': false}, debug: true}, desired)).toBe(true)
    expect(matchesApplied({'remote-management': {'secret-key': 'plain-text-key-123', 'allow-remote': false}, debug: true}, desired)).toBe(false)
    expect(matchesApplied({'remote-management': {'secret-key': '$2a$10$abc', 'allow-remote': false}, debug: false}, desired)).toBe(false)
  })
})
