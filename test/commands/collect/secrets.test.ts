// End to end: after collecting the simulator's traffic, neither the management key, nor any client API key,
// nor any upstream provider key appears anywhere in the store files, which are 0600.
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {defaultProviderConfig} from '../../../src/lib/sim/default-accounts.js'
import {seededClientKeys} from '../../../src/lib/sim/generator.js'
import {startSimulator, type Simulator} from '../../../src/lib/sim/index.js'
import {closeSqlite, sqlite, sqliteWritable} from '../../helpers/sqlite.js'
import {runCli, tempDir} from '../../helpers/run.js'
import {suiteGateway} from '../../helpers/sim.js'

const KEY = 'secrets-test-management-key-0123456789'
const SEED = 11
let sim: Simulator

beforeAll(async () => {
  sim = await startSimulator({...suiteGateway(), managementKey: KEY, seed: SEED})
})
afterAll(async () => {
  await sim.close()
})

describe('secrets stay out of the store', () => {
  it('stores only hashes of client keys and masks upstream keys', async () => {
    const store = `${tempDir()}/secrets.db`
    sim.preload(600)
    const r = await runCli(['collect', '--json', '--store', store], {env: {CPA_URL: sim.url, CPA_MANAGEMENT_KEY: KEY}})
    expect(r.exitCode).toBe(0)
    expect(r.json.inserted).toBe(600)
    const secrets = [KEY, ...seededClientKeys(SEED)]
    for (const m of JSON.stringify(defaultProviderConfig(SEED)).matchAll(/"api-key":"([^"]+)"/g)) secrets.push(m[1])
    expect(secrets.length).toBeGreaterThan(5)
    const files = [store, `${store}-wal`].filter((f) => existsSync(f))
    for (const f of files) {
      expect(statSync(f).mode & 0o777).toBe(0o600)
      const bytes = readFileSync(f)
      for (const s of secrets) expect(bytes.includes(s), `${s.slice(0, 6)}… found in ${f}`).toBe(false)
    }
    expect(r.stdout + r.stderr).not.toContain(KEY)
  })

  it('a client key in `source` (a Kimi OAuth file has no email; a request without a credential) never reaches the store, WAL or spool raw', async () => {
    // client keys that do not look like secrets: only the comparison with api_key can tell
    const clientKeys = ['team-alpha-key', 'ci-runner-key']
    const s2 = await startSimulator({...suiteGateway(), managementKey: KEY, seed: SEED + 1, apiKeys: clientKeys})
    try {
      const env = {CPA_URL: s2.url, CPA_MANAGEMENT_KEY: KEY}
      const kimi = {type: 'kimi', access_token: 'kimi-access-token-0123456789abcdef', refresh_token: 'kimi-refresh-0123456789', token_type: 'Bearer', timestamp: 1_787_000_000_000}
      const up = await fetch(`${s2.url}/v0/management/auth-files?name=kimi-1787000000000.json`, {method: 'POST', headers: {authorization: `Bearer ${KEY}`, 'content-type': 'application/json'}, body: JSON.stringify(kimi)})
      expect(up.status).toBe(200)
      const kimiIndex = s2.accounts.byName('kimi-1787000000000.json')!.authIndex
      const records = s2.generate(900).map((g) => JSON.parse(g.payload) as Record<string, string>)
      const sourceIsClientKey = records.filter((r) => clientKeys.includes(r.source))
      expect(sourceIsClientKey.some((r) => r.auth_index === kimiIndex && r.auth_type === 'oauth')).toBe(true)
      expect(sourceIsClientKey.some((r) => r.auth_index === '' && r.auth_type === 'unknown')).toBe(true)

      // a store that fails one batch mid-drain: that batch goes to a spool file
      const store = `${tempDir()}/client-key-source.db`
      await runCli(['collect', '--store', store, '--max-records', '1'], {env})
      const db = sqliteWritable(store)
      db.exec(`CREATE TRIGGER poison BEFORE INSERT ON usage_events WHEN NEW.auth_index = '${kimiIndex}' AND NEW.failed = 0 BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END`)
      db.close()
      const failed = await runCli(['collect', '--store', store, '--batch-size', '100', '--json'], {env})
      expect(failed.exitCode).toBe(3)
      const spools = readdirSync(dirname(store)).filter((n) => n.includes('.spool-') && n.endsWith('.jsonl'))
      expect(spools).toHaveLength(1)
      const scan = (label: string) => {
        const files = [store, `${store}-wal`, ...readdirSync(dirname(store)).filter((n) => n.includes('.spool-')).map((n) => join(dirname(store), n))].filter((f) => existsSync(f))
        expect(files.length, label).toBeGreaterThanOrEqual(1)
        for (const f of files) {
          const bytes = readFileSync(f)
          for (const k of [...clientKeys, kimi.access_token, kimi.refresh_token, KEY]) expect(bytes.includes(k), `${label}: ${k} found in ${f}`).toBe(false)
        }
      }
      expect(existsSync(join(dirname(store), spools[0]))).toBe(true)
      scan('after the failed run (spool present)')
      const fix = sqliteWritable(store)
      fix.exec('DROP TRIGGER poison')
      fix.close()
      const again = await runCli(['collect', '--store', store, '--json'], {env})
      expect(again.exitCode).toBe(0)
      scan('after the spool was re-ingested')
      // every record is there once, sources that were client keys masked and hashed like the key itself
      const view = sqlite(store)
      try {
        const n = (view.prepare('SELECT COUNT(*) AS n FROM usage_events').get() as {n: number}).n
        expect(n).toBe(records.length)
        const rows = view.prepare("SELECT source, source_hash, api_key_hash FROM usage_events WHERE auth_index = ? OR auth_index = ''").all(kimiIndex) as Array<{source: string; source_hash: string; api_key_hash: string}>
        expect(rows.length).toBeGreaterThan(0)
        for (const row of rows) {
          expect(row.source).toMatch(/^\*\*\*\*/)
          expect(row.source_hash).toBe(row.api_key_hash)
        }
      } finally {
        closeSqlite()
      }
    } finally {
      await s2.close()
    }
  })
})
