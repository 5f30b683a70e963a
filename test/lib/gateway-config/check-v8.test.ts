import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {checkConfigText, checkExitCode, parseRulesText} from '../../../src/lib/gateway-config/check.js'
import {V8_RULE_IDS} from '../../../src/lib/gateway-config/rules-v8.js'
import {projectRoot} from '../../helpers/run.js'

const HASH = '$2a$10$Q3hWm0cXrT8aZk1yPq2vLuYb7nE4sD6fG9hJ2kL5mN8pR1tV3wX0y'
/** A v8 file that passes every rule; each case below adds one mistake. */
const BASE = `config-version: 8\nmanagement:\n  secret-key: "${HASH}"\n`
const v8fx = (name: string) => readFileSync(join(projectRoot, 'test/fixtures/config/v8', name), 'utf8')
const check = (text: string) => checkConfigText(text, 'file')
const rows = (r: Awaited<ReturnType<typeof check>>) => r.findings.map((f) => [f.rule, f.severity, f.path])

describe('config check on v8 files', () => {
  it('the base file is clean', async () => {
    expect(await check(BASE)).toEqual({layout: 'v8', findings: [], summary: {errors: 0, warnings: 0, info: 0}})
  })

  it('sound v8 settings are not errors: usage publishing lives under observability.usage, nothing is demanded at the root', async () => {
    const r = await check(`${BASE}observability:\n  usage:\n    usage-statistics-enabled: true\n    redis-usage-queue-retention-seconds: 600\nrouting:\n  strategy: fill-first\n  retry:\n    request-retry: 2\n`)
    expect(r.findings).toEqual([])
  })

  it('the v8.yaml fixture has only the warnings its deliberate choices deserve', async () => {
    const r = await check(v8fx('v8.yaml'))
    expect(rows(r)).toEqual([
      ['no-v8-name', 'warning', 'quota-exceeded.switch-project'],
      ['no-v8-name', 'warning', 'quota-exceeded.switch-preview-model'],
      ['plaintext-secret-key', 'warning', 'management.secret-key'],
    ])
  })

  // each case: the text after BASE (or a whole file when it starts with config-version) → exact findings
  const cases: Array<[string, string, Array<[string, string, string]>]> = [
    ['config-version', 'config-version: "8"\nmanagement: {secret-key: "' + HASH + '"}\n', [['config-version', 'error', 'config-version']]],
    ['legacy-key', 'request-retry: 5\ncodex-api-key: [{api-key: k, base-url: u}]\n', [['legacy-key', 'error', 'request-retry'], ['legacy-key', 'error', 'codex-api-key']]],
    ['unknown-key', 'ampcode: {x: 1}\nserver:\n  prot: 1\n', [['unknown-key', 'error', 'ampcode'], ['unknown-key', 'error', 'server.prot']]],
    [
      'api-keys-group',
      'api-keys:\n  claud: []\n  codex:\n    - base-url: u\n      weight: 2\n      keys: [{api-key: k, base-url: u}, x]\n  gemini:\n    - name: g\n  xai: {}\n',
      [
        ['api-keys-group', 'error', 'api-keys.gemini[0].keys'],
        ['api-keys-group', 'error', 'api-keys.codex[0].keys[0].base-url'],
        ['api-keys-group', 'error', 'api-keys.codex[0].keys[1]'],
        ['api-keys-group', 'error', 'api-keys.codex[0].weight'],
        ['api-keys-group', 'error', 'api-keys.xai'],
        ['api-keys-group', 'error', 'api-keys.claud'],
      ],
    ],
    ['invalid-value', 'server:\n  port: "x"\nrouting:\n  session-affinity-ttl: 5\naccess: 3\n', [['invalid-value', 'error', 'server.port'], ['invalid-value', 'error', 'access'], ['invalid-value', 'error', 'routing.session-affinity-ttl']]],
    ['weight-out-of-range', 'api-keys:\n  claude:\n    - keys: [{api-key: a, weight: 1000001}, {api-key: b, weight: 1.5}, {api-key: c, weight: -3}]\n', [['weight-out-of-range', 'error', 'api-keys.claude[0].keys[0].weight'], ['weight-out-of-range', 'error', 'api-keys.claude[0].keys[1].weight']]],
    ['weight-excluded', 'routing: {strategy: weighted-round-robin}\napi-keys:\n  claude:\n    - keys: [{api-key: a, weight: 0}, {api-key: b, weight: 5}]\n', [['weight-excluded', 'warning', 'api-keys.claude[0].keys[0].weight']]],
    ['unknown-routing-strategy', 'routing: {strategy: random}\n', [['unknown-routing-strategy', 'error', 'routing.strategy']]],
    ['strategy-alias', 'routing: {strategy: ff}\n', [['strategy-alias', 'warning', 'routing.strategy']]],
    ['no-v8-name', 'quota-exceeded: {switch-project: false}\n', [['no-v8-name', 'warning', 'quota-exceeded.switch-project']]],
    ['later-build', 'client:\n  codex: {enable-apply-patch: true}\nserver:\n  github-token: ghp_x\n', [['later-build', 'info', 'client'], ['later-build', 'info', 'server.github-token']]],
    ['usage-publishing-off', 'observability:\n  usage: {redis-usage-queue-retention-seconds: 300}\n', [['usage-publishing-off', 'warning', 'observability.usage.usage-statistics-enabled']]],
    ['retention-shorter-than-interval', 'observability:\n  usage: {usage-statistics-enabled: true, redis-usage-queue-retention-seconds: 30}\n', [['retention-shorter-than-interval', 'error', 'observability.usage.redis-usage-queue-retention-seconds']]],
    ['retention-headroom', 'observability:\n  usage: {usage-statistics-enabled: true, redis-usage-queue-retention-seconds: 90}\n', [['retention-headroom', 'warning', 'observability.usage.redis-usage-queue-retention-seconds']]],
    ['retention-out-of-range', 'observability:\n  usage: {usage-statistics-enabled: true, redis-usage-queue-retention-seconds: 5000}\n', [['retention-out-of-range', 'warning', 'observability.usage.redis-usage-queue-retention-seconds']]],
    ['remote-without-tls', 'config-version: 8\nmanagement: {allow-remote: true, secret-key: "' + HASH + '"}\n', [['remote-without-tls', 'error', 'management.allow-remote']]],
    ['plaintext-secret-key', 'config-version: 8\nmanagement: {secret-key: hunter2}\n', [['plaintext-secret-key', 'warning', 'management.secret-key']]],
    ['management-off', 'config-version: 8\nmanagement: {secret-key: ""}\n', [['management-off', 'warning', 'management.secret-key']]],
    ['example-api-keys', 'access:\n  api-keys: [k1, your-api-key-1]\n', [['example-api-keys', 'warning', 'access.api-keys[1]']]],
    ['duplicate-api-keys', 'access:\n  api-keys: [k1, k2, k1]\n', [['duplicate-api-keys', 'warning', 'access.api-keys[2]']]],
    ['missing-base-url', 'api-keys:\n  codex: [{name: c, keys: [{api-key: k}]}]\n  claude: [{keys: [{api-key: k}]}]\n', [['missing-base-url', 'warning', 'api-keys.codex[0]']]],
    [
      'dropped-key',
      'api-keys:\n  meta: [{keys: [{api-key: "dca:x"}, {api-key: ok}]}]\n  vertex: [{keys: [{weight: 2}]}]\n  gemini: [{keys: [{api-key: ""}]}, {base-url: u, keys: [{api-key: ""}]}]\n',
      [['dropped-key', 'warning', 'api-keys.meta[0].keys[0]'], ['dropped-key', 'warning', 'api-keys.vertex[0].keys[0]'], ['dropped-key', 'warning', 'api-keys.gemini[0].keys[0]']],
    ],
    ['scoped-error-rule', 'oauth:\n  request-scoped-errors:\n    codex: [{action: stop}, {status: 429, action: explode}]\n', [['scoped-error-rule', 'warning', 'oauth.request-scoped-errors.codex[0]'], ['scoped-error-rule', 'warning', 'oauth.request-scoped-errors.codex[1].action']]],
    ['invalid-raw-json', 'requests:\n  payload:\n    override-raw: [{models: [{name: x}], params: {a: "{bad", b: "[1]"}}]\n', [['invalid-raw-json', 'warning', 'requests.payload.override-raw[0].params.a']]],
    ['image-model', 'multimedia: {gpt-image-2-base-model: dall-e-3}\n', [['image-model', 'warning', 'multimedia.gpt-image-2-base-model']]],
    ['prefix-slash', 'api-keys:\n  claude: [{prefix: /team/, keys: [{api-key: k, prefix: a/b}]}]\n', [['prefix-slash', 'warning', 'api-keys.claude[0].keys[0].prefix']]],
    ['trusted-proxies', 'server:\n  trusted-proxies: [127.0.0.1, 10.0.0.0/8, "::1", localhost, 10.0.0.0/40]\n', [['trusted-proxies', 'warning', 'server.trusted-proxies[3]'], ['trusted-proxies', 'warning', 'server.trusted-proxies[4]']]],
    ['value-format', 'routing:\n  session-affinity-ttl: 1 hour\n  retry: {max-retry-interval: 2.5}\n', [['value-format', 'warning', 'routing.session-affinity-ttl'], ['value-format', 'warning', 'routing.retry.max-retry-interval']]],
  ]

  for (const [rule, text, expected] of cases) {
    it(`${rule}`, async () => {
      const r = await check(text.startsWith('config-version') ? text : BASE + text)
      expect(rows(r)).toEqual(expected)
      for (const f of r.findings) {
        expect(f.message.length).toBeGreaterThan(10)
        expect(f.fix.length).toBeGreaterThan(5)
      }
    })
  }

  it('every v8 rule has a case', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(V8_RULE_IDS))
  })

  it('messages use the gateway wording and suggest the closest name', async () => {
    const r = await check(`${BASE}request-retry: 5\nserver:\n  prot: 1\napi-keys:\n  claud: []\n  codex: [{base-url: u, keys: [{api-key: k, base-url: u}]}]\n`)
    const byPath = Object.fromEntries(r.findings.map((f) => [f.path, f.message]))
    expect(byPath['request-retry']).toBe('legacy field request-retry is not accepted by v8; use routing.retry.request-retry')
    expect(byPath['server.prot']).toBe("unknown field prot under server (did you mean 'port'?); a v8 write comments it out")
    expect(byPath['api-keys.claud']).toBe("unknown API-key provider claud (did you mean 'claude'?)")
    expect(byPath['api-keys.codex[0].keys[0].base-url']).toBe('api-keys.codex: base-url belongs to the group')
  })

  it('an unmarked mixed file: legacy names are warnings, and findings on their values name the legacy spelling', async () => {
    const r = await check(`management:\n  secret-key: "${HASH}"\nport: "x"\nrouting:\n  retry: {request-retry: 1}\n`)
    expect(r.layout).toBe('mixed')
    expect(r.findings.map((f) => [f.rule, f.severity, f.path, f.message])).toEqual([
      ['invalid-value', 'error', 'server.port', 'expected an integer, found the string "x" (written as port)'],
      ['legacy-key', 'warning', 'port', 'legacy name port in a v8-layout file: the gateway reads it as server.port, and moves it there on its first v8 write'],
    ])
  })

  it('a legacy duplicate of a v8 key is reported as ignored (the v8 value wins, even false)', async () => {
    const r = await check(`${BASE}usage-statistics-enabled: true\nobservability:\n  usage: {usage-statistics-enabled: false, redis-usage-queue-retention-seconds: 600}\n`)
    expect(rows(r)).toEqual([
      ['legacy-key', 'error', 'usage-statistics-enabled'],
      ['usage-publishing-off', 'warning', 'observability.usage.usage-statistics-enabled'],
    ])
    expect(r.findings[0].message).toContain('the v8 value wins')
  })

  it('exit codes: errors 1; warnings 0, or 1 with --strict; info never fails', async () => {
    expect(checkExitCode(await check(`${BASE}server: {port: x}\n`), false)).toBe(1)
    const warn = await check(`${BASE}routing: {strategy: ff}\n`)
    expect([checkExitCode(warn, false), checkExitCode(warn, true)]).toEqual([0, 1])
    expect(checkExitCode(await check(`${BASE}client: {}\n`), true)).toBe(0)
  })

  it('a rules file switches v8 rules off or changes their severity; on restores each layout’s own default', async () => {
    const rules = await parseRulesText('rules:\n  no-v8-name: off\n  strategy-alias: error\n  later-build: on\nknown-keys: [ampcode]\n', 'r.yaml')
    const r = await checkConfigText(`${BASE}quota-exceeded: {switch-project: true}\nrouting: {strategy: ff}\nclient: {}\nampcode: {x: 1}\n`, 'file', rules)
    expect(rows(r)).toEqual([['strategy-alias', 'error', 'routing.strategy'], ['later-build', 'info', 'client']])
  })

  it('a rules-file collection interval counts as a configured collector', async () => {
    const rules = await parseRulesText('thresholds:\n  collection-interval: 5m\n', 'r.yaml')
    const r = await checkConfigText(BASE, 'file', rules)
    expect(rows(r)).toEqual([
      ['retention-shorter-than-interval', 'error', 'observability.usage.redis-usage-queue-retention-seconds'],
      ['usage-publishing-off', 'warning', 'observability.usage.usage-statistics-enabled'],
    ])
  })
})

describe('bad input', () => {
  it('syntax errors and duplicate keys carry line and column; a non-mapping file is one finding', async () => {
    expect(rows(await check('a: 1\na: 2\n'))).toEqual([['invalid-yaml', 'error', '(line 2, column 1)']])
    expect((await check('a: 1\na: 2\n')).findings[0].message).toBe('Map keys must be unique')
    expect(rows(await check('server:\n  port: [1,\n'))).toEqual([['invalid-yaml', 'error', '(line 3, column 1)']])
    const list = await check('- a\n- b\n')
    expect(list).toMatchObject({layout: null, summary: {errors: 1, warnings: 0, info: 0}})
    expect(list.findings[0].message).toBe('the config must be a YAML mapping (key: value) at the top level, not a list')
    expect(rows(await check('just a string\n'))).toEqual([['invalid-yaml', 'error', '(line 1, column 1)']])
  })

  it('anchors and merge keys are expanded before checking', async () => {
    const text = `${BASE}x-group: &g\n  base-url: https://c.example\napi-keys:\n  codex:\n    - <<: *g\n      keys: [{api-key: k}]\n`
    // the merged base-url counts (no missing-base-url); the anchor holder itself is an unknown section
    expect(rows(await check(text))).toEqual([['unknown-key', 'error', 'x-group']])
  })
})
