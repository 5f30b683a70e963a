/**
 * `cpactl inspect run` end to end: real argv, the simulator over real sockets, a temp store.
 */
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator, suitePath} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 11})
let storePath: string
/** Start of the current test: requests that arrived before (late answers of an earlier test) are not its own. */
let t0 = 0

function log() {
  return ctx.sim.httpLog().filter((e) => e.at >= t0)
}

function env(extra: Record<string, string> = {}) {
  return {...ctx.env(), CPACTL_STORE: storePath, ...extra}
}

function patches(): number {
  return log().filter((e) => e.method === 'PATCH' && e.path === suitePath('PATCH', '/auth-files/status')).length
}

function codex(): string[] {
  return ctx.sim.accounts
    .files()
    .filter((f) => f.type === 'codex')
    .map((f) => f.name)
    .sort()
}

beforeEach(() => {
  storePath = join(tempDir('cpactl-inspect-cmd-'), 'cpactl.db')
  for (const f of ctx.sim.accounts.files()) {
    ctx.sim.accounts.setScenario(f.name, 'ok')
    if (f.metadata.disabled === true) ctx.sim.accounts.setDisabled(f.name, false)
  }
  t0 = Date.now()
})

describe('inspect run', () => {
  it('prints the documented JSON document and exits 0 when every probe ran', async () => {
    const [a, b] = codex()
    ctx.sim.accounts.setScenario(b, 'long_exhausted')
    const res = await runCli(['inspect', 'run', '--provider', 'codex,vertex', '--json'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(Object.keys(res.json).sort()).toEqual(['results', 'run', 'summary', 'warnings'])
    expect(res.json.warnings).toEqual([])
    expect(Object.keys(res.json.run).sort()).toEqual(['applied', 'finishedAt', 'id', 'instance', 'providers', 'startedAt', 'threshold', 'trigger'])
    expect(res.json.run).toMatchObject({id: 1, applied: 'none', threshold: 100, providers: ['codex', 'vertex'], trigger: 'inspect', instance: `127.0.0.1:${ctx.sim.port}`})
    const first = res.json.results.find((r: any) => r.name === a)
    expect(Object.keys(first).sort()).toEqual(
      ['action', 'actionTaken', 'attempts', 'authIndex', 'checkedAt', 'classification', 'disabled', 'email', 'httpStatus', 'label', 'name', 'plan', 'provider', 'reason', 'windows'].sort(),
    )
    expect(first).toMatchObject({provider: 'codex', authIndex: ctx.sim.accounts.byName(a)!.authIndex, email: ctx.sim.accounts.byName(a)!.email, classification: 'ok', action: 'keep', httpStatus: 200})
    expect(Object.keys(first.windows).sort()).toEqual(['extra', 'long', 'short'])
    expect(Object.keys(first.windows.long).sort()).toEqual(['id', 'label', 'resetsAt', 'startedAt', 'usedPercent', 'windowSeconds'])
    expect(res.json.results.find((r: any) => r.name === b)).toMatchObject({classification: 'quota_exhausted', action: 'disable', actionTaken: null})
    expect(res.json.results.filter((r: any) => r.provider === 'vertex').map((r: any) => r.classification)).toEqual(['skipped'])
    expect(res.json.summary).toMatchObject({total: 5, probed: 4, skipped: 1, probeFailed: 0, disabled: 0})
    expect(patches()).toBe(0)
    // the management key never appears anywhere
    expect(res.stdout + res.stderr).not.toContain(ctx.env().CPA_MANAGEMENT_KEY)
  })

  it('exits 6 with the normal document when a probe failed', async () => {
    const [a] = codex()
    ctx.sim.accounts.setScenario(a, 'server_error')
    const res = await runCli(['inspect', 'run', '--provider', 'codex', '--json'], {env: env()})
    expect(res.exitCode).toBe(6)
    expect(res.json.error).toBeUndefined()
    expect(res.json.summary.probeFailed).toBe(1)
    expect(res.json.results.find((r: any) => r.name === a)).toMatchObject({classification: 'probe_failed', httpStatus: 500})
    expect(res.json.warnings).toEqual([{code: 'partial_success', message: '1 probe(s) failed (see classification probe_failed)', items: [a]}])
    expect(res.stderr).toContain('Warning: 1 probe(s) failed (see classification probe_failed)')
  })

  it('times out a hanging probe with --timeout, retries it once, and exits 6', async () => {
    const [a] = codex()
    ctx.sim.accounts.setScenario(a, {scenario: 'timeout', delayMs: 1500})
    const res = await runCli(['inspect', 'run', '--account', a, '--probe-timeout', '250ms', '--json'], {env: env()})
    expect(res.exitCode).toBe(6)
    expect(res.json.results).toHaveLength(1)
    expect(res.json.results[0]).toMatchObject({classification: 'probe_failed', attempts: 2, reason: 'no answer within 250ms (2 attempts)'})
  })

  it('--apply disable writes only the evidenced disables; a table in human mode', async () => {
    const [a, b, c, d] = codex()
    ctx.sim.accounts.setScenario(a, 'revoked')
    ctx.sim.accounts.setScenario(b, 'forbidden_plain')
    ctx.sim.accounts.setScenario(c, 'deactivated_workspace')
    ctx.sim.accounts.setScenario(d, 'short_exhausted')
    const res = await runCli(['inspect', 'run', '--provider', 'codex', '--apply', 'disable'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(patches()).toBe(2)
    const disabled = codex().filter((n) => ctx.sim.accounts.file(n)!.metadata.disabled === true)
    expect(disabled).toEqual([a, c])
    const lines = res.stdout.trim().split('\n')
    expect(lines[0].split('\t')).toEqual(['NAME', 'PROVIDER', 'PLAN', 'SHORT', 'LONG', 'HTTP', 'CLASSIFICATION', 'ACTION', 'TAKEN', 'REASON'])
    const row = (n: string) => lines.find((l) => l.startsWith(`${n}\t`))!.split('\t')
    expect(row(a).slice(5, 9)).toEqual(['401', 'reauth', 'reauth', 'disabled'])
    expect(row(b).slice(5, 9)).toEqual(['403', 'review', 'review', '-'])
    expect(row(c).slice(5, 9)).toEqual(['402', 'workspace_deactivated', 'delete-suggested', 'disabled'])
    expect(row(d).slice(5, 9)).toEqual(['200', 'quota_exhausted', 'keep', '-'])
    expect(res.stderr).toContain('4 credential(s): 1 quota_exhausted, 1 reauth, 1 workspace_deactivated, 1 review; 2 disabled, 0 enabled')
    // nothing was deleted
    expect(log().filter((e) => e.method === 'DELETE')).toEqual([])
  })

  it('--dry-run overrides --apply; a policy file sets threshold and apply', async () => {
    const [a] = codex()
    ctx.sim.accounts.setScenario(a, 'long_exhausted')
    const dry = await runCli(['inspect', 'run', '--provider', 'codex', '--apply', 'all', '--dry-run', '--json'], {env: env()})
    expect(dry.json.run.applied).toBe('none')
    expect(patches()).toBe(0)

    const policy = join(tempDir(), 'policy.yaml')
    writeFileSync(policy, 'threshold: 50\napply: disable\nproviders: [codex]\n')
    const res = await runCli(['inspect', 'run', '--policy', policy, '--json'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(res.json.run).toMatchObject({applied: 'disable', threshold: 50, providers: ['codex']})
    expect(res.json.results.find((r: any) => r.name === a)).toMatchObject({actionTaken: 'disabled'})
    // at 50 % some healthy windows count as exhausted too: each disable is a PATCH, and only those
    const taken = res.json.results.filter((r: any) => r.actionTaken === 'disabled').length
    expect(taken).toBeGreaterThanOrEqual(1)
    expect(patches()).toBe(taken)
    expect(res.json.results.filter((r: any) => r.actionTaken === 'disabled').every((r: any) => r.windows.long.usedPercent >= 50)).toBe(true)
  })

  it('rejects bad flags with exit 2 and an unknown account with exit 2', async () => {
    expect((await runCli(['inspect', 'run', '--apply', 'delete'], {env: env()})).exitCode).toBe(2)
    expect((await runCli(['inspect', 'run', '--threshold', '0'], {env: env()})).exitCode).toBe(2)
    expect((await runCli(['inspect', 'run', '--probe-timeout', 'soon'], {env: env()})).exitCode).toBe(2)
    const res = await runCli(['inspect', 'run', '--account', 'nobody.json', '--json'], {env: env()})
    expect(res.exitCode).toBe(2)
    expect(res.json.error.code).toBe('unknown_account')
    expect(log().filter((e) => e.path === suitePath('POST', '/api-call'))).toEqual([])
  })

  it('stops at a rejected management key: exit 4, one failed attempt, no probe', async () => {
    const res = await runCli(['inspect', 'run', '--json'], {env: env({CPA_MANAGEMENT_KEY: 'not-the-key'})})
    expect(res.exitCode).toBe(4)
    expect(res.json.error.code).toBe('auth_failed')
    expect(ctx.sim.authFailures()).toBe(1)
    expect(log().filter((e) => e.path === suitePath('POST', '/api-call'))).toEqual([])
    ctx.sim.unban()
  })
})
