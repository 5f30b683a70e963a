import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {SUITE_IS_V8, useSimulator} from '../../helpers/sim.js'
import {tempStorePath} from './helpers.js'

describe('cpactl collect status', () => {
  const ctx = useSimulator({seed: 8})

  it('reports a missing store without creating it', async () => {
    const store = tempStorePath()
    const res = await runCli(['collect', 'status', '--store', store, '--json'])
    expect(res.exitCode).toBe(0)
    expect(res.json).toEqual({store, exists: false, instances: [], recentRuns: [], deadLetters: {waiting: 0, reasons: []}, spoolFiles: 0})
  })

  it('shows the last runs, dead letters and freshness per instance, offline', async () => {
    const sim = ctx.sim
    const store = tempStorePath()
    sim.preload(12)
    sim.pushRaw('{oops')
    await runCli(['collect', '--store', store], {env: ctx.env()})
    await runCli(['collect', '--store', store], {env: ctx.env()})
    const res = await runCli(['collect', 'status', '--store', store, '--json'])
    expect(res.exitCode).toBe(0)
    const instance = `127.0.0.1:${sim.port}`
    expect(res.json.instances).toHaveLength(1)
    expect(res.json.instances[0]).toMatchObject({
      instance,
      retentionSeconds: 60,
      stale: false,
      running: null,
      events: 12,
      deadLettersWaiting: 1,
      lastRun: {status: 'ok', popped: 0, mode: 'once', transport: SUITE_IS_V8 ? 'http' : 'resp'},
      lastSuccess: {status: 'ok'},
    })
    expect(res.json.instances[0].lastSuccessAgeMs).toBeGreaterThanOrEqual(0)
    expect(res.json.recentRuns.map((r: {popped: number; inserted: number; deadLettered: number}) => [r.popped, r.inserted, r.deadLettered])).toEqual([
      [0, 0, 0],
      [13, 12, 1],
    ])
    expect(res.json.deadLetters).toEqual({waiting: 1, reasons: [{reason: expect.stringMatching(/^not JSON/), count: 1}]})
    // human view: the table on stdout, notes on stderr
    const human = await runCli(['collect', 'status', '--store', store])
    expect(human.stdout.split('\n')[0].split('\t')).toEqual(['INSTANCE', 'STATE', 'LAST SUCCESS', 'AGE', 'RETENTION', 'STALE', 'EVENTS', 'DEAD LETTERS'])
    expect(human.stderr).toContain('1 dead letter(s) waiting: 1× not JSON')
    // another instance filter
    const none = await runCli(['collect', 'status', '--store', store, '--instance', 'elsewhere:1', '--json'])
    expect(none.json.instances[0]).toMatchObject({instance: 'elsewhere:1', lastRun: null, events: 0, stale: true})
  })
})
