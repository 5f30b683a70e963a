/** Shared helpers of the collect command tests: temp stores and the store's own view of what it holds. */
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll} from 'vitest'

import type {Totals} from '../../../src/lib/sim/index.js'
import {storeQuery} from '../../helpers/store-db.js'

const made: string[] = []
// registered in the suite of whichever test file imports this module
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, {recursive: true, force: true})
})

export function tempStorePath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cpactl-collect-'))
  made.push(dir)
  return join(dir, 'store', 'cpactl.db')
}

const SUMS = `COUNT(*) AS requests, SUM(failed) AS failed, SUM(input_total) AS "inputTokens", SUM(uncached_input) AS "uncachedInputTokens",
  SUM(cache_read) AS "cacheReadTokens", SUM(cache_write) AS "cacheWriteTokens", SUM(output_total) AS "outputTokens",
  SUM(reasoning) AS "reasoningTokens", SUM(unclassified) AS "unclassifiedTokens", SUM(total) AS "totalTokens"`
const ROLLUP_SUMS = `SUM(requests) AS requests, SUM(failed) AS failed, SUM(uncached_input + cache_read + cache_write) AS "inputTokens",
  SUM(uncached_input) AS "uncachedInputTokens", SUM(cache_read) AS "cacheReadTokens", SUM(cache_write) AS "cacheWriteTokens",
  SUM(output_total) AS "outputTokens", SUM(reasoning) AS "reasoningTokens", SUM(unclassified) AS "unclassifiedTokens",
  SUM(uncached_input + cache_read + cache_write + output_total + unclassified) AS "totalTokens"`

export interface StoreView {
  events: number
  deadLetters: number
  byModel: Record<string, Totals>
  byModelRollup: Record<string, Totals>
  byAccount: Record<string, Totals>
  byApiKey: Record<string, Totals>
  runs: Array<Record<string, unknown>>
}

function keyed(rows: Array<Record<string, unknown>>, key: string): Record<string, Totals> {
  const out: Record<string, Totals> = {}
  for (const r of rows) {
    const {[key]: k, ...rest} = r
    out[String(k)] = rest as unknown as Totals
  }
  return out
}

/** What the store holds, read through a connection of the test's own (either backend). */
export async function storeView(location: string): Promise<StoreView> {
  const q = (sql: string) => storeQuery(location, sql)
  return {
    events: (await q('SELECT COUNT(*) AS n FROM usage_events'))[0].n,
    deadLetters: (await q('SELECT COUNT(*) AS n FROM usage_dead_letters'))[0].n,
    byModel: keyed(await q(`SELECT model, ${SUMS} FROM usage_events GROUP BY model`), 'model'),
    byModelRollup: keyed(await q(`SELECT model, ${ROLLUP_SUMS} FROM report_account_hourly GROUP BY model`), 'model'),
    byAccount: keyed(await q(`SELECT auth_index, ${SUMS} FROM usage_events GROUP BY auth_index`), 'auth_index'),
    byApiKey: keyed(await q(`SELECT api_key_hash, ${SUMS} FROM usage_events WHERE api_key_hash IS NOT NULL GROUP BY api_key_hash`), 'api_key_hash'),
    runs: await q('SELECT * FROM collector_runs ORDER BY id'),
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Poll until `cond` holds (throws after `timeoutMs`). */
export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

/** A real `cpactl` process (bin/dev.js through tsx), for signals and cross-process behaviour. */
export interface CliProcess {
  child: import('node:child_process').ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with the exit code (a signal death gives 128 + signal number). */
  exited: Promise<number>
}

export async function spawnCli(argv: string[], env: Record<string, string>): Promise<CliProcess> {
  const {spawn} = await import('node:child_process')
  const {fileURLToPath} = await import('node:url')
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bin', 'dev.js'), ...argv], {
    cwd: root,
    env: {...process.env, ...env, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (err += d))
  const signals: Record<string, number> = {SIGKILL: 9, SIGTERM: 15, SIGINT: 2}
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signals[signal ?? ''] ?? 0))))
  return {child, stdout: () => out, stderr: () => err, exited}
}
