import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {GatewayClient} from '../../../src/lib/gateway/client.js'
import {putConfigYaml} from '../../../src/lib/gateway/config.js'
import {projectRoot, runCli, tempDir} from '../../helpers/run.js'
import {TEST_MANAGEMENT_KEY, useSimulator, V7} from '../../helpers/sim.js'

// the v7 contract (the raw config.yaml, PUT /v0/management/config.yaml); config diff/apply on v8: diff-apply-v8.test.ts
const ctx = useSimulator({version: V7, seed: 8})
const dir = tempDir()
const configPuts = () => ctx.sim.httpLog().filter((e) => e.method === 'PUT' && e.path === '/v0/management/config.yaml').length

/** The live config.yaml, edited by `edit`, saved to a temp file. */
function desired(name: string, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name)
  writeFileSync(path, edit(ctx.sim.config.text()))
  return path
}

describe('config diff', () => {
  it('exit 0 when the file equals the live config (comments and key order do not count)', async () => {
    const same = desired('same.yaml', (t) => `# my own header comment\n${t.replace('debug: false\n', '').replace('ws-auth: true', 'ws-auth: true\ndebug: false')}`)
    const r = await runCli(['config', 'diff', same, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({equal: true, changes: [], unified: '', masked: true})
  })

  it('exit 1 with a unified diff and per-path changes, secrets masked', async () => {
    const keys = ctx.sim.getConfig('api-keys') as string[]
    const newKey = 'sk-cpa-replacement-key-000000000000wxyz'
    const file = desired('drift.yaml', (t) => t.replace('usage-statistics-enabled: true', 'usage-statistics-enabled: false').replace(keys[1], newKey))
    const r = await runCli(['config', 'diff', file], {env: ctx.env()})
    expect(r.exitCode).toBe(1)
    expect(r.stdout).toContain(`--- live\n+++ ${file}\n`)
    expect(r.stdout).toContain('\n-usage-statistics-enabled: true\n+usage-statistics-enabled: false\n')
    expect(r.stdout).toContain(`\n-  - "****${keys[1].slice(-4)}"\n+  - "****wxyz"\n`)
    expect(r.stdout).not.toContain(newKey)
    expect(r.stdout).not.toContain(keys[1])
    const j = await runCli(['config', 'diff', file, '--json'], {env: ctx.env()})
    expect(j.exitCode).toBe(1)
    expect(j.json.equal).toBe(false)
    expect(j.json.changes).toEqual([
      {path: 'api-keys[1]', kind: 'changed', live: `****${keys[1].slice(-4)}`, desired: '****wxyz'},
      {path: 'usage-statistics-enabled', kind: 'changed', live: true, desired: false},
    ])
    const revealed = await runCli(['config', 'diff', file, '--reveal', '--json'], {env: ctx.env()})
    expect(revealed.json.changes[0]).toEqual({path: 'api-keys[1]', kind: 'changed', live: keys[1], desired: newKey})
  })

  it('reports added and removed keys', async () => {
    const file = desired('added.yaml', (t) => `${t.replace(/^proxy-url: ""\n/m, '')}commercial-mode: true\n`)
    const r = await runCli(['config', 'diff', file, '--json'], {env: ctx.env()})
    expect(r.json.changes).toEqual([
      {path: 'commercial-mode', kind: 'added', desired: true},
      {path: 'proxy-url', kind: 'removed', live: ''},
    ])
  })

  it('exit 2 when the file is missing or not YAML', async () => {
    expect((await runCli(['config', 'diff', join(dir, 'nope.yaml')], {env: ctx.env()})).exitCode).toBe(2)
    const bad = await runCli(['config', 'diff', join(projectRoot, 'test/fixtures/config/invalid-yaml.yaml')], {env: ctx.env()})
    expect(bad.exitCode).toBe(2)
    expect(bad.error?.message).toMatch(/invalid-yaml\.yaml:4:1: /)
  })
})

describe('a v7 gateway and the v8 layout', () => {
  it('a v8 FILE is refused (exit 2, nothing sent): v7 reads only the legacy layout; --strategy paths needs v8', async () => {
    const n = configPuts()
    const v8 = join(projectRoot, 'test/fixtures/config/v8/v8.yaml')
    const diff = await runCli(['config', 'diff', v8, '--json'], {env: ctx.env()})
    expect(diff.exitCode).toBe(2)
    expect(diff.json.error).toMatchObject({code: 'layout_mismatch', message: `${v8} is in the v8 layout, but the gateway is v7 (version 7.2.140), which reads only the legacy layout`})
    const apply = await runCli(['config', 'apply', v8, '--yes', '--json'], {env: ctx.env()})
    expect(apply.json.error.code).toBe('layout_mismatch')
    const strategy = await runCli(['config', 'apply', desired('strategy.yaml'), '--strategy', 'paths', '--yes', '--json'], {env: ctx.env()})
    expect(strategy.exitCode).toBe(2)
    expect(strategy.json.error.code).toBe('unsupported_strategy')
    expect(configPuts()).toBe(n)
  })
})

describe('config apply', () => {
  it('--dry-run shows the diff and sends nothing', async () => {
    const file = desired('dry.yaml', (t) => t.replace('request-retry: 3', 'request-retry: 7'))
    const n = configPuts()
    const r = await runCli(['config', 'apply', file, '--dry-run', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({dryRun: true, changed: true, applied: false, verified: null})
    expect(r.json.diff.changes).toEqual([{path: 'request-retry', kind: 'changed', live: 3, desired: 7}])
    expect(configPuts()).toBe(n)
  })

  it('without --yes and no terminal it fails with exit 2 and sends nothing', async () => {
    const file = desired('noyes.yaml', (t) => t.replace('request-retry: 3', 'request-retry: 7'))
    const n = configPuts()
    const r = await runCli(['config', 'apply', file], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.error?.message).toContain('add --yes to confirm')
    expect(r.stdout).toContain('-request-retry: 3\n+request-retry: 7')
    expect(configPuts()).toBe(n)
    expect(ctx.sim.getConfig('request-retry')).toBe(3)
  })

  it('--yes sends the file as written, reads it back and verifies; unknown keys are kept', async () => {
    const file = desired('apply.yaml', (t) => `${t.replace('request-retry: 3', '# raised by the test\nrequest-retry: 7')}my-plugin-settings:\n  level: 2\n`)
    const r = await runCli(['config', 'apply', file, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({changed: true, applied: true, verified: true})
    expect(r.json.warnings).toEqual([{code: 'unknown_key', message: "unknown key 'my-plugin-settings' is kept as written; the gateway ignores it"}])
    expect(ctx.sim.getConfig('request-retry')).toBe(7)
    expect(ctx.sim.config.get('my-plugin-settings.level')).toBe(2)
    expect(ctx.sim.config.text()).toContain('# raised by the test\nrequest-retry: 7')
    // applying the same file again changes nothing and sends nothing
    const n = configPuts()
    const again = await runCli(['config', 'apply', file, '--yes', '--json'], {env: ctx.env()})
    expect(again.json).toMatchObject({changed: false, applied: false})
    expect(configPuts()).toBe(n)
  })

  it('a plaintext secret-key is hashed by the gateway and still verifies; the key keeps working', async () => {
    const file = desired('plain.yaml', (t) => t.replace(/secret-key: ".*"/, `secret-key: "${TEST_MANAGEMENT_KEY}"`).replace('debug: false', 'debug: true'))
    const r = await runCli(['config', 'apply', file, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.verified).toBe(true)
    expect(r.json.warnings).toContainEqual({code: 'plaintext_secret_key', message: 'remote-management.secret-key is plaintext in the file; the gateway stores its bcrypt hash (commit the hash instead)'})
    expect(JSON.stringify(r.json)).not.toContain(TEST_MANAGEMENT_KEY)
    expect(ctx.sim.config.get('remote-management.secret-key')).toMatch(/^\$2a\$/)
    expect((await runCli(['config', 'get', 'debug'], {env: ctx.env()})).stdout).toBe('true\n')
  })

  it("the gateway's 422 invalid_config comes back with its message (exit 8)", async () => {
    const file = desired('bad-strategy.yaml', (t) => t.replace(/strategy: .*/, 'strategy: "least-latency"'))
    const r = await runCli(['config', 'apply', file, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(8)
    expect(r.json.error.code).toBe('invalid_config')
    expect(r.json.error.message).toBe('the gateway says the config is not a valid config: invalid routing.strategy "least-latency"')
  })

  it('local validation stops wrongly typed files before anything is sent (exit 2)', async () => {
    const n = configPuts()
    const r = await runCli(['config', 'apply', join(projectRoot, 'test/fixtures/config/invalid-value.yaml'), '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('invalid_config')
    expect(r.json.error.details.issues).toEqual([
      {path: 'port', message: 'expected an integer, found the string "eighty"'},
      {path: 'logging-to-file', message: 'expected true or false, found the string "sometimes"'},
    ])
    expect(configPuts()).toBe(n)
  })

  it("the gateway's 400 invalid_yaml becomes a clear RejectedError", async () => {
    const client = new GatewayClient({baseUrl: ctx.sim.url, getKey: async () => ({key: TEST_MANAGEMENT_KEY, source: 'test'})})
    try {
      await expect(putConfigYaml(client, 'a: [1, 2\nb: :\n')).rejects.toMatchObject({exitCode: 8, code: 'invalid_yaml', status: 400})
      await expect(putConfigYaml(client, 'a: [1, 2\n')).rejects.toThrow(/^the gateway says the config is not valid YAML: /)
    } finally {
      await client.close()
    }
  })
})

describe('fixture sanity', () => {
  it('the clean fixture is accepted by the simulated gateway', () => {
    expect(readFileSync(join(projectRoot, 'test/fixtures/config/clean.yaml'), 'utf8')).toContain('usage-statistics-enabled: true')
  })
})
