import {statSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {openStore} from '../../../src/lib/store/index.js'
import {BACKENDS} from '../../helpers/pg.js'
import {storeExec, storeQuery} from '../../helpers/store-db.js'
import {runCli} from '../../helpers/run.js'
import {mgmt, respAuthed, type Simulator, startTestSimulator, SUITE_IS_V8, suitePath, TEST_MANAGEMENT_KEY, useSimulator, V7} from '../../helpers/sim.js'
import {storeView} from './helpers.js'

describe.each(BACKENDS)('cpactl collect (one-shot) against the simulator, into $name', (backend) => {
  const ctx = useSimulator({seed: 11})

  it('drains a backlog (v7: RESP, AUTH then only LPOP usage 500; v8: the HTTP queue, no RESP connection): exact counts, token sums equal the generated totals', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    const before = sim.counters()
    sim.preload(1_730, {spreadMs: 30_000})
    sim.pushRaw('{"timestamp":"2026-08-22T14:03:11Z","tokens":') // torn JSON
    sim.pushRaw('not json at all')
    sim.pushRaw('{"refresh":true}')
    const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(res.exitCode).toBe(0)
    const after = sim.counters()
    const popped = after.popped - before.popped
    expect(popped).toBe(1_733)
    expect(after.queued).toBe(0)
    expect(res.json).toMatchObject({
      transport: SUITE_IS_V8 ? 'http' : 'resp',
      popped: 1_733,
      inserted: 1_730,
      duplicates: 0,
      deadLettered: 2,
      controlSkipped: 1,
      batches: 4,
      recovered: 0,
      stopReason: 'empty',
    })
    expect(res.json.popped).toBe(res.json.inserted + res.json.duplicates + res.json.deadLettered + res.json.controlSkipped)
    expect(Object.keys(res.json).sort()).toEqual(
      ['instance', 'transport', 'runId', 'store', 'popped', 'inserted', 'duplicates', 'deadLettered', 'controlSkipped', 'recovered', 'batches', 'durationMs', 'recordsPerSecond', 'oldestRecordAgeMs', 'popToCommitMs', 'coverage', 'stopReason', 'warnings'].sort(),
    )
    expect(res.json.instance).toBe(`127.0.0.1:${sim.port}`)
    expect(res.json.oldestRecordAgeMs).toBeGreaterThanOrEqual(30_000)
    expect(res.json.warnings).toContainEqual({code: 'dead_letters', message: '2 payload(s) did not parse and were kept as dead letters (see cpactl collect status)'})
    expect(res.stderr).toMatch(new RegExp(`collect 127\\.0\\.0\\.1:\\d+ via ${SUITE_IS_V8 ? 'http' : 'resp'}: 1,733 popped, 1,730 stored, 0 duplicates, 2 dead letters, 1 control`))

    const conns = sim.respLog()
    if (SUITE_IS_V8) {
      // v8: no RESP connection at all (the RESP usage output is not assumed); the v8 queue path, count on every pop
      expect(conns).toHaveLength(0)
      const pops = sim.httpLog().filter((e) => e.path === '/v8/management/observability/usage/queue')
      expect(pops.map((p) => p.query)).toEqual(Array.from({length: 4}, () => 'count=500'))
    } else {
      // wire: one connection, AUTH first, then only LPOP usage 500 (no INFO/HELLO/CLIENT/SELECT/PING)
      expect(conns).toHaveLength(1)
      expect(conns[0].commands[0]).toEqual(['auth', '***'])
      expect(conns[0].commands.slice(1)).toEqual(Array.from({length: 4}, () => ['lpop', 'usage', '500']))
    }
    expect(after.authFailures).toBe(before.authFailures)

    // the store: per-model, per-account and per-client-key sums equal the simulator's own totals (raw and rollups)
    const view = await storeView(store)
    const totals = sim.totals()
    expect(view.events).toBe(1_730)
    expect(view.deadLetters).toBe(2)
    expect(view.byModel).toEqual(totals.byModel)
    expect(view.byModelRollup).toEqual(totals.byModel)
    expect(view.byAccount).toEqual(totals.byAccount)
    expect(view.byApiKey).toEqual(totals.byApiKey)
    if (backend.name === 'sqlite') expect(statSync(store).mode & 0o777).toBe(0o600)

    // records the gateway's own accounting calls inconsistent (negative or contradicting legacy counters) and
    // unclassified ones (an unknown provider, a total-only usage) are stored with their quality, not dead-lettered
    const q = Object.fromEntries((await storeQuery<{q: string; n: number}>(store, 'SELECT token_quality AS q, COUNT(*) AS n FROM usage_events GROUP BY token_quality')).map((r) => [r.q, r.n]))
    expect(Object.keys(q).sort()).toEqual(['complete', 'inconsistent', 'unclassified'])
    expect((await storeQuery<{n: number}>(store, 'SELECT COUNT(*) AS n FROM usage_events WHERE input_tokens < 0'))[0].n).toBeGreaterThan(0)
    const plugin = await storeQuery<{n: number}>(store, "SELECT COUNT(*) AS n FROM usage_events WHERE provider = 'acme-plugin' AND token_quality = 'unclassified' AND unclassified = total")
    expect(plugin[0].n).toBeGreaterThan(0)

    if (SUITE_IS_V8) {
      // v8 fields are kept with every event (in extra): each its own execution id (part of its identity), session ids only hashed
      const extras = (await storeQuery<{extra: string | null}>(store, 'SELECT extra FROM usage_events')).map((r) => JSON.parse(r.extra ?? '{}') as Record<string, unknown>)
      expect(new Set(extras.map((x) => x.execution_id).filter((x) => typeof x === 'string')).size).toBe(1_730)
      expect(extras.every((x) => typeof x.trace_id === 'string' && typeof x.resolved_client_ip === 'string')).toBe(true)
      const sessions = extras.filter((x) => x.session_id !== undefined)
      expect(sessions.length).toBeGreaterThan(0)
      for (const x of sessions) expect(x.session_id).toMatch(/^sha256:[0-9a-f]{64}$/)
    }
  })

  it('counts re-delivered records as duplicates and collects over HTTP with count on every pop', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    const live = sim.generate(40) // into the FIFO (no subscriber)
    for (const r of live.slice(0, 15)) sim.pushRaw(r.payload)
    const httpBefore = sim.httpLog().length
    const res = await runCli(['collect', '--store', store, '--transport', 'http', '--batch-size', '20', '--json'], {env: ctx.env()})
    expect(res.exitCode).toBe(0)
    expect(res.json).toMatchObject({transport: 'http', popped: 55, inserted: 40, duplicates: 15, deadLettered: 0, batches: 3})
    const pops = sim.httpLog().slice(httpBefore).filter((e) => e.path === suitePath('GET', '/usage-queue'))
    expect(pops.map((p) => p.query)).toEqual(['count=20', 'count=20', 'count=20'])
    expect((await storeView(store)).events).toBe(40)
    // a second run over the same store finds nothing new and keeps the run log
    const again = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(again.json).toMatchObject({popped: 0, inserted: 0})
    expect((await storeView(store)).runs.map((r) => [r.status, r.popped, r.inserted])).toEqual([
      ['ok', 55, 40],
      ['ok', 0, 0],
    ])
  })

  it('stops at --max-records and says so', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    sim.preload(250)
    const res = await runCli(['collect', '--store', store, '--batch-size', '100', '--max-records', '130', '--json'], {env: ctx.env()})
    expect(res.json).toMatchObject({popped: 130, inserted: 130, batches: 2, stopReason: 'max-records'})
    expect(res.json.warnings).toContainEqual({code: 'max_records_reached', message: 'stopped after --max-records 130; the queue may still hold records'})
    expect(sim.counters().queued).toBe(120)
    if (SUITE_IS_V8) {
      const pops = sim.httpLog().filter((e) => e.path === suitePath('GET', '/usage-queue')).slice(-2)
      expect(pops.map((p) => p.query)).toEqual(['count=100', 'count=30'])
    } else {
      expect(sim.respLog().at(-1)!.commands.slice(1)).toEqual([
        ['lpop', 'usage', '100'],
        ['lpop', 'usage', '30'],
      ])
    }
    await runCli(['collect', '--store', store], {env: ctx.env()})
    expect(sim.counters().queued).toBe(0)
    expect((await storeView(store)).events).toBe(250)
  })

  it('a second collector on the same store exits 7 at once, naming the holder, and pops nothing', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    sim.preload(10)
    const popped = sim.counters().popped
    const holder = await openStore({path: store})
    const lock = await holder.runs.lockCollector('test', `127.0.0.1:${sim.port}`)
    try {
      const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(7)
      expect(res.json.error.code).toBe('collector_running')
      expect(res.json.error.message).toContain(`pid ${process.pid}`)
      expect(sim.counters().popped).toBe(popped)
    } finally {
      await lock.release()
      await holder.close()
    }
    expect((await runCli(['collect', '--store', store], {env: ctx.env()})).exitCode).toBe(0)
  })

  it('warns when publishing is off and when the expected interval exceeds the retention', async () => {
    const sim = ctx.sim
    sim.setConfig('usage-statistics-enabled', false)
    sim.setConfig('redis-usage-queue-retention-seconds', 120)
    try {
      const res = await runCli(['collect', '--store', await backend.fresh(), '--expected-interval', '5m', '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(0)
      expect(res.json.warnings).toEqual([
        {code: 'publishing_off', message: 'usage publishing is off on the gateway (usage-statistics-enabled: false): nothing is queued; turn it on with `cpactl usage enable`'},
        {code: 'interval_exceeds_retention', message: "--expected-interval 5m exceeds the gateway's queue retention (120s): records expire before the next run collects them"},
      ])
      expect(res.stderr).toContain('Warning: usage publishing is off')
    } finally {
      sim.setConfig('usage-statistics-enabled', true)
      sim.setConfig('redis-usage-queue-retention-seconds', 60)
    }
  })

  it('estimates coverage against the previous run and blames another consumer when records vanish', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    await runCli(['collect', '--store', store], {env: ctx.env()}) // baseline run: records the credential counters
    const listed = new Set(((await mgmt(sim, 'GET', '/auth-files')).json.files as Array<{auth_index: string}>).map((f) => f.auth_index))
    const generated = sim.generate(400)
    // a thief pops 200 of them before we run (over HTTP: every gateway version has it)
    const stolen = ((await mgmt(sim, 'GET', '/usage-queue?count=200')).json as unknown[]).map((r) => JSON.stringify(r))
    expect(stolen).toHaveLength(200)
    const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(res.json.inserted).toBe(200)
    const expected = generated.filter((g) => listed.has(g.authIndex)).length
    const stolenIdx = stolen.map((s) => JSON.parse(s).auth_index as string)
    const collected = expected - stolenIdx.filter((i) => listed.has(i)).length
    expect(res.json.coverage).toMatchObject({basis: 'previous-run', expected, collected, ratio: collected / expected})
    expect(res.json.warnings.some((w: {code: string; message: string}) => w.code === 'low_coverage' && w.message.includes('records are being consumed elsewhere'))).toBe(true)
    // with nobody stealing, full coverage and no warning
    sim.generate(100)
    const clean = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(clean.json.coverage.ratio).toBe(1)
    expect(clean.json.warnings).toEqual([])
  })

  it('notices a SUBSCRIBE client starving the queue (SUBSCRIBE needs RESP: a v7 gateway)', async () => {
    const sim = await startTestSimulator({version: V7, seed: 11})
    const env = {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}
    try {
      await starving(sim, env)
    } finally {
      await sim.close()
    }
  })

  async function starving(sim: Simulator, env: Record<string, string>) {
    const ctx = {env: () => env}
    const store = await backend.fresh()
    await runCli(['collect', '--store', store], {env: ctx.env()})
    const sub = await respAuthed(sim)
    expect(await sub.command('SUBSCRIBE', 'usage')).toEqual(['subscribe', 'usage', 1])
    try {
      sim.generate(200)
      const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
      expect(res.json.popped).toBe(0)
      expect(res.json.coverage.ratio).toBe(0)
      expect(res.json.coverage.expected).toBeGreaterThan(100)
      expect(res.json.warnings.map((w: {message: string}) => w.message).join('\n')).toContain('a SUBSCRIBE client (which starves the queue while attached)')
    } finally {
      sub.close()
    }
  }

  it('warns that records may have expired when the previous run ended longer ago than the retention', async () => {
    const sim = ctx.sim
    const store = await backend.fresh()
    await runCli(['collect', '--store', store], {env: ctx.env()})
    await storeExec(store, 'UPDATE collector_runs SET ended_at = ended_at - 600000')
    const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(res.json.warnings.some((w: {code: string; message: string}) => w.code === 'gap_exceeds_retention' && /^10m\d*s? passed since the previous run ended, more than the gateway's queue retention \(60s\)/.test(w.message))).toBe(true)
  })
})
