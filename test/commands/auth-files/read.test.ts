import {chmodSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 11})
const files = () => ctx.sim.accounts.files().sort((a, b) => a.name.localeCompare(b.name))
const codex = () => files().find((f) => f.type === 'codex')!
const indexOf = (name: string) => ctx.sim.accounts.byName(name)!.authIndex

describe('auth-files list', () => {
  it('lists every file with provider, account, status, auth_index and counters', async () => {
    ctx.sim.generate(40)
    const r = await runCli(['auth-files', 'list', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.map((x: {name: string}) => x.name)).toEqual(files().map((f) => f.name))
    const f = codex()
    const account = ctx.sim.accounts.byName(f.name)!
    const row = r.json.find((x: {name: string}) => x.name === f.name)
    expect(row).toEqual({
      name: f.name,
      authIndex: account.authIndex,
      provider: 'codex',
      account: f.metadata.email,
      label: f.metadata.email,
      status: 'active',
      statusMessage: null,
      disabled: false,
      unavailable: false,
      priority: null,
      weight: null,
      note: null,
      lastRefresh: new Date(String(f.metadata.last_refresh)).toISOString(),
      success: account.success,
      failed: account.failed,
    })
    expect(r.json.reduce((n: number, x: {success: number; failed: number}) => n + x.success + x.failed, 0)).toBe(
      files().reduce((n, x) => n + ctx.sim.accounts.byName(x.name)!.success + ctx.sim.accounts.byName(x.name)!.failed, 0),
    )
  })

  it('filters by provider and disabled state; prints a TSV table when piped', async () => {
    const r = await runCli(['auth-files', 'list', '--provider', 'codex', '--json'], {env: ctx.env()})
    expect(r.json.map((x: {name: string}) => x.name)).toEqual(files().filter((f) => f.type === 'codex').map((f) => f.name))
    expect((await runCli(['auth-files', 'list', '--disabled', '--json'], {env: ctx.env()})).json).toEqual([])
    const human = await runCli(['auth-files', 'list', '--provider', 'xai'], {env: ctx.env()})
    const lines = human.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('NAME\tPROVIDER\tACCOUNT\tSTATUS\tAUTH_INDEX\tPRIORITY\tWEIGHT\tLAST_REFRESH\tSUCCESS\tFAILED')
    const xai = files().find((f) => f.type === 'xai')!
    expect(lines[1].split('\t').slice(0, 5)).toEqual([xai.name, 'xai', String(xai.metadata.email), 'active', indexOf(xai.name)])
  })
})

describe('auth-files show / models', () => {
  it('show works by file name and by auth_index', async () => {
    const f = codex()
    const byName = await runCli(['auth-files', 'show', f.name, '--json'], {env: ctx.env()})
    const byIndex = await runCli(['auth-files', 'show', indexOf(f.name), '--json'], {env: ctx.env()})
    expect(byName.exitCode).toBe(0)
    expect(byName.json.row.name).toBe(f.name)
    expect(byIndex.json).toEqual(byName.json)
    expect(JSON.stringify(byName.json)).not.toContain(String(f.metadata.access_token))
  })

  it('models lists what the account serves', async () => {
    const f = codex()
    const r = await runCli(['auth-files', 'models', f.name, '--json'], {env: ctx.env()})
    expect(r.json.name).toBe(f.name)
    expect(r.json.models.map((m: {id: string}) => m.id)).toEqual(ctx.sim.accounts.byName(f.name)!.models)
  })

  it('unknown names are a 404-class error (exit 8), not an empty answer', async () => {
    for (const cmd of ['show', 'models', 'download']) {
      const r = await runCli(['auth-files', cmd, 'nobody@example.com.json', '--json'], {env: ctx.env()})
      expect(r.exitCode).toBe(8)
      expect(r.json.error.code).toBe('not_found')
      expect(r.json.error.message).toBe("no auth file named 'nobody@example.com.json'")
    }
  })
})

describe('auth-files download', () => {
  it('writes ./NAME with mode 0600 by default and never overwrites without --force', async () => {
    const f = codex()
    const dir = tempDir()
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const r = await runCli(['auth-files', 'download', indexOf(f.name), '--json'], {env: ctx.env()})
      expect(r.exitCode).toBe(0)
      expect(r.json).toMatchObject({name: f.name, path: join(dir, f.name), mode: '0600'})
      expect(statSync(join(dir, f.name)).mode & 0o777).toBe(0o600)
      expect(readFileSync(join(dir, f.name))).toEqual(ctx.sim.accounts.fileContent(f.name))
      expect(r.stdout).not.toContain(String(f.metadata.access_token))
      const again = await runCli(['auth-files', 'download', f.name], {env: ctx.env()})
      expect(again.exitCode).toBe(2)
      expect(again.error?.message).toBe(`${join(dir, f.name)} already exists`)
    } finally {
      process.chdir(cwd)
    }
  })

  it('-o FILE --force tightens an existing file to 0600', async () => {
    const f = codex()
    const out = join(tempDir(), 'backup.json')
    writeFileSync(out, 'old')
    chmodSync(out, 0o644)
    const r = await runCli(['auth-files', 'download', f.name, '-o', out, '--force'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('mode 0600')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(out)).toEqual(ctx.sim.accounts.fileContent(f.name))
  })

  it('standard output only with an explicit -o -, and never together with --json', async () => {
    const f = codex()
    const r = await runCli(['auth-files', 'download', f.name, '-o', '-'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(ctx.sim.accounts.fileContent(f.name)!.toString('utf8')))
    const j = await runCli(['auth-files', 'download', f.name, '-o', '-', '--json'], {env: ctx.env()})
    expect(j.exitCode).toBe(2)
  })
})
