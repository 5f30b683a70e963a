// The check-state repository (migration 005): rows keyed by (check, target, receiver), upserted in one
// transaction, listed per check and receiver; a read-only store refuses to write them.
import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {openStore, type CheckStateRecord, type Store} from '../../../src/lib/store/index.js'
import {sqlite, sqliteWritable} from '../../helpers/sqlite.js'

const stores: Store[] = []
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
})

async function open(path: string, readonly = false): Promise<Store> {
  const s = await openStore({path, readonly})
  stores.push(s)
  return s
}

const row = (target: string, receiver: string, state: CheckStateRecord['state'], at: number): CheckStateRecord => ({
  check: 'quota',
  target,
  receiver,
  state,
  summary: `${target} is ${state}`,
  since: at,
  updatedAt: at,
})

describe('check states', () => {
  it('upserts by (check, target, receiver) and lists one check for one receiver', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cpactl-checks-')), 'cpactl.db')
    const s = await open(path)
    await s.checks.save([row('prod/a', 'r1', 'warning', 1000), row('prod/b', 'r1', 'ok', 1000), row('prod/a', 'r2', 'critical', 1000)])
    await s.checks.save([row('prod/a', 'r1', 'critical', 2000), {...row('prod/x', 'r1', 'ok', 3000), check: 'collector'}])
    expect(await s.checks.list('quota', 'r1')).toEqual([row('prod/a', 'r1', 'critical', 2000), row('prod/b', 'r1', 'ok', 1000)])
    expect(await s.checks.list('quota', 'r2')).toEqual([row('prod/a', 'r2', 'critical', 1000)])
    expect(await s.checks.list('collector', 'r2')).toEqual([])
    await s.checks.save([])
    expect((sqlite(path).prepare('SELECT COUNT(*) AS n FROM check_states').get() as {n: number}).n).toBe(4)
  })

  it('rejects an unknown state (CHECK constraint) and a write on a read-only store', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cpactl-checks-')), 'cpactl.db')
    const s = await open(path)
    await expect(s.checks.save([{...row('a', 'r', 'ok', 1), state: 'bogus' as 'ok'}])).rejects.toThrow()
    expect(await s.checks.list('quota', 'r')).toEqual([])
    const ro = await open(path, true)
    await expect(ro.checks.save([row('a', 'r', 'ok', 1)])).rejects.toMatchObject({code: 'store_readonly'})
    const w = sqliteWritable(path)
    expect(w.prepare("SELECT sql FROM sqlite_master WHERE name = 'check_states'").get()).toBeTruthy()
    w.close()
  })
})
