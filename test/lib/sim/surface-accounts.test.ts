import {createHash} from 'node:crypto'
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import type {SimAccountRegistry} from '../../../src/lib/sim/account-types.js'
import {createAccountRegistry} from '../../../src/lib/sim/accounts.js'
import {configAuthIndex, fileAuthIndex, stableAuthIndex} from '../../../src/lib/sim/auth-index.js'
import {defaultProviderConfig} from '../../../src/lib/sim/default-accounts.js'
import {codexIdTokenClaims} from '../../../src/lib/sim/jwt.js'

const dirs: string[] = []
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cpactl-acc-'))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, {recursive: true, force: true})
})

const T0 = Date.UTC(2026, 7, 22, 6, 3, 11)

function registry(seed = 42, cfg: Record<string, unknown> = defaultProviderConfig(seed), authDir = tempDir()): SimAccountRegistry {
  return createAccountRegistry({seed, authDir, now: () => T0, config: () => cfg})
}

describe('auth_index derivation', () => {
  it('matches hand-computed SHA-256 prefixes', () => {
    // printf '%s' '<seed>' | sha256sum
    expect(stableAuthIndex('codex:/srv/cpa/auths/codex-alice@example.com-plus.json')).toBe('1cbdcfb9ac834afd')
    expect(fileAuthIndex('codex', '/srv/cpa/auths/./sub/../codex-alice@example.com-plus.json')).toBe('1cbdcfb9ac834afd')
    expect(configAuthIndex('gemini-api-key', '', 'AIzaSyTEST')).toBe('f7fef5fb68f0d3562531bc1987f5930ad7ec4d16'.slice(0, 16))
    expect(configAuthIndex('openai-compatibility', 'https://openrouter.ai/api/v1', 'sk-or-v1-abc')).toBe('4149a7c65c99b2ff')
  })

  it('derives file indexes from <type>:<absolute path> and config indexes from <family>:<base-url>+<key>', () => {
    const dir = tempDir()
    const reg = registry(42, defaultProviderConfig(42), dir)
    for (const a of reg.list()) {
      if (a.authType === 'oauth') {
        const type = JSON.parse(readFileSync(join(dir, a.name), 'utf8')).type as string
        expect(a.authIndex).toBe(createHash('sha256').update(`${type}:${join(dir, a.name)}`).digest('hex').slice(0, 16))
      }
    }
    const cfg = defaultProviderConfig(42) as {'gemini-api-key': Array<{'api-key': string}>; 'openai-compatibility': Array<{'base-url': string; 'api-key-entries': Array<{'api-key': string}>}>}
    const gemini = reg.list().find((a) => a.provider === 'gemini')!
    expect(gemini.authIndex).toBe(createHash('sha256').update(`gemini-api-key:+${cfg['gemini-api-key'][0]!['api-key']}`).digest('hex').slice(0, 16))
    const compat = cfg['openai-compatibility'][0]!
    const openrouter = reg.list().find((a) => a.provider === 'openrouter')!
    expect(openrouter.authIndex).toBe(
      createHash('sha256').update(`openai-compatibility:${compat['base-url']}+${compat['api-key-entries'][0]!['api-key']}`).digest('hex').slice(0, 16),
    )
  })
})

describe('seeded default accounts', () => {
  it('writes nine 0600 JSON files with the gateway default names (claude-<email>.json, …), plus two config keys', () => {
    const dir = tempDir()
    const reg = registry(42, defaultProviderConfig(42), dir)
    const names = readdirSync(dir).sort()
    expect(names).toHaveLength(9)
    for (const n of names) expect(statSync(join(dir, n)).mode & 0o777).toBe(0o600)
    const byType = (t: string) => names.filter((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')).type === t)
    expect(byType('codex')).toHaveLength(4)
    expect(byType('claude')).toHaveLength(2)
    expect(byType('vertex')).toHaveLength(1)
    expect(byType('xai')).toHaveLength(1)
    expect(byType('antigravity')).toHaveLength(1)
    for (const n of byType('codex')) {
      const f = JSON.parse(readFileSync(join(dir, n), 'utf8'))
      const hash8 = createHash('sha256').update(f.account_id).digest('hex').slice(0, 8)
      const claims = codexIdTokenClaims(f.id_token)!
      expect(n).toBe(`codex-${hash8}-${f.email}-${claims.plan_type}.json`)
      expect(claims.chatgpt_account_id).toBe(f.account_id)
    }
    expect(byType('codex').map((n) => codexIdTokenClaims(JSON.parse(readFileSync(join(dir, n), 'utf8')).id_token)!.plan_type).sort()).toEqual([
      'plus',
      'plus',
      'pro',
      'team',
    ])
    for (const n of byType('claude')) expect(n).toBe(`claude-${JSON.parse(readFileSync(join(dir, n), 'utf8')).email}.json`)
    const vertex = JSON.parse(readFileSync(join(dir, byType('vertex')[0]!), 'utf8'))
    expect(byType('vertex')[0]).toBe(`vertex-${vertex.project_id}.json`)
    expect(vertex.service_account.type).toBe('service_account')

    const apikeys = reg.list().filter((a) => a.authType === 'apikey')
    expect(apikeys.map((a) => a.provider).sort()).toEqual(['gemini', 'openrouter'])
    expect(apikeys.map((a) => a.name)).toEqual(['', ''])
    const cfg = defaultProviderConfig(42) as {'gemini-api-key': Array<{'api-key': string}>}
    expect(apikeys.find((a) => a.provider === 'gemini')!.source).toBe(cfg['gemini-api-key'][0]!['api-key'])
    // vertex records carry the project id as source, OAuth ones the email
    expect(reg.list().find((a) => a.provider === 'vertex')!.source).toBe(vertex.project_id)
  })

  it('is deterministic for a seed and differs between seeds', () => {
    const a = registry(7).list().map((x) => [x.name, x.source, x.provider])
    const b = registry(7).list().map((x) => [x.name, x.source, x.provider])
    const c = registry(8).list().map((x) => [x.name, x.source, x.provider])
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('loads an existing auth dir instead of seeding it', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'claude-zed@example.com.json'), JSON.stringify({type: 'claude', email: 'zed@example.com', access_token: 'sk-ant-oat01-x'}))
    writeFileSync(join(dir, 'broken.json'), '{not json')
    const reg = registry(42, {}, dir)
    expect(reg.list().map((a) => a.name)).toEqual(['claude-zed@example.com.json'])
    expect(reg.tokenFor(reg.list()[0]!.authIndex)).toBe('sk-ant-oat01-x')
  })

  it('mixes upstream scenarios across codex accounts', () => {
    const reg = registry(42)
    const codex = reg.list().filter((a) => a.provider === 'codex')
    const scenarios = codex.map((a) => reg.scenario(a.authIndex).scenario)
    expect(scenarios).toContain('ok')
    expect(new Set(scenarios).size).toBe(4)
  })
})

describe('counters and recent_requests', () => {
  it('moves success/failed and the 10-minute buckets with recordOutcome', () => {
    const reg = registry()
    const [a, b] = reg.list()
    const bucketStart = Math.floor(T0 / 600_000) * 600_000
    reg.recordOutcome(a!.authIndex, false, T0)
    reg.recordOutcome(a!.authIndex, false, T0 - 1000)
    reg.recordOutcome(a!.authIndex, true, T0)
    reg.recordOutcome(a!.authIndex, false, bucketStart - 1) // previous bucket
    reg.recordOutcome(a!.authIndex, false, T0 - 200 * 60_000) // outside the 200-minute window
    reg.recordOutcome(b!.authIndex, true, T0)
    const acc = reg.byIndex(a!.authIndex)!
    expect([acc.success, acc.failed]).toEqual([4, 1])
    expect([reg.byIndex(b!.authIndex)!.success, reg.byIndex(b!.authIndex)!.failed]).toEqual([0, 1])
    const buckets = reg.recentRequests(a!.authIndex, T0)
    expect(buckets).toHaveLength(20)
    expect(buckets[19]).toMatchObject({success: 2, failed: 1})
    expect(buckets[18]).toMatchObject({success: 1, failed: 0})
    expect(buckets.slice(0, 18).every((x) => x.success === 0 && x.failed === 0)).toBe(true)
    const hhmm = (ms: number) => {
      const d = new Date(ms)
      return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
    }
    expect(buckets[19]!.time).toBe(`${hhmm(bucketStart)}-${hhmm(bucketStart + 600_000)}`)
    expect(buckets[0]!.time).toBe(`${hhmm(bucketStart - 19 * 600_000)}-${hhmm(bucketStart - 18 * 600_000)}`)
  })

  it('counts config-key credentials too', () => {
    const reg = registry()
    const gemini = reg.list().find((a) => a.provider === 'gemini')!
    reg.recordOutcome(gemini.authIndex, false, T0)
    reg.recordOutcome(gemini.authIndex, true, T0)
    expect(reg.byIndex(gemini.authIndex)).toMatchObject({success: 1, failed: 1, authType: 'apikey'})
  })
})

describe('server-local zone', () => {
  it('labels buckets and stamps log lines in the configured offset, and parses them back', () => {
    const cfg: Record<string, unknown> = {'logging-to-file': true}
    const reg = createAccountRegistry({seed: 1, authDir: tempDir(), now: () => T0, config: () => cfg, tzOffsetMinutes: 480})
    // T0 = 06:03:11Z = 14:03:11+08:00; its bucket is 14:00-14:10
    const buckets = reg.recentRequests(reg.list()[0]!.authIndex, T0)
    expect(buckets[19]!.time).toBe('14:00-14:10')
    expect(buckets[0]!.time).toBe('10:50-11:00')
    reg.appendLog('hello')
    expect(reg.logs.lines()).toEqual(['[2026-08-22 14:03:11] [info] hello'])
    expect(reg.logs.read({after: Math.floor(T0 / 1000) - 1}).lines).toHaveLength(1)
    expect(reg.logs.read({after: Math.floor(T0 / 1000)}).lines).toHaveLength(0)
    expect(reg.logs.read({})['latest-timestamp']).toBe(Math.floor(T0 / 1000))
    const codex = reg.files().find((f) => f.type === 'codex')!
    expect(String(codex.metadata.last_refresh)).toMatch(/\+08:00$/)
  })
})

describe('scenarios', () => {
  it('sets a scenario by auth_index or file name and rejects unknown targets', () => {
    const reg = registry()
    const claude = reg.list().find((a) => a.provider === 'claude')!
    reg.setScenario(claude.name, 'revoked')
    expect(reg.scenario(claude.authIndex)).toEqual({scenario: 'revoked'})
    reg.setScenario(claude.authIndex, {scenario: 'timeout', delayMs: 250})
    expect(reg.scenario(claude.authIndex)).toEqual({scenario: 'timeout', delayMs: 250})
    expect(() => reg.setScenario('nope.json', 'ok')).toThrow('unknown credential: nope.json')
    expect(() => reg.setScenario(claude.authIndex, 'bogus' as never)).toThrow('unknown scenario: bogus')
  })
})
