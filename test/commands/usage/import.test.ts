// usage import: the collector's ingest path and event hash make every import idempotent, whatever the format.
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {useSimulator} from '../../helpers/sim.js'
import {makeRecords} from '../../lib/report/helpers.js'

const fixture = (name: string) => new URL(`../../fixtures/usage/${name}`, import.meta.url).pathname
const ALL = ['--since', '2020-01-01', '--until', '2030-01-01', '--tz', 'UTC', '--json']

describe('cpactl usage import', () => {
  const ctx = useSimulator({seed: 31})
  const dir = tempDir('cpactl-import-')

  it('records the gateway published and the collector already stored come back as duplicates', async () => {
    const store = join(dir, 'a.db')
    const recs = ctx.sim.generate(300)
    const file = join(dir, 'raw.ndjson')
    writeFileSync(file, recs.map((r) => r.payload).join('\n') + '\n')
    const c = await runCli(['collect', '--store', store, '--json'], {env: ctx.env()})
    expect(c.json.inserted).toBe(300)
    const r = await runCli(['usage', 'import', file, '--instance', c.json.instance, '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({format: 'gateway', added: 0, duplicates: 300, failed: 0})
    // a JSON array of the same records into a fresh store: all added, totals equal the generator's
    const arr = join(dir, 'raw.json')
    writeFileSync(arr, JSON.stringify(recs.map((x) => JSON.parse(x.payload))))
    const fresh = join(dir, 'b.db')
    const r2 = await runCli(['usage', 'import', arr, '--instance', 'x', '--store', fresh, '--json'])
    expect(r2.json).toMatchObject({format: 'gateway', added: 300, duplicates: 0})
    const s = await runCli(['report', 'summary', ...ALL, '--store', fresh])
    expect(s.json.totals.requests).toBe(300)
    // what each record's breakdown says, unclassified tokens included
    expect(s.json.totals.totalTokens).toBe(recs.reduce((a, x) => a + x.breakdown.uncached + x.breakdown.cacheRead + x.breakdown.cacheWrite + x.breakdown.nonReasoning + x.breakdown.reasoning + (x.breakdown.unclassified ?? 0), 0))
  })

  it("the leading panel's JSONL export: tokens re-normalised per provider, hand-checked", async () => {
    const store = join(dir, 'c.db')
    const r = await runCli(['usage', 'import', fixture('cpamp-export.jsonl'), '--instance', 'old-panel', '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({format: 'cpamp', added: 3, duplicates: 0, failed: 0})
    const s = (await runCli(['report', 'summary', ...ALL, '--store', store])).json.totals
    // codex 12000 in (9000 cached) / 800 out (300 reasoning); claude 1000 + 20000 read + 5000 write / 700; codex failed 500 / 0
    expect([s.requests, s.failed, s.inputTokens, s.cacheReadTokens, s.cacheWriteTokens, s.outputTokens, s.reasoningTokens, s.totalTokens]).toEqual([3, 1, 4500, 29000, 5000, 1500, 300, 40000])
    const again = await runCli(['usage', 'import', fixture('cpamp-export.jsonl'), '--instance', 'old-panel', '--store', store, '--json'])
    expect(again.json).toMatchObject({added: 0, duplicates: 3})
    const f = (await runCli(['report', 'failures', ...ALL, '--store', store])).json.rows
    expect(f).toEqual([expect.objectContaining({statusCode: 401, model: 'gpt-5', failures: 1, credentialClass: 'reauth'})])
  })

  it('the legacy gateway /usage export: request details imported with a warning; aggregate-only files refused', async () => {
    const store = join(dir, 'd.db')
    const r = await runCli(['usage', 'import', fixture('legacy-usage-export.json'), '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({format: 'legacy-usage', added: 3, duplicates: 0, failed: 0})
    expect(r.json.warnings.map((w: {code: string}) => w.code)).toContain('legacy_usage_partial')
    expect(r.stderr).toMatch(/legacy \/usage export/)
    const s = (await runCli(['report', 'summary', ...ALL, '--store', store])).json.totals
    expect([s.requests, s.failed, s.inputTokens, s.cacheReadTokens, s.outputTokens, s.reasoningTokens, s.totalTokens]).toEqual([3, 1, 2400, 1500, 700, 100, 4600])
    expect((await runCli(['usage', 'import', fixture('legacy-usage-export.json'), '--store', store, '--json'])).json).toMatchObject({added: 0, duplicates: 3})
    const agg = await runCli(['usage', 'import', fixture('legacy-usage-aggregate-only.json'), '--store', store, '--json'])
    expect(agg.exitCode).toBe(2)
    expect(agg.json.error).toMatchObject({code: 'aggregate_only_export'})
    expect(agg.json.error.message).toMatch(/without request details/)
  })

  it('bad lines are counted as failed and kept as dead letters; several files in one call', async () => {
    const store = join(dir, 'e.db')
    const good = makeRecords({count: 20, from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2)})
    const f1 = join(dir, 'mixed.ndjson')
    writeFileSync(f1, [...good.slice(0, 10).map((x) => JSON.stringify(x)), '{"timestamp": "yesterday", "tokens": {}}', 'not json'].join('\n'))
    const f2 = join(dir, 'more.ndjson')
    writeFileSync(f2, good.slice(10).map((x) => JSON.stringify(x)).join('\r\n'))
    const r = await runCli(['usage', 'import', f1, f2, '--instance', 'lab', '--store', store, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({format: 'gateway', added: 20, duplicates: 0, failed: 2})
    expect(r.json.files.map((x: {records: number}) => x.records)).toEqual([12, 10])
    const dl = await runCli(['store', 'dead-letters', 'list', '--store', store, '--json'])
    expect(dl.json).toHaveLength(2)
    expect((await runCli(['usage', 'import', join(dir, 'nope.ndjson'), '--store', store])).exitCode).toBe(2)
  })
})
