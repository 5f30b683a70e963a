import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {migrateText} from '../../../src/lib/gateway-config/migrate-file.js'
import {detectLayout} from '../../../src/lib/gateway-config/layout.js'
import {KEY_MOVES, legacyToV8} from '../../../src/lib/gateway/config-keymap.js'
import {specAt} from '../../../src/lib/gateway-config/v8-schema.js'
import {projectRoot} from '../../helpers/run.js'

const v8fx = (name: string) => readFileSync(join(projectRoot, 'test/fixtures/config/v8', name), 'utf8')
const migrate = (text: string) => migrateText(text, 'test.yaml')

describe('config migration (legacy → v8 key map, mixed files)', () => {
  it('the fixture pair round-trips: legacy.yaml migrates to v8.yaml (parsed documents compared)', async () => {
    const m = await migrate(v8fx('legacy.yaml'))
    expect(m.layout).toBe('legacy')
    expect(m.errors).toEqual([])
    expect(m.warnings).toEqual([])
    expect(m.commentedOut).toEqual([])
    expect(m.changed).toBe(true)
    expect(YAML.parse(m.text)).toEqual(YAML.parse(v8fx('v8.yaml')))
    expect(m.data).toEqual(YAML.parse(v8fx('v8.yaml')))
  })

  it('reports every move; groups are one per legacy entry', async () => {
    const m = await migrate(v8fx('legacy.yaml'))
    expect(m.moved).toContainEqual({from: 'request-retry', to: 'routing.retry.request-retry'})
    expect(m.moved).toContainEqual({from: 'remote-management', to: 'management'})
    expect(m.moved).toContainEqual({from: 'api-keys', to: 'access.api-keys'})
    expect(m.moved).toContainEqual({from: 'quota-exceeded.antigravity-credits', to: 'oauth.providers.antigravity.antigravity-credits'})
    expect(m.moved).toContainEqual({from: 'codex-api-key[0]', to: 'api-keys.codex[0]'})
    expect(m.moved).toContainEqual({from: 'openai-compatibility[0]', to: 'api-keys.openai-compatibility[0]'})
    expect(m.moved).toHaveLength(41)
  })

  it('is idempotent: a v8 file comes back byte for byte, and so does a migrated file', async () => {
    const v8 = v8fx('v8.yaml')
    const again = await migrate(v8)
    expect(again).toMatchObject({layout: 'v8', changed: false, moved: [], commentedOut: [], warnings: []})
    expect(again.text).toBe(v8)
    const once = await migrate(v8fx('legacy.yaml'))
    const twice = await migrate(once.text)
    expect(twice.changed).toBe(false)
    expect(twice.text).toBe(once.text)
  })

  it('one group per legacy entry, named <provider>-<n>: base-url and shared fields on the group, the rest on the key', async () => {
    const m = await migrate(
      [
        'xai-api-key:',
        '  - api-key: k1',
        '    base-url: https://x.example/v1',
        '    prefix: team',
        '    weight: 2',
        '    websockets: true',
        '  - api-key: k2',
        '    base-url: https://x.example/v1',
        '',
      ].join('\n'),
    )
    expect(m.data['api-keys']).toEqual({
      xai: [
        {name: 'xai-1', 'base-url': 'https://x.example/v1', prefix: 'team', keys: [{'api-key': 'k1', weight: 2, websockets: true}]},
        {name: 'xai-2', 'base-url': 'https://x.example/v1', keys: [{'api-key': 'k2'}]},
      ],
    })
  })

  it('openai-compatibility keeps its name; api-key-entries become keys (an empty list when absent)', async () => {
    const m = await migrate('openai-compatibility:\n  - name: a\n    base-url: u\n    api-key-entries: [{api-key: k}]\n  - name: b\n    base-url: u\n')
    expect(m.data['api-keys']).toEqual({'openai-compatibility': [{name: 'a', 'base-url': 'u', keys: [{'api-key': 'k'}]}, {name: 'b', 'base-url': 'u', keys: []}]})
  })

  it('allow-private-remote-ips is inverted into disable-private-remote-ips', async () => {
    const m = await migrate('codex:\n  identity-confuse: true\n  live-media-relay:\n    enabled: true\n    allow-private-remote-ips: true\n')
    expect(m.data.oauth).toEqual({providers: {codex: {'identity-confuse': true, 'live-media-relay': {enabled: true, 'disable-private-remote-ips': false}}}})
    expect(m.moved).toContainEqual({from: 'codex.live-media-relay.allow-private-remote-ips', to: 'oauth.providers.codex.live-media-relay.disable-private-remote-ips'})
    const off = await migrate('codex:\n  live-media-relay:\n    allow-private-remote-ips: false\n')
    expect(off.data.oauth).toEqual({providers: {codex: {'live-media-relay': {'disable-private-remote-ips': true}}}})
  })

  it('mixed files: the v8 value wins, including false, 0 and empty collections; the legacy duplicate is dropped with a warning', async () => {
    const m = await migrate(
      [
        'usage-statistics-enabled: true',
        'request-retry: 5',
        'codex-api-key: [{api-key: legacy, base-url: u}]',
        'tls: {enable: true, cert: /c.pem}',
        'observability:',
        '  usage:',
        '    usage-statistics-enabled: false',
        'routing:',
        '  retry:',
        '    request-retry: 0',
        'access:',
        '  api-keys: []',
        'server:',
        '  tls: {enable: false}',
        'api-keys:',
        '  codex: []',
        '',
      ].join('\n'),
    )
    expect(m.layout).toBe('mixed')
    expect(m.data).toEqual({
      'config-version': 8,
      server: {tls: {enable: false, cert: '/c.pem'}},
      access: {'api-keys': []},
      routing: {retry: {'request-retry': 0}},
      observability: {usage: {'usage-statistics-enabled': false}},
      'api-keys': {codex: []},
    })
    expect(m.shadowed).toEqual([
      {from: 'usage-statistics-enabled', to: 'observability.usage.usage-statistics-enabled'},
      {from: 'request-retry', to: 'routing.retry.request-retry'},
      {from: 'codex-api-key', to: 'api-keys.codex'},
      {from: 'tls.enable', to: 'server.tls.enable'},
    ])
    expect(m.moved).toEqual([{from: 'tls.cert', to: 'server.tls.cert'}])
    expect(m.warnings[0]).toEqual({code: 'shadowed_legacy_key', message: 'legacy usage-statistics-enabled dropped: observability.usage.usage-statistics-enabled is set too, and the v8 value wins'})
    // a legacy client-key list next to v8 sections is dropped the same way
    const keys = await migrate('api-keys: [legacy-client]\naccess:\n  api-keys: []\n')
    expect(keys.data).toEqual({'config-version': 8, access: {'api-keys': []}})
    expect(keys.shadowed).toEqual([{from: 'api-keys', to: 'access.api-keys'}])
  })

  it('sections and fields outside the v8 tree are commented out at the end, with their content', async () => {
    const m = await migrate('port: 8317\nampcode:\n  upstream-url: https://amp.example\nrouting:\n  strategy: fill-first\n  bogus: 1\n')
    expect(m.commentedOut).toEqual(['ampcode', 'routing.bogus'])
    expect(m.data).toEqual({'config-version': 8, server: {port: 8317}, routing: {strategy: 'fill-first'}})
    expect(m.text).toContain('# unrecognized configuration section "ampcode" commented out during v8 migration:\n# ampcode:\n#   upstream-url: https://amp.example\n')
    expect(m.text).toContain('# routing.bogus: 1\n')
  })

  it('comments travel with the keys they belong to; the file header stays at the top', async () => {
    const m = await migrate(
      ['# My gateway', '', '# retries before giving up', 'request-retry: 3 # per request', 'remote-management:', '  # never expose', '  allow-remote: false', ''].join('\n'),
    )
    expect(m.text).toBe(
      [
        '# My gateway',
        '',
        'config-version: 8',
        'management:',
        '  # never expose',
        '  allow-remote: false',
        'routing:',
        '  retry:',
        '    # retries before giving up',
        '    request-retry: 3 # per request',
        '',
      ].join('\n'),
    )
  })

  it('anchors, aliases and merge keys are expanded before anything moves', async () => {
    const m = await migrate('defaults: &d\n  base-url: https://c.example\n  priority: 2\ncodex-api-key:\n  - <<: *d\n    api-key: k1\n  - <<: *d\n    api-key: k2\n    priority: 9\n')
    expect(m.data['api-keys']).toEqual({
      codex: [
        {name: 'codex-1', 'base-url': 'https://c.example', priority: 2, keys: [{'api-key': 'k1'}]},
        {name: 'codex-2', priority: 9, 'base-url': 'https://c.example', keys: [{'api-key': 'k2'}]},
      ],
    })
    expect(m.text).not.toMatch(/[&*]d\b/)
    expect(m.commentedOut).toEqual(['defaults'])
  })

  it('what the gateway cannot migrate is an error, not a crash', async () => {
    expect((await migrate('port: 1\nserver: 5\n')).errors).toEqual([{path: 'server', message: 'server must be a mapping'}])
    expect((await migrate('config-version: 7\n')).errors).toEqual([{path: 'config-version', message: 'unsupported config-version (expected 8)'}])
    await expect(migrate('a: 1\na: 2\n')).rejects.toMatchObject({exitCode: 2, message: 'test.yaml:2:1: Map keys must be unique'})
    await expect(migrate('- a\n')).rejects.toMatchObject({exitCode: 2})
  })
})

describe('layout detection', () => {
  it('v8 by config-version or a v8-only section; legacy otherwise; mixed with both', () => {
    expect(detectLayout({})).toEqual({layout: 'legacy', marked: false})
    expect(detectLayout({routing: {strategy: 'fill-first'}}).layout).toBe('legacy')
    expect(detectLayout({'config-version': 8})).toEqual({layout: 'v8', marked: true})
    expect(detectLayout({observability: {}}).layout).toBe('v8')
    expect(detectLayout({'api-keys': {codex: []}}).layout).toBe('v8')
    expect(detectLayout({'api-keys': ['k']}).layout).toBe('legacy')
    expect(detectLayout({routing: {retry: {'request-retry': 1}}}).layout).toBe('v8')
    expect(detectLayout({server: {}, port: 1}).layout).toBe('mixed')
  })
})

describe('the key map', () => {
  it('every v8 destination is a path of the v8 schema', () => {
    for (const m of KEY_MOVES) expect(specAt(m.v8.split('.')), m.v8).not.toBeNull()
  })

  it('maps legacy names, leaves v8 paths alone', () => {
    expect(legacyToV8(['usage-statistics-enabled']).v8).toEqual(['observability', 'usage', 'usage-statistics-enabled'])
    expect(legacyToV8(['tls', 'enable']).v8).toEqual(['server', 'tls', 'enable'])
    expect(legacyToV8(['routing', 'strategy']).v8).toEqual(['routing', 'strategy'])
    expect(legacyToV8(['api-keys']).v8).toEqual(['access', 'api-keys'])
    expect(legacyToV8(['api-keys', 'codex']).v8).toEqual(['api-keys', 'codex'])
    expect(legacyToV8(['codex-api-key']).family?.provider).toBe('codex')
    expect(legacyToV8(['codex', 'live-media-relay', 'allow-private-remote-ips']).move?.invert).toBe(true)
  })
})
