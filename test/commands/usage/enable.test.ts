import {describe, expect, it} from 'vitest'

import {runCli} from '../../helpers/run.js'
import {mgmt, SUITE_IS_V8, useSimulator} from '../../helpers/sim.js'

describe('cpactl usage enable', () => {
  const ctx = useSimulator({seed: 2, usageStatisticsEnabled: false})

  const published = async () => (await mgmt(ctx.sim, 'GET', '/usage-statistics-enabled')).json['usage-statistics-enabled']

  it('enable reads the flag, PUTs it on, and does nothing when it is already on', async () => {
    const sim = ctx.sim
    expect(await published()).toBe(false)
    const http = sim.httpLog().length
    const res = await runCli(['usage', 'enable', '--json'], {env: ctx.env()})
    expect(res.exitCode).toBe(0)
    const {warnings, ...result} = res.json
    expect(result).toEqual({instance: `127.0.0.1:${sim.port}`, enabled: true, previous: false, changed: true})
    // on v8 the first write migrates a legacy config file, and says so
    expect(warnings.map((w: {code: string}) => w.code)).toEqual(SUITE_IS_V8 ? ['config_migrated_to_v8'] : [])
    expect(await published()).toBe(true)
    // the first command against this gateway probes its API once (GET /v0/management/config), then:
    const sent = sim.httpLog().slice(http).map((e) => `${e.method} ${e.path}`)
    expect(sent[0]).toBe('GET /v0/management/config')
    expect(sent.slice(1)).toEqual(
      SUITE_IS_V8
        ? [
            'GET /v8/management/config/observability/usage/usage-statistics-enabled',
            'GET /v0/management/config.yaml', // is the file still legacy? (a v8 write migrates it: warned)
            'PUT /v8/management/config/observability/usage/usage-statistics-enabled',
            'GET /v0/management/usage-statistics-enabled', // our own check above
          ]
        : [
            'GET /v0/management/usage-statistics-enabled',
            'PUT /v0/management/usage-statistics-enabled',
            'GET /v0/management/usage-statistics-enabled', // our own check above
          ],
    )
    if (SUITE_IS_V8) expect(res.stderr).toContain('migrated the gateway config file to the v8 layout')
    const again = await runCli(['usage', 'enable'], {env: ctx.env()})
    expect(again.exitCode).toBe(0)
    expect(again.stdout).toBe(`usage publishing was already enabled on 127.0.0.1:${sim.port}\n`)
  })

  it('a wrong key: exit 4, nothing changed', async () => {
    ctx.sim.setConfig('usage-statistics-enabled', false)
    const res = await runCli(['usage', 'enable', '--json'], {env: ctx.env('wrong-key-123')})
    expect(res.exitCode).toBe(4)
    expect(await published()).toBe(false)
    ctx.sim.unban()
  })
})
