import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {projectRoot, runCli, tempDir} from '../../helpers/run.js'

const v8fx = (name: string) => join(projectRoot, 'test/fixtures/config/v8', name)
const noGateway = {CPA_URL: undefined, CPA_MANAGEMENT_KEY: undefined}
const write = (name: string, text: string) => {
  const file = join(tempDir(), name)
  writeFileSync(file, text)
  return file
}

describe('config check on v8 files (offline)', () => {
  it('the v8.yaml fixture: v8 layout, warnings only (exit 0, --strict 1)', async () => {
    const r = await runCli(['config', 'check', v8fx('v8.yaml'), '--json'], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(r.json.layout).toBe('v8')
    expect(r.json.summary).toEqual({errors: 0, warnings: 3, info: 0})
    expect((await runCli(['config', 'check', v8fx('v8.yaml'), '--strict'], {env: noGateway})).exitCode).toBe(1)
  })

  it('real v8 mistakes are errors with v8 dotted paths and the {rule, severity, path, message, fix} shape', async () => {
    const file = write('bad.yaml', 'config-version: 8\nusage-statistics-enabled: true\nserver:\n  port: "x"\napi-keys:\n  claude:\n    - keys: [{api-key: k, base-url: https://a.example}]\n')
    const r = await runCli(['config', 'check', file, '--json'], {env: noGateway})
    expect(r.exitCode).toBe(1)
    for (const f of r.json.findings) expect(Object.keys(f)).toEqual(['rule', 'severity', 'path', 'message', 'fix'])
    expect(r.json.findings.filter((f: {severity: string}) => f.severity === 'error').map((f: {rule: string; path: string}) => [f.rule, f.path])).toEqual([
      ['legacy-key', 'usage-statistics-enabled'],
      ['api-keys-group', 'api-keys.claude[0].keys[0].base-url'],
      ['invalid-value', 'server.port'],
    ])
    const human = await runCli(['config', 'check', file], {env: noGateway})
    expect(human.stdout).toContain('error\tlegacy-key\tusage-statistics-enabled\tlegacy field usage-statistics-enabled is not accepted by v8; use observability.usage.usage-statistics-enabled\t')
  })

  it('a file that is not a mapping exits 1 with a finding, not a stack trace', async () => {
    const file = write('list.yaml', '- server\n- port\n')
    const r = await runCli(['config', 'check', file, '--json'], {env: noGateway})
    expect(r.exitCode).toBe(1)
    expect(r.json).toEqual({
      layout: null,
      findings: [{rule: 'invalid-yaml', severity: 'error', path: '(line 1, column 1)', message: 'the config must be a YAML mapping (key: value) at the top level, not a list', fix: 'write the config as key: value pairs at the top level'}],
      summary: {errors: 1, warnings: 0, info: 0},
    })
    const human = await runCli(['config', 'check', file], {env: noGateway})
    expect(human.exitCode).toBe(1)
    expect(human.stderr).not.toMatch(/\n\s+at /)
  })

  it('duplicate keys are an error with line and column', async () => {
    const r = await runCli(['config', 'check', write('dup.yaml', 'config-version: 8\nserver:\n  port: 1\n  port: 2\n'), '--json'], {env: noGateway})
    expect(r.exitCode).toBe(1)
    expect(r.json.findings.map((f: {path: string; message: string}) => [f.path, f.message])).toEqual([['(line 4, column 3)', 'Map keys must be unique']])
  })
})

describe('config migrate', () => {
  it('prints the v8 document of a legacy file; the fixture pair round-trips (parsed documents)', async () => {
    const r = await runCli(['config', 'migrate', v8fx('legacy.yaml')], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(YAML.parse(r.stdout)).toEqual(YAML.parse(readFileSync(v8fx('v8.yaml'), 'utf8')))
    expect(r.stderr).toContain('migrated')
    expect(r.stderr).toContain('from the legacy layout: 41 keys moved.')
  })

  it('--json: {document, moved, commentedOut, warnings}', async () => {
    const file = write('amp.yaml', '# gateway\n\nport: 8317\nrequest-retry: 2\nampcode:\n  upstream-url: https://amp.example\n')
    const r = await runCli(['config', 'migrate', file, '--json'], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(Object.keys(r.json)).toEqual(['document', 'moved', 'commentedOut', 'warnings'])
    expect(r.json.moved).toEqual([
      {from: 'port', to: 'server.port'},
      {from: 'request-retry', to: 'routing.retry.request-retry'},
    ])
    expect(r.json.commentedOut).toEqual(['ampcode'])
    expect(r.json.warnings).toEqual([{code: 'section_commented_out', message: 'unrecognized configuration section "ampcode" commented out during v8 migration', items: ['ampcode']}])
    expect(r.json.document).toBe(
      '# gateway\n\nconfig-version: 8\nserver:\n  port: 8317\nrouting:\n  retry:\n    request-retry: 2\n\n# unrecognized configuration section "ampcode" commented out during v8 migration:\n# ampcode:\n#   upstream-url: https://amp.example\n',
    )
    // warnings reach stderr in JSON mode too
    expect(r.stderr).toContain('ampcode')
  })

  it('is idempotent on a v8 file: the same text, nothing moved', async () => {
    const r = await runCli(['config', 'migrate', v8fx('v8.yaml'), '--json'], {env: noGateway})
    expect(r.json).toEqual({document: readFileSync(v8fx('v8.yaml'), 'utf8'), moved: [], commentedOut: [], warnings: []})
    const human = await runCli(['config', 'migrate', v8fx('v8.yaml')], {env: noGateway})
    expect(human.stderr).toContain('is already in the v8 layout; nothing to migrate')
  })

  it('-o OUT writes a 0600 file and prints nothing; an existing OUT needs --force', async () => {
    const out = join(tempDir(), 'config.v8.yaml')
    const r = await runCli(['config', 'migrate', v8fx('legacy.yaml'), '-o', out], {env: noGateway})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`→ ${out} (mode 0600)`)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(YAML.parse(readFileSync(out, 'utf8'))).toEqual(YAML.parse(readFileSync(v8fx('v8.yaml'), 'utf8')))
    const again = await runCli(['config', 'migrate', v8fx('legacy.yaml'), '-o', out, '--json'], {env: noGateway})
    expect(again.exitCode).toBe(2)
    expect(again.json.error.code).toBe('file_exists')
    expect((await runCli(['config', 'migrate', v8fx('legacy.yaml'), '-o', out, '--force'], {env: noGateway})).exitCode).toBe(0)
  })

  it('bad input: missing file or bad YAML exit 2 (with line and column); a file the gateway cannot migrate exits 1', async () => {
    expect((await runCli(['config', 'migrate', '/nonexistent.yaml'], {env: noGateway})).exitCode).toBe(2)
    const syntax = await runCli(['config', 'migrate', write('bad.yaml', 'port: 1\nport: 2\n'), '--json'], {env: noGateway})
    expect(syntax.exitCode).toBe(2)
    expect(syntax.json.error.message).toMatch(/bad\.yaml:2:1: Map keys must be unique$/)
    const stuck = await runCli(['config', 'migrate', write('stuck.yaml', 'port: 1\nserver: 5\n'), '--json'], {env: noGateway})
    expect(stuck.exitCode).toBe(1)
    expect(stuck.json.error).toMatchObject({code: 'migration_failed', message: expect.stringContaining('server must be a mapping')})
  })
})
