// PostgreSQL as a team store (issue 13), end to end through the commands: the same traffic gives the same
// reports as SQLite; collectors of two gateways write into one database at once; what PostgreSQL adds to the
// fault table (unreachable, rejected login, newer schema, read-only mid-drain, connection lost mid-batch).
import {readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {seededClientKeys} from '../../../src/lib/sim/generator.js'
import {parseExposition, sum} from '../../helpers/prom.js'
import {pgAvailable, pgDatabase, pgExec, pgNumber, pgRole} from '../../helpers/pg.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {mgmt, startTestSimulator, SUITE_IS_V8, suitePath, TEST_MANAGEMENT_KEY, type Simulator} from '../../helpers/sim.js'
import {storeQuery, storeRows} from '../../helpers/store-db.js'
import {spawnCli, storeView, tempStorePath, waitFor} from './helpers.js'

const NOW = Date.UTC(2026, 2, 9, 12, 0)
const D = 86_400_000
const RANGE = ['--since', '2026-03-06T00:00:00Z', '--until', '2026-03-10T00:00:00Z', '--tz', 'UTC']
const key = {CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY}

/** A config dir whose profiles name gateway, instance label and store. */
function profiles(entries: Record<string, {url: string; instance: string; store: string}>): string {
  const dir = tempDir('cpactl-pgprof-')
  const lines = ['current-profile: null', 'profiles:']
  for (const [name, p] of Object.entries(entries)) lines.push(`  ${name}:`, `    url: ${p.url}`, `    instance: ${p.instance}`, `    store: ${p.store}`, '    key-storage: none')
  writeFileSync(join(dir, 'profiles.yaml'), lines.join('\n') + '\n', {mode: 0o600})
  return dir
}

describe.skipIf(!pgAvailable)('PostgreSQL store: the same answers as SQLite', () => {
  const sims: Simulator[] = []
  let sqlitePath = ''
  let pgUrl = ''
  let env: Record<string, string> = {}
  afterAll(async () => {
    for (const s of sims) await s.close()
  })

  beforeAll(async () => {
    // one gateway's traffic, taken off its queue once and replayed for each store: identical payloads
    const sim = await startTestSimulator({seed: 33, now: () => NOW})
    sims.push(sim)
    sim.preload(3000, {spreadMs: 3 * D})
    // over the suite gateway's HTTP queue (v7 /v0/management/usage-queue, v8 /v8/management/observability/usage/queue)
    const popped = await mgmt<unknown[]>(sim, 'GET', `/${suitePath('GET', '/usage-queue')}?count=5000`)
    expect(popped.status).toBe(200)
    const payloads = popped.json.map((p) => (typeof p === 'string' ? p : JSON.stringify(p)))
    expect(payloads).toHaveLength(3000)
    sqlitePath = tempStorePath()
    pgUrl = await pgDatabase()
    env = {...key, CPACTL_CONFIG_DIR: profiles({lite: {url: sim.url, instance: 'gw', store: sqlitePath}, team: {url: sim.url, instance: 'gw', store: pgUrl}})}
    // the profile names the store: no --store anywhere
    for (const profile of ['lite', 'team']) {
      for (const p of payloads) sim.pushRaw(p)
      const r = await runCli(['collect', '--profile', profile, '--json'], {env})
      expect(r.exitCode, r.stderr).toBe(0)
      expect(r.json.inserted).toBe(3000)
      const p = await runCli(['prices', 'import', '--bundled', '--profile', profile, '--json'], {env})
      expect(p.exitCode, p.stderr).toBe(0)
    }
  }, 180_000)

  it('collect wrote to the store each profile names, with identical totals', async () => {
    const a = await storeView(sqlitePath)
    const b = await storeView(pgUrl)
    expect(b.events).toBe(3000)
    expect(b.byModel).toEqual(a.byModel)
    expect(b.byModelRollup).toEqual(a.byModelRollup)
    expect(b.byAccount).toEqual(a.byAccount)
    expect(b.byApiKey).toEqual(a.byApiKey)
    // every event has the same identity and keeps the same fields (v8: execution ids, hashed session ids … in extra)
    const identity = 'SELECT ts, event_hash, request_id, source, source_hash, stream, token_quality, extra FROM usage_events ORDER BY ts, event_hash'
    const rows = await storeRows(sqlitePath, identity)
    expect(await storeRows(pgUrl, identity)).toEqual(rows)
    if (SUITE_IS_V8) expect(rows.filter((r) => typeof r[7] === 'string' && (r[7] as string).includes('"execution_id"'))).toHaveLength(3000)
  })

  const reports: string[][] = [
    ['report', 'summary'],
    ['report', 'summary', '--compare'],
    ['report', 'models', '--all'],
    ['report', 'models', '--explain'],
    ['report', 'providers'],
    ['report', 'accounts', '--all'],
    ['report', 'api-keys', '--all'],
    ['report', 'timeline', '--granularity', 'day'],
    ['report', 'timeline', '--granularity', 'week'],
    ['report', 'timeline', '--granularity', 'hour', '--tz', 'Asia/Kolkata', '--since', '2026-03-07T05:30:00Z', '--until', '2026-03-08T17:45:00Z'],
    ['report', 'failures'],
    ['report', 'events', '--limit', '50'],
    ['report', 'models', '--since', '2026-03-07T05:30:00Z', '--until', '2026-03-08T17:45:00Z'],
    ['report', 'summary', '--provider', 'claude', '--failed'],
  ]
  it('metrics: every usage, cost, key and collector series equal from both backends (ages and timestamps of the two runs aside)', async () => {
    const lite = await runCli(['metrics', '--profile', 'lite'], {env})
    const team = await runCli(['metrics', '--profile', 'team'], {env})
    expect(lite.exitCode, lite.stderr).toBe(0)
    expect(team.exitCode, team.stderr).toBe(0)
    const series = (text: string) =>
      [...parseExposition(text)]
        .filter(([name]) => !name.startsWith('cpactl_collector_last_success_'))
        .map(([name, f]) => [name, f.type, f.samples.map((x) => JSON.stringify([x.labels, x.value])).sort()])
    const a = series(lite.stdout)
    expect(a.length).toBeGreaterThan(10)
    expect(sum(parseExposition(lite.stdout), 'cpactl_requests_total')).toBe(3000)
    expect(series(team.stdout)).toEqual(a)
  })

  for (const argv of reports) {
    it(`${argv.join(' ')}: the same JSON from both backends`, async () => {
      const args = argv.includes('--since') ? argv : [...argv, ...RANGE]
      const lite = await runCli([...args, '--profile', 'lite', '--json'], {env})
      const team = await runCli([...args, '--profile', 'team', '--json'], {env})
      expect(lite.exitCode, lite.stderr).toBe(0)
      expect(team.exitCode, team.stderr).toBe(0)
      expect(team.json).toEqual(lite.json)
    })
  }
})

describe.skipIf(!pgAvailable)('PostgreSQL store: two gateways, two collectors, one database', () => {
  const sims: Simulator[] = []
  afterAll(async () => {
    for (const s of sims) await s.close()
  })

  it('collectors of different instances run at the same time; each instance is exact, and so is the sum', {timeout: 180_000}, async () => {
    // the longest retention: on a busy machine the drains may take longer than the default 60 s, and records
    // expiring in the queue would say nothing about concurrent collectors
    for (const seed of [41, 42]) sims.push(await startTestSimulator({seed, retentionSeconds: 3600, faults: {latencyMs: 100}}))
    const url = await pgDatabase()
    sims[0].preload(4000, {spreadMs: D})
    sims[1].preload(2500, {spreadMs: D})
    const runs = await Promise.all(
      sims.map((sim) => spawnCli(['collect', '--store', url, '--url', sim.url, '--batch-size', '100', '--json'], {...key})),
    )
    const codes = await Promise.all(runs.map((r) => r.exited))
    expect(codes, runs.map((r) => r.stderr()).join('\n')).toEqual([0, 0])
    // both ran at the same time (each holds its instance's lock from before its run starts until after it ends):
    // neither waited for the other
    const spans = await storeQuery<{started_at: number; ended_at: number}>(url, "SELECT started_at, ended_at FROM collector_runs WHERE status = 'ok' ORDER BY id")
    expect(spans).toHaveLength(2)
    expect(spans[0].started_at < spans[1].ended_at && spans[1].started_at < spans[0].ended_at, JSON.stringify(spans)).toBe(true)
    let sum = 0
    for (const [i, sim] of sims.entries()) {
      const instance = `127.0.0.1:${sim.port}`
      const totals = sim.totals()
      const rows = await storeQuery(url, `SELECT COUNT(*) AS requests, SUM(failed) AS failed, SUM(total) AS "totalTokens" FROM usage_events WHERE instance = ?`, [instance])
      expect(rows[0], `instance ${i}`).toEqual({requests: totals.requests, failed: totals.failed, totalTokens: totals.totalTokens})
      const rolled = await storeQuery(url, 'SELECT SUM(requests) AS n FROM report_model_hourly WHERE instance = ?', [instance])
      expect(rolled[0].n).toBe(totals.requests)
      sum += totals.requests
    }
    const info = await runCli(['store', 'info', '--store', url, '--json'])
    expect(info.json.totalEvents).toBe(sum)
    expect(info.json.rawEvents).toBe(6500)
    expect(info.json.instances.map((i: {rawEvents: number}) => i.rawEvents).sort()).toEqual([2500, 4000])
    const summary = await runCli(['report', 'summary', '--store', url, '--since', '2d', '--json'])
    expect(summary.json.totals.requests).toBe(sum)
  })

  it('a second collector for the same instance exits 7 naming the holder host and pid, and pops nothing', {timeout: 120_000}, async () => {
    const sim = sims[0]
    const url = await pgDatabase()
    sim.preload(2000)
    sim.faults.latencyMs = 300
    const first = await spawnCli(['collect', '--store', url, '--url', sim.url, '--batch-size', '100'], {...key})
    try {
      await waitFor(async () => (await pgNumber(url, 'SELECT COUNT(*) FROM collector_locks').catch(() => 0)) === 1, 60_000, 'the first collector to hold the lock')
      const popped = sim.counters().popped
      const second = await runCli(['collect', '--store', url, '--json'], {env: {...key, CPA_URL: sim.url}})
      expect(second.exitCode).toBe(7)
      expect(second.json.error.code).toBe('collector_running')
      expect(second.json.error.message).toMatch(new RegExp(`pid ${first.child.pid} on \\S+`))
      expect(second.json.error.details).toMatchObject({instance: `127.0.0.1:${sim.port}`, pid: first.child.pid})
      // the only pops since are the first collector's batches of 100
      expect((sim.counters().popped - popped) % 100).toBe(0)
    } finally {
      sim.faults.latencyMs = 100
      expect(await first.exited).toBe(0)
    }
  })
})

describe.skipIf(!pgAvailable)('PostgreSQL store: faults', () => {
  let sim: Simulator
  beforeAll(async () => {
    sim = await startTestSimulator({seed: 51})
  })
  afterAll(async () => {
    await sim.close()
  })
  const env = () => ({...key, CPA_URL: sim.url})

  it('an unreachable server: exit 5 before anything is popped', async () => {
    sim.preload(10)
    const before = sim.counters().popped
    const res = await runCli(['collect', '--store', 'postgres://cpactl:secret-pw@127.0.0.1:9/none?connect_timeout=2', '--json'], {env: env()})
    expect(res.exitCode).toBe(5)
    expect(res.json.error.code).toBe('store_unreachable')
    expect(res.stdout).not.toContain('secret-pw')
    expect(sim.counters().popped).toBe(before)
    await runCli(['collect', '--store', tempStorePath()], {env: env()}) // drain for the next test
  })

  it('a rejected login: exit 3, the password never printed; PGPASSWORD and ~/.pgpass supply it', async () => {
    const db = await pgDatabase()
    const roleUrl = await pgRole(db, 'cpactl_auth', 'right-pw-1')
    const wrong = roleUrl.replace('cpactl_auth@', 'cpactl_auth:wrong-pw-2@')
    const before = sim.counters().popped
    const res = await runCli(['collect', '--store', wrong, '--json'], {env: env()})
    expect(res.exitCode).toBe(3)
    expect(res.json.error.code).toBe('store_auth_failed')
    expect(res.stdout + res.stderr).not.toContain('wrong-pw-2')
    expect(sim.counters().popped).toBe(before)
    const human = await spawnCli(['store', 'info', '--store', wrong], env())
    expect(await human.exited).toBe(3)
    expect(human.stderr()).toContain('postgres://cpactl_auth@')
    expect(human.stderr() + human.stdout()).not.toContain('wrong-pw-2')
    // no password at all: exit 3 too
    expect((await runCli(['store', 'info', '--store', roleUrl, '--json'], {env: {PGPASSWORD: undefined, PGPASSFILE: '/nonexistent'}})).exitCode).toBe(3)
    sim.preload(5)
    expect((await runCli(['collect', '--store', roleUrl, '--json'], {env: {...env(), PGPASSWORD: 'right-pw-1'}})).json.inserted).toBe(5)
    const home = tempDir('cpactl-pgpass-')
    const u = new URL(roleUrl)
    writeFileSync(join(home, '.pgpass'), `${u.hostname}:${u.port}:*:cpactl_auth:right-pw-1\n`, {mode: 0o600})
    const info = await runCli(['store', 'info', '--store', roleUrl, '--json'], {env: {PGPASSWORD: undefined, PGPASSFILE: join(home, '.pgpass')}})
    expect(info.exitCode, JSON.stringify(info.json)).toBe(0)
    expect(info.json.rawEvents).toBe(5)
    expect(info.json.path).toBe(roleUrl)
  })

  it('a schema written by a newer cpactl: exit 3 "upgrade cpactl", nothing popped; reports refuse it too', async () => {
    const url = await pgDatabase()
    expect((await runCli(['collect', '--store', url, '--json'], {env: env()})).exitCode).toBe(0)
    await pgExec(url, "INSERT INTO schema_migrations (id, name, applied_at) VALUES (99, 'from the future', 0)")
    sim.preload(7)
    const before = sim.counters().popped
    const res = await runCli(['collect', '--store', url, '--json'], {env: env()})
    expect(res.exitCode).toBe(3)
    expect(res.json.error).toMatchObject({code: 'store_too_new', hint: 'upgrade cpactl'})
    expect(sim.counters().popped).toBe(before)
    expect((await runCli(['report', 'summary', '--store', url, '--json'])).json.error.code).toBe('store_too_new')
    await runCli(['collect', '--store', tempStorePath()], {env: env()}) // drain for the next test
  })

  it('privileges revoked mid-drain (the database turns read-only to us): the popped batch is spooled, exit 3; the next run stores it', {timeout: 120_000}, async () => {
    const db = await pgDatabase()
    const roleUrl = await pgRole(db, 'cpactl_rw', 'rw-pw')
    const pw = {PGPASSWORD: 'rw-pw'}
    expect((await runCli(['collect', '--store', roleUrl, '--json'], {env: {...env(), ...pw}})).exitCode).toBe(0)
    sim.preload(2000)
    sim.faults.latencyMs = 300
    const before = sim.counters().popped
    const run = await spawnCli(['collect', '--store', roleUrl, '--batch-size', '100', '--json'], {...env(), ...pw})
    try {
      await waitFor(async () => (await pgNumber(db, 'SELECT COUNT(*) FROM usage_events')) >= 100, 60_000, 'the first batch')
      await pgExec(db, 'REVOKE INSERT, UPDATE ON usage_events, usage_dead_letters, collector_runs FROM cpactl_rw')
      expect(await run.exited).toBe(3)
    } finally {
      sim.faults.latencyMs = 0
    }
    const out = JSON.parse(run.stdout())
    expect(out.error.code).toBe('store_unwritable')
    const popped = sim.counters().popped - before
    const stored = (await storeQuery(db, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n
    expect(popped - stored).toBe(100) // exactly the batch in flight, now in the spool
    await pgExec(db, 'GRANT INSERT, UPDATE ON usage_events, usage_dead_letters, collector_runs TO cpactl_rw')
    const again = await runCli(['collect', '--store', roleUrl, '--json'], {env: {...env(), ...pw}})
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.json.recovered).toBe(100)
    expect((await storeQuery(db, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n).toBe(2000)
  })

  it('the connection is lost between pop and commit: spool, then a clean exit 5; the next run stores it', {timeout: 120_000}, async () => {
    const url = await pgDatabase()
    const db = new URL(url).pathname.slice(1)
    expect((await runCli(['collect', '--store', url, '--json'], {env: env()})).exitCode).toBe(0)
    sim.preload(2000)
    sim.faults.latencyMs = 300
    const before = sim.counters().popped
    const run = await spawnCli(['collect', '--store', url, '--batch-size', '100', '--json'], env())
    try {
      await waitFor(async () => (await pgNumber(url, 'SELECT COUNT(*) FROM usage_events')) >= 100, 60_000, 'the first batch')
      // terminate the collector's session while a popped batch is not committed yet: the gateway has handed out more
      // records than the store holds (the simulator answers each pop 300 ms after taking the records), and the
      // session sits inside that batch's transaction
      const kill = "SELECT COUNT(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cpactl' AND state = 'idle in transaction'"
      const inFlight = async () => sim.counters().popped - before > (await pgNumber(url, 'SELECT COUNT(*) FROM usage_events'))
      await waitFor(async () => (await inFlight()) && (await pgNumber(url, kill, [db])) === 1, 60_000, 'the collector between a pop and its commit')
      expect(await run.exited).toBe(5)
    } finally {
      sim.faults.latencyMs = 0
    }
    const out = JSON.parse(run.stdout())
    expect(out.error.code, run.stderr()).toBe('store_connection_lost')
    const spool = /saved to (\S+\.spool-\S+\.jsonl)/.exec(run.stderr())
    expect(spool, `${run.stderr()}\n${run.stdout()}`).not.toBeNull()
    // the spool holds the popped records with client keys only as hashes, as the store would
    const spooled = readFileSync(spool![1], 'utf8')
    expect(statSync(spool![1]).mode & 0o777).toBe(0o600)
    expect(spooled).toContain('api_key_hash')
    for (const k of seededClientKeys(51)) expect(spooled.includes(k), `${k.slice(0, 6)}… in the spool`).toBe(false)
    const popped = sim.counters().popped - before
    const stored = (await storeQuery(url, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n
    expect(popped - stored).toBe(100)
    const again = await runCli(['collect', '--store', url, '--json'], {env: env()})
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.json.recovered).toBe(100)
    expect((await storeQuery(url, 'SELECT COUNT(*) AS n FROM usage_events'))[0].n).toBe(2000)
  })

  it('other URL schemes exit 2; postgres:/… is never a relative SQLite path', async () => {
    for (const bad of ['mysql://u@h/db', 'postgres:/user@host:5432/db', 'redis://127.0.0.1:6379']) {
      const res = await runCli(['store', 'info', '--store', bad, '--json'])
      expect(res.exitCode, bad).toBe(2)
      expect(res.json.error.code).toBe('store_unsupported')
    }
    const res = await runCli(['collect', '--json'], {env: {...env(), CPACTL_STORE: 'postgres:/user@127.0.0.1:5432/db'}})
    expect(res.exitCode).toBe(2)
  })
})
