import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {SUITE_IS_V8, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 12})
const dir = tempDir()
const ofType = (type: string) => ctx.sim.accounts.files().filter((f) => f.type === type).sort((a, b) => a.name.localeCompare(b.name))
const indexOf = (name: string) => ctx.sim.accounts.byName(name)!.authIndex
const writes = () => ctx.sim.httpLog().filter((e) => e.method !== 'GET').length

function authFile(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const claudeJson = (email: string) =>
  JSON.stringify({type: 'claude', email, access_token: `sk-ant-oat01-${email}`, refresh_token: 'r', last_refresh: '2026-08-22T14:03:11+08:00'})

describe('auth-files upload', () => {
  it('uploads one file, then lists it (verified)', async () => {
    const path = authFile('claude-new@example.com.json', claudeJson('new@example.com'))
    const r = await runCli(['auth-files', 'upload', path, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({action: 'upload', succeeded: 1, failed: 0, verified: true})
    expect(r.json.items).toEqual([{target: path, name: 'claude-new@example.com.json', authIndex: indexOf('claude-new@example.com.json'), ok: true, changed: true, error: null}])
    expect(ctx.sim.accounts.file('claude-new@example.com.json')?.metadata.email).toBe('new@example.com')
  })

  it('a 207 partial answer is reported per file and exits 6', async () => {
    const good = authFile('claude-two@example.com.json', claudeJson('two@example.com'))
    const bad = authFile('claude-broken@example.com.json', '{"type": "claude", "email": ')
    const r = await runCli(['auth-files', 'upload', good, bad, '--json'], {env: ctx.env()})
    // partial success keeps the normal result shape (per-item errors), with a partial_success warning
    expect(r.exitCode).toBe(6)
    expect(r.json.error).toBeUndefined()
    expect(r.json).toMatchObject({action: 'upload', succeeded: 1, failed: 1})
    expect(r.json.warnings).toEqual([{code: 'partial_success', message: 'upload: 1 of 2 succeeded, 1 failed', items: [bad]}])
    expect(r.stderr).toContain('Warning: upload: 1 of 2 succeeded, 1 failed')
    expect(r.json.items.map((i: {name: string; ok: boolean; error: string | null}) => [i.name, i.ok, i.error])).toEqual([
      ['claude-two@example.com.json', true, null],
      ['claude-broken@example.com.json', false, 'invalid auth file: invalid JSON'],
    ])
    expect(ctx.sim.accounts.file('claude-two@example.com.json')).toBeDefined()
    expect(ctx.sim.accounts.file('claude-broken@example.com.json')).toBeUndefined()
    const human = await runCli(['auth-files', 'upload', good, bad], {env: ctx.env()})
    expect(human.exitCode).toBe(6)
    expect(human.stdout).toContain('claude-broken@example.com.json\t\tfailed: invalid auth file: invalid JSON')
  })

  it('a single rejected file exits 8 with the gateway text; bad names and --dry-run send nothing', async () => {
    const bad = authFile('claude-bad@example.com.json', 'not json')
    const one = await runCli(['auth-files', 'upload', bad, '--json'], {env: ctx.env()})
    expect(one.exitCode).toBe(8)
    expect(one.json.error.message).toBe(`upload failed for ${bad}: invalid auth file: invalid JSON`)
    const n = writes()
    const txt = authFile('notes.txt', '{}')
    expect((await runCli(['auth-files', 'upload', txt], {env: ctx.env()})).exitCode).toBe(2)
    expect((await runCli(['auth-files', 'upload', join(dir, 'missing.json')], {env: ctx.env()})).exitCode).toBe(2)
    const dry = await runCli(['auth-files', 'upload', authFile('claude-dry@example.com.json', claudeJson('dry@example.com')), '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({dryRun: true, succeeded: 1, verified: null})
    expect(writes()).toBe(n)
    expect(ctx.sim.accounts.file('claude-dry@example.com.json')).toBeUndefined()
  })
})

describe('auth-files enable / disable', () => {
  it('disables by name and by auth_index, verifies, and is idempotent', async () => {
    const [a, b] = ofType('codex')
    const r = await runCli(['auth-files', 'disable', a.name, indexOf(b.name), '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({action: 'disable', succeeded: 2, failed: 0, verified: true})
    expect(ctx.sim.accounts.file(a.name)?.metadata.disabled).toBe(true)
    expect(ctx.sim.accounts.file(b.name)?.metadata.disabled).toBe(true)
    const listed = await runCli(['auth-files', 'list', '--disabled', '--json'], {env: ctx.env()})
    expect(listed.json.map((x: {name: string}) => x.name).sort()).toEqual([a.name, b.name].sort())
    const n = writes()
    const again = await runCli(['auth-files', 'disable', a.name, '--json'], {env: ctx.env()})
    expect(again.json.items[0]).toMatchObject({ok: true, changed: false})
    expect(writes()).toBe(n)
    const on = await runCli(['auth-files', 'enable', a.name, b.name], {env: ctx.env()})
    expect(on.exitCode).toBe(0)
    expect(on.stderr).toContain('2 enabled; read back and verified.')
    expect(ctx.sim.accounts.file(a.name)?.metadata.disabled).toBe(false)
  })

  it('unknown names exit 8; a mix of known and unknown exits 6 and still changes the known one', async () => {
    const none = await runCli(['auth-files', 'disable', 'ghost.json', '--json'], {env: ctx.env()})
    expect(none.exitCode).toBe(8)
    expect(none.json.error.code).toBe('not_found')
    const [c] = ofType('claude')
    const mix = await runCli(['auth-files', 'disable', c.name, 'ghost.json', '--json'], {env: ctx.env()})
    expect(mix.exitCode).toBe(6)
    expect(mix.json.items.map((i: {target: string; ok: boolean}) => [i.target, i.ok])).toEqual([
      [c.name, true],
      ['ghost.json', false],
    ])
    expect(ctx.sim.accounts.file(c.name)?.metadata.disabled).toBe(true)
  })

  it('a config API key is disabled by its auth_index: "*" in its excluded-models through the key list, never PATCH status', async () => {
    const gemini = (ctx.sim.getConfig('gemini-api-key') as Array<Record<string, unknown>>)[0]
    const authIndex = ctx.sim.accounts.list().find((a) => a.authType === 'apikey' && a.provider === 'gemini')!.authIndex
    const log = ctx.sim.httpLog().length
    const r = await runCli(['auth-files', 'disable', authIndex, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    // v8 adds the group's name: gemini-api-key[0] (gemini-1)
    expect(r.json.items[0]).toMatchObject({name: expect.stringMatching(/^gemini-api-key\[0\]/), authIndex, ok: true, changed: true})
    expect(r.json.verified).toBe(true)
    expect((ctx.sim.getConfig('gemini-api-key') as Array<Record<string, unknown>>)[0]['excluded-models']).toEqual(['*'])
    expect(ctx.sim.accounts.byIndex(authIndex)!.disabled).toBe(true)
    expect(gemini['excluded-models']).toBeUndefined()
    const sent = ctx.sim.httpLog().slice(log).filter((e) => e.method !== 'GET').map((e) => `${e.method} ${e.path}`)
    expect(sent).toEqual([SUITE_IS_V8 ? 'PUT /v8/management/config/api-keys/gemini' : 'PATCH /v0/management/gemini-api-key'])
    await runCli(['auth-files', 'enable', authIndex], {env: ctx.env()})
    expect((ctx.sim.getConfig('gemini-api-key') as Array<Record<string, unknown>>)[0]['excluded-models'] ?? []).toEqual([])
    expect(ctx.sim.accounts.byIndex(authIndex)!.disabled).toBe(false)
  })

  it('an openai-compatibility key is refused with a clear error (exit 8) and nothing is sent', async () => {
    const compat = ctx.sim.accounts.list().find((a) => a.authType === 'apikey' && a.provider === 'openrouter')!
    const log = ctx.sim.httpLog().length
    const r = await runCli(['auth-files', 'disable', compat.authIndex, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(8)
    expect(r.json.error.message).toContain('openai-compatibility keys cannot be enabled or disabled one by one')
    expect(ctx.sim.httpLog().slice(log).filter((e) => e.method !== 'GET')).toEqual([])
    expect(ctx.sim.accounts.byIndex(compat.authIndex)!.disabled).toBe(false)
  })
})

describe('auth-files delete', () => {
  it('without --yes and no terminal: exit 2, a history warning, nothing deleted', async () => {
    const [x] = ofType('xai')
    const r = await runCli(['auth-files', 'delete', x.name], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('deleting an auth file breaks history correlation')
    expect(r.stderr).toContain('cpactl auth-files disable')
    expect(r.error?.message).toBe(`delete 1 auth file (${x.name}): add --yes to confirm (there is no terminal to ask on)`)
    expect(ctx.sim.accounts.file(x.name)).toBeDefined()
    const dry = await runCli(['auth-files', 'delete', x.name, '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({dryRun: true, succeeded: 1})
    expect(ctx.sim.accounts.file(x.name)).toBeDefined()
  })

  it('--yes deletes by name or auth_index and verifies; unknown exits 8; a mix exits 6', async () => {
    const [x] = ofType('xai')
    const r = await runCli(['auth-files', 'delete', indexOf(x.name), '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({succeeded: 1, failed: 0, verified: true})
    expect(r.json.warnings[0]).toMatchObject({code: 'delete_breaks_history'})
    expect(r.json.warnings[0].message).toContain('breaks history correlation')
    expect(ctx.sim.accounts.file(x.name)).toBeUndefined()
    expect((await runCli(['auth-files', 'delete', x.name, '--yes'], {env: ctx.env()})).exitCode).toBe(8)
    const [v] = ofType('vertex')
    const mix = await runCli(['auth-files', 'delete', v.name, 'ghost.json', '--yes', '--json'], {env: ctx.env()})
    expect(mix.exitCode).toBe(6)
    expect(mix.json.succeeded).toBe(1)
    expect(ctx.sim.accounts.file(v.name)).toBeUndefined()
  })
})

describe('auth-files set', () => {
  it('PATCHes fields and verifies them in the file', async () => {
    const [, , c] = ofType('codex')
    const r = await runCli(['auth-files', 'set', c.name, '--priority', '10', '--weight', '3', '--note', 'rotating out', '--no-websockets', '--proxy-url', 'socks5://bob:s3cretpassword@proxy:1080', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({name: c.name, dryRun: false, verified: true})
    expect(r.json.fields).toEqual({priority: 10, weight: 3, note: 'rotating out', proxy_url: 'socks5://bob:****word@proxy:1080', websockets: false})
    expect(r.json.previous).toEqual({priority: null, weight: null, note: null, proxy_url: null, websockets: null})
    const md = ctx.sim.accounts.file(c.name)!.metadata
    expect([md.priority, md.weight, md.note, md.websockets, md.proxy_url]).toEqual([10, 3, 'rotating out', false, 'socks5://bob:s3cretpassword@proxy:1080'])
    const listed = await runCli(['auth-files', 'show', c.name, '--json'], {env: ctx.env()})
    expect([listed.json.row.priority, listed.json.row.weight, listed.json.row.note]).toEqual([10, 3, 'rotating out'])
    const unset = await runCli(['auth-files', 'set', indexOf(c.name), '--unset', 'weight', '--json'], {env: ctx.env()})
    expect(unset.json).toMatchObject({fields: {weight: null}, previous: {weight: 3}, verified: true})
    expect(ctx.sim.accounts.file(c.name)!.metadata.weight).toBeUndefined()
  })

  it('weight 0 or below is accepted and parks the account: the gateway stores 0', async () => {
    const [, , c] = ofType('codex')
    for (const [flag, stored] of [['0', 0], ['-5', 0]] as const) {
      const r = await runCli(['auth-files', 'set', c.name, `--weight=${flag}`, '--json'], {env: ctx.env()})
      expect(r.exitCode, r.stderr).toBe(0)
      expect(r.json).toMatchObject({fields: {weight: Number(flag)}, verified: true})
      expect(ctx.sim.accounts.file(c.name)!.metadata.weight).toBe(stored)
    }
  })

  it('local validation (exit 2) and the gateway validation errors (exit 8)', async () => {
    const [, , c] = ofType('codex')
    const n = writes()
    expect((await runCli(['auth-files', 'set', c.name, '--weight', '1000001'], {env: ctx.env()})).exitCode).toBe(2)
    expect((await runCli(['auth-files', 'set', c.name, '--prefix', 'a/b'], {env: ctx.env()})).exitCode).toBe(2)
    expect((await runCli(['auth-files', 'set', c.name], {env: ctx.env()})).exitCode).toBe(2)
    expect((await runCli(['auth-files', 'set', c.name, '--field', 'access_token=abc'], {env: ctx.env()})).exitCode).toBe(2)
    expect(writes()).toBe(n)
    const gw = await runCli(['auth-files', 'set', c.name, '--field', 'request_retry="often"', '--json'], {env: ctx.env()})
    expect(gw.exitCode).toBe(8)
    expect(gw.json.error.message).toBe('request_retry must be an integer or null')
    expect((await runCli(['auth-files', 'set', 'ghost.json', '--priority', '1'], {env: ctx.env()})).exitCode).toBe(8)
  })
})
