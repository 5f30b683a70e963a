/**
 * `config diff FILE` and `config apply FILE` against a v8 gateway, over
 * real sockets: both sides are v8 documents, a legacy FILE is migrated in memory first (and the output says so),
 * apply writes the smallest set of per-path PUT/DELETEs or the whole document, reads back and verifies, and a
 * write that fails midway stops with exit 6 and the list of what was applied.
 *
 * FILEs are the legacy.yaml / v8.yaml fixture pair with the simulator's own management key (plaintext: the gateway
 * keeps its hash; cpactl treats the key it authenticates with as equal) and auth dir.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {projectRoot, runCli, tempDir} from '../../helpers/run.js'
import {requestsSince, TEST_MANAGEMENT_KEY, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({version: '8.0.23', seed: 12})
const early = useSimulator({version: '8.0.5', v8Revision: 'early', seed: 12, configLayout: 'v8'})
const dir = tempDir()

/** A fixture of the pair, for this simulator: its key, auth dir and port. */
function fixture(name: 'v8.yaml' | 'legacy.yaml', edit: (text: string) => string = (t) => t): string {
  const text = readFileSync(join(projectRoot, 'test/fixtures/config/v8', name), 'utf8')
    .replace('"fixture-management-key"', JSON.stringify(TEST_MANAGEMENT_KEY))
    .replace('"~/.cli-proxy-api"', JSON.stringify(ctx.sim.config.get('auth-dir')))
    .replace('port: 8317', `port: ${ctx.sim.port}`)
  const path = join(dir, `${Math.random().toString(36).slice(2)}-${name}`)
  writeFileSync(path, edit(text))
  return path
}

const writesSince = (from: number) => requestsSince(ctx.sim, from, {writes: true})
const mark = () => ctx.sim.httpLog().length
const file = () => YAML.parse(ctx.sim.config.text())

describe('config diff FILE on v8', () => {
  it('compares v8 documents path by path, secrets masked; exit 1 on drift', async () => {
    const r = await runCli(['config', 'diff', fixture('v8.yaml'), '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(1)
    expect(r.json).toMatchObject({equal: false, masked: true, api: 'v8', layout: 'v8', migrated: false})
    const change = (path: string) => r.json.changes.find((c: {path: string}) => c.path === path)
    expect(change('routing.strategy')).toEqual({path: 'routing.strategy', kind: 'changed', live: 'round-robin', desired: 'weighted-round-robin'})
    expect(change('observability.usage.redis-usage-queue-retention-seconds')).toEqual({path: 'observability.usage.redis-usage-queue-retention-seconds', kind: 'changed', live: 60, desired: 600})
    // upstream keys path by path: new providers whole, changed fields of existing groups alone, masked
    expect(change('api-keys.codex')).toMatchObject({kind: 'added'})
    expect(change('api-keys.codex').desired[0].keys[0]['api-key']).toBe('****ex-a')
    expect(change('api-keys.openai-compatibility[0].keys[0].weight')).toEqual({path: 'api-keys.openai-compatibility[0].keys[0].weight', kind: 'added', desired: 2})
    expect(change('api-keys.gemini[0].keys[0].api-key')).toMatchObject({kind: 'changed', desired: '****am-c'})
    // the client-key lists differ in length: the whole list, masked
    expect(change('access.api-keys')).toMatchObject({kind: 'changed', desired: ['****mo-1', '****mo-2']})
    expect(change('management.secret-key')).toBeUndefined()
    const human = await runCli(['config', 'diff', fixture('v8.yaml')], {env: ctx.env()})
    expect(human.stdout).toContain('+  strategy: weighted-round-robin')
    for (const secret of ['sk-upstream-codex-a', 'sk-client-demo-1', 'AIza-upstream-c', TEST_MANAGEMENT_KEY]) expect(human.stdout).not.toContain(secret)
    expect(human.stdout).toContain('****ex-a')
  })

  it('a legacy FILE is migrated in memory first, and the output says so: the fixture pair shows the same changes', async () => {
    const v8 = await runCli(['config', 'diff', fixture('v8.yaml'), '--json'], {env: ctx.env()})
    const legacyFile = fixture('legacy.yaml')
    const legacy = await runCli(['config', 'diff', legacyFile, '--json'], {env: ctx.env()})
    expect(legacy.exitCode).toBe(1)
    expect(legacy.json).toMatchObject({api: 'v8', layout: 'legacy', migrated: true})
    expect(legacy.json.notes[0]).toBe(`${legacyFile} is in the legacy (v7) layout: it was migrated to the v8 layout in memory first, as the gateway would migrate it (cpactl config migrate ${legacyFile} shows the document)`)
    const byPath = (list: Array<{path: string}>) => [...list].sort((a, b) => a.path.localeCompare(b.path))
    expect(byPath(legacy.json.changes)).toEqual(byPath(v8.json.changes))
    expect(legacy.json.changes).toHaveLength(23)
    const human = await runCli(['config', 'diff', legacyFile], {env: ctx.env()})
    expect(human.stderr).toContain('migrated to the v8 layout in memory first')
    expect(human.stdout).toContain(`+++ ${legacyFile} (migrated to v8)\n`)
  })
})

describe('config apply FILE on v8', () => {
  it('--dry-run lists the per-path writes and sends nothing; without --yes and no terminal: exit 2, nothing sent', async () => {
    const from = mark()
    const r = await runCli(['config', 'apply', fixture('v8.yaml'), '--dry-run', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({api: 'v8', strategy: 'paths', dryRun: true, changed: true, applied: false, verified: null})
    // one write per changed path; lists (client keys, provider groups) whole; nothing for the secret-key (same key)
    expect(r.json.writes.map((w: {method: string; path: string; status: string}) => `${w.status} ${w.method} ${w.path}`)).toEqual([
      'planned PUT server/trusted-proxies',
      'planned PUT management/disable-auto-update-panel',
      'planned PUT access/api-keys',
      'planned PUT routing/strategy',
      'planned PUT routing/session-affinity',
      'planned PUT requests/streaming',
      'planned PUT requests/payload',
      'planned PUT multimedia',
      'planned PUT observability/logs/logging-to-file',
      'planned PUT observability/logs/logs-max-total-size-mb',
      'planned PUT observability/usage/redis-usage-queue-retention-seconds',
      'planned PUT plugins',
      'planned PUT oauth/excluded-models',
      'planned PUT oauth/model-alias',
      'planned PUT oauth/providers/codex',
      'planned PUT api-keys/codex',
      'planned PUT api-keys/claude',
      'planned PUT api-keys/gemini',
      'planned PUT api-keys/openai-compatibility',
    ])
    const noYes = await runCli(['config', 'apply', fixture('v8.yaml'), '--json'], {env: ctx.env()})
    expect(noYes.exitCode).toBe(2)
    expect(noYes.json.error.code).toBe('confirmation_required')
    expect(writesSince(from)).toEqual([])
  })

  it('--strategy replace: one PUT /v8/management/config.yaml; read back; afterwards both fixtures diff equal', async () => {
    const from = mark()
    const r = await runCli(['config', 'apply', fixture('v8.yaml'), '--strategy', 'replace', '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({api: 'v8', strategy: 'replace', applied: true, verified: true, writes: [{method: 'PUT', path: 'config.yaml', status: 'applied'}]})
    expect(r.stderr).toContain('migrated the gateway config file to the v8 layout')
    expect(writesSince(from)).toEqual(['PUT /v8/management/config.yaml'])
    expect(file()['config-version']).toBe(8)
    expect(file().routing.strategy).toBe('weighted-round-robin')
    expect(file().management['secret-key']).toMatch(/^\$2a\$/)
    const v8 = await runCli(['config', 'diff', fixture('v8.yaml'), '--json'], {env: ctx.env()})
    expect(v8.exitCode).toBe(0)
    expect(v8.json).toMatchObject({equal: true, changes: [], unified: ''})
    expect(v8.json.notes).toContain('management.secret-key: the file has the plaintext of the key cpactl authenticates with; the gateway stores its bcrypt hash (treated as equal)')
    const legacy = await runCli(['config', 'diff', fixture('legacy.yaml')], {env: ctx.env()})
    expect(legacy.exitCode).toBe(0)
    expect(legacy.stderr).toContain('matches the live config')
    const again = await runCli(['config', 'apply', fixture('legacy.yaml'), '--yes', '--json'], {env: ctx.env()})
    expect(again.json).toMatchObject({changed: false, applied: false, writes: []})
  })

  it('default: the smallest set of per-path writes; touching routing never rewrites upstream keys', async () => {
    const edited = fixture('v8.yaml', (t) =>
      t
        .replace('strategy: "weighted-round-robin"', 'strategy: "fill-first"')
        .replace('request-retry: 3', 'request-retry: 5')
        .replace('  excluded-models:\n    claude:\n      - "claude-3-5-haiku-*"\n', '')
        .replace('X-Team: "cli"', 'X-Team: "ops"'),
    )
    const from = mark()
    const r = await runCli(['config', 'apply', edited, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({strategy: 'paths', applied: true, verified: true})
    expect(r.json.writes).toEqual([
      {method: 'PUT', path: 'routing/strategy', status: 'applied'},
      {method: 'PUT', path: 'routing/retry/request-retry', status: 'applied'},
      {method: 'DELETE', path: 'oauth/excluded-models', status: 'applied'},
      {method: 'PUT', path: 'api-keys/claude', status: 'applied'},
    ])
    expect(writesSince(from)).toEqual([
      'PUT /v8/management/config/routing/strategy',
      'PUT /v8/management/config/routing/retry/request-retry',
      'DELETE /v8/management/config/oauth/excluded-models',
      'PUT /v8/management/config/api-keys/claude',
    ])
    const f = file()
    expect(f.routing.strategy).toBe('fill-first')
    expect(f.routing.retry['request-retry']).toBe(5)
    expect(f.oauth['excluded-models']).toBeUndefined()
    expect(f['api-keys'].claude[0].headers).toEqual({'X-Team': 'ops'})
    expect(f['api-keys'].codex[0].keys[0]['api-key']).toBe('sk-upstream-codex-a')
    const human = await runCli(['config', 'apply', fixture('v8.yaml'), '--yes'], {env: ctx.env()})
    expect(human.stderr).toContain('(4 path writes), read back and verified.')
  })

  it('a write that fails midway stops: exit 6 with what was applied; the same apply again sends only the rest', async () => {
    const edited = fixture('v8.yaml', (t) => t.replace('debug: false', 'debug: true').replace('request-log: false', 'request-log: true').replace('logging-to-file: true', 'logging-to-file: false'))
    ctx.sim.faults = {configTree: {error: 'write_failed', after: 1}}
    const from = mark()
    const r = await runCli(['config', 'apply', edited, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(6)
    // partial success: the normal result, each write with its status, and a partial_success warning
    expect(r.json.error).toBeUndefined()
    expect(r.json.applied).toBe(false)
    const failure = 'the gateway could not write its config file (PUT config observability/logs/request-log: 500 write_failed: simulated fault: the config file cannot be written)'
    expect(r.json.warnings).toEqual([
      {
        code: 'partial_success',
        message: `${edited} was applied only in part: 1 of 3 writes applied, then PUT observability/logs/request-log failed: ${failure}; not sent: 1. The gateway config is now between the old one and ${edited}; fix the cause and run the same apply again (it sends only what still differs)`,
        items: ['PUT observability/logs/request-log'],
      },
    ])
    expect(r.json.writes).toEqual([
      {method: 'PUT', path: 'observability/logs/debug', status: 'applied'},
      {method: 'PUT', path: 'observability/logs/request-log', status: 'failed', error: failure},
      {method: 'PUT', path: 'observability/logs/logging-to-file', status: 'not-sent'},
    ])
    expect(writesSince(from)).toEqual(['PUT /v8/management/config/observability/logs/debug', 'PUT /v8/management/config/observability/logs/request-log'])
    expect(file().observability.logs).toMatchObject({debug: true, 'request-log': false, 'logging-to-file': true})
    const human = await runCli(['config', 'apply', edited, '--yes'], {env: ctx.env()})
    // the fault answers once: this run sends the two writes still missing
    expect(human.exitCode).toBe(0)
    expect(human.stderr).toContain('(2 path writes), read back and verified.')
    expect(file().observability.logs).toMatchObject({debug: true, 'request-log': true, 'logging-to-file': false})
    ctx.sim.faults = {}
  })

  it('when the first write fails nothing was applied: the gateway error stands (exit 5 write_failed)', async () => {
    ctx.sim.faults = {configTree: {error: 'write_failed'}}
    const r = await runCli(['config', 'apply', fixture('v8.yaml'), '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(5)
    expect(r.json.error.code).toBe('write_failed')
    ctx.sim.faults = {}
  })

  it('a FILE the gateway would refuse is refused locally: exit 2, nothing sent', async () => {
    const bad = fixture('v8.yaml', (t) => t.replace('        - api-key: "sk-ant-upstream-b"\n', '        - api-key: "sk-ant-upstream-b"\n          base-url: "https://x.example"\n'))
    const from = mark()
    const r = await runCli(['config', 'apply', bad, '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.code).toBe('invalid_config')
    expect(r.json.error.message).toContain('api-keys.claude[0].keys[0].base-url: api-keys.claude: base-url belongs to the group')
    expect(writesSince(from)).toEqual([])
  })

  it('a gateway rejection midway (an early build does not know the client section): exit 6, then the gateway message', async () => {
    const base = YAML.parse(early.sim.config.text()) as Record<string, any>
    const edited = join(dir, 'early.yaml')
    writeFileSync(edited, YAML.stringify({...base, routing: {...base.routing, strategy: 'fill-first'}, client: {codex: {'enable-apply-patch': true}}}))
    const r = await runCli(['config', 'apply', edited, '--yes', '--json'], {env: early.env()})
    expect(r.exitCode).toBe(6)
    expect(r.json.warnings.map((w: {code: string}) => w.code)).toEqual(['partial_success'])
    expect(r.json.writes).toEqual([
      {method: 'PUT', path: 'routing/strategy', status: 'applied'},
      {
        method: 'PUT',
        path: 'client',
        status: 'failed',
        error: 'the gateway refused PUT config client: unknown v8 configuration section client (400 invalid_config)',
      },
    ])
    expect(YAML.parse(early.sim.config.text()).routing.strategy).toBe('fill-first')
    expect(YAML.parse(early.sim.config.text()).client).toBeUndefined()
  })
})

describe('bad input FILE for diff and apply', () => {
  it('YAML errors name line and column (exit 2); duplicate keys are errors; a list is not a config', async () => {
    const syntax = join(dir, 'syntax.yaml')
    writeFileSync(syntax, 'config-version: 8\nrouting:\n  strategy: [\n')
    const r = await runCli(['config', 'diff', syntax, '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(2)
    expect(r.json.error.message).toMatch(new RegExp(`^${syntax.replaceAll('.', '\\.')}:4:1: `))
    const dup = join(dir, 'dup.yaml')
    writeFileSync(dup, 'config-version: 8\nrouting:\n  strategy: fill-first\n  strategy: round-robin\n')
    const d = await runCli(['config', 'apply', dup, '--yes', '--json'], {env: ctx.env()})
    expect(d.exitCode).toBe(2)
    expect(d.json.error.message).toBe(`${dup}:4:3: Map keys must be unique`)
    const list = join(dir, 'list.yaml')
    writeFileSync(list, '- routing\n')
    const l = await runCli(['config', 'diff', list, '--json'], {env: ctx.env()})
    expect(l.exitCode).toBe(2)
    expect(l.json.error.message).toBe(`${list}:1:1: the config must be a YAML mapping (key: value) at the top level, not a list`)
  })

  it('anchors and merge keys are expanded before comparing', async () => {
    const text = readFileSync(fixture('v8.yaml'), 'utf8').replace(
      'api-keys:\n  codex:\n    - name: "codex-1"\n      base-url: "https://codex.example.invalid/v1"\n      priority: 10\n',
      'x-codex: &codex\n  base-url: "https://codex.example.invalid/v1"\n  priority: 10\napi-keys:\n  codex:\n    - name: "codex-1"\n      <<: *codex\n',
    )
    expect(text).toContain('<<: *codex')
    const anchored = join(dir, 'anchored.yaml')
    // x-codex is not a v8 section: it is commented out as the gateway would, and the groups compare equal
    writeFileSync(anchored, text)
    const r = await runCli(['config', 'diff', anchored, '--json'], {env: ctx.env()})
    expect(r.json.changes.filter((c: {path: string}) => c.path.startsWith('api-keys'))).toEqual([])
  })
})
