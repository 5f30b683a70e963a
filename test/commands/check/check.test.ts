// `cpactl check …` as a user runs it: the three output modes and their exit codes, UNKNOWN for every error
// under --nagios, and alerts on change delivered to a local HTTP receiver — once per change, in every payload
// format, retried a bounded number of times, never changing the exit code, the URL's secret never printed or stored.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../../src/lib/store/index.js'
import {BACKENDS, type Backend} from '../../helpers/pg.js'
import {startReceiver, type Receiver} from '../../helpers/receiver.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {storeExec, storeQuery} from '../../helpers/store-db.js'
import {tempStore, usage} from '../../lib/monitor/fixtures.js'

const SECRET = 'T0SECRET/B0SECRET/xyzSECRETtoken'

describe('check modes and exit codes', () => {
  let path: string
  const run = (argv: string[]) => runCli(['check', ...argv, '--store', path])

  beforeAll(async () => {
    const now = Date.now()
    const t = await tempStore()
    path = t.path
    // last 15 minutes: 20 requests of gpt-5, 4 failed (rate 0.2)
    await t.store.events.ingest('prod', Array.from({length: 20}, (_, i) => usage(now - 30_000 * (i + 1), {status: i < 4 ? 500 : 200})))
    await t.store.close()
  })

  it('default: a verdict line, exit 0 OK / 1 problem; --json: the documented shape, same exit codes', async () => {
    const ok = await run(['failures', '--warn-rate', '0.3', '--crit-rate', '0.5'])
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^OK: 20% of 20 requests failed \(4\) since \S+Z$/m)
    const warn = await run(['failures', '--warn-rate', '0.2'])
    expect(warn.exitCode).toBe(1)
    expect(warn.stdout).toMatch(/^WARNING: 20% of 20 requests failed/)
    const json = await run(['failures', '--warn-rate', '0.1', '--crit-rate', '0.2', '--json'])
    expect(json.exitCode).toBe(1)
    expect(Object.keys(json.json).sort()).toEqual(['check', 'checkedAt', 'items', 'notifications', 'perfdata', 'state', 'summary', 'thresholds', 'warnings'])
    expect(json.json).toMatchObject({check: 'failures', state: 'critical', notifications: [], warnings: [], thresholds: {warnRate: 0.1, critRate: 0.2, minRequests: 1}})
    expect(json.json.items).toEqual([expect.objectContaining({target: 'since=15m', state: 'critical', requests: 20, failed: 4, failureRate: 0.2})])
  })

  it('--nagios: one status line with perfdata; exit 0 OK, 1 WARNING, 2 CRITICAL', async () => {
    const cases: Array<[string[], number, string]> = [
      [['--warn-rate', '0.3', '--crit-rate', '0.5'], 0, 'OK'],
      [['--warn-rate', '0.2', '--crit-rate', '0.5'], 1, 'WARNING'],
      [['--warn-rate', '0.1', '--crit-rate', '20%'], 2, 'CRITICAL'],
    ]
    for (const [flags, code, state] of cases) {
      const r = await run(['failures', ...flags, '--nagios'])
      expect(r.exitCode, r.stderr).toBe(code)
      const lines = r.stdout.split('\n').filter(Boolean)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(new RegExp(`^FAILURES ${state} - 20% of 20 requests failed \\(4\\) since \\S+ \\| failure_rate=0\\.2;[0-9.]+;[0-9.]+;0;1 requests=20;;;0 failed=4;;;0$`))
    }
    expect((await run(['failures', '--model', 'nothing-like-this', '--nagios'])).stdout).toMatch(/^FAILURES OK - 0 requests since .* fewer than --min-requests 1, not judged \[model=nothing-like-this\]/)
  })

  it('--nagios turns every error into UNKNOWN (exit 3) on one line; without it errors keep their codes', async () => {
    const missing = join(tempDir(), 'none.db')
    const m = await runCli(['check', 'collector', '--store', missing, '--nagios'])
    expect(m.exitCode).toBe(3)
    expect(m.stdout).toMatch(/^COLLECTOR UNKNOWN - no store at .*none\.db yet\n$/)
    const bad = await run(['failures', '--warn-rate', '2', '--nagios'])
    expect([bad.exitCode, bad.stdout]).toEqual([3, "FAILURES UNKNOWN - invalid --warn-rate '2': use a rate between 0 and 1 (0.1) or a percentage (10%)\n"])
    const flag = await run(['quota', '--no-such-flag', '--nagios'])
    expect(flag.exitCode).toBe(3)
    expect(flag.stdout).toMatch(/^QUOTA UNKNOWN - Nonexistent flag: --no-such-flag/)
    expect((await run(['budget', '--budget', '10', '--json', '--nagios'])).exitCode).toBe(3)
    expect((await runCli(['check', 'collector', '--store', missing])).exitCode).toBe(3)
    expect((await run(['failures', '--warn-rate', '2'])).exitCode).toBe(2)
    expect((await run(['failures', '--warn-rate', '0.5', '--crit-rate', '0.4'])).exitCode).toBe(2)
    expect((await run(['quota', '--warn', '96'])).exitCode).toBe(2)
  })
})

/** A new store of `backend` holding `records` (usage fixtures) under instance `prod`. */
async function storeWith(backend: Backend, records: Array<Record<string, unknown>>): Promise<string> {
  const path = await backend.fresh()
  const store = await openStore({path})
  await store.events.ingest('prod', records)
  await store.close()
  return path
}

// the states live in the store: on SQLite and on PostgreSQL alike
describe.each(BACKENDS)('alerts on change, states kept in $name', (backend) => {
  let path: string
  let rx: Receiver
  let down: Receiver
  const hook = (r: Receiver, secret = SECRET) => `${r.url}/services/${secret}`
  const failures = (warnRate: string, extra: string[] = []) => runCli(['check', 'failures', '--warn-rate', warnRate, '--crit-rate', '0.9', '--store', path, '--json', ...extra])

  beforeAll(async () => {
    const now = Date.now()
    path = await storeWith(backend, Array.from({length: 10}, (_, i) => usage(now - 30_000 * (i + 1), {status: i < 2 ? 429 : 200})))
    rx = await startReceiver()
    down = await startReceiver()
  })
  afterAll(async () => {
    await rx.close()
    await down.close()
  })

  it('posts only when the state changes (a target never told counts as OK), with the generic payload', async () => {
    const first = await failures('0.5', ['--notify', hook(rx)])
    expect(first.exitCode).toBe(0)
    expect(first.json.notifications).toEqual([{receiver: `${rx.url}/****`, receiverId: expect.stringMatching(/^[0-9a-f]{16}$/), format: 'generic', changes: [], delivered: false, attempts: 0, status: null, error: null}])
    expect(rx.received).toHaveLength(0)
    const warn = await failures('0.2', ['--notify', hook(rx)])
    expect(warn.exitCode).toBe(1)
    expect(warn.json.notifications[0]).toMatchObject({delivered: true, attempts: 1, status: 200, error: null, changes: [{target: 'since=15m', from: 'ok', to: 'warning'}]})
    expect(rx.received).toHaveLength(1)
    expect(rx.received[0].path).toBe(`/services/${SECRET}`)
    expect(rx.received[0].contentType).toBe('application/json')
    expect(rx.received[0].body).toMatchObject({
      source: 'cpactl',
      event: 'check_state_changed',
      check: 'failures',
      state: 'warning',
      changes: [{target: 'since=15m', from: 'ok', to: 'warning', summary: expect.stringMatching(/^20% of 10 requests failed \(2\)/)}],
      items: [{target: 'since=15m', state: 'warning'}],
      perfdata: expect.arrayContaining([{label: 'requests', value: 10, uom: '', warn: null, crit: null, min: 0, max: null}]),
    })
    // the same state again: nothing posted
    await failures('0.2', ['--notify', hook(rx)])
    expect(rx.received).toHaveLength(1)
    // back to OK: the recovery is posted
    await failures('0.5', ['--notify', hook(rx)])
    expect(rx.received).toHaveLength(2)
    expect(rx.received[1].body.changes).toEqual([{target: 'since=15m', from: 'warning', to: 'ok', summary: expect.any(String)}])
    // the store keeps a hash of the receiver, never its URL
    const rows = await storeQuery(path, 'SELECT check_name, target, receiver, state FROM check_states')
    expect(rows).toEqual([{check_name: 'failures', target: 'since=15m', receiver: warn.json.notifications[0].receiverId, state: 'ok'}])
    expect(JSON.stringify(await storeQuery(path, 'SELECT * FROM check_states'))).not.toContain('SECRET')
    if (backend.name === 'sqlite') expect(readFileSync(path).includes(Buffer.from('SECRET'))).toBe(false)
  })

  it('slack and discord payloads; each receiver keeps its own state', async () => {
    const slack = hook(rx, 'slack/one')
    const discord = hook(rx, 'discord/two')
    const before = rx.received.length
    const r = await failures('0.2', ['--notify', slack, '--notify-format', 'slack'])
    expect(r.json.notifications[0].delivered).toBe(true)
    expect(rx.received[before].body).toEqual({text: expect.stringMatching(/^:warning: \*cpactl check failures: WARNING\* on .+\n20% of 10 requests failed \(2\) since .*\n• since=15m: OK → WARNING — 20% of 10/)})
    // discord has never been told: it hears about the warning now, slack does not hear it twice
    const d = await failures('0.2', ['--notify', slack, '--notify', discord, '--notify-format', 'discord'])
    expect(d.json.notifications.map((n: {delivered: boolean}) => n.delivered)).toEqual([false, true])
    expect(rx.received).toHaveLength(before + 2)
    expect(rx.received[before + 1].path).toBe('/services/discord/two')
    expect(rx.received[before + 1].body).toEqual({content: expect.stringMatching(/^\*\*cpactl check failures: WARNING\*\* on /), allowed_mentions: {parse: []}})
  })

  it('a failing receiver: bounded retries, reported on stderr and in JSON with the URL masked, exit code unchanged, retried next run', async () => {
    down.status = 500
    const url = hook(down)
    const r = await failures('0.2', ['--notify', url, '--notify-retries', '2'])
    expect(r.exitCode).toBe(1) // WARNING, as without --notify
    expect(r.json.notifications[0]).toMatchObject({delivered: false, attempts: 3, status: 500, error: 'the receiver answered HTTP 500', changes: [{from: 'ok', to: 'warning'}]})
    expect(down.received).toHaveLength(3)
    expect(r.stderr).toMatch(new RegExp(`Warning: notification to ${down.url}/\\*\\*\\*\\* \\([0-9a-f]{16}\\) failed after 3 attempts: the receiver answered HTTP 500`))
    expect(r.stdout + r.stderr).not.toContain('SECRET')
    // a 4xx other than 429 is not retried
    down.status = 404
    const once = await failures('0.2', ['--notify', url])
    expect(once.json.notifications[0]).toMatchObject({attempts: 1, status: 404, delivered: false})
    // nothing was recorded, so the change is delivered once the receiver is back
    down.status = 200
    const back = await failures('0.2', ['--notify', url])
    expect(back.json.notifications[0]).toMatchObject({delivered: true, attempts: 1})
    expect((await failures('0.2', ['--notify', url])).json.notifications[0]).toMatchObject({delivered: false, attempts: 0})
    // nobody listening at all: a network error, same treatment
    const gone = await startReceiver()
    await gone.close()
    const closed = `${gone.url}/services/${SECRET}`
    const refused = await runCli(['check', 'failures', '--warn-rate', '0.2', '--crit-rate', '0.9', '--store', path, '--notify', closed, '--notify-retries', '1', '--nagios'])
    expect(refused.exitCode, refused.stdout + refused.stderr).toBe(1)
    expect(refused.stdout).toMatch(/^FAILURES WARNING - [^\n]+\n$/)
    expect(refused.stderr, refused.stderr).toMatch(/notification to http:\/\/127\.0\.0\.1:\d+\/\*\*\*\* \([0-9a-f]{16}\) failed after 2 attempts: fetch failed \(ECONNREFUSED\)/)
    expect(refused.stderr).not.toContain('SECRET')
  })

  it('--notify-file reads the URLs (comments and blank lines skipped); bad URLs are usage errors that hide the secret', async () => {
    const file = join(tempDir(), 'hooks')
    writeFileSync(file, `# team channel\n\n${hook(rx, 'file/one')}\n`, {mode: 0o600})
    const before = rx.received.length
    const r = await failures('0.2', ['--notify-file', file])
    expect(r.json.notifications).toHaveLength(1)
    expect(r.json.notifications[0].delivered).toBe(true)
    expect(rx.received[before].path).toBe('/services/file/one')
    const bad = await failures('0.2', ['--notify', 'ftp://x.example/SECRET'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stdout).not.toContain('SECRET')
  })

  it('states that cannot be recorded after a delivery: reported (the change will be sent again), the verdict stands', async () => {
    const frozen = await storeWith(backend, Array.from({length: 4}, (_, i) => usage(Date.now() - 10_000 * (i + 1), {status: i === 0 ? 500 : 200})))
    await storeExec(
      frozen,
      backend.name === 'sqlite'
        ? "CREATE TRIGGER no_states BEFORE INSERT ON check_states BEGIN SELECT RAISE(ABORT, 'states are frozen'); END"
        : `CREATE FUNCTION no_states() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'states are frozen'; END $$;
           CREATE TRIGGER no_states BEFORE INSERT ON check_states FOR EACH ROW EXECUTE FUNCTION no_states()`,
    )
    const before = rx.received.length
    const r = await runCli(['check', 'failures', '--warn-rate', '0.2', '--store', frozen, '--notify', hook(rx, 'frozen'), '--json'])
    expect(r.exitCode).toBe(1)
    expect(r.json.state).toBe('warning')
    expect(r.json.notifications[0]).toMatchObject({delivered: true, error: expect.stringMatching(/^delivered, but the new states could not be recorded \(the change will be sent again\): .*states are frozen/)})
    expect(rx.received).toHaveLength(before + 1)
    expect(r.stderr).toMatch(/Warning: notification to http:\/\/127\.0\.0\.1:\d+\/\*\*\*\* \([0-9a-f]{16}\): delivered, but the new states could not be recorded/)
  })
})
