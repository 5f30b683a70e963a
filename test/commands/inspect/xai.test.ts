/**
 * `cpactl inspect run` on an xAI (Grok CLI) credential, end to end: the simulator answers the two billing
 * endpoints in the real Grok CLI shapes, and the xAI probe classifies from them.
 */
import {join} from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator, suitePath} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 11})
let storePath: string
/** Arrival time of the current test's first request: earlier requests are not its own. */
let t0 = 0

function env() {
  return {...ctx.env(), CPACTL_STORE: storePath}
}

function xai(): string {
  const files = ctx.sim.accounts.files().filter((f) => f.type === 'xai')
  expect(files).toHaveLength(1)
  return files[0].name
}

function probes(): string[] {
  return ctx.sim
    .httpLog()
    .filter((e) => e.receivedAt >= t0 && e.path.endsWith('/api-call'))
    .map((e) => `${e.method} ${e.path} ${e.status}`)
}

async function inspect(name: string) {
  const res = await runCli(['inspect', 'run', '--provider', 'xai', '--json'], {env: env()})
  expect(res.exitCode).toBe(0)
  expect(res.json.results).toHaveLength(1)
  const result = res.json.results[0]
  expect(result).toMatchObject({name, provider: 'xai', authIndex: ctx.sim.accounts.byName(name)!.authIndex, httpStatus: 200})
  return {res, result}
}

beforeEach(() => {
  storePath = join(tempDir('cpactl-inspect-xai-'), 'cpactl.db')
  const name = xai()
  ctx.sim.accounts.setScenario(name, 'ok')
  if (ctx.sim.accounts.file(name)!.metadata.disabled === true) ctx.sim.accounts.setDisabled(name, false)
  t0 = Date.now()
})

describe('inspect run: xAI', () => {
  it('scenario ok: weekly credits and the monthly allowance are read, classification ok, kept', async () => {
    const name = xai()
    const {res, result} = await inspect(name)
    expect(result).toMatchObject({classification: 'ok', action: 'keep', actionTaken: null})
    expect(result.windows.short).toMatchObject({id: 'credits', label: '7d', windowSeconds: 604_800})
    expect(result.windows.long).toMatchObject({id: 'monthly', label: '30d', windowSeconds: 2_592_000})
    expect(result.windows.short.usedPercent).toBeLessThan(90)
    expect(result.windows.long.usedPercent).toBeLessThan(80)
    expect(result.windows.extra.map((w: any) => w.id)).toEqual(['product.GrokBuild'])
    expect(Date.parse(result.windows.short.resetsAt)).toBeGreaterThan(t0)
    expect(Date.parse(result.windows.long.resetsAt)).toBeGreaterThan(t0)
    expect(result.reason).toMatch(/^quota 7d \d+% \(resets .+\), 30d \d+% \(resets .+\)$/)
    expect(res.json.summary).toMatchObject({total: 1, probed: 1, probeFailed: 0, disabled: 0})
    // both billing endpoints asked, through /api-call
    const apiCall = suitePath('POST', '/api-call')
    expect(probes()).toEqual([`POST ${apiCall} 200`, `POST ${apiCall} 200`])
  })

  it('scenario long_exhausted: the spent monthly allowance is quota_exhausted, action disable', async () => {
    const name = xai()
    ctx.sim.accounts.setScenario(name, 'long_exhausted')
    const {result} = await inspect(name)
    expect(result).toMatchObject({
      classification: 'quota_exhausted',
      action: 'disable',
      actionTaken: null,
      windows: {short: {id: 'credits', usedPercent: 100}, long: {id: 'monthly', label: '30d', usedPercent: 100}},
    })
    expect(result.reason).toMatch(/^long window 30d at 100% \(threshold 100%\), resets /)
    // no --apply: nothing written
    expect(ctx.sim.accounts.file(name)!.metadata.disabled).not.toBe(true)
  })

  it('scenario short_exhausted: a full weekly pool alone is quota_exhausted but kept', async () => {
    const name = xai()
    ctx.sim.accounts.setScenario(name, 'short_exhausted')
    const {result} = await inspect(name)
    expect(result).toMatchObject({classification: 'quota_exhausted', action: 'keep', windows: {short: {usedPercent: 100}}})
    expect(result.windows.long.usedPercent).toBeLessThan(100)
  })
})
