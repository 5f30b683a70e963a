import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {useSimulator, SUITE_IS_V8, suitePath} from '../../helpers/sim.js'
import {spawnCli, storeView, tempStorePath, waitFor} from './helpers.js'

describe('cpactl collect as a real process: signals, crashes, a second collector', () => {
  const ctx = useSimulator({seed: 21})

  it('SIGTERM in the middle of a large drain: exit 130 after committing the batch in flight, nothing lost', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    sim.preload(6_000)
    const before = sim.counters().popped
    const p = await spawnCli(['collect', '--store', store, '--batch-size', '20', '--json'], ctx.env())
    await waitFor(() => sim.counters().popped - before >= 500, 30_000, 'the drain to start')
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(130)
    const popped = sim.counters().popped - before
    expect(popped).toBeLessThan(6_000) // stopped mid-drain
    expect(sim.counters().queued).toBe(6_000 - popped) // the rest is still at the gateway
    const out = JSON.parse(p.stdout())
    expect(out.error.code).toBe('interrupted')
    const r = out.error.details.result
    expect(r.popped).toBe(popped)
    expect(r.inserted + r.duplicates + r.deadLettered + r.controlSkipped).toBe(popped)
    const view = await storeView(store)
    expect(view.events + view.deadLetters).toBe(popped)
    expect(view.runs.map((x) => [x.status, x.popped])).toEqual([['interrupted', popped]])
  }, 60_000)

  it('kill -9 loses at most the one batch between pop and commit; status shows the run as abandoned', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    sim.preload(6_000)
    const before = sim.counters().popped
    const p = await spawnCli(['collect', '--store', store, '--batch-size', '20', '--json'], ctx.env())
    await waitFor(() => sim.counters().popped - before >= 500, 30_000, 'the drain to start')
    p.child.kill('SIGKILL')
    expect(await p.exited).toBe(137)
    const popped = sim.counters().popped - before
    const view = await storeView(store)
    const lost = popped - (view.events + view.deadLetters)
    expect(lost).toBeGreaterThanOrEqual(0)
    expect(lost).toBeLessThanOrEqual(20)
    const status = await runCli(['collect', 'status', '--store', store, '--json'])
    expect(status.json.recentRuns[0]).toMatchObject({status: 'abandoned', mode: 'once'})
    // what was not popped is still queued, and the next run takes it
    const queued = sim.counters().queued
    expect(queued).toBeGreaterThanOrEqual(6_000 - popped)
    const next = await runCli(['collect', '--store', store, '--batch-size', '5000', '--json'], {env: ctx.env()})
    expect(next.json.popped, `${next.stderr}\n${next.stdout}`).toBe(queued)
  }, 60_000)

  it('a second collector while one runs in another process: exit 7 naming its pid', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    const seen = sim.respLog().length
    const seenHttp = sim.httpLog().length
    const p = await spawnCli(['collect', '--follow', '--interval', '100ms', '--store', store, '--json'], ctx.env())
    try {
      // v7: RESP pops; v8: the HTTP queue
      const polled = () =>
        SUITE_IS_V8
          ? sim.httpLog().slice(seenHttp).some((e) => e.path === suitePath('GET', '/usage-queue'))
          : sim.respLog().slice(seen).some((c) => c.commands.some((cmd) => cmd[0] === 'lpop'))
      await waitFor(polled, 30_000, 'the follower to poll')
      const res = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
      expect(res.exitCode).toBe(7)
      expect(res.json.error.message).toContain(`pid ${p.child.pid}`)
      expect(res.json.error.details.pid).toBe(p.child.pid)
    } finally {
      p.child.kill('SIGTERM')
    }
    expect(await p.exited).toBe(0)
    expect(JSON.parse(p.stdout())).toMatchObject({stopReason: 'signal'})
  }, 60_000)
})
