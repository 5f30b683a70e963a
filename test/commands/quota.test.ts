/**
 * `cpactl quota`: latest windows per account from the store, headroom order, reset times in --tz, usage
 * collected since each window started, and --refresh (fresh, stored, report-only probes).
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {openStore} from '../../src/lib/store/index.js'
import {runCli, tempDir} from '../helpers/run.js'
import {startTestSimulator, TEST_MANAGEMENT_KEY, useSimulator} from '../helpers/sim.js'

const ctx = useSimulator({seed: 13})
let storePath: string
const env = () => ({...ctx.env(), CPACTL_STORE: storePath})
let codex: string[]
let claude: string[]
let inspected: any
/** Requests the usage test stored per window of codex[0]: [short, long]. */
let expected: [number, number] = [0, 0]

/** A gateway usage record of `total` tokens for a credential at an instant. */
function record(authIndex: string, at: number, i: number): Record<string, unknown> {
  return {
    timestamp: new Date(at).toISOString(),
    provider: 'codex',
    model: 'gpt-5-codex',
    endpoint: 'POST /v1/responses',
    auth_type: 'oauth',
    auth_index: authIndex,
    source: 'someone@example.com',
    request_id: `q${String(i).padStart(7, '0')}`,
    latency_ms: 900,
    failed: false,
    tokens: {input_tokens: 100, output_tokens: 20, reasoning_tokens: 0, cached_tokens: 0, total_tokens: 120},
  }
}

beforeAll(async () => {
  storePath = join(tempDir('cpactl-quota-'), 'cpactl.db')
  for (const f of ctx.sim.accounts.files()) ctx.sim.accounts.setScenario(f.name, 'ok')
  codex = ctx.sim.accounts.files().filter((f) => f.type === 'codex').map((f) => f.name).sort()
  claude = ctx.sim.accounts.files().filter((f) => f.type === 'claude').map((f) => f.name).sort()
  ctx.sim.accounts.setScenario(codex[1], 'long_exhausted')
  ctx.sim.accounts.setScenario(codex[2], 'short_exhausted')
  ctx.sim.accounts.setScenario(codex[3], 'revoked')
  inspected = (await runCli(['inspect', 'run', '--provider', 'codex,claude,vertex', '--json'], {env: env()})).json
  expect(inspected.summary.total).toBe(7)
})

describe('quota', () => {
  it('shows the latest windows per account, least headroom first, without contacting the gateway', async () => {
    ctx.sim.clearLogs()
    const res = await runCli(['quota', '--json', '--tz', 'UTC'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(ctx.sim.httpLog()).toEqual([])
    // vertex was skipped (no probe), so it has no quota row
    expect(res.json.map((r: any) => r.name).sort()).toEqual([...codex, ...claude].sort())
    const headrooms = res.json.map((r: any) => r.headroomPercent)
    const known = headrooms.filter((h: number | null) => h !== null)
    expect(known).toEqual([...known].sort((a: number, b: number) => a - b))
    // the revoked account has no windows: unknown headroom sorts last
    expect(res.json[res.json.length - 1]).toMatchObject({name: codex[3], classification: 'reauth', headroomPercent: null, windows: {short: null, long: null, extra: []}})
    expect(res.json.slice(0, 2).map((r: any) => r.headroomPercent)).toEqual([0, 0])
    expect(res.json.slice(0, 2).map((r: any) => r.name).sort()).toEqual([codex[1], codex[2]].sort())
    const row = res.json.find((r: any) => r.name === codex[0])
    const fromRun = inspected.results.find((r: any) => r.name === codex[0])
    expect(row).toMatchObject({provider: 'codex', authIndex: fromRun.authIndex, plan: fromRun.plan, classification: 'ok', runId: inspected.run.id, checkedAt: fromRun.checkedAt})
    expect(row.headroomPercent).toBe(100 - Math.max(fromRun.windows.short.usedPercent, fromRun.windows.long.usedPercent))
    expect(row.windows.long).toEqual({...fromRun.windows.long, resetsAtLocal: fromRun.windows.long.resetsAt.replace('.000Z', 'Z'), requests: 0, tokens: 0})
  })

  it('works as the cron filter from the README', async () => {
    const res = await runCli(['quota', '--json'], {env: env()})
    const over90 = res.json.filter((r: any) => r.windows.long && r.windows.long.usedPercent > 90).map((r: any) => r.name)
    expect(over90).toEqual([codex[1]])
  })

  it('counts the requests and tokens collected since each window started', async () => {
    const ok = inspected.results.find((r: any) => r.name === codex[0])
    const shortStart = Date.parse(ok.windows.short.startedAt)
    const longStart = Date.parse(ok.windows.long.startedAt)
    const instance = `127.0.0.1:${ctx.sim.port}`
    const store = await openStore({path: storePath})
    try {
      const at = [
        shortStart - 1000, // before the short window: long only
        shortStart + 1000, // first (partial) hour of the short window: read from raw events
        shortStart + 2 * 3_600_000, // a whole hour later: read from the hourly rollup
        longStart - 1000, // before both windows
        longStart + 1000,
      ]
      const other = inspected.results.find((r: any) => r.name === codex[1]).authIndex
      const records = [...at.map((t, i) => record(ok.authIndex, t, i)), record(other, shortStart + 5000, 99)]
      // windows are anchored per credential: compute which instants fall inside each one
      expected = [at.filter((t) => t >= shortStart).length, at.filter((t) => t >= longStart).length]
      expect(expected[0]).toBeGreaterThanOrEqual(2)
      const ingested = await store.events.ingest(instance, records)
      expect(ingested.added).toBe(6)
      // usage of another gateway (instance) never counts
      await store.events.ingest('elsewhere:8317', [record(ok.authIndex, shortStart + 7000, 50)])
    } finally {
      await store.close()
    }
    const res = await runCli(['quota', '--json', '--account', codex[0]], {env: env()})
    expect(res.json).toHaveLength(1)
    const w = res.json[0].windows
    expect([w.short.requests, w.short.tokens]).toEqual([expected[0], expected[0] * 120])
    expect([w.long.requests, w.long.tokens]).toEqual([expected[1], expected[1] * 120])
  })

  it('renders reset times in --tz and a table with the usage next to each window', async () => {
    const json = await runCli(['quota', '--json', '--tz', 'Asia/Kolkata', '--provider', 'claude'], {env: env()})
    expect(json.json.map((r: any) => r.provider)).toEqual(['claude', 'claude'])
    for (const r of json.json) {
      expect(r.windows.long.resetsAtLocal).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/)
      expect(Date.parse(r.windows.long.resetsAtLocal)).toBe(Date.parse(r.windows.long.resetsAt))
    }
    const table = await runCli(['quota', '--tz', 'Asia/Kolkata', '--account', codex[0]], {env: env()})
    const lines = table.stdout.trim().split('\n')
    expect(lines[0].split('\t')).toEqual([
      'NAME',
      'PROVIDER',
      'PLAN',
      'HEADROOM',
      'SHORT',
      'RESETS (Asia/Kolkata)',
      'SINCE START',
      'LONG',
      'RESETS (Asia/Kolkata)',
      'SINCE START',
      'STATUS',
      'CHECKED',
    ])
    const cells = lines[1].split('\t')
    expect(cells[0]).toBe(codex[0])
    expect(cells[6]).toBe(`${expected[0] * 120} tok / ${expected[0]} req`)
    expect(cells[9]).toBe(`${expected[1] * 120} tok / ${expected[1]} req`)
    expect((await runCli(['quota', '--tz', 'Mars/Olympus'], {env: env()})).exitCode).toBe(2)
  })

  it('--refresh probes now, stores a quota run, and shows the fresh windows', async () => {
    ctx.sim.accounts.setScenario(claude[0], 'long_exhausted')
    ctx.sim.clearLogs()
    const res = await runCli(['quota', '--refresh', '--provider', 'claude', '--json'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(ctx.sim.httpLog().filter((e) => e.path.endsWith('/api-call'))).toHaveLength(2)
    expect(ctx.sim.httpLog().filter((e) => e.method === 'PATCH')).toEqual([])
    expect(res.json[0]).toMatchObject({name: claude[0], classification: 'quota_exhausted', headroomPercent: 0})
    const history = await runCli(['inspect', 'history', '--limit', '1', '--json'], {env: env()})
    expect(history.json[0]).toMatchObject({trigger: 'quota', applied: 'none', providers: ['claude']})
    expect(res.json[0].runId).toBe(history.json[0].id)
  })

  it('is an empty list before any inspection', async () => {
    const res = await runCli(['quota', '--json'], {env: {...env(), CPACTL_STORE: join(tempDir(), 'empty.db')}})
    expect(res.exitCode).toBe(0)
    expect(res.json).toEqual([])
  })
})

describe('quota --refresh with the gateway quota fetch (early 8.0.x builds)', () => {
  it('codex windows come from POST /credentials/quota/fetch, the same figures the upstream probe reads; claude keeps its /api-call probe', async () => {
    // the quota provider is the scripted quota plugin (plugins on)
    const early = await startTestSimulator({version: '8.0.4', v8Revision: 'early', seed: 13, plugins: true})
    const later = await startTestSimulator({version: '8.0.30', seed: 13, authDir: early.accounts.authDir, now: () => Date.now()})
    try {
      for (const s of [early, later]) for (const f of s.accounts.files()) s.accounts.setScenario(f.name, 'ok')
      const codexName = early.accounts.files().find((f) => f.type === 'codex')!.name
      early.accounts.setScenario(codexName, 'long_exhausted')
      later.accounts.setScenario(codexName, 'long_exhausted')
      const run = async (s: typeof early) =>
        runCli(['quota', '--refresh', '--provider', 'codex,claude', '--json', '--tz', 'UTC'], {
          env: {CPA_URL: s.url, CPA_MANAGEMENT_KEY: TEST_MANAGEMENT_KEY, CPACTL_STORE: join(tempDir('cpactl-quota-gw-'), 'cpactl.db')},
        })
      const viaGateway = await run(early)
      expect(viaGateway.exitCode, viaGateway.stderr).toBe(0)
      const paths = early.httpLog().map((e) => `${e.method} ${e.path}`)
      const fetches = paths.filter((p) => p === 'POST /v8/management/credentials/quota/fetch')
      const codexCount = early.accounts.files().filter((f) => f.type === 'codex').length
      expect(fetches).toHaveLength(codexCount)
      const apiCalls = paths.filter((p) => p === 'POST /v8/management/requests/api-call')
      expect(apiCalls).toHaveLength(early.accounts.files().filter((f) => f.type === 'claude').length)
      const row = viaGateway.json.find((r: {name: string}) => r.name === codexName)
      expect(row.reason).toContain("the gateway's quota fetch, plugin sim-quota")
      expect(row.windows.long).toMatchObject({label: '7d', usedPercent: 100, windowSeconds: 604_800})
      // a later build has no quota routes (bare 404): the same account through the upstream probe, same figures
      const viaProbe = await run(later)
      expect(later.httpLog().some((e) => e.path.includes('/quota/fetch'))).toBe(false)
      const probed = viaProbe.json.find((r: {name: string}) => r.name === codexName)
      expect(probed.windows.long.usedPercent).toBe(100)
      expect(probed.windows.short.usedPercent).toBe(row.windows.short.usedPercent)
      expect(probed.windows.long.resetsAt).toBe(row.windows.long.resetsAt)
    } finally {
      await early.close()
      await later.close()
    }
  })
})
