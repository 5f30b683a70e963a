// usage export: NDJSON that re-imports as the same events (same event hash), and CSV that parses.
import {chmodSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {parse} from 'csv-parse/sync'
import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {makeRecords, storeWith} from '../../lib/report/helpers.js'

const RANGE = ['--since', '2026-01-01T00:00:00Z', '--until', '2026-01-04T00:00:00Z', '--tz', 'UTC']

describe('cpactl usage export', () => {
  let store: string
  const dir = tempDir('cpactl-export-')

  beforeAll(async () => {
    const s = await storeWith(makeRecords({count: 1500, from: Date.UTC(2026, 0, 1, 3), to: Date.UTC(2026, 0, 3, 20), seed: 9}), 'prod')
    store = s.path
    await s.store.close()
  })

  it('-o means what it means everywhere: an existing file is kept without --force; --force replaces it at 0600', async () => {
    const out = join(dir, 'existing.ndjson')
    writeFileSync(out, 'keep me\n')
    chmodSync(out, 0o644)
    const refused = await runCli(['usage', 'export', '-o', out, '--store', store, '--json'])
    expect(refused.exitCode).toBe(2)
    expect(refused.json.error).toMatchObject({code: 'file_exists', message: `${out} already exists`, hint: 'choose another -o path or pass --force to overwrite'})
    expect(readFileSync(out, 'utf8')).toBe('keep me\n')
    const forced = await runCli(['usage', 'export', '-o', out, '--force', '--store', store, '--json'])
    expect(forced.json).toEqual({format: 'ndjson', output: out, events: 1500, range: {since: null, until: null}})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(1500)
  })

  it('NDJSON to a 0600 file: every event once, oldest first, client keys only as hashes', async () => {
    const out = join(dir, 'all.ndjson')
    const r = await runCli(['usage', 'export', '-o', out, '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toEqual({format: 'ndjson', output: out, events: 1500, range: {since: null, until: null}})
    expect(statSync(out).mode & 0o777).toBe(0o600)
    const text = readFileSync(out, 'utf8')
    const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l))
    expect(lines).toHaveLength(1500)
    expect(new Set(lines.map((l) => l.event_hash)).size).toBe(1500)
    const ts = lines.map((l) => Date.parse(l.timestamp))
    expect(ts).toEqual([...ts].sort((a, b) => a - b))
    expect(lines[0]).toMatchObject({instance: 'prod', api_key_hash: expect.stringMatching(/^[0-9a-f]{64}$/), token_breakdown: {schema_version: 2}})
    expect(text).not.toContain('sk-client')
    expect(text).not.toContain('"api_key"')
    expect(lines[0].client_ip).toBeUndefined()
  })

  it('re-importing an export is idempotent; into an empty store it reproduces the same report', async () => {
    const out = join(dir, 'all.ndjson')
    const again = await runCli(['usage', 'import', out, '--store', store, '--json'])
    expect(again.json).toMatchObject({format: 'cpactl', added: 0, duplicates: 1500, failed: 0})
    const other = join(tempDir('cpactl-export-b-'), 'cpactl.db')
    const imp = await runCli(['usage', 'import', out, '--store', other, '--json'])
    expect(imp.json).toMatchObject({format: 'cpactl', added: 1500, duplicates: 0, failed: 0})
    const a = await runCli(['report', 'models', ...RANGE, '--store', store, '--json'])
    const b = await runCli(['report', 'models', ...RANGE, '--store', other, '--json'])
    expect(b.json.rows).toEqual(a.json.rows)
    const ia = await runCli(['report', 'summary', ...RANGE, '--instance', 'prod', '--store', other, '--json'])
    expect(ia.json.totals.requests).toBe(1500)
  })

  it('--since/--until and CSV (RFC 4180, parses back)', async () => {
    const r = await runCli(['usage', 'export', '--format', 'csv', '--since', '2026-01-02', '--until', '2026-01-03', '--tz', 'UTC', '--store', store])
    expect(r.exitCode).toBe(0)
    const rows = parse(r.stdout, {columns: true}) as Array<Record<string, string>>
    const n = (await runCli(['report', 'summary', '--since', '2026-01-02', '--until', '2026-01-03', '--tz', 'UTC', '--store', store, '--json'])).json.totals
    expect(rows).toHaveLength(n.requests)
    expect(rows.reduce((s, x) => s + Number(x.output_tokens), 0)).toBe(n.outputTokens)
    expect(rows.reduce((s, x) => s + Number(x.total_tokens), 0)).toBe(n.totalTokens)
    expect(rows.every((x) => x.time >= '2026-01-02' && x.time < '2026-01-03')).toBe(true)
    expect(rows.filter((x) => x.failed === 'true').every((x) => x.error !== '')).toBe(true)
  })

  it('--json without -o is a usage error (stdout carries the export)', async () => {
    expect((await runCli(['usage', 'export', '--store', store, '--json'])).exitCode).toBe(2)
  })
})
