// The report engine: rollup mode (daily + hourly rollups, raw edges) must give exactly what a scan of the raw
// events gives — counts, every token bucket, cost, last seen — for every grouping, filter and time zone;
// p95 from the histograms stays within their ±2.2 %. Independent checks use plain SQL over usage_events.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {PriceBook} from '../../../src/lib/pricing/cost.js'
import type {ModelPrice} from '../../../src/lib/store/index.js'
import {buildBreakdown, type BreakdownKind} from '../../../src/lib/report/breakdown.js'
import {buildEvents} from '../../../src/lib/report/events.js'
import {buildFailures} from '../../../src/lib/report/failures.js'
import type {FilterInput} from '../../../src/lib/report/filters.js'
import type {Metrics} from '../../../src/lib/report/metrics.js'
import {buckets, type TimeRange} from '../../../src/lib/report/range.js'
import {buildSummary} from '../../../src/lib/report/summary.js'
import {buildTimeline} from '../../../src/lib/report/timeline.js'
import {zonedToUtc} from '../../../src/lib/time/zone.js'
import type {Store} from '../../../src/lib/store/index.js'
import {sha256Hex} from '../../../src/lib/usage/mask.js'
import {storeQuery} from '../../helpers/store-db.js'
import {BACKENDS} from '../../helpers/pg.js'
import {ACCOUNTS, KEYS, makeRecords, storeWith} from './helpers.js'

const H = 3_600_000
const D = 24 * H
// 6 days of traffic around the New York spring-forward (2026-03-08) with odd start/end minutes
const FROM = Date.UTC(2026, 2, 5, 3, 17)
const TO = Date.UTC(2026, 2, 11, 20, 41)

function price(model: string, p: Partial<ModelPrice>): ModelPrice {
  return {model, input: null, cacheRead: null, cacheWrite: null, output: null, reasoning: null, tiers: [], serviceTiers: {}, source: 'manual', sourceModel: null, updatedAt: 0, ...p}
}

const PRICES = new PriceBook([
  price('gpt-5', {input: 1.25, cacheRead: 0.125, output: 10}),
  // tiered: read per request from raw events in rollup mode
  price('claude-sonnet-4-5', {input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15, tiers: [{above: 12_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}]}),
  price('gemini-2.5-pro', {input: 1.25, cacheRead: 0.31, output: 10}),
  // gpt-5-mini stays unpriced
])

const EXACT = 1e12
const ROLLUP = -1

/** Everything but the percentiles, which the two modes compute differently. */
function exactPart(m: Metrics): Omit<Metrics, 'p95LatencyMs' | 'p95TtftMs'> {
  const {p95LatencyMs: _a, p95TtftMs: _b, ...rest} = m
  return {...rest, costUsd: Math.round(rest.costUsd * 1e8) / 1e8}
}

function closeP95(a: number | null, b: number | null): void {
  if (a === null || b === null) {
    expect(a).toBe(b)
    return
  }
  expect(Math.abs(a - b) / Math.max(1, b)).toBeLessThanOrEqual(0.025)
}

describe.each(BACKENDS)('on $name', (backend) => {
  describe('report engine: rollup mode equals a scan of raw events', () => {
    let store: Store
    const range: TimeRange = {since: Date.UTC(2026, 2, 5, 9, 40), until: Date.UTC(2026, 2, 11, 13, 5), tz: 'America/New_York'}

    beforeAll(async () => {
      ;({store} = await storeWith(makeRecords({count: 6000, from: FROM, to: TO, seed: 42}), 'test', backend))
    })
    afterAll(async () => {
      await store.close()
    })

    it('summary: identical totals; p95 within the histogram resolution', async () => {
      const a = await buildSummary(store, {range, filters: {}, prices: PRICES, exactLimit: EXACT})
      const b = await buildSummary(store, {range, filters: {}, prices: PRICES, exactLimit: ROLLUP})
      expect(a.percentiles).toBe('exact')
      expect(b.percentiles).toBe('estimated')
      expect(exactPart(b.totals)).toEqual(exactPart(a.totals))
      expect(b.totals.busiestModel).toEqual(a.totals.busiestModel)
      closeP95(b.totals.p95LatencyMs, a.totals.p95LatencyMs)
      closeP95(b.totals.p95TtftMs, a.totals.p95TtftMs)
      // and against plain SQL
      const raw = (await storeQuery(store.location, 'SELECT COUNT(*) n, SUM(failed) f, SUM(uncached_input) ui, SUM(cache_read) cr, SUM(cache_write) cw, SUM(output_total) o, SUM(reasoning) r, SUM(total) t FROM usage_events WHERE ts >= ? AND ts < ?', [range.since, range.until]))[0] as Record<string, number>
      expect([a.totals.requests, a.totals.failed, a.totals.inputTokens, a.totals.cacheReadTokens, a.totals.cacheWriteTokens, a.totals.outputTokens, a.totals.reasoningTokens, a.totals.totalTokens]).toEqual([
        raw.n, raw.f, raw.ui, raw.cr, raw.cw, raw.o, raw.r, raw.t,
      ])
      expect(a.totals.costIsLowerBound).toBe(true)
      expect(a.warnings.find((w) => w.code === 'unpriced_models')?.items).toEqual(['gpt-5-mini'])
    })

    for (const kind of ['models', 'providers', 'accounts', 'api-keys'] as BreakdownKind[]) {
      it(`${kind}: identical rows`, async () => {
        const a = await buildBreakdown(store, {kind, range, filters: {}, prices: PRICES, exactLimit: EXACT})
        const b = await buildBreakdown(store, {kind, range, filters: {}, prices: PRICES, exactLimit: ROLLUP})
        expect(b.rows.map((r) => r.key)).toEqual(a.rows.map((r) => r.key))
        for (let i = 0; i < a.rows.length; i++) {
          expect(exactPart(b.rows[i])).toEqual(exactPart(a.rows[i]))
          closeP95(b.rows[i].p95LatencyMs, a.rows[i].p95LatencyMs)
        }
        expect(exactPart(b.totals)).toEqual(exactPart(a.totals))
      })
    }

    it('a range ending after the last event of its day reads that day from the daily rollup, still exactly', async () => {
      const r = {since: Date.UTC(2026, 2, 7, 4, 30), until: TO + 3_600_000, tz: 'UTC'}
      for (const kind of ['models', 'api-keys'] as BreakdownKind[]) {
        const a = await buildBreakdown(store, {kind, range: r, filters: {}, prices: PRICES, exactLimit: EXACT})
        const b = await buildBreakdown(store, {kind, range: r, filters: {}, prices: PRICES, exactLimit: ROLLUP})
        expect(b.rows.map((x) => exactPart(x))).toEqual(a.rows.map((x) => exactPart(x)))
      }
      const t = await buildTimeline(store, {range: r, granularity: 'hour', filters: {}, prices: PRICES, exactLimit: ROLLUP})
      const e = await buildTimeline(store, {range: r, granularity: 'hour', filters: {}, prices: PRICES, exactLimit: EXACT})
      expect(t.rows.map((x) => exactPart(x))).toEqual(e.rows.map((x) => exactPart(x)))
    })

    it('api-keys rows are keyed by the SHA-256 of the client key and never carry the key', async () => {
      const r = await buildBreakdown(store, {kind: 'api-keys', range, filters: {}, prices: PRICES})
      expect(r.rows.map((x) => x.key).sort()).toEqual(KEYS.map((k) => sha256Hex(k)).sort())
      expect(JSON.stringify(r)).not.toContain('sk-client')
    })

    it('failures: same groups and counts in both modes; credential classes from the error text', async () => {
      const a = await buildFailures(store, {range, filters: {}, prices: PRICES, exactLimit: EXACT})
      const b = await buildFailures(store, {range, filters: {}, prices: PRICES, exactLimit: ROLLUP})
      expect(b.rows).toEqual(a.rows)
      const failed = ((await storeQuery(store.location, 'SELECT COUNT(*) n FROM usage_events WHERE failed = 1 AND ts >= ? AND ts < ?', [range.since, range.until]))[0] as {n: number}).n
      expect(a.totals.failures).toBe(failed)
      expect(a.totals.groups).toBe(3 * ACCOUNTS.length * 4)
      for (const row of a.rows) expect(row.credentialClass).toBe(row.statusCode === 401 ? 'reauth' : row.statusCode === 429 ? 'quota' : null)
    })

    it('timeline, New York days across spring-forward: exact local-day counts (23-hour day included)', async () => {
      const a = await buildTimeline(store, {range, granularity: 'day', filters: {}, prices: PRICES, exactLimit: EXACT})
      const b = await buildTimeline(store, {range, granularity: 'day', filters: {}, prices: PRICES, exactLimit: ROLLUP})
      expect(b.rows.map((r) => exactPart(r))).toEqual(a.rows.map((r) => exactPart(r)))
      const day = a.rows.find((r) => r.bucket === '2026-03-08')!
      expect([day.start, day.end]).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z'])
      const n = async (since: number, until: number) => ((await storeQuery(store.location, 'SELECT COUNT(*) n FROM usage_events WHERE ts >= ? AND ts < ?', [since, until]))[0] as {n: number}).n
      expect(day.requests).toBe(await n(Date.UTC(2026, 2, 8, 5), Date.UTC(2026, 2, 9, 4)))
      expect(a.rows[0].requests).toBe(await n(range.since, Date.UTC(2026, 2, 6, 5)))
      expect(a.rows.reduce((s, r) => s + r.requests, 0)).toBe(await n(range.since, range.until))
    })

    it('timeline in a half-hour zone (Asia/Kolkata) splits the cut hours exactly', async () => {
      const r = {...range, tz: 'Asia/Kolkata'}
      const a = await buildTimeline(store, {range: r, granularity: 'day', filters: {}, prices: PRICES, exactLimit: EXACT})
      const b = await buildTimeline(store, {range: r, granularity: 'day', filters: {}, prices: PRICES, exactLimit: ROLLUP})
      expect(b.rows.map((x) => exactPart(x))).toEqual(a.rows.map((x) => exactPart(x)))
      const mid = a.rows[2]
      const n = ((await storeQuery(store.location, 'SELECT COUNT(*) n FROM usage_events WHERE ts >= ? AND ts < ?', [Date.parse(mid.start), Date.parse(mid.end)]))[0] as {n: number}).n
      expect(mid.start.endsWith('T18:30:00.000Z')).toBe(true)
      expect(mid.requests).toBe(n)
    })

    it('hour, week and month timelines agree between modes', async () => {
      for (const g of ['hour', 'week', 'month'] as const) {
        const a = await buildTimeline(store, {range: {...range, tz: 'Europe/Berlin'}, granularity: g, filters: {}, prices: PRICES, exactLimit: EXACT})
        const b = await buildTimeline(store, {range: {...range, tz: 'Europe/Berlin'}, granularity: g, filters: {}, prices: PRICES, exactLimit: ROLLUP})
        expect(b.rows.map((x) => exactPart(x)), g).toEqual(a.rows.map((x) => exactPart(x)))
      }
    })

    it('combined filters agree with plain SQL', async () => {
      const cases: Array<{f: FilterInput; sql: string; args: unknown[]}> = [
        {f: {model: ['gpt-5'], account: [ACCOUNTS[0]]}, sql: 'model = ? AND auth_index = ?', args: ['gpt-5', ACCOUNTS[0]]},
        {f: {provider: ['claude'], failed: true}, sql: "provider = ? AND failed = 1", args: ['claude']},
        {f: {apiKey: [KEYS[1]], status: [429]}, sql: 'api_key_hash = ? AND fail_status_code = 429', args: [sha256Hex(KEYS[1])]},
        {f: {apiKey: [sha256Hex(KEYS[2])], model: ['gemini-2.5-pro', 'gpt-5']}, sql: "api_key_hash = ? AND model IN ('gemini-2.5-pro', 'gpt-5')", args: [sha256Hex(KEYS[2])]},
        {f: {account: [`${ACCOUNTS[1]}@example.com`], status: [401, 500]}, sql: 'auth_index = ? AND fail_status_code IN (401, 500)', args: [ACCOUNTS[1]]},
      ]
      for (const c of cases) {
        const raw = (await storeQuery(store.location, `SELECT COUNT(*) n, SUM(uncached_input) ui, SUM(output_total) o FROM usage_events WHERE ts >= ? AND ts < ? AND ${c.sql}`, [range.since, range.until, ...c.args]))[0] as {n: number; ui: number; o: number}
        for (const exactLimit of [EXACT, ROLLUP]) {
          const s = await buildSummary(store, {range, filters: c.f, prices: PRICES, exactLimit})
          expect([s.totals.requests, s.totals.inputTokens, s.totals.outputTokens], JSON.stringify(c.f)).toEqual([raw.n, raw.ui, raw.o])
        }
      }
    })

    it('events: keyset pages cover the range once, newest first, with request ids and no raw keys', async () => {
      const seen: number[] = []
      let before: string | undefined
      let prev = Number.POSITIVE_INFINITY
      for (let page = 0; page < 100; page++) {
        const r = await buildEvents(store, {range: {since: range.since, until: range.since + 6 * H, tz: 'UTC'}, filters: {}, prices: PRICES, limit: 50, before})
        for (const e of r.rows) {
          const t = Date.parse(e.time)
          expect(t).toBeLessThanOrEqual(prev)
          prev = t
          seen.push(e.id)
          expect(e.requestId).toMatch(/^[0-9a-f]{8}$/)
        }
        if (!r.nextCursor) break
        before = r.nextCursor
      }
      const n = ((await storeQuery(store.location, 'SELECT COUNT(*) n FROM usage_events WHERE ts >= ? AND ts < ?', [range.since, range.since + 6 * H]))[0] as {n: number}).n
      expect(seen.length).toBe(n)
      expect(new Set(seen).size).toBe(n)
    })
  })

  describe('the daily watermark: any arrival order gives the same rollups', () => {
    it('records arriving newest first or shuffled (late for hours already folded into the daily tables) report exactly', async () => {
      const recs = makeRecords({count: 3000, from: FROM, to: TO, seed: 77})
      const r = lcg(9)
      const shuffled = [...recs].sort(() => r() - 0.5)
      const range: TimeRange = {since: FROM - D, until: TO + D, tz: 'Europe/Berlin'}
      const results: unknown[] = []
      for (const order of [recs, [...recs].reverse(), shuffled]) {
        const {store: s} = await storeWith([], 'test', backend)
        try {
          // batches of 200, as a collector would write them
          for (let i = 0; i < order.length; i += 200) await s.events.ingest('test', order.slice(i, i + 200))
          const late = (await storeQuery(s.location, 'SELECT value FROM report_state WHERE key = ?', [backend.name === 'sqlite' ? 'daily_through' : 'daily_through:test']))[0] as {value: number}
          expect(late.value).toBe(Math.floor(Math.max(...recs.map((x) => Date.parse(x.timestamp as string))) / H) * H - H)
          const t = await buildTimeline(s, {range, granularity: 'day', filters: {}, prices: PRICES, exactLimit: ROLLUP})
          const m = await buildBreakdown(s, {kind: 'accounts', range, filters: {}, prices: PRICES, exactLimit: ROLLUP})
          const e = await buildTimeline(s, {range, granularity: 'day', filters: {}, prices: PRICES, exactLimit: EXACT})
          expect(t.rows.map((x) => exactPart(x))).toEqual(e.rows.map((x) => exactPart(x)))
          results.push({t: t.rows.map((x) => exactPart(x)), m: m.rows.map((x) => exactPart(x))})
        } finally {
          await s.close()
        }
      }
      expect(results[1]).toEqual(results[0])
      expect(results[2]).toEqual(results[0])
    })
  })

  function lcg(seed: number) {
    let s = seed >>> 0
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0
      return s / 4294967296
    }
  }

  describe('prune keeps the rollups: long-range reports survive', () => {
    it('totals before and after pruning are equal; the pruned part is flagged', async () => {
      const {store} = await storeWith(makeRecords({count: 3000, from: FROM, to: TO, seed: 7}), 'test', backend)
      try {
        const range = {since: FROM - D, until: TO + D, tz: 'UTC'}
        const before = await buildBreakdown(store, {kind: 'models', range, filters: {}, prices: PRICES, exactLimit: ROLLUP})
        const pruned = await store.maintenance.prune(0, {now: Date.UTC(2026, 2, 9, 12)})
        expect(pruned.cutoff).toBe('2026-03-09T00:00:00.000Z')
        expect(pruned.deleted).toBeGreaterThan(1000)
        const after = await buildBreakdown(store, {kind: 'models', range, filters: {}, prices: PRICES})
        expect(after.percentiles).toBe('estimated')
        // claude-sonnet-4-5 has context tiers: where raw events are gone it is billed at base rates (lower bound)
        const strip = (rows: typeof before.rows) => rows.filter((r) => r.key !== 'claude-sonnet-4-5').map((r) => ({...exactPart(r), costShare: null}))
        expect(strip(after.rows)).toEqual(strip(before.rows))
        const claude = (rows: typeof before.rows) => rows.find((r) => r.key === 'claude-sonnet-4-5')!
        expect(claude(after.rows).requests).toBe(claude(before.rows).requests)
        expect(claude(after.rows).costUsd).toBeLessThanOrEqual(claude(before.rows).costUsd)
        expect(after.warnings.map((w) => w.code)).toContain('raw_events_pruned')
        expect((await buildEvents(store, {range: {since: FROM, until: Date.UTC(2026, 2, 8), tz: 'UTC'}, filters: {}, prices: PRICES, limit: 10})).rows).toEqual([])
      } finally {
        await store.close()
      }
    })
  })

  /** Scale a record's input buckets (keeps token_breakdown and the legacy counts consistent). */
  function scaleInput(rec: Record<string, unknown>, factor: number): Record<string, unknown> {
    const tb = rec.token_breakdown as {total_tokens: number; input: {total_tokens: number; uncached_tokens: number; cache_read_tokens: number; cache_write_tokens: number}; output: {total_tokens: number}}
    const uncached = tb.input.uncached_tokens * factor
    const read = tb.input.cache_read_tokens * factor
    const write = tb.input.cache_write_tokens * factor
    const input = uncached + read + write
    const tokens = rec.tokens as Record<string, number>
    return {
      ...rec,
      tokens: {...tokens, input_tokens: input, cached_tokens: read, cache_read_tokens: read, cache_creation_tokens: write},
      token_breakdown: {...tb, total_tokens: input + tb.output.total_tokens, input: {total_tokens: input, uncached_tokens: uncached, cache_read_tokens: read, cache_write_tokens: write}},
    }
  }

  describe('context tiers: standard thresholds from the rollups (by context band), others from raw events', () => {
    // inputs up to ~28k × 15 ≈ 420k: requests straddle 128k, 200k, 256k and 272k
    const TIERED = new PriceBook([
      // standard thresholds: billed from the rollups, the tier of each row following from its context band
      price('gemini-2.5-pro', {input: 1.25, cacheRead: 0.31, output: 10, tiers: [{above: 200_000, input: 2.5, cacheRead: 0.625, output: 15}]}),
      price('gpt-5', {input: 1.25, cacheRead: 0.125, output: 10, tiers: [{above: 272_000, input: 2.5, cacheRead: 0.25, output: 15}, {above: 128_000, input: 2, output: 12}]}),
      // a non-standard threshold: per request, from raw events
      price('claude-sonnet-4-5', {input: 3, cacheRead: 0.3, cacheWrite: 3.75, output: 15, tiers: [{above: 150_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}]}),
    ])
    const UNTIERED = new PriceBook(['gemini-2.5-pro', 'gpt-5', 'claude-sonnet-4-5'].map((m) => ({...TIERED.lookup(m)!.price, tiers: []})))
    const whole = {since: FROM - D, until: TO + D, tz: 'UTC'}
    let store: Store

    beforeAll(async () => {
      ;({store} = await storeWith(makeRecords({count: 4000, from: FROM, to: TO, seed: 11}).map((r) => scaleInput(r, 15)), 'test', backend))
    })
    afterAll(async () => {
      await store.close()
    })

    it('requests straddle the thresholds, and the tiers change the cost', async () => {
      const n = async (model: string, sql: string) =>
        ((await storeQuery(store.location, `SELECT COUNT(*) n FROM usage_events WHERE model = ? AND ${sql}`, [model]))[0] as {n: number}).n
      const input = 'uncached_input + cache_read + cache_write'
      for (const [model, t] of [['gemini-2.5-pro', 200_000], ['gpt-5', 128_000], ['gpt-5', 272_000], ['claude-sonnet-4-5', 150_000]] as const) {
        expect(await n(model, `${input} > ${t}`), `${model} > ${t}`).toBeGreaterThan(50)
        expect(await n(model, `${input} <= ${t}`), `${model} <= ${t}`).toBeGreaterThan(50)
      }
      const tiered = await buildBreakdown(store, {kind: 'models', range: whole, filters: {}, prices: TIERED, exactLimit: ROLLUP})
      const flat = await buildBreakdown(store, {kind: 'models', range: whole, filters: {}, prices: UNTIERED, exactLimit: ROLLUP})
      for (const m of ['gemini-2.5-pro', 'gpt-5', 'claude-sonnet-4-5']) {
        expect(tiered.rows.find((r) => r.key === m)!.costUsd, m).toBeGreaterThan(flat.rows.find((r) => r.key === m)!.costUsd * 1.05)
      }
    })

    it('rollup mode bills every tier exactly as a scan of raw events does', async () => {
      const ranges: TimeRange[] = [range6d(), whole, {since: Date.UTC(2026, 2, 7, 4, 30), until: TO + H, tz: 'Asia/Kolkata'}]
      for (const r of ranges) {
        for (const kind of ['models', 'providers', 'accounts', 'api-keys'] as BreakdownKind[]) {
          const a = await buildBreakdown(store, {kind, range: r, filters: {}, prices: TIERED, exactLimit: EXACT})
          const b = await buildBreakdown(store, {kind, range: r, filters: {}, prices: TIERED, exactLimit: ROLLUP})
          expect(a.percentiles).toBe('exact')
          expect(b.percentiles).toBe('estimated')
          expect(b.rows.map((x) => exactPart(x)), kind).toEqual(a.rows.map((x) => exactPart(x)))
          for (let i = 0; i < a.rows.length; i++) expect(Math.abs(b.rows[i].costUsd - a.rows[i].costUsd), `${kind} ${a.rows[i].key}`).toBeLessThanOrEqual(1e-9 * Math.max(1, a.rows[i].costUsd))
        }
        const a = await buildSummary(store, {range: r, filters: {model: ['gemini-2.5-pro']}, prices: TIERED, exactLimit: EXACT})
        const b = await buildSummary(store, {range: r, filters: {model: ['gemini-2.5-pro']}, prices: TIERED, exactLimit: ROLLUP})
        expect(exactPart(b.totals)).toEqual(exactPart(a.totals))
        const ta = await buildTimeline(store, {range: r, granularity: 'day', filters: {}, prices: TIERED, exactLimit: EXACT})
        const tb = await buildTimeline(store, {range: r, granularity: 'day', filters: {}, prices: TIERED, exactLimit: ROLLUP})
        expect(tb.rows.map((x) => exactPart(x))).toEqual(ta.rows.map((x) => exactPart(x)))
      }
    })

    it('after pruning, standard-threshold tiers stay exact (rollups); a non-standard one falls back to base rates', async () => {
      const {store: s} = await storeWith(makeRecords({count: 3000, from: FROM, to: TO, seed: 5}).map((r) => scaleInput(r, 15)), 'test', backend)
      try {
        const before = await buildBreakdown(s, {kind: 'models', range: whole, filters: {}, prices: TIERED, exactLimit: EXACT})
        await s.maintenance.prune(0, {now: Date.UTC(2026, 2, 9, 12)})
        const after = await buildBreakdown(s, {kind: 'models', range: whole, filters: {}, prices: TIERED})
        expect(after.percentiles).toBe('estimated')
        const row = (rows: typeof before.rows, m: string) => rows.find((r) => r.key === m)!
        for (const m of ['gemini-2.5-pro', 'gpt-5', 'gpt-5-mini']) expect({...exactPart(row(after.rows, m)), costShare: null}, m).toEqual({...exactPart(row(before.rows, m)), costShare: null})
        expect(row(after.rows, 'claude-sonnet-4-5').requests).toBe(row(before.rows, 'claude-sonnet-4-5').requests)
        expect(row(after.rows, 'claude-sonnet-4-5').costUsd).toBeLessThan(row(before.rows, 'claude-sonnet-4-5').costUsd)
        const w = after.warnings.find((x) => x.code === 'raw_events_pruned')
        expect(w?.message).toContain('context-tier prices could not be applied')
      } finally {
        await s.close()
      }
    })
  })

  function range6d(): TimeRange {
    return {since: Date.UTC(2026, 2, 5, 9, 40), until: Date.UTC(2026, 2, 11, 13, 5), tz: 'America/New_York'}
  }
})

describe('bucket boundaries used by the engine', () => {
  it('a New York day bucket is [local midnight, next local midnight)', async () => {
    const b = buckets({since: zonedToUtc('America/New_York', 2026, 3, 8), until: zonedToUtc('America/New_York', 2026, 3, 9), tz: 'America/New_York'}, 'day')
    expect(b).toHaveLength(1)
    expect((b[0].end - b[0].start) / H).toBe(23)
  })
})
