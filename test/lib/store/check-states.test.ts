// The check-state repository (SQLite migration 005, PostgreSQL migration 2), on both backends: rows keyed by
// (check, target, receiver), upserted in one transaction, listed per check and receiver in byte order of
// targets; a read-only store refuses to write them.
import {afterEach, describe, expect, it} from 'vitest'

import {openStore, type CheckStateRecord, type Store} from '../../../src/lib/store/index.js'
import {BACKENDS} from '../../helpers/pg.js'
import {storeCount, storeQuery} from '../../helpers/store-db.js'

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

describe.each(BACKENDS)('check states on $name', (backend) => {
  it('upserts by (check, target, receiver) and lists one check for one receiver', async () => {
    const path = await backend.fresh()
    const s = await open(path)
    await s.checks.save([row('prod/a', 'r1', 'warning', 1000), row('prod/b', 'r1', 'ok', 1000), row('prod/a', 'r2', 'critical', 1000)])
    await s.checks.save([row('prod/a', 'r1', 'critical', 2000), {...row('prod/x', 'r1', 'ok', 3000), check: 'collector'}])
    expect(await s.checks.list('quota', 'r1')).toEqual([row('prod/a', 'r1', 'critical', 2000), row('prod/b', 'r1', 'ok', 1000)])
    expect(await s.checks.list('quota', 'r2')).toEqual([row('prod/a', 'r2', 'critical', 1000)])
    expect(await s.checks.list('collector', 'r2')).toEqual([])
    await s.checks.save([])
    expect(await storeCount(path, 'check_states')).toBe(4)
    // the same key twice in one save: the last record wins
    await s.checks.save([row('prod/c', 'r1', 'warning', 4000), row('prod/c', 'r1', 'unknown', 5000)])
    expect((await s.checks.list('quota', 'r1')).find((r) => r.target === 'prod/c')).toEqual(row('prod/c', 'r1', 'unknown', 5000))
    // targets come in byte order whatever the database's collation (upper case before lower case, '/' before letters)
    await s.checks.save([row('Prod/z', 'r3', 'ok', 1), row('prod-a', 'r3', 'ok', 1), row('prod/a', 'r3', 'ok', 1), row('prod', 'r3', 'ok', 1)])
    expect((await s.checks.list('quota', 'r3')).map((r) => r.target)).toEqual(['Prod/z', 'prod', 'prod-a', 'prod/a'])
  })

  it('rejects an unknown state (CHECK constraint) and a write on a read-only store; a failed save writes nothing', async () => {
    const path = await backend.fresh()
    const s = await open(path)
    await expect(s.checks.save([row('a', 'r', 'ok', 1), {...row('b', 'r', 'ok', 1), state: 'bogus' as 'ok'}])).rejects.toThrow()
    expect(await s.checks.list('quota', 'r')).toEqual([])
    const ro = await open(path, true)
    await expect(ro.checks.save([row('a', 'r', 'ok', 1)])).rejects.toMatchObject({code: 'store_readonly'})
    expect(await ro.checks.list('quota', 'r')).toEqual([])
    const cols = backend.name === 'sqlite' ? "SELECT name FROM pragma_table_info('check_states') ORDER BY cid" : "SELECT column_name AS name FROM information_schema.columns WHERE table_name = 'check_states' ORDER BY ordinal_position"
    expect((await storeQuery<{name: string}>(path, cols)).map((c) => c.name)).toEqual(['check_name', 'target', 'receiver', 'state', 'summary', 'since', 'updated_at'])
  })
})
