import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {coverageWarning, estimateCoverage} from '../../../src/lib/collect/coverage.js'
import {collectDoctorChecks} from '../../../src/lib/collect/doctor.js'
import {openStore} from '../../../src/lib/store/index.js'

const w = {basis: 'previous-run' as const, since: 1, until: 2}

describe('estimateCoverage', () => {
  it('compares counter growth of listed credentials with what was collected for them', () => {
    const c = estimateCoverage({a: [10, 1], b: [5, 0]}, {a: [40, 1], b: [15, 2], c: [99, 0]}, new Map([['a', [15, 0]], ['b', [6, 1]], ['zzz', [50, 0]]]), w)
    // expected: a +30, b +12 (c is new: unknown history); collected: a 15, b 7
    expect(c).toEqual({ratio: 22 / 42, expected: 42, collected: 22, basis: 'previous-run', since: 1, until: 2, note: null})
    expect(coverageWarning(c, false)).toMatch(/^collected only 22 of 42 requests the gateway counted \(52%\): records are being consumed elsewhere/)
    expect(coverageWarning(c, true)).toMatch(/may have expired unseen$/)
  })

  it('gives no estimate after a gateway restart (counters went down) or without traffic', () => {
    expect(estimateCoverage({a: [10, 0]}, {a: [3, 0]}, new Map(), w).ratio).toBeNull()
    const idle = estimateCoverage({a: [10, 0]}, {a: [10, 0]}, new Map(), w)
    expect(idle).toMatchObject({ratio: null, expected: 0, note: 'no traffic counted by the gateway in this window'})
    expect(coverageWarning(idle, false)).toBeNull()
  })

  it('ignores small shortfalls (records still in flight) and caps the ratio at 1', () => {
    expect(coverageWarning(estimateCoverage({a: [0, 0]}, {a: [20, 0]}, new Map([['a', [12, 0]]]), w), false)).toBeNull()
    expect(estimateCoverage({a: [0, 0]}, {a: [5, 0]}, new Map([['a', [9, 0]]]), w).ratio).toBe(1)
  })
})

describe('collectDoctorChecks', () => {
  const now = Date.UTC(2026, 8, 1, 12)

  it('warns when nothing was ever collected', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'cpactl-doc-')), 'none.db')
    expect(await collectDoctorChecks({storePath: store, instance: 'gw'})).toEqual([
      {check: 'collector-last-run', status: 'warn', message: `no store at ${store}: usage has never been collected`, fix: 'cpactl collect (then schedule it, or run cpactl collect --follow)'},
    ])
  })

  it('compares the last success with the retention and reports dead letters', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'cpactl-doc-')), 'cpactl.db')
    const s = await openStore({path: store})
    const id = await s.runs.start({instance: 'gw', mode: 'once', transport: 'resp', startedAt: now - 10 * 60_000})
    await s.events.ingest('gw', ['garbage'], {runId: id})
    await s.runs.finish(id, {status: 'ok', endedAt: now - 5 * 60_000, retentionSeconds: 60})
    await s.close()
    const checks = await collectDoctorChecks({storePath: store, instance: 'gw', now: () => now})
    expect(checks).toEqual([
      {
        check: 'collector-last-run',
        status: 'warn',
        message: "the last successful collection ended 5m ago, longer than the gateway's queue retention (60s): records produced since then expire unseen",
        fix: 'run cpactl collect at least every 60s (cron/systemd timer), or cpactl collect --follow',
      },
      {check: 'dead-letters', status: 'warn', message: '1 payload(s) did not parse and wait as dead letters (most common: not JSON: Unexpected token \'g\', "garbage" is not valid JSON)', fix: 'inspect them with cpactl collect status; they are kept, nothing was dropped'},
    ])
    const fresh = await collectDoctorChecks({storePath: store, instance: 'gw', retentionSeconds: 3600, now: () => now})
    expect(fresh[0]).toEqual({check: 'collector-last-run', status: 'pass', message: 'last successful collection 5m ago (retention 3600s)', fix: null})
  })

  it('a running collector passes while it polls the queue and warns once its heartbeat is older than the retention', async () => {
    const store = join(mkdtempSync(join(tmpdir(), 'cpactl-doc-')), 'cpactl.db')
    const s = await openStore({path: store})
    const id = await s.runs.start({instance: 'gw', mode: 'follow', transport: 'http', startedAt: now - 3_600_000, pid: process.pid})
    await s.runs.recordPoll(id, {at: now - 30_000, retentionSeconds: 60, publishing: true})
    await s.close()
    const at = async (t: number) => (await collectDoctorChecks({storePath: store, instance: 'gw', now: () => t}))[0]
    expect(await at(now)).toEqual({check: 'collector-last-run', status: 'pass', message: `a collector is running (pid ${process.pid}, follow, since ${new Date(now - 3_600_000).toISOString()})`, fix: null})
    expect(await at(now + 31_000)).toEqual({
      check: 'collector-last-run',
      status: 'warn',
      message: `a collector is running (pid ${process.pid}, follow) but last reached the usage queue 1m1s ago, longer than the queue retention (60s)`,
      fix: "read the collector's output (e.g. journalctl -u cpactl-collect): it cannot reach the gateway",
    })
  })
})
