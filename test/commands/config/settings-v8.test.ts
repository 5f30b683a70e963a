/**
 * Simple settings on a v8 gateway: `config get/set` and `usage enable/disable` use
 * the v8 config paths (bare values; a 404 means "absent, the default applies"), `quota-exceeded.*` stay on v0
 * (no v8 name), and the first v8 write migrates a legacy file (warned).
 */
import {describe, expect, it} from 'vitest'
import YAML from 'yaml'

import {runCli} from '../../helpers/run.js'
import {mgmt, useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({version: '8.0.23', seed: 6, usageStatisticsEnabled: false})
const sent = (from: number) => ctx.sim.httpLog().slice(from).map((e) => `${e.method} ${e.path}`)

describe('settings on a v8 gateway', () => {
  it('config get reads the v8 path; a key absent from the file reports the default and exits 1', async () => {
    const from = ctx.sim.httpLog().length
    const r = await runCli(['config', 'get', 'usage-statistics-enabled', '--json'], {env: ctx.env()})
    expect(r.json).toMatchObject({key: 'observability.usage.usage-statistics-enabled', legacy: 'usage-statistics-enabled', found: true, value: false, source: 'config-tree'})
    expect(sent(from)).toContain('GET /v8/management/config/observability/usage/usage-statistics-enabled')
    // max-retry-credentials is not in the file: the v8 tree answers 404 not_found, the default (0) applies
    const absent = await runCli(['config', 'get', 'max-retry-credentials', '--json'], {env: ctx.env()})
    expect(absent.exitCode).toBe(1)
    expect(absent.json).toMatchObject({found: false, value: 0, source: 'default'})
    expect((await mgmt(ctx.sim, 'GET', '//v8/management/config/routing/retry/max-retry-credentials')).status).toBe(404)
  })

  it('usage enable writes the bare value to the v8 path, migrates the legacy file and says so', async () => {
    expect(YAML.parse(ctx.sim.config.text())['config-version']).toBeUndefined()
    const from = ctx.sim.httpLog().length
    const r = await runCli(['usage', 'enable', '--json'], {env: ctx.env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toMatchObject({enabled: true, previous: false, changed: true})
    expect(sent(from)).toContain('PUT /v8/management/config/observability/usage/usage-statistics-enabled')
    expect(r.stderr).toContain('migrated the gateway config file to the v8 layout')
    const file = YAML.parse(ctx.sim.config.text())
    expect(file['config-version']).toBe(8)
    expect(file.observability.usage['usage-statistics-enabled']).toBe(true)
    expect(ctx.sim.publishing()).toBe(true)
    // a second write finds the file migrated: no warning
    const off = await runCli(['usage', 'disable', '--yes'], {env: ctx.env()})
    expect(off.stderr).not.toContain('migrated')
    expect(ctx.sim.publishing()).toBe(false)
  })

  it('config set: v8 path with the canonical strategy name; quota-exceeded (no v8 name) stays on v0', async () => {
    const from = ctx.sim.httpLog().length
    const r = await runCli(['config', 'set', 'routing.strategy', 'wrr', '--json'], {env: ctx.env()})
    expect(r.json).toMatchObject({via: 'config-tree', value: 'weighted-round-robin', verified: true})
    expect(YAML.parse(ctx.sim.config.text()).routing.strategy).toBe('weighted-round-robin')
    const retry = await runCli(['config', 'set', 'request-retry', '5', '--json'], {env: ctx.env()})
    expect(retry.json).toMatchObject({previous: 3, value: 5, verified: true})
    expect(YAML.parse(ctx.sim.config.text()).routing.retry['request-retry']).toBe(5)
    const q = await runCli(['config', 'set', 'quota-exceeded.switch-project', 'false', '--json'], {env: ctx.env()})
    expect(q.json).toMatchObject({value: false, verified: true})
    const writes = sent(from).filter((l) => !l.startsWith('GET'))
    expect(writes).toEqual([
      'PUT /v8/management/config/routing/strategy',
      'PUT /v8/management/config/routing/retry/request-retry',
      'PUT /v0/management/quota-exceeded/switch-project',
    ])
  })
})
