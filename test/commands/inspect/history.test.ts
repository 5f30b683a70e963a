/**
 * `cpactl inspect history` and `cpactl inspect show`: stored runs read back from the store.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'

const ctx = useSimulator({seed: 12})
let storePath: string
const env = () => ({...ctx.env(), CPACTL_STORE: storePath})
let first: any
let second: any

beforeAll(async () => {
  storePath = join(tempDir('cpactl-inspect-history-'), 'cpactl.db')
  for (const f of ctx.sim.accounts.files()) ctx.sim.accounts.setScenario(f.name, 'ok')
  const codex = ctx.sim.accounts.files().filter((f) => f.type === 'codex').map((f) => f.name).sort()
  ctx.sim.accounts.setScenario(codex[0], 'server_error')
  first = (await runCli(['inspect', 'run', '--provider', 'codex', '--json'], {env: env()})).json
  ctx.sim.accounts.setScenario(codex[0], 'long_exhausted')
  second = (await runCli(['inspect', 'run', '--provider', 'claude,codex', '--apply', 'disable', '--json'], {env: env()})).json
})

describe('inspect history', () => {
  it('lists runs newest first with their summaries', async () => {
    const res = await runCli(['inspect', 'history', '--json'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(res.json.map((r: any) => r.id)).toEqual([second.run.id, first.run.id])
    expect(res.json[0]).toEqual({
      id: second.run.id,
      instance: `127.0.0.1:${ctx.sim.port}`,
      trigger: 'inspect',
      startedAt: second.run.startedAt,
      finishedAt: second.run.finishedAt,
      status: 'completed',
      applied: 'disable',
      threshold: 100,
      providers: ['claude', 'codex'],
      summary: second.summary,
      error: null,
    })
    expect(res.json[1].summary.probeFailed).toBe(1)
    expect(second.summary.disabled).toBe(1)
  })

  it('honours --limit and prints a table', async () => {
    expect((await runCli(['inspect', 'history', '--limit', '1', '--json'], {env: env()})).json.map((r: any) => r.id)).toEqual([second.run.id])
    const res = await runCli(['inspect', 'history'], {env: env()})
    const lines = res.stdout.trim().split('\n')
    expect(lines[0].split('\t')).toEqual(['RUN', 'STARTED', 'INSTANCE', 'TRIGGER', 'APPLY', 'STATUS', 'TOTAL', 'FAILED', 'EXHAUSTED', 'DISABLED', 'ENABLED'])
    expect(lines[1].split('\t')).toEqual([String(second.run.id), second.run.startedAt, `127.0.0.1:${ctx.sim.port}`, 'inspect', 'disable', 'completed', '6', '0', '1', '1', '0'])
    expect(lines).toHaveLength(3)
  })

  it('is an empty list on a fresh store', async () => {
    const res = await runCli(['inspect', 'history', '--json'], {env: {...env(), CPACTL_STORE: join(tempDir(), 'fresh.db')}})
    expect(res.exitCode).toBe(0)
    expect(res.json).toEqual([])
  })
})

describe('inspect show', () => {
  it('prints the document inspect run printed', async () => {
    const res = await runCli(['inspect', 'show', String(first.run.id), '--json'], {env: env()})
    expect(res.exitCode).toBe(0)
    expect(res.json).toEqual({...first, status: 'completed'})
    const latest = await runCli(['inspect', 'show', 'latest', '--json'], {env: env()})
    expect(latest.json).toEqual({...second, status: 'completed'})
  })

  it('renders the result table', async () => {
    const res = await runCli(['inspect', 'show', String(second.run.id)], {env: env()})
    const lines = res.stdout.trim().split('\n')
    expect(lines[0].startsWith('NAME\tPROVIDER\tPLAN')).toBe(true)
    expect(lines).toHaveLength(1 + second.results.length)
    expect(res.stderr).toContain('1 disabled, 0 enabled')
  })

  it('an unknown or malformed run is a usage error', async () => {
    const missing = await runCli(['inspect', 'show', '999', '--json'], {env: env()})
    expect(missing.exitCode).toBe(2)
    expect(missing.json.error.code).toBe('run_not_found')
    expect((await runCli(['inspect', 'show', 'yesterday'], {env: env()})).exitCode).toBe(2)
  })
})

describe('store copy keeps the inspection history', () => {
  it('SQLite → SQLite: the same runs, and each run shows the same results', async () => {
    const copy = join(tempDir('cpactl-inspect-copy-'), 'copy.db')
    const res = await runCli(['store', 'copy', '--from', storePath, '--to', copy, '--json'], {env: env()})
    expect(res.exitCode, res.stderr).toBe(0)
    expect(res.json.rows).toMatchObject({inspection_runs: 2, inspection_results: first.results.length + second.results.length})
    const history = async (store: string) => (await runCli(['inspect', 'history', '--store', store, '--json'], {env: env()})).json
    expect(await history(copy)).toEqual(await history(storePath))
    const show = async (store: string, id: number) => (await runCli(['inspect', 'show', String(id), '--store', store, '--json'], {env: env()})).json
    // run ids are the destination's own; the documents match
    const copied = await history(copy)
    expect((await show(copy, copied[0].id)).results).toEqual((await show(storePath, second.run.id)).results)
  })
})
