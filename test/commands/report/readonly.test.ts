// Reports open the store read-only and never write: against a read-only (0444) store file and against a backup
// every report works, gives the same answers, and leaves the database file byte for byte as it was. A backup
// (VACUUM INTO) is in rollback-journal mode, so reading it leaves no side files either.
import {createHash} from 'node:crypto'
import {chmodSync, existsSync, readdirSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'

import {beforeAll, describe, expect, it} from 'vitest'

import {runCli, tempDir} from '../../helpers/run.js'
import {makeRecords, storeWith} from '../../lib/report/helpers.js'

const FROM = Date.UTC(2026, 1, 1, 3)
const TO = Date.UTC(2026, 1, 9, 17)
const RANGE = ['--since', '2026-02-01T00:00:00Z', '--until', '2026-02-10T00:00:00Z', '--tz', 'UTC']
const REPORTS: string[][] = [
  ['report', 'summary', ...RANGE, '--compare'],
  ['report', 'models', ...RANGE],
  ['report', 'providers', ...RANGE],
  ['report', 'accounts', ...RANGE],
  ['report', 'api-keys', ...RANGE],
  ['report', 'timeline', ...RANGE, '--granularity', 'hour'],
  ['report', 'failures', ...RANGE],
  ['report', 'events', ...RANGE, '--limit', '20'],
  ['store', 'info'],
  ['store', 'dead-letters', 'list', '--all'],
  ['collect', 'status'],
  ['aliases', 'list'],
  ['prices', 'list'],
  ['prices', 'missing'],
]

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('reports never write', () => {
  let store: string
  let backup: string

  beforeAll(async () => {
    const s = await storeWith(makeRecords({count: 1500, from: FROM, to: TO, seed: 8}), 'main')
    store = s.path
    await s.store.close()
    backup = join(tempDir('cpactl-ro-backup-'), 'backup.db')
    const b = await runCli(['store', 'backup', backup, '--store', store, '--json'])
    expect(b.exitCode, b.stderr).toBe(0)
  })

  it('against a read-only (0444) store file and a backup: same answers, files unchanged, no side files beside the backup', async () => {
    chmodSync(store, 0o444)
    const hashes = {store: sha(store), backup: sha(backup)}
    const backupDir = readdirSync(dirname(backup)).sort()
    for (const argv of REPORTS) {
      const a = await runCli([...argv, '--store', store, '--json'])
      const b = await runCli([...argv, '--store', backup, '--json'])
      expect(a.exitCode, `${argv.join(' ')}: ${a.stderr}`).toBe(0)
      expect(b.exitCode, `${argv.join(' ')} (backup): ${b.stderr}`).toBe(0)
      const strip = (j: unknown) => JSON.parse(JSON.stringify(j).replaceAll(backup, '<store>').replaceAll(store, '<store>'))
      if (argv[1] !== 'info') expect(strip(b.json), argv.join(' ')).toEqual(strip(a.json))
      expect(sha(store), argv.join(' ')).toBe(hashes.store)
      expect(sha(backup), argv.join(' ')).toBe(hashes.backup)
    }
    expect(readdirSync(dirname(backup)).sort()).toEqual(backupDir)
    expect(existsSync(`${backup}-wal`)).toBe(false)
    // totals agree with the events that went in
    const s = await runCli(['report', 'summary', ...RANGE, '--store', backup, '--json'])
    expect(s.json.totals.requests).toBe(1500)
  })

  it('store info on the backup: every event, the current schema', async () => {
    const info = await runCli(['store', 'info', '--store', backup, '--json'])
    expect(info.json).toMatchObject({rawEvents: 1500, totalEvents: 1500, schemaVersion: 6})
  })
})
