/**
 * The one time-zone policy (issue 14), at command level: a zone is echoed as the user spelled it, never as
 * ICU's canonical name (Intl turns Asia/Kolkata into Asia/Calcutta), whether it comes from --tz or from the
 * profile; letter case alone is corrected; an unknown zone is a usage error.
 */
import {join} from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../helpers/run.js'
import {TEST_MANAGEMENT_KEY, useSimulator} from '../helpers/sim.js'

const NOW = Date.UTC(2026, 2, 9, 12, 0)
const ctx = useSimulator({seed: 5, now: () => NOW})
const store = join(tempDir('cpactl-tz-'), 'cpactl.db')
const RANGE = ['--since', '2026-03-08', '--until', '2026-03-10', '--store', store]

beforeAll(async () => {
  ctx.sim.preload(50, {spreadMs: 3_600_000})
  const r = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
  expect(r.exitCode, r.stderr).toBe(0)
})

describe('time zones', () => {
  it('report JSON keeps --tz Asia/Kolkata as written (not Asia/Calcutta), with +05:30 local instants', async () => {
    const r = await runCli(['report', 'summary', ...RANGE, '--tz', 'Asia/Kolkata', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.range).toEqual({
      since: '2026-03-07T18:30:00.000Z',
      until: '2026-03-09T18:30:00.000Z',
      tz: 'Asia/Kolkata',
      sinceLocal: '2026-03-08T00:00:00+05:30',
      untilLocal: '2026-03-10T00:00:00+05:30',
    })
    const t = await runCli(['report', 'timeline', ...RANGE, '--tz', 'Europe/Kyiv', '--granularity', 'day', '--json'])
    expect(t.exitCode, t.stderr).toBe(0)
    expect(t.json.range.tz).toBe('Europe/Kyiv')
    expect(t.json.rows.map((row: {bucket: string}) => row.bucket)).toEqual(['2026-03-08', '2026-03-09'])
  })

  it('corrects only the letter case, and rejects unknown zones with exit 2', async () => {
    const lower = await runCli(['report', 'summary', ...RANGE, '--tz', 'asia/calcutta', '--json'])
    expect(lower.json.range.tz).toBe('Asia/Calcutta')
    const utc = await runCli(['report', 'summary', ...RANGE, '--tz', 'utc', '--json'])
    expect(utc.json.range.tz).toBe('UTC')
    const bad = await runCli(['report', 'summary', ...RANGE, '--tz', 'Mars/Olympus', '--json'])
    expect(bad.exitCode).toBe(2)
    expect(bad.json.error.code).toBe('invalid_time_zone')
  })

  it("a profile's tz is stored and used as written", async () => {
    const configDir = tempDir('cpactl-tz-profile-')
    const env = {CPACTL_CONFIG_DIR: configDir}
    const login = await runCli(
      ['login', '--url', ctx.sim.url, '--profile', 'in', '--management-key-stdin', '--insecure-storage', '--tz', 'Asia/Kolkata', '--json'],
      {env, stdin: TEST_MANAGEMENT_KEY},
    )
    expect(login.exitCode, login.stderr).toBe(0)
    const list = await runCli(['profiles', 'list', '--json'], {env})
    expect(list.json.map((p: {tz: string}) => p.tz)).toEqual(['Asia/Kolkata'])
    const r = await runCli(['report', 'summary', ...RANGE, '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json.range.tz).toBe('Asia/Kolkata')
    const bad = await runCli(['login', '--url', ctx.sim.url, '--profile', 'x', '--management-key-stdin', '--tz', 'Asia/Nowhere'], {
      env,
      stdin: TEST_MANAGEMENT_KEY,
    })
    expect(bad.exitCode).toBe(2)
    expect(`${bad.error?.message}${bad.stderr}`).toContain("unknown time zone 'Asia/Nowhere'")

    // profiles remove confirms like every destructive command: exit 2 without --yes and without a terminal
    const unconfirmed = await runCli(['profiles', 'remove', 'in', '--json'], {env})
    expect([unconfirmed.exitCode, unconfirmed.json.error.code]).toEqual([2, 'confirmation_required'])
    expect((await runCli(['profiles', 'list', '--json'], {env})).json).toHaveLength(1)
    const rm = await runCli(['profiles', 'remove', 'in', '--yes', '--json'], {env})
    expect(rm.json).toEqual({profile: 'in', keysRemovedFrom: ['file']})
  })
})
