// Every check's thresholds, at the edges: a value equal to a threshold trips it (at or above), one unit below
// does not; the collector's age is "recent enough" up to --max-age inclusive.
import {afterAll, describe, expect, it} from 'vitest'

import {checkCollector} from '../../../src/lib/monitor/check-collector.js'
import {checkQuota, type QuotaCheckOptions} from '../../../src/lib/monitor/check-quota.js'
import {worst} from '../../../src/lib/monitor/check-types.js'
import {checkBudget, checkFailures, periodEnd, scopeTarget} from '../../../src/lib/monitor/check-usage.js'
import {budgetPeriod, rateFlag, usdFlag} from '../../../src/lib/monitor/check-flags.js'
import {PriceBook} from '../../../src/lib/pricing/cost.js'
import type {Store} from '../../../src/lib/store/index.js'
import {inspected, priceModel, tempStore, usage} from './fixtures.js'

const stores: Store[] = []
afterAll(async () => {
  for (const s of stores) await s.close()
})
async function store(): Promise<Store> {
  const {store: s} = await tempStore()
  stores.push(s)
  return s
}

describe('states', () => {
  it('worst: critical > warning > unknown > ok', () => {
    expect(worst([])).toBe('ok')
    expect(worst(['ok', 'unknown'])).toBe('unknown')
    expect(worst(['unknown', 'warning', 'ok'])).toBe('warning')
    expect(worst(['warning', 'critical', 'unknown'])).toBe('critical')
  })
})

describe('check collector', () => {
  const T = Date.UTC(2026, 5, 1, 12, 0)
  it('CRITICAL past --max-age (equal is still OK), WARNING above --max-dead-letters, CRITICAL without any success', async () => {
    const s = await store()
    const ok = await s.runs.start({instance: 'prod', mode: 'once', transport: 'resp', startedAt: T - 10_000, pid: 999_999})
    await s.runs.finish(ok, {status: 'ok', endedAt: T, retentionSeconds: 60})
    const failed = await s.runs.start({instance: 'stage', mode: 'once', transport: 'resp', startedAt: T, pid: 999_999})
    await s.runs.finish(failed, {status: 'failed', endedAt: T + 1000, errorCode: 'upstream_unavailable', errorMessage: 'connection refused'})
    await s.events.ingest('prod', ['{not json', '{"also": "not a record"}'])
    const at = (now: number, maxDeadLetters = 2, instances: string[] | null = ['prod']) => checkCollector(s, {instances, maxAgeMs: 180_000, maxDeadLetters, now})
    const edge = await at(T + 180_000)
    expect(edge.state).toBe('ok')
    expect(edge.items[0]).toMatchObject({instance: 'prod', ageSeconds: 180, lastSuccessAt: new Date(T).toISOString(), retentionSeconds: 60, deadLettersWaiting: 2, running: false, lastRunStatus: 'ok'})
    expect(edge.perfdata).toEqual([
      {label: 'prod age', value: 180, uom: 's', warn: null, crit: 180, min: 0, max: null},
      {label: 'prod dead_letters', value: 2, uom: '', warn: 2, crit: null, min: 0, max: null},
    ])
    const late = await at(T + 180_001)
    expect(late.state).toBe('critical')
    expect(late.summary).toMatch(/prod: last collected 3m ago \(max 3m\)/)
    expect((await at(T + 1000, 1)).state).toBe('warning')
    const both = await at(T + 200_000, 1)
    expect(both.state).toBe('critical')
    expect(both.items[0].summary).toMatch(/last collected .* ago \(max 3m\), 2 dead letters waiting \(max 1\)/)
    // every instance by default; one that never succeeded is CRITICAL and names its last error
    const all = await at(T + 1000, 5, null)
    expect(all.items.map((i) => [i.instance, i.state])).toEqual([
      ['prod', 'ok'],
      ['stage', 'critical'],
    ])
    expect(all.items[1]).toMatchObject({lastRunStatus: 'failed', lastRunError: 'connection refused', lastSuccessAt: null, ageSeconds: null})
    expect((await at(T, 0, ['nowhere'])).state).toBe('unknown')
  })

  it('a collector running now counts from its heartbeat: current while it polls the queue, CRITICAL once it stops reaching it', async () => {
    const s = await store()
    const old = await s.runs.start({instance: 'prod', mode: 'once', transport: 'resp', startedAt: T - 86_400_000, pid: 999_999})
    await s.runs.finish(old, {status: 'ok', endedAt: T - 86_400_000 + 1000})
    const live = await s.runs.start({instance: 'prod', mode: 'follow', transport: 'http', startedAt: T - 3_600_000, pid: process.pid})
    const at = (now: number) => checkCollector(s, {instances: null, maxAgeMs: 180_000, maxDeadLetters: 0, now})
    // started an hour ago and never reached the queue: stuck from the start
    const never = await at(T)
    expect(never.items[0]).toMatchObject({state: 'critical', running: true, ageSeconds: 3600, lastRunStatus: 'running'})
    expect(never.items[0].summary).toBe(`prod: collector running (pid ${process.pid}) but last reached the usage queue 1h ago (max 3m)`)
    await s.runs.recordPoll(live, {at: T - 5000, transport: 'http', retentionSeconds: 120, publishing: true})
    const r = await at(T)
    expect(r.state).toBe('ok')
    expect(r.items[0]).toMatchObject({running: true, ageSeconds: 5, lastSuccessAt: new Date(T - 5000).toISOString(), transport: 'http', retentionSeconds: 120, publishing: true})
    expect(r.items[0].summary).toBe(`prod: collecting now (pid ${process.pid}, queue polled 5s ago)`)
    // the heartbeat only moves forward
    await s.runs.recordPoll(live, {at: T - 60_000})
    expect((await at(T)).items[0].ageSeconds).toBe(5)
    // the collector is alive but its last poll is older than --max-age (a gateway it cannot reach): CRITICAL; the edge is OK
    expect((await at(T - 5000 + 180_000)).state).toBe('ok')
    const stuck = await at(T - 5000 + 180_001)
    expect(stuck.items[0]).toMatchObject({state: 'critical', running: true})
    expect(stuck.items[0].summary).toMatch(/^prod: collector running \(pid \d+\) but last reached the usage queue 3m ago \(max 3m\)$/)
    // a run marked running whose process is gone does not count, heartbeat or not
    const dead = await store()
    const gone = await dead.runs.start({instance: 'prod', mode: 'follow', transport: 'resp', startedAt: T - 3_600_000, pid: 999_999})
    await dead.runs.recordPoll(gone, {at: T - 1000})
    const d = await checkCollector(dead, {instances: null, maxAgeMs: 180_000, maxDeadLetters: 0, now: T})
    expect(d.items[0]).toMatchObject({state: 'critical', running: false, lastRunStatus: 'abandoned', ageSeconds: null})
  })

  it('WARNING while the gateway does not publish usage (as the newest run that read it saw it)', async () => {
    const s = await store()
    const first = await s.runs.start({instance: 'prod', mode: 'once', transport: 'resp', startedAt: T - 20_000, pid: 999_999})
    await s.runs.finish(first, {status: 'ok', endedAt: T - 19_000, retentionSeconds: 60, publishing: false})
    const check = () => checkCollector(s, {instances: null, maxAgeMs: 180_000, maxDeadLetters: 0, now: T})
    const off = await check()
    expect(off.state).toBe('warning')
    expect(off.items[0]).toMatchObject({publishing: false, summary: 'prod: usage publishing is off on the gateway: nothing is queued (cpactl usage enable)'})
    // a run that could not read the gateway config says nothing new; one that read it on clears the warning
    const blind = await s.runs.start({instance: 'prod', mode: 'once', transport: 'resp', startedAt: T - 10_000, pid: 999_999})
    await s.runs.finish(blind, {status: 'ok', endedAt: T - 9000})
    expect((await check()).state).toBe('warning')
    const on = await s.runs.start({instance: 'prod', mode: 'once', transport: 'resp', startedAt: T - 5000, pid: 999_999})
    await s.runs.finish(on, {status: 'ok', endedAt: T - 4000, publishing: true})
    expect((await check()).items[0]).toMatchObject({state: 'ok', publishing: true})
  })

  it('UNKNOWN when nothing was ever collected', async () => {
    const r = await checkCollector(await store(), {instances: null, maxAgeMs: 60_000, maxDeadLetters: 0, now: T})
    expect(r).toMatchObject({state: 'unknown', items: [], summary: expect.stringMatching(/no collector has run/)})
  })
})

describe('check quota', () => {
  const now = Date.UTC(2026, 11, 6, 12)
  const checkedAt = new Date(now - 3_600_000).toISOString()
  const opts: QuotaCheckOptions = {warn: 80, crit: 95, window: 'any', includeDisabled: false, maxInspectionAgeMs: 86_400_000, providers: null, accounts: null, now}
  const run = (results: ReturnType<typeof inspected>[], o: Partial<QuotaCheckOptions> = {}) => checkQuota(results.map((result) => ({instance: 'prod', result})), {...opts, ...o})

  it('at or above --warn is WARNING, at or above --crit CRITICAL, the highest window counts', () => {
    const r = run([
      inspected('a', {short: 79.9, long: 10, checkedAt}),
      inspected('b', {short: 80, long: 10, checkedAt}),
      inspected('c', {short: 10, long: 94.9, checkedAt}),
      inspected('d', {short: 95, long: 10, checkedAt}),
    ])
    expect(r.items.map((i) => [i.account, i.state, i.usedPercent, i.window])).toEqual([
      ['a', 'ok', 79.9, '5h'],
      ['b', 'warning', 80, '5h'],
      ['c', 'warning', 94.9, '7d'],
      ['d', 'critical', 95, '5h'],
    ])
    expect(r.state).toBe('critical')
    expect(r.items[0].target).toBe('prod/a')
    expect(r.perfdata[1]).toEqual({label: 'b used', value: 80, uom: '%', warn: 80, crit: 95, min: 0, max: 100})
    expect(run([inspected('a', {short: 79.9, checkedAt})]).summary).toBe('1 account below 80%, highest 79.9% (a, 5h)')
  })

  it('--window short|long looks at that window only', () => {
    const x = [inspected('x', {short: 100, long: 20, checkedAt})]
    expect(run(x, {window: 'long'}).items[0]).toMatchObject({state: 'ok', usedPercent: 20, window: '7d'})
    expect(run(x, {window: 'short'}).items[0]).toMatchObject({state: 'critical', usedPercent: 100})
  })

  it('unreadable, stale and numberless results; disabled accounts are left out unless asked', () => {
    const r = run([
      inspected('revoked', {classification: 'reauth', checkedAt}),
      inspected('failed', {classification: 'probe_failed', checkedAt}),
      inspected('exhausted', {classification: 'quota_exhausted', checkedAt}),
      inspected('silent', {checkedAt}),
      inspected('old', {short: 10, checkedAt: new Date(now - 86_400_001).toISOString()}),
      inspected('fresh-edge', {short: 10, checkedAt: new Date(now - 86_400_000).toISOString()}),
      inspected('off', {short: 100, disabled: true, checkedAt}),
      inspected('skipped', {classification: 'skipped', checkedAt}),
    ])
    expect(r.items.map((i) => [i.account, i.state])).toEqual([
      ['revoked', 'unknown'],
      ['failed', 'unknown'],
      ['exhausted', 'critical'],
      ['silent', 'ok'],
      ['old', 'unknown'],
      ['fresh-edge', 'ok'],
    ])
    expect(r.summary).toMatch(/\(1 disabled account left out\)$/)
    expect(run([inspected('off', {short: 100, disabled: true, checkedAt})], {includeDisabled: true}).state).toBe('critical')
    expect(run([inspected('a', {short: 10, checkedAt})], {providers: ['claude']})).toMatchObject({state: 'unknown', items: []})
    expect(run([inspected('a', {short: 10, checkedAt}), inspected('b', {short: 99, checkedAt})], {accounts: ['a@example.com']}).items.map((i) => i.account)).toEqual(['a'])
  })
})

describe('check failures and budget', () => {
  const now = Date.UTC(2026, 0, 20, 12, 0)
  it('failure rate edges and --min-requests', async () => {
    const s = await store()
    // 10 requests in the last 15 minutes, 1 failed (rate 0.1); one old failure outside the window
    const recs = Array.from({length: 10}, (_, i) => usage(now - 60_000 * (i + 1), {status: i === 0 ? 429 : 200}))
    recs.push(usage(now - 3_600_000, {status: 500}))
    recs.push(usage(now - 120_000, {status: 503, model: 'other-model'}))
    await s.events.ingest('prod', recs)
    const prices = new PriceBook([])
    const range = {since: now - 15 * 60_000, until: now, tz: 'UTC'}
    const check = (warnRate: number, critRate: number, minRequests = 1, model = ['gpt-5']) =>
      checkFailures(s, {range, sinceText: '15m', filters: {model}, warnRate, critRate, minRequests, prices})
    const at = await check(0.1, 0.3)
    expect(at).toMatchObject({state: 'warning', items: [{target: 'since=15m,model=gpt-5', requests: 10, failed: 1, failureRate: 0.1}]})
    expect(at.perfdata[0]).toEqual({label: 'failure_rate', value: 0.1, uom: '', warn: 0.1, crit: 0.3, min: 0, max: 1})
    expect((await check(0.11, 0.3)).state).toBe('ok')
    expect((await check(0.05, 0.1)).state).toBe('critical')
    expect((await check(0.05, 0.1, 11)).state).toBe('ok')
    expect((await check(0.05, 0.1, 11)).summary).toMatch(/fewer than --min-requests 11, not judged/)
    // without the model filter: 11 requests, 2 failed
    const all = await checkFailures(s, {range, sinceText: '15m', filters: {}, warnRate: 0.2, critRate: 0.5, minRequests: 1, prices})
    expect(all.items[0]).toMatchObject({target: 'since=15m', requests: 11, failed: 2})
    expect(all.state).toBe('ok')
  })

  it('budget: spent at --warn/--crit percent of the budget, projection once a tenth of the period has passed', async () => {
    const s = await store()
    await priceModel(s)
    // 4 requests of 1M input + 100k output tokens: $1 + $1 each = $8 in January
    await s.events.ingest('prod', [1, 2, 3, 4].map((d) => usage(Date.UTC(2026, 0, d, 10), {input: 1_000_000, output: 100_000})))
    await s.events.ingest('prod', [usage(Date.UTC(2026, 0, 5, 10), {input: 1_000_000, output: 100_000, apiKey: 'sk-team-b-key-000'})])
    const since = Date.UTC(2026, 0, 1)
    const end = Date.UTC(2026, 1, 1)
    const prices = new PriceBook(await s.prices.list())
    const budget = (budgetUsd: number, o: {now?: number; warnPercent?: number; critPercent?: number; ignoreProjection?: boolean; apiKey?: string[]} = {}) =>
      checkBudget(s, {since, end, tz: 'UTC', sinceText: '2026-01-01', now: o.now ?? end + 1, budgetUsd, warnPercent: o.warnPercent ?? 80, critPercent: o.critPercent ?? 100, ignoreProjection: o.ignoreProjection ?? false, filters: {apiKey: o.apiKey}, prices})
    const over = await budget(10)
    expect(over.items[0]).toMatchObject({spentUsd: 10, budgetUsd: 10, spentPercent: 100, projectedUsd: 10, elapsed: 1, costIsLowerBound: false})
    expect(over.state).toBe('critical')
    expect((await budget(12.5)).state).toBe('warning') // 80 % exactly
    expect((await budget(12.51)).state).toBe('ok')
    const teamB = await budget(10, {apiKey: ['sk-team-b-key-000']})
    expect(teamB.items[0]).toMatchObject({target: expect.stringMatching(/^since=2026-01-01,api-key=sha256:[0-9a-f]{12}$/), spentUsd: 2})
    expect(JSON.stringify(teamB)).not.toContain('sk-team-b')
    // a tenth of January is Jan 4 07:12: $6 spent (Jan 1–3) projects to $60
    const tenth = since + (end - since) / 10
    const mid = await budget(60, {now: tenth, warnPercent: 90, critPercent: 100})
    expect(mid.items[0]).toMatchObject({spentUsd: 6, projectedUsd: 60, elapsed: 0.1})
    expect(mid.state).toBe('warning')
    expect((await budget(60, {now: tenth - 1})).state).toBe('ok') // projection not trusted before a tenth
    expect((await budget(60, {now: tenth, ignoreProjection: true})).state).toBe('ok')
    expect((await budget(60.01, {now: tenth})).state).toBe('ok')
    expect(mid.perfdata).toEqual([
      {label: 'spent', value: 6, uom: '', warn: 54, crit: 60, min: 0, max: null},
      {label: 'projected', value: 60, uom: '', warn: 60, crit: null, min: 0, max: null},
      {label: 'budget', value: 60, uom: '', warn: null, crit: null, min: 0, max: null},
    ])
  })

  it('calendar periods, flags and targets', () => {
    const now = Date.UTC(2026, 11, 16, 15) // a Wednesday
    expect(new Date(periodEnd('this-month', 'UTC', now)!).toISOString()).toBe('2027-01-01T00:00:00.000Z')
    expect(new Date(periodEnd('this-week', 'UTC', now)!).toISOString()).toBe('2026-12-21T00:00:00.000Z')
    expect(new Date(periodEnd('today', 'Asia/Kolkata', now)!).toISOString()).toBe('2026-12-16T18:30:00.000Z')
    expect(periodEnd('7d', 'UTC', now)).toBe(null)
    expect(budgetPeriod({since: 'this-month', tz: 'UTC', now})).toEqual({since: Date.UTC(2026, 11, 1), end: Date.UTC(2027, 0, 1), tz: 'UTC'})
    expect(() => budgetPeriod({since: 'tomorrow', tz: 'UTC', now})).toThrow(/starts in the future/)
    expect(rateFlag('0.1', '--warn-rate')).toBe(0.1)
    expect(rateFlag('30%', '--crit-rate')).toBe(0.3)
    for (const bad of ['', '-0.1', '1.5', 'x']) expect(() => rateFlag(bad, '--warn-rate'), bad).toThrow(/invalid --warn-rate/)
    expect(usdFlag('$200', '--budget')).toBe(200)
    expect(() => usdFlag('0', '--budget')).toThrow(/positive/)
    expect(scopeTarget([['since', '15m'], ['model', ['b', 'a,b']], ['account', undefined]])).toBe('since=15m,model=a+b')
    expect(scopeTarget([['model', []]])).toBe('all')
  })
})
