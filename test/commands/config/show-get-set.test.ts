import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {useSimulator, V7} from '../../helpers/sim.js'

// the v0 config surface (setting endpoints, the raw config.yaml): v7 contract; config on v8 is settings-v8.test.ts
const ctx = useSimulator({version: V7, seed: 6})

describe('config show', () => {
  it('shows the effective config with secrets masked', async () => {
    const r = await runCli(['config', 'show', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    const cfg = r.json.config
    expect(r.json.raw).toBe(false)
    expect(r.json.masked).toBe(true)
    // keys GET /config omits come from config.yaml, defaults from GET /config
    expect(cfg.port).toBe(ctx.sim.port)
    expect(cfg['usage-statistics-enabled']).toBe(true)
    expect(cfg['max-retry-credentials']).toBe(0)
    const hash = ctx.sim.config.get('remote-management.secret-key') as string
    expect(hash).toMatch(/^\$2a\$/)
    expect(cfg['remote-management']['secret-key']).toBe(`****${hash.slice(-4)}`)
    const keys = ctx.sim.getConfig('api-keys') as string[]
    expect(cfg['api-keys']).toEqual(keys.map((k) => `****${k.slice(-4)}`))
    const upstream = (ctx.sim.getConfig('gemini-api-key') as Array<Record<string, string>>)[0]['api-key']
    expect(cfg['gemini-api-key'][0]['api-key']).toBe(`****${upstream.slice(-4)}`)
    expect(r.stdout).not.toContain(upstream)
    expect(r.stdout).not.toContain(hash)
  })

  it('--raw prints config.yaml with its comments, still masked; --reveal unmasks', async () => {
    const r = await runCli(['config', 'show', '--raw'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('# Seconds a record stays in the usage queue')
    const hash = ctx.sim.config.get('remote-management.secret-key') as string
    expect(r.stdout).toContain(`secret-key: "****${hash.slice(-4)}"`)
    expect(r.stdout).not.toContain(hash)
    const revealed = await runCli(['config', 'show', '--raw', '--reveal'], {env: ctx.env()})
    expect(revealed.stdout.trimEnd()).toBe(ctx.sim.config.text().trimEnd())
  })
})

describe('config get', () => {
  it('reads a key with a setting endpoint there', async () => {
    const r = await runCli(['config', 'get', 'usage-statistics-enabled', '--json'], {env: ctx.env()})
    expect(r.json).toEqual({key: 'usage-statistics-enabled', found: true, value: true, source: 'endpoint', masked: true})
    expect(ctx.sim.httpLog().some((e) => e.path === '/v0/management/usage-statistics-enabled' && e.method === 'GET')).toBe(true)
    const human = await runCli(['config', 'get', 'routing.strategy'], {env: ctx.env()})
    expect(human.stdout).toBe('round-robin\n')
  })

  it('reads other keys from config.yaml, absent ones from the gateway defaults', async () => {
    const file = await runCli(['config', 'get', 'openai-compatibility[0].base-url', '--json'], {env: ctx.env()})
    expect(file.json).toMatchObject({found: true, value: 'https://openrouter.ai/api/v1', source: 'config.yaml'})
    const dflt = await runCli(['config', 'get', 'routing.session-affinity-ttl', '--json'], {env: ctx.env()})
    expect(dflt.json).toMatchObject({found: true, value: '1h', source: 'default'})
    const keys = await runCli(['config', 'get', 'api-keys'], {env: ctx.env()})
    const raw = ctx.sim.getConfig('api-keys') as string[]
    expect(keys.stdout).toBe(raw.map((k) => `- "****${k.slice(-4)}"`).join('\n') + '\n')
  })

  it('exits 1 for a key that is not set; 2 for a malformed key', async () => {
    const r = await runCli(['config', 'get', 'no-such.key', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(1)
    expect(r.json).toEqual({key: 'no-such.key', found: false, value: null, source: null, masked: true})
    const bad = await runCli(['config', 'get', 'a..b'], {env: ctx.env()})
    expect(bad.exitCode).toBe(2)
  })
})

describe('config set', () => {
  it('uses the setting endpoint when there is one and verifies by reading back', async () => {
    const r = await runCli(['config', 'set', 'request-retry', '5', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({key: 'request-retry', via: 'endpoint', previous: 3, value: 5, changed: true, dryRun: false, verified: true, warnings: []})
    expect(ctx.sim.getConfig('request-retry')).toBe(5)
    const puts = ctx.sim.httpLog().filter((e) => e.method === 'PUT')
    expect(puts.map((e) => e.path)).toContain('/v0/management/request-retry')
    expect(puts.map((e) => e.path)).not.toContain('/v0/management/config.yaml')
  })

  it('normalises a strategy alias the way the gateway stores it', async () => {
    const r = await runCli(['config', 'set', 'routing.strategy', 'wrr', '--json'], {env: ctx.env()})
    expect(r.json).toMatchObject({via: 'endpoint', previous: 'round-robin', value: 'weighted-round-robin', verified: true})
    expect(ctx.sim.getConfig('routing.strategy')).toBe('weighted-round-robin')
    const bad = await runCli(['config', 'set', 'routing.strategy', 'fastest'], {env: ctx.env()})
    expect(bad.exitCode).toBe(2)
    expect(bad.error?.message).toContain("unknown routing strategy 'fastest'")
  })

  it('other keys go through config.yaml; comments and key order survive', async () => {
    const before = ctx.sim.config.text()
    const r = await runCli(['config', 'set', 'routing.session-affinity', 'true', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({key: 'routing.session-affinity', via: 'config.yaml', previous: null, value: true, changed: true, verified: true})
    expect(ctx.sim.getConfig('routing.session-affinity')).toBe(true)
    const after = ctx.sim.config.text()
    for (const comment of before.split('\n').filter((l) => l.trim().startsWith('#'))) expect(after).toContain(comment)
    const topKeys = (t: string) => t.split('\n').filter((l) => /^[a-z-]+:/.test(l)).map((l) => l.split(':')[0])
    expect(topKeys(after)).toEqual(topKeys(before))
    // a comment next to a changed scalar stays
    const put = await runCli(['config', 'set', 'redis-usage-queue-retention-seconds', '600'], {env: ctx.env()})
    expect(put.exitCode).toBe(0)
    expect(put.stdout).toBe('set redis-usage-queue-retention-seconds: 60 → 600 (via config.yaml; verified)\n')
    expect(ctx.sim.config.text()).toContain('# Seconds a record stays in the usage queue (at most 3600).\nredis-usage-queue-retention-seconds: 600')
  })

  it('--dry-run changes nothing; an unchanged value sends nothing', async () => {
    const puts = () => ctx.sim.httpLog().filter((e) => e.method === 'PUT').length
    const n = puts()
    const dry = await runCli(['config', 'set', 'debug', 'true', '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({dryRun: true, changed: true, previous: false, value: true, verified: null})
    const same = await runCli(['config', 'set', 'request-retry', '5', '--json'], {env: ctx.env()})
    expect(same.json).toMatchObject({changed: false, verified: null})
    expect(puts()).toBe(n)
    expect(ctx.sim.getConfig('debug')).toBe(false)
  })

  it('refuses wrongly typed values and secrets on the command line (exit 2, nothing sent)', async () => {
    const n = ctx.sim.httpLog().filter((e) => e.method === 'PUT').length
    const typed = await runCli(['config', 'set', 'redis-usage-queue-retention-seconds', 'ten'], {env: ctx.env()})
    expect(typed.exitCode).toBe(2)
    expect(typed.error?.message).toContain('takes an integer')
    const bool = await runCli(['config', 'set', 'logging-to-file', 'maybe'], {env: ctx.env()})
    expect(bool.exitCode).toBe(2)
    const secret = await runCli(['config', 'set', 'remote-management.secret-key', 'hunter2-hunter2'], {env: ctx.env()})
    expect(secret.exitCode).toBe(2)
    expect(secret.error?.message).toContain('refusing to take remote-management.secret-key on the command line')
    expect(secret.stdout + secret.stderr + secret.error?.message).not.toContain('hunter2')
    const key = await runCli(['config', 'set', 'api-keys[0]', 'sk-new-0000000000000000'], {env: ctx.env()})
    expect(key.exitCode).toBe(2)
    expect(JSON.stringify(key.error)).toContain('api-keys add')
    expect(ctx.sim.httpLog().filter((e) => e.method === 'PUT').length).toBe(n)
  })

  it('values for unknown keys are read as YAML and written with a warning', async () => {
    const r = await runCli(['config', 'set', 'passthrough-headers', '[x-trace-id,x-team]', '--json'], {env: ctx.env()})
    expect(r.json).toMatchObject({via: 'config.yaml', value: ['x-trace-id', 'x-team'], verified: true, warnings: []})
    const unknown = await runCli(['config', 'set', 'my-extension.enabled', 'true', '--json'], {env: ctx.env()})
    expect(unknown.json.warnings).toEqual([{code: 'unknown_key', message: "'my-extension' is not a key the gateway is known to read; it is written anyway"}])
    expect(ctx.sim.config.get('my-extension.enabled')).toBe(true)
  })
})

describe('config unset (v7: a YAML round trip through config.yaml)', () => {
  it('needs --yes without a terminal; removes the key keeping the comments; the gateway value for an absent key applies', async () => {
    const puts = () => ctx.sim.httpLog().filter((e) => e.method === 'PUT' && e.path === '/v0/management/config.yaml').length
    const n = puts()
    const no = await runCli(['config', 'unset', 'max-retry-interval', '--json'], {env: ctx.env()})
    expect(no.exitCode).toBe(2)
    expect(no.json.error.message).toBe('remove max-retry-interval from the gateway config.yaml: add --yes to confirm (there is no terminal to ask on)')
    const dry = await runCli(['config', 'unset', 'max-retry-interval', '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toEqual({key: 'max-retry-interval', via: 'config.yaml', previous: 30, default: null, changed: true, warnings: [], dryRun: true, verified: null})
    expect(puts()).toBe(n)
    const r = await runCli(['config', 'unset', 'max-retry-interval', '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({key: 'max-retry-interval', via: 'config.yaml', previous: 30, default: 0, changed: true, warnings: [], dryRun: false, verified: true})
    expect(puts()).toBe(n + 1)
    expect(ctx.sim.config.text()).not.toContain('max-retry-interval')
    expect(ctx.sim.config.text()).toContain('# Seconds a record stays in the usage queue (at most 3600).')
    const again = await runCli(['config', 'unset', 'max-retry-interval', '--yes', '--json'], {env: ctx.env()})
    expect(again.json).toMatchObject({changed: false, verified: null})
    expect(puts()).toBe(n + 1)
    const secret = await runCli(['config', 'unset', 'remote-management.secret-key', '--yes'], {env: ctx.env()})
    expect(secret.exitCode).toBe(2)
  })
})

