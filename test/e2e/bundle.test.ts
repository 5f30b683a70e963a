// The start-up bundle (dist/cpactl.cjs, made by scripts/bundle.mjs in `npm run build`) against the module-by-module
// load (CPACTL_BUNDLE=0) of the same build, both through the real binary: the same stdout, stderr and exit code
// for reports, help, errors, the autocomplete plugin (ES modules @oclif/core import()s), an ES-module-only dependency
// (prices import --bundled), YAML and zod (config check)
// and a collect through the ingest thread (whose worker runs from dist/ either way); the bundle really replaces
// @oclif/core's files; and the code cache: one V8 accepts is left alone, a missing or rejected one is written
// again by the next run, whose output does not change.
import {copyFileSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'

import {requireCapability} from '../helpers/capability.js'
import {projectRoot, runBinary, tempDir, type BinaryRun} from '../helpers/run.js'
import {useSimulator} from '../helpers/sim.js'
import {storeView} from '../commands/collect/helpers.js'
import {makeRecords, storeWith} from '../lib/report/helpers.js'

const built = requireCapability('the built bundle (dist/cpactl.cjs)', existsSync(join(projectRoot, 'dist', 'cpactl.cjs')), 'run npm run build first (npm test does it in pretest)')

function cpactl(args: string[], env: Record<string, string> = {}, bin?: string, home?: string): Promise<BinaryRun> {
  return runBinary(args, env, {bin, home})
}

/** The same command with and without the bundle. */
async function both(args: string[], env: Record<string, string> = {}): Promise<{bundled: BinaryRun; modules: BinaryRun}> {
  const [bundled, modules] = await Promise.all([cpactl(args, env), cpactl(args, {...env, CPACTL_BUNDLE: '0'})])
  return {bundled, modules}
}

const RANGE = ['--since', '2026-02-01T00:00:00Z', '--until', '2026-02-10T00:00:00Z', '--tz', 'UTC']

describe.runIf(built)('the start-up bundle', () => {
  const ctx = useSimulator({seed: 23})

  it('is ASCII, and loads @oclif/core from itself instead of node_modules', async () => {
    const text = readFileSync(join(projectRoot, 'dist', 'cpactl.cjs'))
    expect(text.every((b) => b < 0x80)).toBe(true)
    const {bundled, modules} = await both(['--version'], {NODE_DEBUG: 'module'})
    expect(bundled.code).toBe(0)
    expect(bundled.stdout).toBe(modules.stdout)
    expect(modules.stderr).toContain('@oclif/core/lib/config/config.js')
    expect(bundled.stderr).not.toContain('@oclif/core/lib/')
  })

  it('gives the same output, errors and exit codes as the modules one by one', async () => {
    const s = await storeWith(makeRecords({count: 1200, from: Date.UTC(2026, 1, 1, 3), to: Date.UTC(2026, 1, 9, 17), seed: 4}), 'main')
    await s.store.close()
    const dir = tempDir('cpactl-bundle-')
    const config = join(dir, 'config.yaml')
    writeFileSync(config, 'port: 8317\nremote-management:\n  secret-key: ""\nusage-statistics-enabled: false\nbogus-key: 1\n')
    const cases: string[][] = [
      ['report', 'summary', ...RANGE, '--compare', '--store', s.path, '--json'],
      ['report', 'models', ...RANGE, '--store', s.path],
      ['report', 'api-keys', ...RANGE, '--store', s.path, '--csv'],
      ['report', 'timeline', ...RANGE, '--granularity', 'day', '--store', s.path, '--json'],
      ['report', 'failures', ...RANGE, '--store', s.path],
      ['report', 'summary', '--store', join(dir, 'none.db')],
      ['report', 'summary', '--store', join(dir, 'none.db'), '--json'],
      ['report', 'summary', '--bogus'],
      ['report', 'timeline', '--help'],
      ['--help'],
      ['no-such-command'],
      ['config', 'check', config],
      ['config', 'check', config, '--json'],
    ]
    for (const args of cases) {
      const {bundled, modules} = await both(args)
      expect(bundled, args.join(' ')).toEqual(modules)
    }
    // NODE_ENV=development or test (a developer's shell, a test runner): the bundle is used as it is, silently
    for (const NODE_ENV of ['development', 'test']) {
      const r = await cpactl(['prices', 'list', '--store', s.path, '--json'], {NODE_ENV})
      expect(r, NODE_ENV).toEqual({code: 0, stdout: '[]\n', stderr: ''})
    }
    // the autocomplete plugin's commands are ES modules that @oclif/core import()s (same home for both sides:
    // the output names its cache directory)
    for (const args of [['autocomplete', 'script', 'bash'], ['autocomplete', 'zsh'], ['autocomplete', '--refresh-cache']]) {
      const home = tempDir('cpactl-bundle-home-')
      const bundled = await cpactl(args, {}, undefined, home)
      const modules = await cpactl(args, {CPACTL_BUNDLE: '0'}, undefined, home)
      expect(bundled.code, `${args.join(' ')}: ${bundled.stderr}`).toBe(0)
      expect(bundled, args.join(' ')).toEqual(modules)
    }
    // the ES-module-only price catalogue, into a store of each side's own
    const prices = await Promise.all(
      ([{}, {CPACTL_BUNDLE: '0'}] as Array<Record<string, string>>).map((env) => cpactl(['prices', 'import', '--bundled', '--store', join(tempDir('cpactl-bundle-prices-'), 'p.db'), '--json'], env)),
    )
    expect(prices[0].code, prices[0].stderr).toBe(0)
    expect(JSON.parse(prices[0].stdout)).toMatchObject({source: 'bundled', read: 560, added: 560})
    expect(JSON.parse(prices[0].stdout)).toEqual(JSON.parse(prices[1].stdout))
  })

  it('collects through the ingest thread into the same store as without it', async () => {
    const views = []
    for (const env of [{}, {CPACTL_BUNDLE: '0'}] as Array<Record<string, string>>) {
      ctx.sim.preload(900, {spreadMs: 60_000})
      const store = join(tempDir('cpactl-bundle-collect-'), 'store.db')
      const r = await cpactl(['collect', '--store', store, '--batch-size', '200', '--json'], {...ctx.env(), ...env})
      expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(r.stdout)).toMatchObject({popped: 900, inserted: 900, deadLettered: 0, batches: 5})
      const {runs, ...view} = await storeView(store)
      expect(runs).toHaveLength(1)
      views.push(view)
    }
    expect(views[0].events).toBe(900)
    // the simulator's records differ between the two preloads; the totals per model are what both stores hold
    expect(Object.keys(views[0].byModel).length).toBeGreaterThan(1)
    expect(views[0].byModelRollup).toEqual(views[0].byModel)
    expect(views[1].byModelRollup).toEqual(views[1].byModel)
  })

  it('writes a missing or rejected code cache on the next run and leaves an accepted one alone', async () => {
    // a copy of the installed layout: bin/run.js, the bundle, package.json and the manifest (node_modules linked)
    const root = tempDir('cpactl-bundle-root-')
    mkdirSync(join(root, 'bin'))
    mkdirSync(join(root, 'dist'))
    copyFileSync(join(projectRoot, 'bin', 'run.js'), join(root, 'bin', 'run.js'))
    copyFileSync(join(projectRoot, 'dist', 'cpactl.cjs'), join(root, 'dist', 'cpactl.cjs'))
    for (const f of ['package.json', 'oclif.manifest.json']) copyFileSync(join(projectRoot, f), join(root, f))
    symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'))
    const bin = join(root, 'bin', 'run.js')
    const cache = join(root, 'dist', 'cpactl.cjs.cache')
    const expected = await cpactl(['--version'])

    expect(await cpactl(['--version'], {}, bin)).toEqual(expected)
    expect(existsSync(cache)).toBe(true)
    const mtime = statSync(cache).mtimeMs
    expect(await cpactl(['--version'], {}, bin)).toEqual(expected)
    expect(statSync(cache).mtimeMs).toBe(mtime)
    // V8 rejects the cache under other flags; such a run does not replace it with one only it could use
    expect(await cpactl(['--version'], {NODE_OPTIONS: '--max-old-space-size=300'}, bin)).toEqual(expected)
    expect(statSync(cache).mtimeMs).toBe(mtime)

    writeFileSync(cache, 'not a code cache')
    expect(await cpactl(['--version'], {}, bin)).toEqual(expected)
    expect(readFileSync(cache).length).toBeGreaterThan(100_000)
    const rewritten = statSync(cache).mtimeMs
    expect(await cpactl(['--version'], {}, bin)).toEqual(expected)
    expect(statSync(cache).mtimeMs).toBe(rewritten)
  })
})
