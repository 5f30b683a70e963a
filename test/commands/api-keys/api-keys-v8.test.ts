/**
 * Client API keys on a v8 gateway: `access/api-keys` is a whole list with no
 * index operations, so add and remove read it, change it and PUT it back, then read it again to verify. The
 * gateway's file starts in the legacy layout: the first write migrates it (warned).
 */
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {runCli} from '../../helpers/run.js'
import {requestsSince, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({version: '8.0.23', seed: 14})
const sent = (from: number) => requestsSince(ctx.sim, from)
const clientKeys = () => YAML.parse(ctx.sim.config.text()).access?.['api-keys'] as string[] | undefined

describe('api-keys on v8: read, modify, PUT access/api-keys', () => {
  it('add: GET the list, PUT it with the new key, read back; the legacy file is migrated (warned)', async () => {
    const before = ctx.sim.getConfig('api-keys') as string[]
    const mine = 'sk-team-ops-v8-0123456789abcdef'
    const from = ctx.sim.httpLog().length
    const r = await runCli(['api-keys', 'add', '--key-stdin', '--json'], {env: ctx.env(), stdin: mine})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({key: mine, changed: true, verified: true, index: before.length})
    expect(r.json.warnings).toEqual([{code: 'config_migrated_to_v8', message: 'this v8 write migrated the gateway config file to the v8 layout (config-version: 8): legacy keys moved, unknown sections commented out; v0 reads of config.yaml now show the new layout'}])
    expect(sent(from)).toEqual(['GET /v8/management/config/access/api-keys', 'PUT /v8/management/config/access/api-keys', 'GET /v8/management/config/access/api-keys'])
    expect(clientKeys()).toEqual([...before, mine])
  })

  it('remove by value: the whole list minus that key is PUT back; upstream groups are not touched', async () => {
    const before = clientKeys()!
    const upstream = YAML.parse(ctx.sim.config.text())['api-keys']
    const from = ctx.sim.httpLog().length
    const r = await runCli(['api-keys', 'remove', before[1], '--yes', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({by: 'value', index: 1, removed: 1, remaining: before.length - 1, verified: true, warnings: []})
    expect(sent(from)).toEqual([
      'GET /v8/management/config/access/api-keys',
      'GET /v8/management/config/access/api-keys',
      'PUT /v8/management/config/access/api-keys',
      'GET /v8/management/config/access/api-keys',
    ])
    expect(clientKeys()).toEqual([before[0], ...before.slice(2)])
    expect(YAML.parse(ctx.sim.config.text())['api-keys']).toEqual(upstream)
  })
})
