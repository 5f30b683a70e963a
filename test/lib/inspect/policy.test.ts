/**
 * The policy: classification + state + ownership → proposed action, which writes --apply allows, and the
 * settings precedence (flags > policy file > defaults) with a validated policy file.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {decide, listFlag, parsePolicy, resolveSettings, writeAllowed, type Ownership} from '../../../src/lib/inspect/policy.js'
import type {Classification} from '../../../src/lib/store/index.js'
import {tempDir} from '../../helpers/run.js'

const none: Ownership = {state: 'none'}
const owned: Ownership = {state: 'owned'}
const lost: Ownership = {state: 'lost', why: 'the file changed after cpactl disabled it'}

function d(c: Classification, evidence: boolean, disabled: boolean, o: Ownership = none) {
  const r = decide({classification: c, disableEvidence: evidence}, disabled, o)
  return [r.action, r.write]
}

describe('decide', () => {
  it('disables only on explicit evidence', () => {
    expect(d('quota_exhausted', true, false)).toEqual(['disable', 'disable'])
    expect(d('quota_exhausted', false, false)).toEqual(['keep', null])
    expect(d('reauth', true, false)).toEqual(['reauth', 'disable'])
    expect(d('workspace_deactivated', true, false)).toEqual(['delete-suggested', 'disable'])
    expect(d('review', false, false)).toEqual(['review', null])
    expect(d('probe_failed', false, false)).toEqual(['keep', null])
    expect(d('skipped', false, false)).toEqual(['keep', null])
    expect(d('ok', false, false)).toEqual(['keep', null])
  })

  it('never writes to an account that is already disabled, except to re-enable its own disable', () => {
    expect(d('quota_exhausted', true, true, owned)).toEqual(['keep', null])
    expect(d('reauth', true, true, owned)).toEqual(['reauth', null])
    expect(d('workspace_deactivated', true, true)).toEqual(['delete-suggested', null])
    expect(d('ok', false, true, owned)).toEqual(['enable', 'enable'])
    expect(d('ok', false, true, none)).toEqual(['keep', null])
    expect(d('ok', false, true, lost)).toEqual(['keep', null])
    // the evidence has not cleared: a short window still over the threshold keeps it disabled
    expect(d('quota_exhausted', false, true, owned)).toEqual(['keep', null])
    expect(decide({classification: 'ok', disableEvidence: false}, true, lost).note).toBe('disabled; not re-enabled: the file changed after cpactl disabled it')
  })

  it('maps --apply modes to the writes they allow', () => {
    expect(['none', 'disable', 'enable', 'all'].map((m) => [writeAllowed('disable', m as never), writeAllowed('enable', m as never)])).toEqual([
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ])
  })
})

describe('policy file and settings', () => {
  it('parses YAML with every key', async () => {
    const p = await parsePolicy('threshold: 95\nproviders: [Codex, xai]\nconcurrency: 8\ntimeout: 30s\napply: disable\n', 'p.yaml')
    expect(p).toEqual({threshold: 95, providers: ['codex', 'xai'], concurrency: 8, timeoutMs: 30_000, apply: 'disable'})
    expect(await parsePolicy('{"providers": "claude", "timeout": 2}', 'p.json')).toEqual({providers: ['claude'], timeoutMs: 2000})
    expect(await parsePolicy('', 'empty.yaml')).toEqual({})
  })

  it('rejects unknown keys and out-of-range values as configuration errors (exit 3)', async () => {
    await expect(parsePolicy('treshold: 90\n', 'p.yaml')).rejects.toMatchObject({code: 'invalid_policy', exitCode: 3})
    await expect(parsePolicy('threshold: 0\n', 'p.yaml')).rejects.toMatchObject({code: 'invalid_policy'})
    await expect(parsePolicy('apply: delete\n', 'p.yaml')).rejects.toMatchObject({code: 'invalid_policy'})
    await expect(parsePolicy('timeout: soon\n', 'p.yaml')).rejects.toMatchObject({code: 'invalid_policy'})
    await expect(parsePolicy('a: [\n', 'p.yaml')).rejects.toMatchObject({code: 'invalid_policy'})
  })

  it('flags win over the policy file, which wins over the defaults; --dry-run forces apply none', async () => {
    const dir = tempDir()
    const file = join(dir, 'policy.yaml')
    writeFileSync(file, 'threshold: 90\nproviders: [codex]\napply: all\nconcurrency: 2\n')
    expect(await resolveSettings({policy: file}, dir)).toEqual({
      threshold: 90,
      providers: ['codex'],
      concurrency: 2,
      timeoutMs: 15_000,
      apply: 'all',
      policySource: file,
    })
    expect(await resolveSettings({policy: file, threshold: 99, apply: 'disable', providers: ['xai']}, dir)).toMatchObject({
      threshold: 99,
      apply: 'disable',
      providers: ['xai'],
      concurrency: 2,
    })
    expect((await resolveSettings({policy: file, dryRun: true}, dir)).apply).toBe('none')
    await expect(resolveSettings({policy: join(dir, 'missing.yaml')}, dir)).rejects.toMatchObject({code: 'invalid_policy', exitCode: 3})
  })

  it('uses <configDir>/inspect-policy.yaml as the stored default, and built-in defaults without it', async () => {
    const configDir = join(tempDir(), 'config')
    expect(await resolveSettings({}, configDir)).toEqual({threshold: 100, providers: null, concurrency: 4, timeoutMs: 15_000, apply: 'none', policySource: null})
    mkdirSync(configDir, {recursive: true})
    writeFileSync(join(configDir, 'inspect-policy.yaml'), 'threshold: 80\n')
    expect(await resolveSettings({}, configDir)).toMatchObject({threshold: 80, policySource: join(configDir, 'inspect-policy.yaml')})
  })

  it('splits repeated and comma-separated flag values', () => {
    expect(listFlag(['codex,Claude', ' xai ', 'codex'])).toEqual(['codex', 'claude', 'xai'])
    expect(listFlag(['A.json,b.json'], false)).toEqual(['A.json', 'b.json'])
    expect(listFlag([])).toBeUndefined()
    expect(listFlag(undefined)).toBeUndefined()
  })
})
