/**
 * Live config on a v8 gateway: `config get|set|unset PATH` on the config tree,
 * against the simulator over real sockets. The gateway's file starts in the legacy layout (the first v8 write
 * migrates it). Every request is asserted by method and path; values are read back from the file.
 */
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {runCli} from '../../helpers/run.js'
import {requestsSince, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({version: '8.0.23', seed: 11})
const sent = (from: number) => requestsSince(ctx.sim, from)
const file = () => YAML.parse(ctx.sim.config.text())
const mark = () => ctx.sim.httpLog().length

describe('config get PATH on v8', () => {
  it('reads the v8 path; a legacy name maps to it and says so', async () => {
    const from = mark()
    const r = await runCli(['config', 'get', 'request-retry', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      key: 'routing.retry.request-retry',
      input: 'request-retry',
      legacy: 'request-retry',
      found: true,
      value: 3,
      source: 'config-tree',
      masked: true,
      notes: ['request-retry is routing.retry.request-retry on a v8 gateway'],
    })
    expect(sent(from)).toEqual(['GET /v8/management/config/routing/retry/request-retry'])
    const human = await runCli(['config', 'get', 'routing/strategy'], {env: ctx.env()})
    expect(human.stdout).toBe('round-robin\n')
    expect(human.exitCode).toBe(0)
  })

  it('a key absent from the file: 404 ⇒ the schema default on stdout, "not set" on stderr, exit 1', async () => {
    const from = mark()
    const r = await runCli(['config', 'get', 'observability.logs.request-log', '--json'], {env: ctx.env()})
    // the legacy file has request-log: false, so it is found; max-retry-credentials is not in it
    expect(r.json).toMatchObject({found: true, value: false})
    const absent = await runCli(['config', 'get', 'routing.retry.max-retry-credentials', '--json'], {env: ctx.env()})
    expect(absent.exitCode).toBe(1)
    expect(absent.json).toEqual({key: 'routing.retry.max-retry-credentials', input: 'routing.retry.max-retry-credentials', legacy: null, found: false, value: 0, source: 'default', masked: true, notes: []})
    const human = await runCli(['config', 'get', 'routing.session-affinity-ttl'], {env: ctx.env()})
    expect(human.exitCode).toBe(1)
    expect(human.stdout).toBe('1h\n')
    expect(human.stderr).toContain("routing.session-affinity-ttl is not set in the gateway's config file; the default applies")
    expect(sent(from)).toEqual([
      'GET /v8/management/config/observability/logs/request-log',
      'GET /v8/management/config/routing/retry/max-retry-credentials',
      'GET /v8/management/config/routing/session-affinity-ttl',
    ])
  })

  it('an unknown path exits 2 with the closest known paths, before any request', async () => {
    const from = mark()
    const r = await runCli(['config', 'get', 'routing.retry.request-retyr', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('unknown_key')
    expect(r.json.error.message).toBe("unknown config path 'routing.retry.request-retyr' (closest: routing.retry.request-retry, routing.retry.max-retry-credentials, routing.retry.max-retry-interval)")
    const indexed = await runCli(['config', 'get', 'codex-api-key[0].base-url'], {env: ctx.env()})
    expect(indexed.exitCode).toBe(2)
    expect(indexed.error?.message).toContain('v8 config paths address mapping keys only, never list positions')
    expect(sent(from)).toEqual([])
  })

  it('secrets are masked unless --reveal (client keys, the secret-key hash)', async () => {
    const keys = ctx.sim.getConfig('api-keys') as string[]
    const r = await runCli(['config', 'get', 'access.api-keys', '--json'], {env: ctx.env()})
    expect(r.json.value).toEqual(keys.map((k) => `****${k.slice(-4)}`))
    const legacy = await runCli(['config', 'get', 'api-keys', '--json'], {env: ctx.env()})
    expect(legacy.json).toMatchObject({key: 'access.api-keys', legacy: 'api-keys', value: keys.map((k) => `****${k.slice(-4)}`)})
    const hash = ctx.sim.config.get('remote-management.secret-key') as string
    const secret = await runCli(['config', 'get', 'management.secret-key'], {env: ctx.env()})
    expect(secret.stdout).toBe(`****${hash.slice(-4)}\n`)
    const revealed = await runCli(['config', 'get', 'access.api-keys', '--reveal', '--json'], {env: ctx.env()})
    expect(revealed.json.value).toEqual(keys)
  })
})

describe('config set PATH VALUE on v8', () => {
  it('a wrong type, a secret or a read-only field exits 2 before any request', async () => {
    const from = mark()
    const cases: Array<[string[], string, string]> = [
      [['server.port', 'x'], 'invalid_value', "server.port takes an integer, not 'x'"],
      [['usage-statistics-enabled', 'maybe'], 'invalid_value', "observability.usage.usage-statistics-enabled takes true or false, not 'maybe'"],
      [['server.trusted-proxies', '10.0.0.1'], 'invalid_value', 'server.trusted-proxies takes a list written as JSON'],
      [['routing.strategy', 'random'], 'invalid_value', "unknown routing strategy 'random'"],
      [['management.secret-key', 'new-key-value-123'], 'secret_in_argv', 'refusing to take management.secret-key on the command line'],
      [['plugins.auth-revision', '4'], 'read_only_field', 'plugins.auth-revision is read-only (owned by Home)'],
      [['routng.strategy', 'wrr'], 'unknown_key', "unknown config path 'routng.strategy'"],
    ]
    for (const [args, code, message] of cases) {
      const r = await runCli(['config', 'set', ...args, '--json'], {env: ctx.env()})
      expect(r.exitCode, args.join(' ')).toBe(2)
      expect(r.json.error.code, args.join(' ')).toBe(code)
      expect(r.json.error.message, args.join(' ')).toContain(message)
    }
    expect(sent(from)).toEqual([])
    expect(file()['config-version']).toBeUndefined()
  })

  it('PUTs the typed raw value on the v8 path, reads it back; the first v8 write migrates the legacy file (warned)', async () => {
    const from = mark()
    const r = await runCli(['config', 'set', 'max-retry-interval', '45', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      key: 'routing.retry.max-retry-interval',
      input: 'max-retry-interval',
      legacy: 'max-retry-interval',
      via: 'config-tree',
      previous: 30,
      value: 45,
      changed: true,
      dryRun: false,
      verified: true,
      warnings: [
        {code: 'legacy_key_name', message: 'max-retry-interval is routing.retry.max-retry-interval on a v8 gateway'},
        {code: 'config_migrated_to_v8', message: 'this v8 write migrated the gateway config file to the v8 layout (config-version: 8): legacy keys moved, unknown sections commented out; v0 reads of config.yaml now show the new layout'},
      ],
    })
    expect(sent(from)).toEqual([
      'GET /v8/management/config/routing/retry/max-retry-interval',
      'PUT /v8/management/config/routing/retry/max-retry-interval',
      'GET /v8/management/config/routing/retry/max-retry-interval',
    ])
    const f = file()
    expect(f['config-version']).toBe(8)
    expect(f.routing.retry['max-retry-interval']).toBe(45)
    expect(f['max-retry-interval']).toBeUndefined()
  })

  it('lists and mappings as JSON, durations, canonical strategy names; an unchanged value sends no write', async () => {
    const list = await runCli(['config', 'set', 'oauth.excluded-models.claude', '["claude-3-5-haiku-*","claude-2*"]', '--json'], {env: ctx.env()})
    expect(list.json).toMatchObject({key: 'oauth.excluded-models.claude', previous: null, value: ['claude-3-5-haiku-*', 'claude-2*'], verified: true})
    expect(file().oauth['excluded-models']).toEqual({claude: ['claude-3-5-haiku-*', 'claude-2*']})
    const ttl = await runCli(['config', 'set', 'routing.session-affinity-ttl', '30m'], {env: ctx.env()})
    expect(ttl.stdout).toBe('set routing.session-affinity-ttl: null → 30m (via the v8 config tree; verified)\n')
    const strategy = await runCli(['config', 'set', 'routing.strategy', 'ff', '--json'], {env: ctx.env()})
    expect(strategy.json).toMatchObject({value: 'fill-first', verified: true})
    expect(file().routing.strategy).toBe('fill-first')
    const from = mark()
    const again = await runCli(['config', 'set', 'routing.strategy', 'fill-first', '--json'], {env: ctx.env()})
    expect(again.json).toMatchObject({changed: false, verified: null})
    const dry = await runCli(['config', 'set', 'observability.logs.debug', 'true', '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({previous: false, value: true, changed: true, dryRun: true, verified: null})
    expect(sent(from).filter((l) => !l.startsWith('GET'))).toEqual([])
  })

  it('a path only later 8.0.x builds know is written with a note (this simulator is a later build)', async () => {
    const r = await runCli(['config', 'set', 'client.codex.enable-apply-patch', 'true', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json.warnings).toContainEqual({code: 'v8_path_caveat', message: 'client.codex.enable-apply-patch exists only in later 8.0.x builds; an early v8 gateway rejects it'})
  })
})

describe('config unset PATH on v8', () => {
  it('needs --yes without a terminal (exit 2, nothing sent); --dry-run previews', async () => {
    const from = mark()
    const r = await runCli(['config', 'unset', 'routing.retry.max-retry-interval', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('confirmation_required')
    expect(r.json.error.message).toBe('remove routing.retry.max-retry-interval from the gateway config (the default 0 applies again): add --yes to confirm (there is no terminal to ask on)')
    const dry = await runCli(['config', 'unset', 'max-retry-interval', '--dry-run', '--json'], {env: ctx.env()})
    expect(dry.json).toMatchObject({key: 'routing.retry.max-retry-interval', previous: 45, default: 0, changed: true, dryRun: true, verified: null})
    expect(sent(from).filter((l) => !l.startsWith('GET'))).toEqual([])
    expect(file().routing.retry['max-retry-interval']).toBe(45)
  })

  it('--yes: DELETE, then the path reads 404 (default applies); only the emptied mappings are pruned', async () => {
    const from = mark()
    const r = await runCli(['config', 'unset', 'oauth.excluded-models.claude', '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({key: 'oauth.excluded-models.claude', via: 'config-tree', previous: ['claude-3-5-haiku-*', 'claude-2*'], changed: true, verified: true})
    expect(sent(from)).toEqual([
      'GET /v8/management/config/oauth/excluded-models/claude',
      'DELETE /v8/management/config/oauth/excluded-models/claude',
      'GET /v8/management/config/oauth/excluded-models/claude',
    ])
    // excluded-models had only claude: pruned; oauth keeps its other keys
    expect(file().oauth['excluded-models']).toBeUndefined()
    expect(file().oauth['auth-dir']).toBeDefined()
    const human = await runCli(['config', 'unset', 'proxy-url', '--yes'], {env: ctx.env()})
    expect(human.stdout).toBe('removed requests.proxy-url (was "") via the v8 config tree; the default "" applies; verified\n')
    expect(file().requests?.['proxy-url']).toBeUndefined()
  })

  it('a key that is not set: exit 0, nothing sent; the secret key and read-only fields are refused (exit 2)', async () => {
    const from = mark()
    const r = await runCli(['config', 'unset', 'observability.pprof.addr', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({changed: false, previous: null, default: '127.0.0.1:8316', verified: null})
    expect(r.stderr).not.toContain('--yes')
    const secret = await runCli(['config', 'unset', 'management.secret-key', '--yes', '--json'], {env: ctx.env()})
    expect(secret.exitCode).toBe(2)
    expect(secret.json.error.code).toBe('would_disable_management')
    const whole = await runCli(['config', 'unset', 'management', '--yes'], {env: ctx.env()})
    expect(whole.exitCode).toBe(2)
    const ro = await runCli(['config', 'unset', 'credentials.concurrency.lifecycle-config-revision', '--yes', '--json'], {env: ctx.env()})
    expect(ro.json.error.code).toBe('read_only_field')
    expect(sent(from)).toEqual(['GET /v8/management/config/observability/pprof/addr'])
  })
})

describe('v8 config errors the gateway returns, through the commands', () => {
  it('500 read_failed / decode_failed / write_failed: exit 5 with the gateway code; a failed write changes nothing', async () => {
    ctx.sim.faults = {configTree: {error: 'read_failed'}}
    const read = await runCli(['config', 'get', 'routing.strategy', '--json'], {env: ctx.env()})
    expect(read.exitCode).toBe(5)
    expect(read.json.error).toMatchObject({code: 'read_failed', message: 'the gateway could not read its config file (GET config routing/strategy: 500 read_failed)'})
    ctx.sim.faults = {configTree: {error: 'decode_failed'}}
    const decode = await runCli(['config', 'get', 'routing.strategy', '--json'], {env: ctx.env()})
    expect(decode.exitCode).toBe(5)
    expect(decode.json.error.code).toBe('decode_failed')
    ctx.sim.faults = {configTree: {error: 'write_failed'}}
    const before = ctx.sim.config.text()
    const write = await runCli(['config', 'set', 'observability.logs.debug', 'true', '--json'], {env: ctx.env()})
    expect(write.exitCode).toBe(5)
    expect(write.json.error).toMatchObject({
      code: 'write_failed',
      message: 'the gateway could not write its config file (PUT config observability/logs/debug: 500 write_failed: simulated fault: the config file cannot be written)',
    })
    expect(ctx.sim.config.text()).toBe(before)
    ctx.sim.faults = {}
  })
})
