import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 14})
const logs = () => ctx.sim.accounts.logs

describe('logs tail', () => {
  it('says logging to file is off and how to turn it on (exit 3)', async () => {
    const r = await runCli(['logs', 'tail', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(3)
    expect(r.json.error).toEqual({
      code: 'logging_disabled',
      message: 'logging to file is off on the gateway, so there is no log to read',
      exitCode: 3,
      hint: 'turn it on with: cpactl config set logging-to-file true',
    })
  })

  it('prints the last N lines; --json carries a cursor that returns only newer lines', async () => {
    ctx.sim.setConfig('logging-to-file', true)
    for (let i = 1; i <= 5; i++) logs().append(`line ${i}`)
    const all = logs().lines()
    const r = await runCli(['logs', 'tail', '--lines', '3'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe(all.slice(-3).join('\n') + '\n')
    const j = await runCli(['logs', 'tail', '-n', '2', '--json'], {env: ctx.env()})
    expect(j.json).toMatchObject({lines: all.slice(-2), lineCount: 5, cursorReset: false})
    logs().append('line 6')
    logs().append('line 7')
    const next = await runCli(['logs', 'tail', '--cursor', j.json.nextCursor, '--json'], {env: ctx.env()})
    expect(next.json.lines).toEqual(logs().lines().slice(-2))
    expect(next.json.lines[1]).toMatch(/ line 7$/)
    expect(next.json.cursorReset).toBe(false)
  })

  it('a cursor from before a rotation gets a fresh tail marked cursorReset', async () => {
    const j = await runCli(['logs', 'tail', '--json'], {env: ctx.env()})
    ctx.sim.accounts.rotateLogs()
    logs().append('after rotation')
    const r = await runCli(['logs', 'tail', '--cursor', j.json.nextCursor, '--lines', '2', '--json'], {env: ctx.env()})
    expect(r.json.cursorReset).toBe(true)
    expect(r.json.lines).toHaveLength(2)
    expect(r.json.lines[1]).toMatch(/ after rotation$/)
    const human = await runCli(['logs', 'tail', '--cursor', j.json.nextCursor, '--lines', '2'], {env: ctx.env()})
    expect(human.stderr).toContain('rotated or was cleared')
  })

  it('--follow prints new lines once each across a rotation, then stops (--stop-after)', async () => {
    const before = logs().read({limit: 2}).lines
    const run = runCli(['logs', 'tail', '--follow', '--lines', '2', '--interval', '50ms', '--stop-after', '900ms'], {env: ctx.env()})
    await new Promise((r) => setTimeout(r, 250))
    logs().append('followed A')
    await new Promise((r) => setTimeout(r, 250))
    ctx.sim.accounts.rotateLogs()
    logs().append('followed B')
    const r = await run
    expect(r.exitCode).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.slice(0, 2)).toEqual(before)
    expect(lines.slice(2).map((l) => l.replace(/^\[[^\]]+\] \[info\] /, ''))).toEqual(['followed A', 'followed B'])
    expect(r.stderr).toContain('(the gateway log rotated or was cleared; continuing with the new file)')
  })

  it('--follow with --json is a usage error', async () => {
    expect((await runCli(['logs', 'tail', '--follow', '--json'], {env: ctx.env()})).exitCode).toBe(2)
  })
})

describe('logs errors / request', () => {
  it('lists request-error logs newest first and prints one', async () => {
    const a = logs().addRequestLog('0a0a0a0a', 'first failure\n', {error: true, at: Date.now() - 60_000})
    const b = logs().addRequestLog('0b0b0b0b', 'second failure\n', {error: true, at: Date.now()})
    const r = await runCli(['logs', 'errors', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.map((f: {name: string}) => f.name)).toEqual([b.name, a.name])
    expect(r.json[0]).toEqual({name: b.name, size: 15, modified: new Date(Math.floor(b.modified / 1000) * 1000).toISOString()})
    const one = await runCli(['logs', 'error', a.name], {env: ctx.env()})
    expect(one.stdout).toBe('first failure\n')
    const out = join(tempDir(), 'err.log')
    const saved = await runCli(['logs', 'error', a.name, '-o', out, '--json'], {env: ctx.env()})
    expect(saved.json).toEqual({name: a.name, bytes: 14, path: out})
    expect(readFileSync(out, 'utf8')).toBe('first failure\n')
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect((await runCli(['logs', 'error', 'main.log'], {env: ctx.env()})).exitCode).toBe(2)
    expect((await runCli(['logs', 'error', 'error-nope.log'], {env: ctx.env()})).exitCode).toBe(8)
  })

  it('warns that nothing is listed while request-log is on', async () => {
    ctx.sim.setConfig('request-log', true)
    const r = await runCli(['logs', 'errors', '--json'], {env: ctx.env()})
    // a list is an array: the warning is on stderr only
    expect(r.json).toEqual([])
    expect(r.stderr).toBe('Warning: request-log is on: the gateway logs every request and lists no error logs here; read one with cpactl logs request ID\n')
    ctx.sim.setConfig('request-log', false)
  })

  it('prints a request log by id; an unknown id exits 8 with a hint', async () => {
    const recs = ctx.sim.generate(30)
    const failed = recs.find((x) => x.failed)!
    const r = await runCli(['logs', 'request', failed.requestId], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain(`=== REQUEST ${failed.requestId} ===`)
    expect(r.stdout).toContain(`auth_index: ${failed.authIndex}`)
    const missing = await runCli(['logs', 'request', 'ffffffff', '--json'], {env: ctx.env()})
    expect(missing.exitCode).toBe(8)
    expect(missing.json.error.hint).toContain('cpactl config set request-log true')
    expect((await runCli(['logs', 'request', '../etc'], {env: ctx.env()})).exitCode).toBe(2)
  })
})
