// aliases list | set | remove | import: names for client keys, stored only against the SHA-256 of the key.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {sha256Hex} from '../../../src/lib/usage/mask.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

describe('cpactl aliases', () => {
  const ctx = useSimulator({seed: 5})
  const dir = tempDir('cpactl-aliases-')
  const store = join(dir, 'cpactl.db')
  const run = (argv: string[], o: {stdin?: string; env?: Record<string, string>} = {}) => runCli([...argv, '--store', store], o)
  const KEY = 'sk-client-laptop-000111222333'

  it('set by hash, or by the key (on stdin or as an argument) which is hashed at once and never stored', async () => {
    const h = sha256Hex(KEY)
    const a = await run(['aliases', 'set', '--key-stdin', 'Alice laptop', '--json'], {stdin: `${KEY}\n`})
    expect(a.exitCode, a.stderr).toBe(0)
    expect(a.json).toEqual({alias: 'Alice laptop', apiKeyHash: h, previousAlias: null, changed: true, warnings: []})
    const r = await run(['aliases', 'set', h, 'alice', '--json'])
    expect(r.json).toEqual({alias: 'alice', apiKeyHash: h, previousAlias: 'Alice laptop', changed: true, warnings: []})
    const k = await run(['aliases', 'set', KEY, 'alice', '--json'])
    expect(k.json.changed).toBe(false)
    expect(k.stderr).toMatch(/given on the command line/)
    expect(k.json.warnings.map((w: {code: string}) => w.code)).toEqual(['key_in_argv'])
    expect(k.stdout + k.stderr).not.toContain(KEY)
    // the store holds the hash only
    const bytes = readFileSync(store)
    expect(bytes.includes(Buffer.from(KEY))).toBe(false)
  })

  it('aliases are unique regardless of case and at most 120 characters', async () => {
    const other = sha256Hex('sk-client-other-999')
    const dup = await run(['aliases', 'set', other, 'ALICE', '--json'])
    expect(dup.exitCode).toBe(2)
    expect(dup.json.error.code).toBe('alias_taken')
    expect((await run(['aliases', 'set', other, 'x'.repeat(121)])).exitCode).toBe(2)
    expect((await run(['aliases', 'set', other, 'ü'.repeat(120), '--json'])).exitCode).toBe(0)
    expect((await run(['aliases', 'set', other, '   '])).exitCode).toBe(2)
  })

  it('import --from-gateway lists the gateway keys masked with their hashes and remembers the masked form', async () => {
    const keys = ctx.sim.config.get('api-keys') as string[]
    expect(keys.length).toBeGreaterThan(0)
    await run(['aliases', 'set', sha256Hex(keys[0]), 'ci-bot'])
    const r = await run(['aliases', 'import', '--from-gateway', '--json'], {env: ctx.env()})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.source).toBe('gateway')
    expect(r.json.keys.map((k: {apiKeyHash: string}) => k.apiKeyHash)).toEqual(keys.map((k) => sha256Hex(k)))
    expect(r.json.keys[0]).toMatchObject({index: 0, masked: `****${keys[0].slice(-4)}`, alias: 'ci-bot'})
    for (const k of keys) expect(r.stdout + r.stderr).not.toContain(k)
    // aliases of keys no longer on the gateway keep their history
    expect(r.json.orphanAliases.map((a: {alias: string}) => a.alias).sort()).toEqual(['alice', 'ü'.repeat(120)].sort())
    const list = await run(['aliases', 'list', '--json'])
    expect(list.json.find((a: {alias: string}) => a.alias === 'ci-bot')).toMatchObject({masked: `****${keys[0].slice(-4)}`, requests: 0, lastSeen: null})
  })

  it('import FILE: [{apiKeyHash|key, alias}] or {items: [...]}; invalid entries are reported, not fatal', async () => {
    const file = join(dir, 'aliases.json')
    writeFileSync(
      file,
      JSON.stringify({items: [{apiKeyHash: sha256Hex('k1-aaaaaaaaaaaa'), alias: 'one'}, {key: 'k2-bbbbbbbbbbbb', alias: 'two'}, {apiKeyHash: sha256Hex('k3'), alias: 'ALICE'}, {alias: 'nokey'}]}),
    )
    const r = await run(['aliases', 'import', file, '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({source: 'file', read: 4, set: 2, unchanged: 0})
    expect(r.json.rejected.map((x: {alias: string}) => x.alias)).toEqual(['ALICE', 'nokey'])
    expect((await run(['aliases', 'import'])).exitCode).toBe(2)
  })

  it('remove by alias (any case), hash or key; unknown targets are usage errors', async () => {
    const unconfirmed = await run(['aliases', 'remove', 'ONE', '--json'])
    expect([unconfirmed.exitCode, unconfirmed.json.error.code]).toEqual([2, 'confirmation_required'])
    const r = await run(['aliases', 'remove', 'ONE', '--yes', '--json'])
    expect(r.json).toEqual({alias: 'one', apiKeyHash: sha256Hex('k1-aaaaaaaaaaaa')})
    expect((await run(['aliases', 'remove', 'k2-bbbbbbbbbbbb', '--yes', '--json'])).json.alias).toBe('two')
    expect((await run(['aliases', 'remove', 'one', '--yes'])).exitCode).toBe(2)
    const csv = await run(['aliases', 'list', '--csv'])
    expect(csv.stdout.split('\r\n')[0]).toBe('ALIAS,API_KEY_HASH,MASKED_KEY,REQUESTS,LAST_SEEN')
  })
})
