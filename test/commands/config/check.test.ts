import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {projectRoot, runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 9})
const fx = (name: string) => join(projectRoot, 'test/fixtures/config', name)
const noGateway = {CPA_URL: undefined, CPA_MANAGEMENT_KEY: undefined}

describe('config check FILE', () => {
  it('a clean legacy file exits 0 (even --strict); its only finding is the info about v8 migration (no gateway needed)', async () => {
    const r = await runCli(['config', 'check', fx('clean.yaml'), '--strict'], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(r.stdout.split('\n')[1].split('\t')).toEqual(['info', 'legacy-layout', '(file)', expect.stringContaining('legacy (v7) layout'), 'preview the v8 layout with cpactl config migrate FILE (write it with -o FILE)'])
    expect(r.stderr).toContain('(legacy v7 layout): 0 errors, 0 warnings, 1 info.')
    const j = await runCli(['config', 'check', fx('clean.yaml'), '--json'], {env: noGateway})
    expect(j.json).toMatchObject({layout: 'legacy', findings: [{rule: 'legacy-layout', severity: 'info'}], summary: {errors: 0, warnings: 0, info: 1}})
  })

  it('a clean v8 file: nothing on stdout', async () => {
    const dir = tempDir()
    const file = join(dir, 'v8.yaml')
    writeFileSync(file, 'config-version: 8\nmanagement:\n  secret-key: "$2a$10$Q3hWm0cXrT8aZk1yPq2vLuYb7nE4sD6fG9hJ2kL5mN8pR1tV3wX0y"\nobservability:\n  usage:\n    usage-statistics-enabled: true\n')
    const r = await runCli(['config', 'check', file, '--strict'], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain('No problems found in')
    expect(r.stderr).toContain('(v8 layout)')
  })

  it('errors exit 1 with the documented JSON shape', async () => {
    const r = await runCli(['config', 'check', fx('missing-base-url.yaml'), '--json'], {env: noGateway})
    expect(r.exitCode).toBe(1)
    expect(Object.keys(r.json)).toEqual(['layout', 'findings', 'summary'])
    expect(r.json.summary).toEqual({errors: 2, warnings: 0, info: 1})
    for (const f of r.json.findings) expect(Object.keys(f)).toEqual(['rule', 'severity', 'path', 'message', 'fix'])
    expect(r.json.findings[0]).toEqual({
      rule: 'missing-base-url',
      severity: 'error',
      path: 'codex-api-key[1]',
      message: 'codex-api-key[1] has no base-url: the gateway drops this entry without an error',
      fix: 'add base-url to codex-api-key[1]',
    })
    const human = await runCli(['config', 'check', fx('missing-base-url.yaml')], {env: noGateway})
    expect(human.exitCode).toBe(1)
    expect(human.stdout.split('\n')[0].split('\t')).toEqual(['SEVERITY', 'RULE', 'PATH', 'MESSAGE', 'FIX'])
    expect(human.stdout).toContain('error\tmissing-base-url\txai-api-key[0]\t')
    expect(human.stderr).toContain('2 errors, 0 warnings, 1 info.')
  })

  it('warnings exit 0, or 1 with --strict', async () => {
    expect((await runCli(['config', 'check', fx('unknown-key.yaml')], {env: noGateway})).exitCode).toBe(0)
    expect((await runCli(['config', 'check', fx('unknown-key.yaml'), '--strict'], {env: noGateway})).exitCode).toBe(1)
  })

  it('a rules file can switch a rule off (exit 0) or promote it', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'off.yaml'), 'rules:\n  usage-publishing-off: off\n')
    writeFileSync(join(dir, 'promote.yaml'), 'rules:\n  unknown-key: error\n')
    expect((await runCli(['config', 'check', fx('usage-publishing-off.yaml'), '--rules', join(dir, 'off.yaml')], {env: noGateway})).exitCode).toBe(0)
    const promoted = await runCli(['config', 'check', fx('unknown-key.yaml'), '--rules', join(dir, 'promote.yaml'), '--json'], {env: noGateway})
    expect(promoted.exitCode).toBe(1)
    expect(promoted.json.summary).toEqual({errors: 2, warnings: 0, info: 1})
  })

  it('usage errors exit 2: a missing file, a bad rules file', async () => {
    expect((await runCli(['config', 'check', '/nonexistent/config.yaml'], {env: noGateway})).exitCode).toBe(2)
    const dir = tempDir()
    writeFileSync(join(dir, 'bad.yaml'), 'rules:\n  not-a-rule: off\n')
    const r = await runCli(['config', 'check', fx('clean.yaml'), '--rules', join(dir, 'bad.yaml'), '--json'], {env: noGateway})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('invalid_rules')
  })
})

describe('config check (live)', () => {
  it('checks the live config.yaml: the simulator default has 60s retention (a headroom warning)', async () => {
    const r = await runCli(['config', 'check', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.findings.map((f: {rule: string; path: string}) => [f.rule, f.path])).toEqual([['retention-headroom', 'redis-usage-queue-retention-seconds']])
    expect((await runCli(['config', 'check', '--strict'], {env: ctx.env()})).exitCode).toBe(1)
  })

  it('is clean after the retention is raised, and flags publishing switched off', async () => {
    ctx.sim.setConfig('redis-usage-queue-retention-seconds', 300)
    expect((await runCli(['config', 'check', '--strict'], {env: ctx.env()})).exitCode).toBe(0)
    ctx.sim.setConfig('usage-statistics-enabled', false)
    const r = await runCli(['config', 'check', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(1)
    expect(r.json.findings.map((f: {rule: string}) => f.rule)).toEqual(['usage-publishing-off'])
  })
})
