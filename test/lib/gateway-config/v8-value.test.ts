import {describe, expect, it} from 'vitest'

import {parseV8Setting, resolveV8Path} from '../../../src/lib/gateway-config/v8-value.js'
import {defaultAt} from '../../../src/lib/gateway-config/v8-schema.js'

const set = (path: string, value: string) => parseV8Setting(path, value)
const value = async (path: string, v: string) => (await set(path, v)).value

describe('config set on v8: typed values, before any request', () => {
  it('types values from the schema', async () => {
    expect(await value('observability.usage.usage-statistics-enabled', 'true')).toBe(true)
    expect(await value('observability.usage.usage-statistics-enabled', 'off')).toBe(false)
    expect(await value('server.port', '8318')).toBe(8318)
    expect(await value('routing.session-affinity-ttl', '30m')).toBe('30m')
    expect(await value('requests.proxy-url', 'socks5://proxy:1080')).toBe('socks5://proxy:1080')
    expect(await value('requests.proxy-url', '"direct"')).toBe('direct')
    expect(await value('server.trusted-proxies', '["127.0.0.1","10.0.0.0/8"]')).toEqual(['127.0.0.1', '10.0.0.0/8'])
    expect(await value('oauth.excluded-models.claude', '["claude-3-*"]')).toEqual(['claude-3-*'])
    expect(await value('oauth.excluded-models', '{"claude":["x"]}')).toEqual({claude: ['x']})
    expect(await value('multimedia.disable-image-generation', 'chat')).toBe('chat')
    expect(await value('multimedia.disable-image-generation', 'true')).toBe(true)
    expect(await value('plugins.configs.my-plugin.enabled', 'true')).toBe(true)
    expect(await value('plugins.configs.my-plugin.region', 'eu')).toBe('eu')
    expect(await value('plugins.configs.my-plugin.limits', '{"rpm":5}')).toEqual({rpm: 5})
  })

  it('a value of the wrong type exits 2 with what the path takes', async () => {
    const cases: Array<[string, string, string]> = [
      ['server.port', 'x', "server.port takes an integer, not 'x'"],
      ['server.port', '1.5', "server.port takes an integer, not '1.5'"],
      ['observability.usage.usage-statistics-enabled', 'maybe', "observability.usage.usage-statistics-enabled takes true or false, not 'maybe'"],
      ['routing.session-affinity-ttl', '5', "routing.session-affinity-ttl takes a duration string such as 30s or 1h, not '5'"],
      ['multimedia.disable-image-generation', 'sometimes', 'multimedia.disable-image-generation takes one of false, true, "chat", "passthrough", not \'sometimes\''],
      ['server.trusted-proxies', '127.0.0.1', 'server.trusted-proxies takes a list written as JSON'],
      ['server.trusted-proxies', '{"a":1}', "server.trusted-proxies takes a list, not '{\"a\":1}'"],
      ['oauth.excluded-models.claude', '[1, {"a": 2}]', 'oauth.excluded-models.claude[1]: expected a string, found a mapping'],
      ['routing.strategy', 'random', "unknown routing strategy 'random'"],
    ]
    for (const [path, v, message] of cases) {
      const err = await set(path, v).then(
        () => null,
        (e: Error & {exitCode: number; code: string}) => e,
      )
      expect(err, `${path} ${v}`).not.toBeNull()
      expect(err?.exitCode).toBe(2)
      expect(err?.code).toBe('invalid_value')
      expect(err?.message).toContain(message)
    }
  })

  it('legacy names map to their v8 paths; routing.strategy aliases become the canonical name', async () => {
    const r = await set('usage-statistics-enabled', 'true')
    expect(r.path).toMatchObject({parts: ['observability', 'usage', 'usage-statistics-enabled'], legacy: 'usage-statistics-enabled'})
    expect((await set('request-retry', '2')).path.dotted).toBe('routing.retry.request-retry')
    expect((await set('redis-usage-queue-retention-seconds', '600')).path.dotted).toBe('observability.usage.redis-usage-queue-retention-seconds')
    expect((await set('ws-auth', 'false')).path.dotted).toBe('oauth.providers.aistudio.ws-auth')
    expect((await set('tls.enable', 'true')).path.dotted).toBe('server.tls.enable')
    const strategy = await set('routing.strategy', 'wrr')
    expect(strategy).toMatchObject({value: 'weighted-round-robin', path: {dotted: 'routing.strategy', legacy: null}})
    expect(strategy.notes).toContain('wrr is an alias: writing weighted-round-robin')
    expect((await set('observability/logs/debug', 'true')).path.parts).toEqual(['observability', 'logs', 'debug'])
  })

  it('the inverted legacy allow-private-remote-ips writes the opposite value to disable-private-remote-ips', async () => {
    const r = await set('codex.live-media-relay.allow-private-remote-ips', 'true')
    expect(r.path.dotted).toBe('oauth.providers.codex.live-media-relay.disable-private-remote-ips')
    expect(r.value).toBe(false)
  })

  it('an unknown path exits 2 with the closest known paths', async () => {
    await expect(set('usage-statistics-enable', 'true')).rejects.toMatchObject({exitCode: 2, code: 'unknown_key'})
    const err = (await set('server.prot', '1').catch((e: unknown) => e)) as {message: string; details: {closest: string[]}}
    expect(err.message).toBe("unknown config path 'server.prot' (closest: server.port, server.host, server.trusted-proxies)")
    const deep = (await set('observability.usage.retention', '1').catch((e: unknown) => e)) as {details: {closest: string[]}}
    expect(deep.details.closest[0]).toBe('observability.usage.redis-usage-queue-retention-seconds')
  })

  it('refuses list positions, read-only fields and secrets on the command line', async () => {
    await expect(set('access.api-keys.0', 'x')).rejects.toMatchObject({exitCode: 2, code: 'invalid_key'})
    await expect(set('plugins.auth-revision', '1')).rejects.toMatchObject({exitCode: 2, code: 'read_only_field'})
    await expect(set('credentials.concurrency.lifecycle-config-revision', '1')).rejects.toMatchObject({code: 'read_only_field'})
    await expect(set('management.secret-key', 'hunter2')).rejects.toMatchObject({exitCode: 2, code: 'secret_in_argv'})
    await expect(set('remote-management.secret-key', 'hunter2')).rejects.toMatchObject({code: 'secret_in_argv'})
    await expect(set('access.api-keys', '["k"]')).rejects.toMatchObject({code: 'secret_in_argv'})
    await expect(set('api-keys.codex', '[]')).rejects.toMatchObject({code: 'secret_in_argv'})
    await expect(set('codex-api-key', '[]')).rejects.toMatchObject({code: 'secret_in_argv'})
  })

  it('notes what the reference leaves open', async () => {
    expect((await set('quota-exceeded.switch-project', 'true')).notes[0]).toContain('has no v8 name')
    expect(resolveV8Path('client.codex.enable-apply-patch').notes[0]).toContain('later 8.0.x builds')
  })
})

describe('defaults from the schema (what a 404 means)', () => {
  it('gives the value that applies when the key is absent', () => {
    expect(defaultAt(['observability', 'usage', 'usage-statistics-enabled'])).toBe(false)
    expect(defaultAt(['observability', 'usage', 'redis-usage-queue-retention-seconds'])).toBe(60)
    expect(defaultAt(['routing', 'strategy'])).toBe('round-robin')
    expect(defaultAt(['routing', 'retry', 'request-retry'])).toBe(0)
    expect(defaultAt(['server', 'port'])).toBe(8317)
    expect(defaultAt(['oauth', 'providers', 'antigravity', 'antigravity-credits'])).toBe(true)
    expect(defaultAt(['observability', 'pprof'])).toEqual({enable: false, addr: '127.0.0.1:8316'})
    expect(defaultAt(['management', 'base-url'])).toBeUndefined()
  })
})
