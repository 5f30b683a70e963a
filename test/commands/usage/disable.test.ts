import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {mgmt, useSimulator} from '../../helpers/sim.js'

describe('cpactl usage disable', () => {
  const ctx = useSimulator({seed: 2, usageStatisticsEnabled: true})

  const published = async () => (await mgmt(ctx.sim, 'GET', '/usage-statistics-enabled')).json['usage-statistics-enabled']

  it('disable turns it off; records are then no longer queued', async () => {
    const sim = ctx.sim
    expect(await published()).toBe(true)
    // it stops all usage collection: without --yes and without a terminal, exit 2 and nothing changes
    const unconfirmed = await runCli(['usage', 'disable', '--json'], {env: ctx.env()})
    expect([unconfirmed.exitCode, unconfirmed.json.error.code]).toEqual([2, 'confirmation_required'])
    expect(await published()).toBe(true)
    const res = await runCli(['usage', 'disable', '--yes', '--json'], {env: ctx.env()})
    expect(res.json).toMatchObject({enabled: false, previous: true, changed: true})
    expect(await published()).toBe(false)
    const queued = sim.counters().queued
    sim.generate(5)
    expect(sim.counters().queued).toBe(queued)
  })

  it('disable when already off changes nothing', async () => {
    const res = await runCli(['usage', 'disable', '--yes', '--json'], {env: ctx.env()})
    expect(res.json).toMatchObject({enabled: false, previous: false, changed: false})
  })
})
