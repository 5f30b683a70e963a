/**
 * runInspection against the simulator over real sockets: one case per classification, dry run versus apply
 * (which PATCH requests reached the simulator), the ownership rule, identity changes between probe and
 * write, the concurrency bound, and timeouts (retried once, then probe_failed).
 */
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {CancelledError} from '../../../src/lib/cli/errors.js'
import {GatewayClient} from '../../../src/lib/gateway/client.js'
import type {UpstreamScenario} from '../../../src/lib/sim/account-types.js'
import {codexIdTokenClaims} from '../../../src/lib/sim/jwt.js'
import type {Simulator} from '../../../src/lib/sim/index.js'
import {DEFAULTS, type InspectSettings} from '../../../src/lib/inspect/policy.js'
import {runInspection, type InspectHooks} from '../../../src/lib/inspect/run.js'
import type {InspectRunResult} from '../../../src/lib/inspect/types.js'
import type {InspectResult} from '../../../src/lib/store/index.js'
import {startTestSimulator, SUITE_IS_V8} from '../../helpers/sim.js'
import {clientFor, count, isDisabled, names, tempStore, waitFor, type TestInspections} from './harness.js'

let sim: Simulator
let store: TestInspections

beforeEach(async () => {
  sim = await startTestSimulator({seed: 7})
  store = await tempStore()
})

afterEach(async () => {
  await store.close()
  await sim.close()
})

function settings(over: Partial<InspectSettings> = {}): InspectSettings {
  return {
    threshold: DEFAULTS.threshold,
    providers: null,
    concurrency: DEFAULTS.concurrency,
    timeoutMs: 5000,
    apply: 'none',
    policySource: null,
    ...over,
  }
}

async function inspect(over: Partial<InspectSettings> = {}, accounts: string[] | null = null, hooks?: InspectHooks): Promise<InspectRunResult> {
  const client = clientFor(sim)
  try {
    return await runInspection({client, store, instance: 'test', settings: settings(over), accounts, hooks})
  } finally {
    await client.close()
  }
}

/** Clone the first codex file under a new name (same token and workspace, its own auth_index). */
function cloneCodex(name: string, scenario: UpstreamScenario | {scenario: UpstreamScenario; delayMs?: number}, patch: Record<string, unknown> = {}): string {
  const src = sim.accounts.file(names(sim, 'codex')[0])!
  const res = sim.accounts.upload(name, Buffer.from(JSON.stringify({...src.metadata, ...patch})))
  expect(res.ok).toBe(true)
  sim.accounts.setScenario(name, scenario)
  return name
}

function byName(result: InspectRunResult, name: string): InspectResult {
  const r = result.results.find((x) => x.name === name)
  expect(r, `result for ${name}`).toBeDefined()
  return r!
}

describe('classification', () => {
  it('gives one classification and action per upstream scenario', async () => {
    const cases: Array<[UpstreamScenario, string, string, number | null]> = [
      ['ok', 'ok', 'keep', 200],
      ['long_exhausted', 'quota_exhausted', 'disable', 200],
      ['short_exhausted', 'quota_exhausted', 'keep', 200],
      ['revoked', 'reauth', 'reauth', 401],
      ['invalid_token', 'reauth', 'reauth', 401],
      ['deactivated_workspace', 'workspace_deactivated', 'delete-suggested', 402],
      ['rate_limited', 'quota_exhausted', 'keep', 429],
      ['forbidden_plain', 'review', 'review', 403],
      ['server_error', 'probe_failed', 'keep', 500],
    ]
    const accounts = cases.map(([scenario]) => cloneCodex(`codex-case-${scenario}.json`, scenario))
    const vertex = names(sim, 'vertex')[0]
    const result = await inspect({}, [...accounts, vertex])

    for (const [scenario, classification, action, status] of cases) {
      const r = byName(result, `codex-case-${scenario}.json`)
      expect([scenario, r.classification, r.action, r.httpStatus]).toEqual([scenario, classification, action, status])
      expect(r.actionTaken).toBeNull()
      expect(r.attempts).toBe(1)
      expect(r.provider).toBe('codex')
    }
    const skipped = byName(result, vertex)
    expect(skipped.classification).toBe('skipped')
    expect(skipped.reason).toBe("no quota probe for provider 'vertex'")
    expect(skipped.attempts).toBe(0)

    // windows of a healthy codex account: 5-hour short, weekly long, resets in the future
    const ok = byName(result, 'codex-case-ok.json')
    expect(ok.windows.short?.windowSeconds).toBe(18_000)
    expect(ok.windows.long?.windowSeconds).toBe(604_800)
    expect(ok.windows.short!.usedPercent!).toBeLessThan(90)
    expect(ok.windows.long!.usedPercent!).toBeLessThan(80)
    expect(Date.parse(ok.windows.long!.resetsAt!)).toBeGreaterThan(Date.now())
    expect(Date.parse(ok.windows.long!.startedAt!)).toBe(Date.parse(ok.windows.long!.resetsAt!) - 604_800_000)
    expect(ok.plan).toBe(codexIdTokenClaims(sim.accounts.file(names(sim, 'codex')[0])!.metadata.id_token)!.plan_type)
    expect(byName(result, 'codex-case-long_exhausted.json').windows.long?.usedPercent).toBe(100)
    expect(byName(result, 'codex-case-short_exhausted.json').windows.short?.usedPercent).toBe(100)
    // the 429 usage_limit_reached answer names a reset time, not a window
    expect(byName(result, 'codex-case-rate_limited.json').windows.extra[0]?.usedPercent).toBe(100)

    expect(result.summary).toMatchObject({total: 10, probed: 9, skipped: 1, probeFailed: 1, disabled: 0, enabled: 0})
    expect(result.summary.classifications).toEqual({
      ok: 1,
      quota_exhausted: 3,
      reauth: 2,
      workspace_deactivated: 1,
      review: 1,
      probe_failed: 1,
      skipped: 1,
    })
    expect(count(sim, 'POST', '/api-call')).toBe(9)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
  })

  it('reads Claude windows and Claude error evidence through the gateway', async () => {
    const [a, b] = names(sim, 'claude')
    sim.accounts.setScenario(a, 'long_exhausted')
    sim.accounts.setScenario(b, 'revoked')
    const result = await inspect({providers: ['claude']})
    expect(result.results.map((r) => r.name).sort()).toEqual([a, b].sort())
    const exhausted = byName(result, a)
    expect(exhausted.classification).toBe('quota_exhausted')
    expect(exhausted.action).toBe('disable')
    expect(exhausted.windows.long).toMatchObject({id: 'seven_day', usedPercent: 100, windowSeconds: 604_800})
    expect(exhausted.windows.short).toMatchObject({id: 'five_hour', windowSeconds: 18_000})
    expect(exhausted.windows.extra.map((w) => w.id)).toEqual(['seven_day_opus'])
    const revoked = byName(result, b)
    expect(revoked.classification).toBe('reauth')
    expect(revoked.reason).toContain('OAuth token has been revoked')
  })

  it('honours the threshold: a window used at exactly the threshold counts as exhausted', async () => {
    // seeded usage depends on the auth_index (the temp auth dir's path): take a clone with some usage
    let name = ''
    let used = 0
    for (let i = 0; i < 5 && used < 1; i++) {
      name = cloneCodex(`codex-threshold-${i}.json`, 'ok')
      const r = byName(await inspect({}, [name]), name)
      expect(r.classification).toBe('ok')
      used = Math.max(r.windows.short!.usedPercent!, r.windows.long!.usedPercent!)
    }
    expect(used).toBeGreaterThanOrEqual(1)
    expect(byName(await inspect({threshold: used}, [name]), name).classification).toBe('quota_exhausted')
    expect(byName(await inspect({threshold: used + 0.5}, [name]), name).classification).toBe('ok')
  })

  it('selects by provider and by name, auth_index or e-mail; unknown accounts are a usage error', async () => {
    const codex = names(sim, 'codex')
    const byProvider = await inspect({providers: ['codex']})
    expect(byProvider.results.map((r) => r.name).sort()).toEqual(codex)
    const first = sim.accounts.byName(codex[0])!
    const second = sim.accounts.byName(codex[1])!
    const picked = await inspect({}, [first.authIndex, second.email!])
    expect(picked.results.map((r) => r.name).sort()).toEqual([codex[0], codex[1]].sort())
    await expect(inspect({}, ['no-such-file.json'])).rejects.toMatchObject({code: 'unknown_account', exitCode: 2})
  })
})

describe('apply policy', () => {
  it('writes nothing in a dry run and exactly the evidenced disables with --apply disable', async () => {
    const exhausted = cloneCodex('codex-a-exhausted.json', 'long_exhausted')
    const revoked = cloneCodex('codex-b-revoked.json', 'revoked')
    const forbidden = cloneCodex('codex-c-forbidden.json', 'forbidden_plain')
    const healthy = cloneCodex('codex-d-ok.json', 'ok')
    const short = cloneCodex('codex-e-short.json', 'short_exhausted')
    const accounts = [exhausted, revoked, forbidden, healthy, short]

    const dry = await inspect({apply: 'none'}, accounts)
    expect(dry.run.applied).toBe('none')
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
    expect(accounts.filter((n) => isDisabled(sim, n))).toEqual([])
    expect(dry.results.map((r) => [r.name, r.action, r.actionTaken])).toEqual([
      [exhausted, 'disable', null],
      [revoked, 'reauth', null],
      [forbidden, 'review', null],
      [healthy, 'keep', null],
      [short, 'keep', null],
    ])
    expect(byName(dry, exhausted).reason).toContain('not applied (--apply none')

    // --apply enable does not disable either
    await inspect({apply: 'enable'}, accounts)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)

    const applied = await inspect({apply: 'disable'}, accounts)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(2)
    expect(accounts.filter((n) => isDisabled(sim, n)).sort()).toEqual([exhausted, revoked])
    expect(applied.results.map((r) => [r.name, r.actionTaken])).toEqual([
      [exhausted, 'disabled'],
      [revoked, 'disabled'],
      [forbidden, null],
      [healthy, null],
      [short, null],
    ])
    expect(applied.summary.disabled).toBe(2)
    expect(sim.accounts.file(exhausted)!.statusMessage).toBe('disabled via management API')
    // one identity re-read before each write, one after each disable (modtime for ownership)
    const owned = await store.listOpenOwnership('test')
    expect(owned.map((o) => [o.name, o.classification]).sort()).toEqual([
      [exhausted, 'quota_exhausted'],
      [revoked, 'reauth'],
    ])
    expect(owned.every((o) => typeof o.modtime === 'string')).toBe(true)

    // a second run sees them disabled: nothing more to write
    const again = await inspect({apply: 'disable'}, accounts)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(2)
    expect(byName(again, exhausted).action).toBe('keep')
    expect(byName(again, exhausted).reason).toContain('already disabled')
  })

  it('re-enables only what cpactl disabled, once the evidence cleared; never an account a person disabled', async () => {
    const mine = cloneCodex('codex-mine.json', 'long_exhausted')
    const manual = cloneCodex('codex-manual.json', 'ok')
    const touched = cloneCodex('codex-touched.json', 'revoked')
    await inspect({apply: 'disable'}, [mine, manual, touched])
    expect([mine, touched].every((n) => isDisabled(sim, n))).toBe(true)
    // a person disables another account by hand
    sim.accounts.setDisabled(manual, true)
    // and someone rewrites a file cpactl had disabled (re-login keeps it disabled): its modtime moves
    await new Promise((r) => setTimeout(r, 25))
    const content = JSON.parse(sim.accounts.fileContent(touched)!.toString('utf8'))
    sim.accounts.upload(touched, Buffer.from(JSON.stringify({...content, last_refresh: new Date().toISOString()})))
    expect(isDisabled(sim, touched)).toBe(true)

    // evidence still there: no enable
    const still = await inspect({apply: 'all'}, [mine])
    expect(byName(still, mine).action).toBe('keep')
    expect(byName(still, mine).reason).toContain('already disabled')
    const patchesBefore = count(sim, 'PATCH', '/auth-files/status')

    for (const n of [mine, manual, touched]) sim.accounts.setScenario(n, 'ok')
    const result = await inspect({apply: 'enable'}, [mine, manual, touched])
    expect(byName(result, mine)).toMatchObject({classification: 'ok', action: 'enable', actionTaken: 'enabled'})
    expect(byName(result, manual)).toMatchObject({classification: 'ok', action: 'keep', actionTaken: null})
    expect(byName(result, manual).reason).toContain('disabled by someone else; cpactl never re-enables it')
    expect(byName(result, touched)).toMatchObject({classification: 'ok', action: 'keep', actionTaken: null})
    expect(byName(result, touched).reason).toContain('the file changed after cpactl disabled it')
    expect(count(sim, 'PATCH', '/auth-files/status') - patchesBefore).toBe(1)
    expect(isDisabled(sim, mine)).toBe(false)
    expect(isDisabled(sim, manual)).toBe(true)
    expect(isDisabled(sim, touched)).toBe(true)
    expect(await store.listOpenOwnership('test')).toEqual([])

    // once released, a later manual disable of the re-enabled account is not cpactl's either
    sim.accounts.setDisabled(mine, true)
    const later = await inspect({apply: 'enable'}, [mine])
    expect(byName(later, mine).actionTaken).toBeNull()
    expect(isDisabled(sim, mine)).toBe(true)
  })

  it('drops ownership when someone re-enables an account cpactl disabled', async () => {
    const name = cloneCodex('codex-reenabled.json', 'long_exhausted')
    await inspect({apply: 'disable'}, [name])
    sim.accounts.setDisabled(name, false) // a person turns it back on
    await inspect({apply: 'none'}, [name])
    expect(await store.listOpenOwnership('test')).toEqual([])
    sim.accounts.setDisabled(name, true) // and later off again, by hand
    sim.accounts.setScenario(name, 'ok')
    const r = byName(await inspect({apply: 'enable'}, [name]), name)
    expect(r.actionTaken).toBeNull()
    expect(isDisabled(sim, name)).toBe(true)
  })
})

describe('identity re-verification before each write', () => {
  it('writes nothing when the file was renamed between probe and write', async () => {
    const name = cloneCodex('codex-rename-me.json', 'long_exhausted')
    const result = await inspect({apply: 'disable'}, [name], {
      beforeWrite: ({name: n}) => {
        const content = sim.accounts.fileContent(n)!
        sim.accounts.remove(n)
        sim.accounts.upload('codex-renamed.json', content)
      },
    })
    const r = byName(result, name)
    expect(r.actionTaken).toBe('skipped')
    expect(r.reason).toContain(`auth file ${name} is gone`)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
    expect(isDisabled(sim, 'codex-renamed.json')).toBe(false)
    expect(result.summary.writesSkipped).toBe(1)
  })

  it('writes nothing when the name now holds another account, or was toggled by someone else', async () => {
    const replaced = cloneCodex('codex-replaced.json', 'long_exhausted')
    const toggled = cloneCodex('codex-toggled.json', 'long_exhausted')
    const other = sim.accounts.file(names(sim, 'codex')[1])!.metadata
    const result = await inspect({apply: 'disable'}, [replaced, toggled], {
      beforeWrite: ({name}) => {
        if (name === replaced) sim.accounts.upload(replaced, Buffer.from(JSON.stringify(other)))
        else sim.accounts.setDisabled(toggled, true)
      },
    })
    expect(byName(result, replaced).actionTaken).toBe('skipped')
    expect(byName(result, replaced).reason).toMatch(/account of codex-replaced\.json changed since the probe/)
    expect(byName(result, toggled).actionTaken).toBe('skipped')
    expect(byName(result, toggled).reason).toContain('was disabled by someone else since the probe')
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
    expect(isDisabled(sim, replaced)).toBe(false)
    // the toggled account was disabled by a person, so cpactl owns nothing
    expect(await store.listOpenOwnership('test')).toEqual([])
  })

  it('reports a write the gateway could not take as failed (exit 6), and writes nothing else', async () => {
    const name = cloneCodex('codex-write-fails.json', 'long_exhausted')
    const result = await inspect({apply: 'disable'}, [name], {
      // the gateway answers 503 to the identity re-read (and its two retries)
      beforeWrite: () => {
        sim.faults = {http5xx: {count: 3, status: 503}}
      },
    })
    const r = byName(result, name)
    expect(r.actionTaken).toBe('failed')
    expect(r.reason).toContain(`; disable failed: the gateway failed GET ${SUITE_IS_V8 ? '/credentials' : '/auth-files'} (503`)
    expect(result.summary.writesFailed).toBe(1)
    expect(result.warnings).toEqual([{code: 'partial_success', message: '1 write(s) failed (see actionTaken failed)', items: [name]}])
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
    expect(isDisabled(sim, name)).toBe(false)
    expect(await store.listOpenOwnership('test')).toEqual([])
  })
})

describe('concurrency and timeouts', () => {
  it('never has more probes in flight than --concurrency', async () => {
    const accounts = Array.from({length: 8}, (_, i) => cloneCodex(`codex-slow-${i}.json`, {scenario: 'timeout', delayMs: 60}))
    for (const limit of [3, 1]) {
      let inFlight = 0
      let max = 0
      const result = await inspect({concurrency: limit}, accounts, {
        onProbeStart: () => {
          inFlight++
          max = Math.max(max, inFlight)
        },
        onProbeEnd: () => {
          inFlight--
        },
      })
      expect(max).toBe(limit)
      expect(result.results.map((r) => r.classification)).toEqual(Array(8).fill('ok'))
    }
    expect(count(sim, 'POST', '/api-call')).toBe(16)
  })

  it('retries a timed-out probe once, then reports probe_failed', async () => {
    const name = cloneCodex('codex-hangs.json', {scenario: 'timeout', delayMs: 800})
    const result = await inspect({timeoutMs: 200}, [name])
    const r = byName(result, name)
    expect(r).toMatchObject({classification: 'probe_failed', action: 'keep', attempts: 2, httpStatus: null})
    expect(r.reason).toBe('no answer within 200ms (2 attempts)')
    expect(result.summary.probeFailed).toBe(1)
    // both attempts reached the gateway (it logs them when its late answers are done)
    await waitFor(() => count(sim, 'POST', '/api-call') === 2, 'two /api-call requests')
    await new Promise((r) => setTimeout(r, 50))
    expect(count(sim, 'POST', '/api-call')).toBe(2)
  })

  it('uses the retry: a probe whose first attempt timed out can still succeed', async () => {
    const name = cloneCodex('codex-slow-once.json', {scenario: 'timeout', delayMs: 3000})
    const attempts: number[] = []
    const r = byName(
      await inspect({timeoutMs: 300}, [name], {
        beforeCall: (n, attempt) => {
          attempts.push(attempt)
          // the upstream recovers before the retry goes out
          if (attempt === 2) sim.accounts.setScenario(n, 'ok')
        },
      }),
      name,
    )
    expect(attempts).toEqual([1, 2])
    expect(r).toMatchObject({classification: 'ok', attempts: 2, httpStatus: 200})
  })

  it('stops the whole run on a rejected management key, without retrying it', async () => {
    const bad = new GatewayClient({baseUrl: sim.url, getKey: async () => ({key: 'wrong-key', source: 'test'})})
    await expect(runInspection({client: bad, store, instance: 'test', settings: settings()})).rejects.toMatchObject({code: 'auth_failed', exitCode: 4})
    await bad.close()
    expect(sim.authFailures()).toBe(1)
    expect(count(sim, 'POST', '/api-call')).toBe(0)
  })

  it('an interrupt stops scheduling probes and writes, records the run as interrupted, and rethrows', async () => {
    const accounts = Array.from({length: 6}, (_, i) => cloneCodex(`codex-int-${i}.json`, 'long_exhausted'))
    const abort = new AbortController()
    const client = clientFor(sim)
    let calls = 0
    const run = runInspection({
      client,
      store,
      instance: 'test',
      settings: settings({concurrency: 1, apply: 'disable'}),
      accounts,
      signal: abort.signal,
      hooks: {
        beforeCall: () => {
          calls++
          if (calls === 2) abort.abort(new CancelledError('interrupted by SIGINT'))
        },
      },
    })
    await expect(run).rejects.toMatchObject({code: 'interrupted', exitCode: 130})
    await client.close()
    expect(calls).toBe(2)
    expect(count(sim, 'PATCH', '/auth-files/status')).toBe(0)
    const [latest] = await store.listRuns({instance: 'test', limit: 1})
    expect(latest).toMatchObject({status: 'interrupted'})
    const stored = await store.runResults(latest.id)
    expect(stored.map((r) => r.actionTaken)).toEqual(['skipped', 'skipped'])
    expect(stored[0].reason).toContain('not disabled: the run stopped')
  })

  it('records the run, its results and a failed probe in the store', async () => {
    const a = cloneCodex('codex-store-a.json', 'ok')
    const b = cloneCodex('codex-store-b.json', 'server_error')
    const result = await inspect({}, [a, b])
    const run = await store.getRun(result.run.id!)
    expect(run).toMatchObject({status: 'completed', apply: 'none', threshold: 100, trigger: 'inspect', instance: 'test'})
    expect(run!.summary).toEqual(result.summary)
    const stored = (await store.runResults(result.run.id!)).map(({runId: _r, ...rest}) => rest)
    expect(stored).toEqual(result.results)
  })
})
