import {createHash} from 'node:crypto'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {withStore} from '../../../src/lib/store/index.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 13})
const keys = () => ctx.sim.getConfig('api-keys') as string[]
const sha = (k: string) => createHash('sha256').update(k.trim()).digest('hex')
const store = join(tempDir(), 'cpactl.db')
const writes = () => ctx.sim.httpLog().filter((e) => e.method !== 'GET').length

describe('api-keys list', () => {
  it('masks keys by default, reveals them with --reveal, and shows hashes', async () => {
    const r = await runCli(['api-keys', 'list', '--json', '--store', store], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual(keys().map((k, index) => ({index, key: `****${k.slice(-4)}`, hash: sha(k), alias: null, example: false})))
    for (const k of keys()) expect(r.stdout).not.toContain(k)
    const revealed = await runCli(['api-keys', 'list', '--reveal', '--json', '--store', store], {env: ctx.env()})
    expect(revealed.json.map((k: {key: string}) => k.key)).toEqual(keys())
  })

  it('shows aliases from the store', async () => {
    await withStore({path: store}, (s) => s.aliases.upsert(sha(keys()[1]), 'ci-runner'))
    const r = await runCli(['api-keys', 'list', '--json', '--store', store], {env: ctx.env()})
    expect(r.json.map((k: {alias: string | null}) => k.alias)).toEqual([null, 'ci-runner', null, null])
    const human = await runCli(['api-keys', 'list', '--store', store], {env: ctx.env()})
    expect(human.stdout.split('\n')[2]).toBe(`1\t****${keys()[1].slice(-4)}\tci-runner\t${sha(keys()[1]).slice(0, 12)}`)
  })
})

describe('api-keys add', () => {
  it('generates a strong key, prints it once (alone on stdout) and verifies it is configured', async () => {
    const before = keys().length
    const r = await runCli(['api-keys', 'add'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    const key = r.stdout.trim()
    expect(key).toMatch(/^sk-cpa-[0-9A-Za-z]{40}$/)
    expect(keys()).toHaveLength(before + 1)
    expect(keys()[before]).toBe(key)
    expect(r.stderr).toContain(`Added client key at index ${before} (generated); read back and verified.`)
    const again = await runCli(['api-keys', 'list', '--json', '--store', store], {env: ctx.env()})
    expect(JSON.stringify(again.json)).not.toContain(key)
  })

  it('takes a key from stdin; refuses weak and example keys; an existing key changes nothing', async () => {
    const mine = 'sk-team-ops-0123456789abcdef'
    const r = await runCli(['api-keys', 'add', '--key-stdin', '--json'], {env: ctx.env(), stdin: `${mine}\n`})
    expect(r.json).toMatchObject({key: mine, generated: false, hash: sha(mine), changed: true, verified: true})
    expect(keys()).toContain(mine)
    const n = writes()
    // --stdin is the deprecated spelling of --key-stdin: it still works
    const same = await runCli(['api-keys', 'add', '--stdin', '--json'], {env: ctx.env(), stdin: mine})
    expect(same.json).toEqual({key: `****${mine.slice(-4)}`, generated: false, hash: sha(mine), index: keys().indexOf(mine), changed: false, dryRun: false, verified: null, warnings: []})
    expect((await runCli(['api-keys', 'add', '--key-stdin'], {env: ctx.env(), stdin: 'short'})).exitCode).toBe(2)
    expect((await runCli(['api-keys', 'add', '--key-stdin'], {env: ctx.env(), stdin: 'your-api-key-1'})).exitCode).toBe(2)
    expect((await runCli(['api-keys', 'add', '--dry-run', '--json'], {env: ctx.env()})).json).toMatchObject({dryRun: true, changed: true})
    expect(writes()).toBe(n)
  })
})

describe('api-keys remove', () => {
  it('needs --yes without a terminal; --dry-run changes nothing', async () => {
    const n = writes()
    const before = keys()
    const r = await runCli(['api-keys', 'remove', '0'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.error?.message).toContain('add --yes to confirm')
    const dry = await runCli(['api-keys', 'remove', '0', '--dry-run', '--json', '--store', store], {env: ctx.env()})
    expect(dry.json).toMatchObject({by: 'index', index: 0, key: `****${before[0].slice(-4)}`, removed: 1, dryRun: true})
    expect(keys()).toEqual(before)
    expect(writes()).toBe(n)
  })

  it('removes by index, by value (stdin) and by alias; the alias stays in the store', async () => {
    const before = keys()
    const byIndex = await runCli(['api-keys', 'remove', '0', '--yes', '--json', '--store', store], {env: ctx.env()})
    expect(byIndex.json).toMatchObject({by: 'index', index: 0, hash: sha(before[0]), verified: true, remaining: before.length - 1})
    expect(keys()).toEqual(before.slice(1))
    const victim = keys()[1]
    const byValue = await runCli(['api-keys', 'remove', '--key-stdin', '--yes', '--json', '--store', store], {env: ctx.env(), stdin: victim})
    expect(byValue.json).toMatchObject({by: 'value', hash: sha(victim), verified: true})
    expect(keys()).not.toContain(victim)
    // 'ci-runner' belongs to the original keys()[1], which is now at index 0
    const aliased = before[1]
    const byAlias = await runCli(['api-keys', 'remove', 'ci-runner', '--yes', '--json', '--store', store], {env: ctx.env()})
    expect(byAlias.json).toMatchObject({by: 'alias', hash: sha(aliased), alias: 'ci-runner', verified: true})
    expect(keys()).not.toContain(aliased)
    expect((await withStore({path: store, readonly: true}, (s) => s.aliases.byName('ci-runner')))?.apiKeyHash).toBe(sha(aliased))
  })

  it('an unknown target exits 8 without printing it in clear', async () => {
    const r = await runCli(['api-keys', 'remove', 'sk-not-configured-000000000000', '--yes', '--json', '--store', store], {env: ctx.env()})
    expect(r.exitCode).toBe(8)
    expect(r.json.error.code).toBe('not_found')
    expect(r.stdout).not.toContain('sk-not-configured-000000000000')
    expect((await runCli(['api-keys', 'remove', '99', '--yes', '--store', store], {env: ctx.env()})).exitCode).toBe(8)
  })
})

describe('example keys', () => {
  it('list warns while your-api-key-* keys are configured', async () => {
    ctx.sim.setConfig('api-keys', [...keys(), 'your-api-key-1'])
    const r = await runCli(['api-keys', 'list', '--json', '--store', store], {env: ctx.env()})
    // a list is an array: the warning is on stderr only, and each row says whether it is an example key
    expect(r.json.at(-1)).toMatchObject({index: keys().length, example: true})
    expect(r.json.filter((k: {example: boolean}) => k.example)).toHaveLength(1)
    expect(r.stderr).toBe('Warning: example keys your-api-key-* are configured: the gateway refuses every proxy request until they are removed\n')
  })
})
