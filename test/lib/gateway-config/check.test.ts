import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {checkConfigText, checkExitCode, parseRulesText} from '../../../src/lib/gateway-config/check.js'
import {RULE_IDS} from '../../../src/lib/gateway-config/rules.js'
import {projectRoot, tempDir} from '../../helpers/run.js'

const fixture = (name: string) => readFileSync(join(projectRoot, 'test/fixtures/config', name), 'utf8')
/** Legacy files also get the `legacy-layout` info finding (tested on its own below). */
const problems = <T extends {rule: string}>(findings: T[]) => findings.filter((f) => f.rule !== 'legacy-layout')

describe('config check rules', () => {
  it('the clean fixture has no problems, only the info that it is a legacy file (exit 0 even with --strict)', async () => {
    const r = await checkConfigText(fixture('clean.yaml'), 'file')
    expect(r).toEqual({
      layout: 'legacy',
      findings: [
        {
          rule: 'legacy-layout',
          severity: 'info',
          path: '(file)',
          message: 'legacy (v7) layout: a v8 gateway still loads it, and rewrites it to the v8 layout on its first /v8/management write (any write, even a plugin or credential change)',
          fix: 'preview the v8 layout with cpactl config migrate FILE (write it with -o FILE)',
        },
      ],
      summary: {errors: 0, warnings: 0, info: 1},
    })
    expect(checkExitCode(r, true)).toBe(0)
  })

  it('the legacy-layout info is for files only: the live config of a v7 gateway is not told to migrate', async () => {
    const r = await checkConfigText(fixture('clean.yaml'), 'live')
    expect(r.findings).toEqual([])
  })

  // one fixture per rule: each fails exactly that rule, at exactly these paths
  const cases: Array<[string, string, 'error' | 'warning', string[]]> = [
    ['usage-publishing-off.yaml', 'usage-publishing-off', 'error', ['usage-statistics-enabled']],
    ['retention-shorter-than-interval.yaml', 'retention-shorter-than-interval', 'error', ['redis-usage-queue-retention-seconds']],
    ['retention-headroom.yaml', 'retention-headroom', 'warning', ['redis-usage-queue-retention-seconds']],
    ['retention-out-of-range.yaml', 'retention-out-of-range', 'warning', ['redis-usage-queue-retention-seconds']],
    ['remote-without-tls.yaml', 'remote-without-tls', 'error', ['remote-management.allow-remote']],
    ['example-api-keys.yaml', 'example-api-keys', 'error', ['api-keys[2]']],
    ['plaintext-secret-key.yaml', 'plaintext-secret-key', 'error', ['remote-management.secret-key']],
    ['duplicate-api-keys.yaml', 'duplicate-api-keys', 'warning', ['api-keys[2]']],
    ['missing-base-url.yaml', 'missing-base-url', 'error', ['codex-api-key[1]', 'xai-api-key[0]']],
    ['weight-out-of-range.yaml', 'weight-out-of-range', 'error', ['codex-api-key[1].weight', 'openai-compatibility[0].api-key-entries[0].weight']],
    ['weight-excluded.yaml', 'weight-excluded', 'warning', ['openai-compatibility[0].api-key-entries[0].weight']],
    ['empty-secret-key.yaml', 'empty-secret-key', 'error', ['remote-management.secret-key']],
    ['unknown-routing-strategy.yaml', 'unknown-routing-strategy', 'error', ['routing.strategy']],
    ['unknown-key.yaml', 'unknown-key', 'warning', ['request-retyr', 'remote-management.allow_remote']],
    ['invalid-value.yaml', 'invalid-value', 'error', ['port', 'logging-to-file']],
    ['invalid-yaml.yaml', 'invalid-yaml', 'error', ['(line 4, column 1)']],
  ]

  for (const [file, rule, severity, paths] of cases) {
    it(`${file} fails only ${rule}`, async () => {
      const r = await checkConfigText(fixture(file), 'file')
      expect(problems(r.findings).map((f) => [f.rule, f.severity, f.path])).toEqual(paths.map((p) => [rule, severity, p]))
      for (const f of r.findings) {
        expect(f.message.length).toBeGreaterThan(10)
        expect(f.fix.length).toBeGreaterThan(5)
      }
      expect(r.summary).toEqual({errors: severity === 'error' ? paths.length : 0, warnings: severity === 'warning' ? paths.length : 0, info: rule === 'invalid-yaml' ? 0 : 1})
      expect(checkExitCode(r, false)).toBe(severity === 'error' ? 1 : 0)
      expect(checkExitCode(r, true)).toBe(1)
    })
  }

  it('every configurable rule has a fixture', () => {
    expect(new Set([...cases.map((c) => c[1]), 'legacy-layout'])).toEqual(new Set([...RULE_IDS, 'invalid-yaml']))
  })

  it('messages carry the facts: retention and interval, the typo suggestion, the example key', async () => {
    const short = await checkConfigText(fixture('retention-shorter-than-interval.yaml'), 'file')
    expect(short.findings[0].message).toBe('queue retention is 30s but collection runs every 60s: records expire before they are collected')
    const typo = await checkConfigText(fixture('unknown-key.yaml'), 'file')
    expect(typo.findings[0].message).toContain("(did you mean 'request-retry'?)")
    expect(typo.findings[1].message).toContain("(did you mean 'allow-remote'?)")
    const example = await checkConfigText(fixture('example-api-keys.yaml'), 'file')
    expect(example.findings[0].message).toContain("'your-api-key-1'")
    const invalid = await checkConfigText(fixture('invalid-value.yaml'), 'file')
    expect(problems(invalid.findings).map((f) => f.message)).toEqual(['expected an integer, found the string "eighty"', 'expected true or false, found the string "sometimes"'])
  })

  it('an absent usage-statistics-enabled is off (the gateway default is false)', async () => {
    const r = await checkConfigText('redis-usage-queue-retention-seconds: 300\n', 'file')
    expect(problems(r.findings).map((f) => f.rule)).toEqual(['usage-publishing-off'])
    expect(r.findings[0].message).toContain('absent')
  })

  it('absent retention is the gateway default of 60s (a warning with the default interval, an error with 5m)', async () => {
    const text = 'usage-statistics-enabled: true\n'
    expect(problems((await checkConfigText(text, 'file')).findings).map((f) => f.rule)).toEqual(['retention-headroom'])
    const rules = await parseRulesText('thresholds:\n  collection-interval: 5m\n', 'rules.yaml')
    const r = await checkConfigText(text, 'file', rules)
    expect(problems(r.findings).map((f) => [f.rule, f.message])).toEqual([
      ['retention-shorter-than-interval', 'queue retention is 60s (default) but collection runs every 300s: records expire before they are collected'],
    ])
  })
})

describe('rules file', () => {
  it('turns rules off, changes severity and thresholds, adds known keys', async () => {
    const rules = await parseRulesText(
      'rules:\n  usage-publishing-off: off\n  duplicate-api-keys: error\n  unknown-key: on\nthresholds:\n  weight-max: 100\nknown-keys: [request-retyr]\n',
      'r.yaml',
    )
    const off = await checkConfigText(readFileSync(join(projectRoot, 'test/fixtures/config/usage-publishing-off.yaml'), 'utf8'), 'file', rules)
    // publishing is off but the rule is disabled; weight-max 100 now flags the 1,000,000 and 10 is fine
    expect(problems(off.findings).map((f) => [f.rule, f.severity, f.path])).toEqual([['weight-out-of-range', 'error', 'codex-api-key[1].weight']])
    const dup = await checkConfigText(fixture('duplicate-api-keys.yaml'), 'file', rules)
    expect(dup.findings.filter((f) => f.rule === 'duplicate-api-keys').map((f) => f.severity)).toEqual(['error'])
    const typo = await checkConfigText(fixture('unknown-key.yaml'), 'file', rules)
    expect(typo.findings.filter((f) => f.rule === 'unknown-key').map((f) => f.path)).toEqual(['remote-management.allow_remote'])
  })

  it('rejects unknown rules, sections and values as usage errors', async () => {
    await expect(parseRulesText('rules:\n  no-such-rule: off\n', 'r.yaml')).rejects.toMatchObject({exitCode: 2, code: 'invalid_rules'})
    await expect(parseRulesText('rulez: {}\n', 'r.yaml')).rejects.toThrow(/unknown section 'rulez'/)
    await expect(parseRulesText('rules:\n  unknown-key: loud\n', 'r.yaml')).rejects.toThrow(/expected off, on, error, warning or info/)
    await expect(parseRulesText('thresholds:\n  collection-interval: soon\n', 'r.yaml')).rejects.toThrow(/collection-interval/)
    await expect(parseRulesText('thresholds:\n  weight-min: 10\n  weight-max: 5\n', 'r.yaml')).rejects.toThrow(/weight-min is larger/)
  })

  it('an empty rules file means defaults', async () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'empty.yaml'), '')
    const rules = await parseRulesText('', join(dir, 'empty.yaml'))
    expect(rules.thresholds.collectionIntervalSeconds).toBe(60)
    expect(rules.severity).toEqual({})
  })
})
