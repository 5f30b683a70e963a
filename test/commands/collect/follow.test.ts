import {describe, expect, it} from 'vitest'

import {useSimulator, V7} from '../../helpers/sim.js'
import {spawnCli, storeView, tempStorePath, waitFor} from './helpers.js'

describe('cpactl collect --follow', () => {
  const ctx = useSimulator({version: V7, seed: 31})

  it('survives a gateway restart: reconnects with backoff, AUTH once per connection, drains what came meanwhile, exit 0 on SIGTERM', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    const seen = sim.respLog().length
    const before = sim.counters()
    const p = await spawnCli(['collect', '--follow', '--interval', '100ms', '--store', store, '--json'], ctx.env())
    sim.generate(50)
    await waitFor(() => sim.counters().popped - before.popped === 50, 30_000, 'the first 50 records')
    await sim.restart({downMs: 300})
    sim.generate(60) // produced while the collector is still backing off: they wait in the FIFO
    await waitFor(() => sim.counters().popped - before.popped === 110, 30_000, 'the 60 records after the restart')
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const result = JSON.parse(p.stdout())
    expect(result).toMatchObject({popped: 110, inserted: 110, stopReason: 'signal', transport: 'resp'})
    expect(p.stderr()).toMatch(/lost the gateway \(.*\); reconnecting in 1s/)
    const conns = sim.respLog().slice(seen)
    expect(conns.length).toBeGreaterThanOrEqual(2)
    for (const c of conns) {
      expect(c.commands[0]).toEqual(['auth', '***'])
      expect(c.commands.slice(1).every((cmd) => cmd[0] === 'lpop' && cmd[1] === 'usage' && cmd[2] === '500')).toBe(true)
    }
    expect(sim.counters().authFailures).toBe(before.authFailures)
    expect((await storeView(store)).events).toBe(110)
  }, 60_000)

  it('stops for good on an auth error after a restart: one rejected AUTH, never repeated, exit 4', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    const p = await spawnCli(['collect', '--follow', '--interval', '100ms', '--store', store, '--json'], ctx.env())
    const seen = sim.respLog().length
    await waitFor(() => sim.respLog().slice(seen).some((c) => c.commands.some((x) => x[0] === 'lpop')), 30_000, 'polling')
    await sim.restart({downMs: 200})
    sim.ban('127.0.0.1', 20 * 60_000)
    try {
      expect(await p.exited).toBe(4)
      const out = JSON.parse(p.stdout())
      expect(out.error.code).toBe('ip_banned')
      const after = sim.respLog().slice(seen)
      const authAfterRestart = after.slice(1).flatMap((c) => c.commands.filter((x) => x[0] === 'auth'))
      expect(authAfterRestart).toHaveLength(1)
    } finally {
      sim.unban()
    }
  }, 60_000)

  it('--transport subscribe drains the FIFO first, then takes live records from the subscription, skipping control payloads', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    sim.preload(40) // backlog produced before we subscribe
    const before = sim.counters()
    const seen = sim.respLog().length
    const p = await spawnCli(['collect', '--follow', '--transport', 'subscribe', '--interval', '100ms', '--store', store, '--json'], ctx.env())
    await waitFor(() => sim.respLog().slice(seen).some((c) => c.commands.some((x) => x[0] === 'subscribe')), 30_000, 'the subscription')
    expect(sim.counters().popped - before.popped).toBe(40)
    sim.generate(30) // live: goes to the subscriber, not the FIFO
    expect(sim.counters().deliveredToSubscribers - before.deliveredToSubscribers).toBe(30)
    await waitFor(async () => (await storeView(store)).events === 70, 30_000, '70 stored events')
    // a restart drops the subscription; records made before we resubscribe land in the FIFO and are drained
    await sim.restart({downMs: 100})
    sim.generate(20)
    await waitFor(async () => (await storeView(store)).events === 90, 30_000, '90 stored events')
    await waitFor(async () => Number((await storeView(store)).runs[0].control_skipped) >= 2, 30_000, 'the second subscription')
    p.child.kill('SIGTERM')
    expect(await p.exited).toBe(0)
    const r = JSON.parse(p.stdout())
    expect(r).toMatchObject({transport: 'subscribe', inserted: 90, duplicates: 0, deadLettered: 0})
    expect(r.controlSkipped).toBeGreaterThanOrEqual(2) // {"support_refresh":true} on each subscription
    expect(r.popped).toBe(90 + r.controlSkipped)
    const subs = sim.respLog().slice(seen).filter((c) => c.commands.some((x) => x[0] === 'subscribe'))
    expect(subs.length).toBeGreaterThanOrEqual(2)
    for (const c of subs) expect(c.commands.slice(0, 2)).toEqual([['auth', '***'], ['subscribe', 'usage']])
  }, 60_000)
})
