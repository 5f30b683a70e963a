// prices list | set | remove | import | missing | export, against a real store file.
import {readFileSync, statSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {makeRecords, storeWith} from '../../lib/report/helpers.js'

const fixture = (name: string) => new URL(`../../fixtures/prices/${name}`, import.meta.url).pathname

describe('cpactl prices', () => {
  const store = join(tempDir('cpactl-prices-'), 'cpactl.db')
  const run = (argv: string[]) => runCli([...argv, '--store', store])

  it('set creates a manual price; a new model needs --input and --output', async () => {
    const bad = await run(['prices', 'set', 'gpt-5', '--input', '1.25', '--json'])
    expect(bad.exitCode).toBe(2)
    expect(bad.json.error.code).toBe('missing_price_flags')
    const r = await run(['prices', 'set', 'gpt-5', '--input', '1.25', '--cache-read', '0.125', '--output', '10', '--service-tier', 'priority=2.5', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({model: 'gpt-5', input: 1.25, cacheRead: 0.125, cacheWrite: null, output: 10, reasoning: null, tiers: [], serviceTiers: {priority: {multiplier: 2.5}}, source: 'manual'})
    // an update keeps what it does not set; --tier replaces the tiers
    const u = await run(['prices', 'set', 'gpt-5', '--output', '12', '--tier', '272k:input=2.5,output=15', '--json'])
    expect(u.json).toMatchObject({input: 1.25, output: 12, tiers: [{above: 272_000, input: 2.5, output: 15}], serviceTiers: {priority: {multiplier: 2.5}}})
  })

  it('rejects malformed rates and tiers as usage errors', async () => {
    for (const argv of [
      ['prices', 'set', 'x', '--input', '-1', '--output', '1'],
      ['prices', 'set', 'x', '--input', 'abc', '--output', '1'],
      ['prices', 'set', 'x', '--input', '1', '--output', '1', '--tier', 'big:input=2'],
      ['prices', 'set', 'x', '--input', '1', '--output', '1', '--tier', '200k:price=2'],
      ['prices', 'set', 'x', '--input', '1', '--output', '1', '--service-tier', 'default=2'],
    ]) {
      expect((await run(argv)).exitCode, argv.join(' ')).toBe(2)
    }
  })

  it('import LiteLLM (per token → per 1M) keeps manual prices unless --overwrite', async () => {
    const dry = await run(['prices', 'import', fixture('litellm-sample.json'), '--dry-run', '--json'])
    expect(dry.json).toMatchObject({format: 'litellm', read: 3, added: 2, updated: 0, keptManual: ['gpt-5'], dryRun: true})
    expect((await run(['prices', 'list', '--json'])).json.map((p: {model: string}) => p.model)).toEqual(['gpt-5'])
    const r = await run(['prices', 'import', fixture('litellm-sample.json'), '--json'])
    expect(r.json).toMatchObject({added: 2, updated: 0, unchanged: 0, keptManual: ['gpt-5']})
    expect(r.stderr).toMatch(/manual prices kept for gpt-5/)
    const list = (await run(['prices', 'list', '--json'])).json as Array<{model: string; source: string; output: number}>
    expect(list.map((p) => [p.model, p.source])).toEqual([['claude-sonnet-4-5', 'litellm'], ['gpt-5', 'manual'], ['o3-mini', 'litellm']])
    const again = await run(['prices', 'import', fixture('litellm-sample.json'), '--json'])
    expect(again.json).toMatchObject({added: 0, updated: 0, unchanged: 2})
    const over = await run(['prices', 'import', fixture('litellm-sample.json'), '--overwrite', '--json'])
    expect(over.json).toMatchObject({updated: 1, keptManual: []})
    expect((await run(['prices', 'list', '--source', 'litellm', '--json'])).json.find((p: {model: string}) => p.model === 'gpt-5').output).toBe(10)
  })

  it('import models.dev and the bundled catalogue (offline), with --only', async () => {
    const md = await run(['prices', 'import', fixture('models-dev-sample.json'), '--only', 'gemini-2.5-pro', '--only', 'nope', '--json'])
    expect(md.json).toMatchObject({format: 'models.dev', read: 1, added: 1, notFound: ['nope']})
    // a manual price for a model the supplement has survives the import
    expect((await run(['prices', 'set', 'gpt-5.1', '--input', '1', '--output', '8', '--json'])).exitCode).toBe(0)
    const human = await run(['prices', 'import', '--bundled', '--dry-run'])
    expect(human.stdout).toMatch(/^from the cpactl supplement +17$/m)
    const b = await run(['prices', 'import', '--bundled', '--json'])
    expect(b.exitCode, b.stderr).toBe(0)
    expect(b.json.format).toBe('bundled')
    expect(b.json.added).toBeGreaterThan(300)
    expect(b.json).toMatchObject({supplemented: 17, keptManual: ['gpt-5.1']})
    expect(b.stderr).toMatch(/manual prices kept for gpt-5\.1/)
    const list = (await run(['prices', 'list', '--json'])).json as Array<Record<string, unknown>>
    const by = new Map(list.map((p) => [p.model, p]))
    // from the supplement: its figures and source
    expect(by.get('claude-sonnet-4-5-20250929')).toMatchObject({
      input: 3,
      cacheRead: 0.3,
      cacheWrite: 3.75,
      output: 15,
      reasoning: null,
      tiers: [{above: 200_000, input: 6, cacheRead: 0.6, cacheWrite: 7.5, output: 22.5}],
      source: 'cpactl-catalog',
      sourceModel: 'anthropic/claude-sonnet-4-5-20250929',
    })
    expect(by.get('gemini-3-pro-preview')).toMatchObject({input: 2, cacheRead: 0.2, cacheWrite: null, output: 12, source: 'cpactl-catalog'})
    // in the snapshot: the snapshot's figures
    expect(by.get('claude-opus-4-1-20250805')).toMatchObject({input: 15, cacheRead: 1.5, cacheWrite: 18.75, output: 75, source: 'bundled', sourceModel: 'anthropic/claude-opus-4-1-20250805'})
    // manual: untouched
    expect(by.get('gpt-5.1')).toMatchObject({input: 1, output: 8, cacheRead: null, source: 'manual'})
    const fromSupplement = (await run(['prices', 'list', '--source', 'cpactl-catalog', '--json'])).json as Array<{model: string}>
    expect(fromSupplement.map((p) => p.model).sort()).toEqual(
      [
        'claude-haiku-4-5',
        'claude-haiku-4-5-20251001',
        'claude-opus-4-5',
        'claude-opus-4-5-20251101',
        'claude-sonnet-4-5',
        'claude-sonnet-4-5-20250929',
        'gemini-2.5-flash-lite',
        'gemini-3-pro-preview',
        'gpt-5-codex',
        'gpt-5.1-2025-11-13',
        'gpt-5.1-codex',
        'gpt-5.1-codex-mini',
        'grok-4-fast-non-reasoning',
        'grok-4-fast-reasoning',
        'grok-code-fast-1',
        'kimi-k2-thinking',
      ].sort(),
    )
    // --overwrite replaces the manual price with the supplement's
    const over = await run(['prices', 'import', '--bundled', '--only', 'gpt-5.1', '--overwrite', '--json'])
    expect(over.json).toMatchObject({read: 1, supplemented: 1, updated: 1, keptManual: []})
    expect((await run(['prices', 'list', '--model', 'gpt-5.1', '--json'])).json.find((p: {model: string}) => p.model === 'gpt-5.1')).toMatchObject({input: 1.25, cacheRead: 0.125, output: 10, source: 'cpactl-catalog'})
    expect((await run(['prices', 'import', '--json'])).exitCode).toBe(2)
    expect((await run(['prices', 'import', join(tempDir(), 'missing.json')])).exitCode).toBe(2)
  })

  it('export → import round-trips; remove deletes; list --csv', async () => {
    const out = join(tempDir(), 'prices.json')
    const e = await run(['prices', 'export', '-o', out, '--json'])
    expect(e.exitCode).toBe(0)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    // -o never replaces a file without --force
    const again = await run(['prices', 'export', '-o', out, '--json'])
    expect([again.exitCode, again.json.error.code]).toEqual([2, 'file_exists'])
    expect((await run(['prices', 'export', '-o', out, '--force', '--json'])).exitCode).toBe(0)
    const doc = JSON.parse(readFileSync(out, 'utf8'))
    expect(doc.format).toBe('cpactl-prices')
    const other = join(tempDir('cpactl-prices2-'), 'cpactl.db')
    const imp = await runCli(['prices', 'import', out, '--store', other, '--json'])
    expect(imp.json).toMatchObject({format: 'cpactl', added: doc.prices.length})
    const back = (await runCli(['prices', 'list', '--store', other, '--json'])).json
    expect(back.map((p: {model: string; input: number; source: string}) => [p.model, p.input, p.source])).toEqual(doc.prices.map((p: {model: string; input: number; source: string}) => [p.model, p.input, p.source]))
    // destructive: without --yes and without a terminal, exit 2 and nothing removed
    const unconfirmed = await run(['prices', 'remove', 'o3-mini', '--json'])
    expect([unconfirmed.exitCode, unconfirmed.json.error.code]).toEqual([2, 'confirmation_required'])
    expect((await run(['prices', 'list', '--json'])).json.map((p: {model: string}) => p.model)).toContain('o3-mini')
    const rm = await run(['prices', 'remove', 'o3-mini', 'claude-sonnet-4-5', '--yes', '--json'])
    expect(rm.json).toEqual({removed: ['o3-mini', 'claude-sonnet-4-5']})
    expect((await run(['prices', 'remove', 'o3-mini', '--yes'])).exitCode).toBe(2)
    const csv = await run(['prices', 'list', '--model', 'gpt-5', '--source', 'manual', '--csv'])
    expect(csv.stdout.split('\r\n')[0]).toBe('MODEL,INPUT,CACHE_READ,CACHE_WRITE,OUTPUT,REASONING,CONTEXT_TIERS,SERVICE_TIERS,SOURCE')
  })
})

describe('cpactl prices missing', () => {
  it('lists models seen in usage without a price, most used first', async () => {
    const {store, path} = await storeWith(makeRecords({count: 400, from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 2)}))
    await store.close()
    const r = await runCli(['prices', 'missing', '--store', path, '--json'])
    expect(r.exitCode).toBe(0)
    expect(r.json.map((m: {model: string}) => m.model).sort()).toEqual(['claude-sonnet-4-5', 'gemini-2.5-pro', 'gpt-5', 'gpt-5-mini'])
    expect(r.json.reduce((s: number, m: {requests: number}) => s + m.requests, 0)).toBe(400)
    await runCli(['prices', 'set', 'gpt-5', '--input', '1', '--output', '1', '--store', path])
    await runCli(['prices', 'set', 'GEMINI-2.5-PRO', '--input', '1', '--output', '1', '--store', path])
    const after = await runCli(['prices', 'missing', '--store', path, '--json'])
    expect(after.json.map((m: {model: string}) => m.model).sort()).toEqual(['claude-sonnet-4-5', 'gpt-5-mini'])
  })
})
