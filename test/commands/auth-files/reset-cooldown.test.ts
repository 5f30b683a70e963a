import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {startTestSimulator, SUITE_IS_V8, suitePath, TEST_MANAGEMENT_KEY, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 8})

describe('auth-files reset-cooldown', () => {
  it('clears the cooldown of a file by name, and of a config API key by auth_index, on the API the gateway speaks', async () => {
    const file = ctx.sim.accounts.files().find((f) => f.type === 'codex')!
    const fileIndex = ctx.sim.accounts.byName(file.name)!.authIndex
    const from = ctx.sim.httpLog().length
    const r = await runCli(['auth-files', 'reset-cooldown', file.name, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({target: file.name, name: file.name, authIndex: fileIndex, kind: 'file', models: ctx.sim.accounts.byName(file.name)!.models, dryRun: false})
    expect(ctx.sim.accounts.quotaResets(fileIndex)).toBe(1)
    const posts = ctx.sim.httpLog().slice(from).filter((e) => e.method === 'POST').map((e) => e.path)
    expect(posts).toEqual([suitePath('POST', '/reset-quota')])
    expect(posts[0]).toBe(SUITE_IS_V8 ? '/v8/management/routing/cooldown/reset' : '/v0/management/reset-quota')

    const key = ctx.sim.accounts.list().find((a) => a.authType === 'apikey' && a.provider === 'gemini')!
    const human = await runCli(['auth-files', 'reset-cooldown', key.authIndex], {env: ctx.env()})
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toMatch(new RegExp(`^reset the cooldown of gemini-api-key\\[0\\].* \\(auth_index ${key.authIndex}\\)`))
    expect(ctx.sim.accounts.quotaResets(key.authIndex)).toBe(1)
  })

  it('--dry-run resolves and sends nothing; an unknown account exits 8', async () => {
    const file = ctx.sim.accounts.files()[0]!
    const from = ctx.sim.httpLog().length
    const dry = await runCli(['auth-files', 'reset-cooldown', file.name, '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({dryRun: true, name: file.name, models: []})
    expect(ctx.sim.httpLog().slice(from).filter((e) => e.method === 'POST')).toEqual([])
    const missing = await runCli(['auth-files', 'reset-cooldown', 'ghost.json', '--json'], {env: ctx.env()})
    expect(missing.exitCode).toBe(8)
    expect(missing.json.error.code).toBe('not_found')
  })

  it('a v7 gateway older than 7.2.22 has no /reset-quota: exit 8 naming the route, the version and the release that added it', async () => {
    const old = await startTestSimulator({version: '7.2.20', seed: 8})
    try {
      const file = old.accounts.files()[0]!
      const r = await runCli(['auth-files', 'reset-cooldown', file.name, '--json'], {env: {CPA_URL: old.url, CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}})
      expect(r.exitCode).toBe(8)
      expect(r.json.error).toMatchObject({code: 'unsupported_route', message: 'the gateway (version 7.2.20) has no route POST /v0/management/reset-quota for cooldown reset (added in 7.2.22)'})
    } finally {
      await old.close()
    }
  })
})
